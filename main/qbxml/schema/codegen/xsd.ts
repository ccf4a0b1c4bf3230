/**
 * Reads a set of XSD files (an entry point and its `xsd:include`s) into a plain tree and
 * indexes the global declarations the qbXML schema uses. Generator-only code.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface XsdNode {
  /** Local name without the `xsd:` prefix, e.g. "element". */
  readonly tag: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XsdNode[];
}

export interface XsdIndex {
  readonly elements: ReadonlyMap<string, XsdNode>;
  readonly complexTypes: ReadonlyMap<string, XsdNode>;
  readonly simpleTypes: ReadonlyMap<string, XsdNode>;
  readonly groups: ReadonlyMap<string, XsdNode>;
}

/** fast-xml-parser's `preserveOrder` node: one tag key plus optional ":@" attributes. */
type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
});

function toTree(nodes: readonly OrderedNode[]): XsdNode[] {
  const out: XsdNode[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    // Text (whitespace) and comments carry nothing an XSD walker needs.
    if (tag === undefined || tag === '#text') continue;
    out.push({ tag, attrs: node[':@'] ?? {}, children: toTree(node[tag] as OrderedNode[]) });
  }
  return out;
}

function readSchemaRoot(path: string): XsdNode {
  const roots = toTree(parser.parse(readFileSync(path, 'utf8')) as OrderedNode[]);
  const schema = roots.find((n) => n.tag === 'schema');
  if (!schema) throw new Error(`${path}: no xsd:schema root`);
  return schema;
}

function addUnique(map: Map<string, XsdNode>, node: XsdNode, kind: string): void {
  const name = node.attrs.name;
  if (name === undefined) throw new Error(`global ${kind} without a name`);
  if (map.has(name)) throw new Error(`duplicate global ${kind} "${name}"`);
  map.set(name, node);
}

/** Reads `entry` (a file name inside `dir`) and every file it includes, once each. */
export function readXsd(dir: string, entry: string): XsdIndex {
  const elements = new Map<string, XsdNode>();
  const complexTypes = new Map<string, XsdNode>();
  const simpleTypes = new Map<string, XsdNode>();
  const groups = new Map<string, XsdNode>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const node of readSchemaRoot(join(dir, file)).children) {
      switch (node.tag) {
        case 'include': {
          const location = node.attrs.schemaLocation;
          if (location === undefined) throw new Error(`${file}: xsd:include without schemaLocation`);
          visit(location);
          break;
        }
        case 'element':
          addUnique(elements, node, 'element');
          break;
        case 'complexType':
          addUnique(complexTypes, node, 'complexType');
          break;
        case 'simpleType':
          addUnique(simpleTypes, node, 'simpleType');
          break;
        case 'group':
          addUnique(groups, node, 'group');
          break;
        default:
          // Fail loudly on constructs (attributeGroup, import, …) the resolver does not handle.
          throw new Error(`${file}: unsupported global xsd:${node.tag}`);
      }
    }
  };
  visit(entry);
  return { elements, complexTypes, simpleTypes, groups };
}
