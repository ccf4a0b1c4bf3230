/**
 * Response rendering. Handlers build plain trees (`XNode`, also the JSON form records
 * are stored in); `conform` then puts every child in qbXML schema order and drops what
 * the response schema — or the request's qbXML version — does not have, and `serialize`
 * prints the document the way QuickBooks does: `<?xml version="1.0" ?>`, one element per
 * line, no indentation, empty responses as `<XxxRs … />` (flowlink and Intuit samples).
 */
import type { ComplexType, ElementSpec, Particle } from '../../qbxml/schema/model';
import { versionAtLeast } from '../../qbxml/version';
import { escapeAttribute, escapeText } from '../../xml/escape';

/** A leaf has `text`, an aggregate has `children`. */
export interface XNode {
  name: string;
  text?: string;
  children?: XNode[];
}

export const leaf = (name: string, text: string): XNode => ({ name, text });
export const node = (name: string, children: XNode[]): XNode => ({ name, children });

/** Leaves for the defined values only, so optional fields can be listed inline. */
export function leaves(entries: Record<string, string | undefined>): XNode[] {
  return Object.entries(entries).flatMap(([name, text]) => (text === undefined ? [] : [leaf(name, text)]));
}

export const ref = (name: string, listId: string, fullName: string): XNode =>
  node(name, [leaf('ListID', listId), leaf('FullName', fullName)]);

const ranks = new WeakMap<ComplexType, ReadonlyMap<string, number>>();

/**
 * Position of each child name in the content model. All members of a repeating group
 * (InvoiceLineRet | InvoiceLineGroupRet, the twelve ItemQueryRs item types) share one
 * rank, so sorting keeps their interleaving.
 */
function rankOf(type: ComplexType): ReadonlyMap<string, number> {
  let map = ranks.get(type);
  if (map) return map;
  const built = new Map<string, number>();
  let next = 0;
  const assign = (p: Particle, shared: number | undefined): void => {
    if (p.kind === 'element') {
      if (!built.has(p.name)) built.set(p.name, shared ?? next++);
      return;
    }
    const rank = shared ?? (p.max > 1 ? next++ : undefined);
    for (const item of p.items) assign(item, rank);
  };
  if (type.content) assign(type.content, undefined);
  map = built;
  ranks.set(type, map);
  return map;
}

/** `tree` in schema order, keeping only children that `spec` allows at `version`. */
export function conform(tree: XNode, spec: ElementSpec, version: string): XNode {
  const type = spec.type;
  if (type.kind === 'leaf' || tree.children === undefined) return tree;
  const rank = rankOf(type);
  const children: { child: XNode; rank: number }[] = [];
  for (const c of tree.children) {
    const s = type.children.get(c.name);
    if (!s || (s.since !== undefined && !versionAtLeast(version, s.since))) continue;
    children.push({ child: conform(c, s, version), rank: rank.get(c.name) as number });
  }
  children.sort((a, b) => a.rank - b.rank);
  return { name: tree.name, children: children.map((c) => c.child) };
}

/** One `…Rs` element: attributes in QuickBooks' order, then its (conformed) children. */
export interface ResponseElement {
  name: string;
  attributes: readonly (readonly [string, string])[];
  children: XNode[];
}

function write(n: XNode, out: string[]): void {
  if (n.children === undefined) {
    out.push(`<${n.name}>${escapeText(n.text ?? '')}</${n.name}>`);
    return;
  }
  out.push(`<${n.name}>`);
  for (const c of n.children) write(c, out);
  out.push(`</${n.name}>`);
}

export function serializeResponses(responses: readonly ResponseElement[]): string {
  const out = ['<?xml version="1.0" ?>', '<QBXML>', '<QBXMLMsgsRs>'];
  for (const rs of responses) {
    const open = `<${rs.name}${rs.attributes.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('')}`;
    if (rs.children.length === 0) {
      out.push(`${open} />`);
      continue;
    }
    out.push(`${open}>`);
    for (const c of rs.children) write(c, out);
    out.push(`</${rs.name}>`);
  }
  out.push('</QBXMLMsgsRs>', '</QBXML>');
  return out.join('\n') + '\n';
}
