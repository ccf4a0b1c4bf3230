/**
 * Walks the qbXML XSD from each request/response element down to its leaves and interns
 * what it finds into the compact tables of `../compact.ts`. Generator-only code.
 *
 * Named groups, element refs and named types are inlined, so every element occurrence
 * is resolved in its own context (path). That is what lets inline elements keep their
 * context-specific maxLength and lets the annotated 14.0 sample be matched by path;
 * interning then folds the identical results back together.
 */

import type { QbScalar } from '../model';
import {
  UNBOUNDED,
  type CompactAttribute,
  type CompactElement,
  type CompactParticle,
  type CompactSchema,
  type CompactType,
} from '../compact';
import type { XsdIndex, XsdNode } from './xsd';
import { childKey, type AnnotationMap } from './annotations';

const SCALARS: ReadonlySet<string> = new Set<QbScalar>([
  'IDTYPE',
  'STRTYPE',
  'BOOLTYPE',
  'DATETYPE',
  'DATETIMETYPE',
  'TIMEINTERVALTYPE',
  'AMTTYPE',
  'PRICETYPE',
  'QUANTYPE',
  'PERCENTTYPE',
  'ENUMTYPE',
  'INTTYPE',
  'GUIDTYPE',
  'UUIDTYPE',
  'MACROTYPE',
  'FLOATTYPE',
]);

/**
 * The annotated sample only covers qbXML 14.0. An element that exists in 16.0 but not
 * at that path in the 14.0 sample was added in 15.0 or 16.0; no public 15.0 schema or
 * sample exists to tell which, so it is conservatively marked "15.0" (the earliest
 * version that could have it). Only the outermost such element is marked: its
 * descendants are implicitly gated by it, and marking them too would split otherwise
 * identical shared types (a ListID/FullName ref) into copies.
 */
const AFTER_SAMPLE_VERSION = '15.0';

interface Leaf {
  readonly base: QbScalar;
  readonly maxLength?: number;
  readonly enumValues?: readonly string[];
}

/** The scope of a request/response element: its annotation is keyed by its own name. */
const ROOT = Symbol('root');

/**
 * Where an element's annotation is looked up: ROOT, the path key of its parent in the
 * sample, or null when the parent is not in the sample (then nothing below it is).
 */
type Scope = typeof ROOT | string | null;

function occurs(node: XsdNode): { min: number; max: number } {
  const { minOccurs = '1', maxOccurs = '1' } = node.attrs;
  return { min: Number(minOccurs), max: maxOccurs === 'unbounded' ? UNBOUNDED : Number(maxOccurs) };
}

function only(node: XsdNode, tags: readonly string[]): XsdNode {
  const found = node.children.filter((c) => tags.includes(c.tag));
  if (found.length !== 1 || found[0] === undefined) {
    throw new Error(`expected one of ${tags.join('|')} in xsd:${node.tag} ${node.attrs.name ?? ''}`);
  }
  return found[0];
}

function requireAttr(node: XsdNode, attr: string): string {
  const value = node.attrs[attr];
  if (value === undefined) throw new Error(`xsd:${node.tag} without ${attr}`);
  return value;
}

export class Resolver {
  private readonly types: CompactType[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly elements: CompactElement[] = [];
  private readonly elementIndex = new Map<string, number>();
  private readonly attributeLists: CompactAttribute[][] = [];
  private readonly attributeListIndex = new Map<string, number>();
  /** Declarations being expanded, to reject recursive content models. */
  private readonly active = new Set<XsdNode>();

  constructor(
    private readonly xsd: XsdIndex,
    private readonly annotations: AnnotationMap,
  ) {}

  tables(): Pick<CompactSchema, 't' | 'e' | 'a'> {
    return { t: this.types, e: this.elements, a: this.attributeLists };
  }

  /** The element declarations of a message set's choice (QBXMLMsgsRq, QBXMLMsgsRs). */
  messageSet(name: string): { members: readonly XsdNode[]; attributes: number | undefined } {
    const decl = this.xsd.elements.get(name);
    if (!decl) throw new Error(`no global element ${name}`);
    const type = only(decl, ['complexType']);
    return { members: only(type, ['choice']).children, attributes: this.attributes(type) };
  }

  /** A request/response element (a member of a message set). */
  root(node: XsdNode): number {
    return this.element(node, ROOT, new Map());
  }

  private element(node: XsdNode, scope: Scope, seen: Map<string, number>): number {
    const ref = node.attrs.ref;
    const decl = ref === undefined ? node : this.xsd.elements.get(ref);
    if (!decl) throw new Error(`unresolved element ref ${ref}`);
    const name = requireAttr(decl, 'name');
    const occurrence = seen.get(name) ?? 0;
    seen.set(name, occurrence + 1);

    let since: string | undefined;
    let notIn: readonly string[] | undefined;
    let childScope: Scope = null;
    if (scope !== null) {
      const key = childKey(scope === ROOT ? undefined : scope, name, occurrence);
      const annotation = this.annotations.get(key);
      if (annotation) {
        ({ since, notIn } = annotation);
        childScope = key;
      } else {
        since = AFTER_SAMPLE_VERSION;
      }
    }

    if (this.active.has(decl)) throw new Error(`recursive content model at element ${name}`);
    this.active.add(decl);
    const type = this.elementType(decl, childScope);
    this.active.delete(decl);

    const { min, max } = occurs(node);
    return this.internElement({
      n: name,
      t: type,
      ...(min !== 1 && { m: min }),
      ...(max !== 1 && { x: max }),
      ...(since !== undefined && { s: since }),
      ...(notIn !== undefined && { ni: notIn.join('|') }),
    });
  }

  private elementType(decl: XsdNode, scope: Scope): number {
    const typeName = decl.attrs.type;
    if (typeName !== undefined) {
      if (SCALARS.has(typeName)) return this.internLeaf(this.scalar(typeName), undefined);
      const named = this.xsd.complexTypes.get(typeName);
      if (!named) throw new Error(`unknown type ${typeName}`);
      return this.complexType(named, scope);
    }
    const inline = only(decl, ['simpleType', 'complexType']);
    return inline.tag === 'simpleType'
      ? this.internLeaf(this.simpleType(inline), undefined)
      : this.complexType(inline, scope);
  }

  /** A qbxmltypes160.xsd type; of its facets only IDTYPE's maxLength matters here. */
  private scalar(name: string): Leaf {
    if (!SCALARS.has(name)) throw new Error(`unsupported simple type base ${name}`);
    const restriction = this.xsd.simpleTypes.get(name)?.children.find((c) => c.tag === 'restriction');
    const maxLength = restriction?.children.find((c) => c.tag === 'maxLength')?.attrs.value;
    return { base: name as QbScalar, ...(maxLength !== undefined && { maxLength: Number(maxLength) }) };
  }

  /**
   * An inline `restriction` of a scalar. Only maxLength and enumerations are kept:
   * model.ts has no place for the few min/maxInclusive ranges (month 1–12, day 1–31).
   */
  private simpleType(node: XsdNode): Leaf {
    const restriction = only(node, ['restriction']);
    let leaf = this.scalar(requireAttr(restriction, 'base'));
    const enumValues = restriction.children
      .filter((c) => c.tag === 'enumeration')
      .map((c) => requireAttr(c, 'value'));
    const maxLength = restriction.children.find((c) => c.tag === 'maxLength')?.attrs.value;
    if (maxLength !== undefined) leaf = { ...leaf, maxLength: Number(maxLength) };
    if (enumValues.length > 0) leaf = { ...leaf, enumValues };
    return leaf;
  }

  private complexType(node: XsdNode, scope: Scope): number {
    const simpleContent = node.children.find((c) => c.tag === 'simpleContent');
    if (simpleContent) {
      // A value with attributes, e.g. <TxnID useMacro="…">…</TxnID>.
      const extension = only(simpleContent, ['extension']);
      return this.internLeaf(this.scalar(requireAttr(extension, 'base')), this.attributes(extension));
    }
    const seen = new Map<string, number>();
    let content: CompactParticle | undefined;
    for (const child of node.children) {
      if (child.tag === 'attribute') continue;
      if (content !== undefined) throw new Error('complexType with more than one content model');
      content = this.particle(child, scope, seen);
    }
    const attributes = this.attributes(node);
    return this.internType({
      ...(content !== undefined && { p: content }),
      ...(attributes !== undefined && { a: attributes }),
    });
  }

  /** The interned attribute list of a type; undefined when it has none. */
  private attributes(node: XsdNode): number | undefined {
    const list = node.children
      .filter((c) => c.tag === 'attribute')
      .map((attr) => {
        const type = attr.attrs.type;
        const leaf = type !== undefined ? this.scalar(type) : this.simpleType(only(attr, ['simpleType']));
        return {
          n: requireAttr(attr, 'name'),
          b: leaf.base,
          ...(attr.attrs.use === 'required' && { r: 1 as const }),
          ...(leaf.enumValues && { e: [...leaf.enumValues] }),
        };
      });
    return list.length > 0 ? intern(this.attributeLists, this.attributeListIndex, list) : undefined;
  }

  private particle(node: XsdNode, scope: Scope, seen: Map<string, number>): CompactParticle | undefined {
    switch (node.tag) {
      case 'element':
        return this.element(node, scope, seen);
      case 'sequence':
      case 'choice':
        return this.group(node, node, scope, seen);
      case 'group': {
        const def = this.xsd.groups.get(requireAttr(node, 'ref'));
        if (!def) throw new Error(`unresolved group ref ${node.attrs.ref}`);
        // A group definition's model group carries no occurs; the reference does.
        return this.group(only(def, ['sequence', 'choice']), node, scope, seen);
      }
      default:
        throw new Error(`unsupported xsd:${node.tag} in a content model`);
    }
  }

  /**
   * A sequence or choice, simplified without changing what it accepts: empty groups
   * vanish, a once-only group of the same kind is spliced into its parent, and a
   * once-only group of one item is that item.
   */
  private group(
    model: XsdNode,
    occursFrom: XsdNode,
    scope: Scope,
    seen: Map<string, number>,
  ): CompactParticle | undefined {
    const kind = model.tag === 'sequence' ? 's' : 'c';
    const items: CompactParticle[] = [];
    for (const child of model.children) {
      const item = this.particle(child, scope, seen);
      if (item === undefined) continue;
      const once = typeof item === 'object' && item.m === undefined && item.x === undefined;
      if (once && 's' in item && kind === 's') items.push(...item.s);
      else if (once && 'c' in item && kind === 'c') items.push(...item.c);
      else items.push(item);
    }
    const { min, max } = occurs(occursFrom);
    if (items.length === 0) return undefined;
    if (items.length === 1 && min === 1 && max === 1) return items[0];
    const bounds = { ...(min !== 1 && { m: min }), ...(max !== 1 && { x: max }) };
    return kind === 's' ? { s: items, ...bounds } : { c: items, ...bounds };
  }

  private internLeaf(leaf: Leaf, attributes: number | undefined): number {
    return this.internType({
      b: leaf.base,
      ...(leaf.maxLength !== undefined && { l: leaf.maxLength }),
      ...(leaf.enumValues && { e: [...leaf.enumValues] }),
      ...(attributes !== undefined && { a: attributes }),
    });
  }

  // Keys are the entries' own JSON: the objects are built with a fixed key order and
  // reference other entries by (already interned) index, so equal JSON means equal structure.
  private internType(type: CompactType): number {
    return intern(this.types, this.typeIndex, type);
  }

  private internElement(element: CompactElement): number {
    return intern(this.elements, this.elementIndex, element);
  }
}

function intern<T>(table: T[], index: Map<string, number>, entry: T): number {
  const key = JSON.stringify(entry);
  let i = index.get(key);
  if (i === undefined) {
    i = table.length;
    table.push(entry);
    index.set(key, i);
  }
  return i;
}
