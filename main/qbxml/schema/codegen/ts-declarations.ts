/**
 * Decides which TypeScript declarations `types.ts` gets and what they are called.
 * Generator-only code.
 *
 * A declaration is one (element name, TS shape) pair, where the shape is what the
 * JSON convention can express: child names, optional vs required, single vs array,
 * choices, and leaf value types. maxLength, since and notIn are invisible to the type
 * system, so types differing only in those share a declaration.
 *
 * Naming: a name used by one shape keeps its qbXML name (`InvoiceAdd`). Should one name
 * have several shapes, the most used keeps the bare name and the others are scoped by
 * the declaration that first contains them (`FooRet_ClassRef`). qbXML began as a DTD,
 * where an element name has one content model, so in 16.0 no name needs scoping.
 */

import type { ComplexType, ElementSpec, LeafType, Particle, QbxmlSchema, TypeSpec } from '../model';
import { elementsOf } from './walk';

/** A complex type, or an enumeration leaf (emitted as a string-literal union). */
export type DeclaredType = ComplexType | (LeafType & { readonly enumValues: readonly string[] });

export interface Declaration {
  readonly element: string;
  readonly type: DeclaredType;
  readonly firstParent: Declaration | undefined;
  uses: number;
  name: string;
}

/** Names the emitted file declares besides the per-element ones. */
const RESERVED_NAMES = [
  'RequestTypes',
  'ResponseTypes',
  'QbxmlRequestName',
  'QbxmlResponseName',
  'QBXMLMsgsRqAttributes',
  'QBXMLMsgsRsAttributes',
];

function isDeclared(type: TypeSpec): type is DeclaredType {
  return type.kind === 'complex' || (type.enumValues !== undefined && type.attributes.length === 0);
}

/** Structural keys of TS shapes, memoized per (shared) model type. */
class ShapeKeys {
  private readonly keys = new Map<TypeSpec, string>();
  private readonly ids = new Map<string, number>();

  of(type: TypeSpec): string {
    let key = this.keys.get(type);
    if (key === undefined) {
      key = this.compute(type);
      this.keys.set(type, key);
    }
    return key;
  }

  /** A short stand-in for a (possibly long) key, for embedding in parent keys. */
  private id(type: TypeSpec): string {
    const key = this.of(type);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return `#${id}`;
  }

  private compute(type: TypeSpec): string {
    const attrs = type.attributes
      .map((a) => `@${a.name}${a.required ? '' : '?'}:${a.base}:${a.enumValues?.join('|') ?? ''}`)
      .join(',');
    if (type.kind === 'leaf') return `leaf(${type.base}:${type.enumValues?.join('|') ?? ''};${attrs})`;
    return `complex(${attrs};${type.content ? this.particle(type.content) : ''})`;
  }

  private particle(p: Particle): string {
    // Only what the TS rendering distinguishes: optional or not, single or repeated.
    const occurs = `${p.min === 0 ? '?' : ''}${p.max > 1 ? '*' : ''}`;
    if (p.kind === 'element') return `${p.name}${occurs}=${this.id(p.type)}`;
    return `${p.kind}${occurs}[${p.items.map((i) => this.particle(i)).join(',')}]`;
  }
}

export interface DeclarationPlan {
  /** Parents before children, requests before responses, in XSD order. */
  readonly declarations: readonly Declaration[];
  /** The declaration naming an element's value type; undefined for a plain scalar. */
  nameOf(element: ElementSpec): string | undefined;
}

export function planDeclarations(schema: QbxmlSchema): DeclarationPlan {
  const shapes = new ShapeKeys();
  const byKey = new Map<string, Declaration>();
  const order: Declaration[] = [];
  const keyOf = (element: ElementSpec): string => `${element.name}\u0000${shapes.of(element.type)}`;

  // Depth-first, parents before children, so a scoped name's parent is named first.
  const visit = (element: ElementSpec, parent: Declaration | undefined): void => {
    const type = element.type;
    if (!isDeclared(type)) return;
    const key = keyOf(element);
    const known = byKey.get(key);
    if (known) {
      known.uses++;
      return;
    }
    const decl: Declaration = { element: element.name, type, firstParent: parent, uses: 1, name: '' };
    byKey.set(key, decl);
    order.push(decl);
    if (type.kind === 'complex') for (const child of elementsOf(type.content)) visit(child, decl);
  };
  for (const root of schema.requests.values()) visit(root, undefined);
  for (const root of schema.responses.values()) visit(root, undefined);
  assignNames(order);
  return {
    declarations: order,
    nameOf: (element) => (isDeclared(element.type) ? byKey.get(keyOf(element))?.name : undefined),
  };
}

function assignNames(order: readonly Declaration[]): void {
  const taken = new Set(RESERVED_NAMES);
  const groups = new Map<string, Declaration[]>();
  for (const decl of order) {
    const group = groups.get(decl.element);
    if (group) group.push(decl);
    else groups.set(decl.element, [decl]);
  }
  // Winners first, so a later scoped name can never take a bare name.
  const winners = new Set<Declaration>();
  for (const [element, group] of groups) {
    // Stable sort: ties keep first-seen order.
    const winner = [...group].sort((a, b) => b.uses - a.uses)[0];
    if (!winner || taken.has(element)) continue;
    winner.name = element;
    taken.add(element);
    winners.add(winner);
  }
  for (const decl of order) {
    if (winners.has(decl)) continue;
    const base = decl.firstParent ? `${decl.firstParent.name}_${decl.element}` : decl.element;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
    decl.name = name;
    taken.add(name);
  }
}
