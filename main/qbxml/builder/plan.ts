/**
 * Per-type lookup tables derived lazily from the schema model and shared by the builder
 * (JSON → qbXML), the raw-request checker and the typed parsers (qbXML → JSON).
 *
 * The model's types are interned (every ListID/FullName ref is one object), so one plan
 * per ComplexType object, cached in a WeakMap, serves every context that uses it.
 */
import type { AttributeSpec, ComplexType, ElementSpec, LeafType, Particle, QbScalar } from '../schema/model';

/** How the parsers turn an element's text into a JSON value. */
export const CONV_STRING = 0;
export const CONV_INT = 1;
export const CONV_BOOL = 2;

export function convOf(base: QbScalar): number {
  return base === 'INTTYPE' ? CONV_INT : base === 'BOOLTYPE' ? CONV_BOOL : CONV_STRING;
}

/** A qbXML version "X.Y" as a comparable number (X * 1000 + Y); 0 when unparsable. */
const versionNumbers = new Map<string, number>();
export function versionNumber(text: string): number {
  let n = versionNumbers.get(text);
  if (n === undefined) {
    const m = /^(?:[A-Z]{2})?(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
    n = m === null ? 0 : Number(m[1]) * 1000 + Number(m[2]);
    versionNumbers.set(text, n);
  }
  return n;
}

/**
 * Integer range facets (minInclusive/maxInclusive) of qbxml160.xsd, which the schema
 * model does not carry. Each is on a global element, so it holds wherever the name occurs.
 */
export const INT_RANGES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['ExpirationMonth', [1, 12]],
  ['DayOfMonthDue', [1, 31]],
  ['DiscountDayOfMonth', [1, 31]],
  ['MaxReturned', [1, Infinity]],
]);

/** The same string, internalized (as property keys are), so keyed stores with it stay on V8's fast path. */
export function internalized(s: string): string {
  return Object.keys({ [s]: 0 })[0] as string;
}

export interface AttrInfo {
  readonly spec: AttributeSpec;
  /** "@name", the JSON key. */
  readonly key: string;
  readonly conv: number;
  readonly enumSet: ReadonlySet<string> | null;
}

/** Leaf facts the value checks need, computed once per LeafType. */
export interface LeafInfo {
  readonly type: LeafType;
  readonly base: QbScalar;
  readonly maxLength: number;
  readonly enumSet: ReadonlySet<string> | null;
  readonly conv: number;
  readonly attrs: readonly AttrInfo[];
  /** Attribute info by name (without "@"). */
  readonly attrByName: ReadonlyMap<string, AttrInfo>;
}

export interface ChildInfo {
  readonly name: string;
  readonly spec: ElementSpec;
  /** The JSON value is an array: the element, or a group around it, may occur more than once. */
  readonly isArray: boolean;
  /** Most occurrences allowed (Infinity inside a repeated group). */
  readonly max: number;
  readonly leaf: LeafInfo | null;
  readonly complex: ComplexType | null;
  /** versionNumber(spec.since), 0 when the element has no `since`. */
  readonly since: number;
  /** Position in schema order; members of one repeated group share a position. */
  readonly position: number;
  /** 0, 1, 2, … in schema order: a unique index within the parent's plan. */
  readonly slot: number;
  /** Inclusive integer range of an INTTYPE leaf, when the XSD restricts it. */
  readonly range: readonly [number, number] | null;
  /** The child's own plan, for complex children (filled on first use). */
  plan: TypePlan | null;
}

export type PlanNode = ElementNode | SequenceNode | ChoiceNode | RepeatNode;

export interface ElementNode {
  readonly kind: 'element';
  readonly child: ChildInfo;
  readonly nullable: boolean;
}

export interface SequenceNode {
  readonly kind: 'sequence';
  readonly min: number;
  readonly items: readonly PlanNode[];
  /** Every element name inside, to tell whether an optional sequence is present. */
  readonly keys: readonly string[];
  readonly nullable: boolean;
}

export interface ChoiceNode {
  readonly kind: 'choice';
  readonly min: number;
  readonly alts: readonly PlanNode[];
  readonly altKeys: readonly (readonly string[])[];
  /** How each alternative is named in messages ("TxnID", "PaymentTxnID + …"). */
  readonly altLabels: readonly string[];
  readonly nullable: boolean;
}

/** A group with maxOccurs > 1: each member element is an array, in any mix. */
export interface RepeatNode {
  readonly kind: 'repeat';
  readonly min: number;
  readonly max: number;
  readonly members: readonly ChildInfo[];
  readonly nullable: boolean;
}

export interface TypePlan {
  readonly type: ComplexType;
  readonly children: ReadonlyMap<string, ChildInfo>;
  readonly attrs: readonly AttrInfo[];
  readonly attrByName: ReadonlyMap<string, AttrInfo>;
  /** undefined: no child elements. */
  readonly root: PlanNode | undefined;
  /** Child names in schema order (for "allowed: …" messages). */
  readonly names: readonly string[];
  /** Lower-cased child and "@attribute" names → the real name, for "did you mean". */
  readonly lower: ReadonlyMap<string, string>;
  /** The first child element in schema order, e.g. InvoiceAdd in InvoiceAddRq. */
  readonly firstChild: string | undefined;
  /**
   * Creates the (plain, Object.prototype) JSON object for this type. One constructor per
   * type lets V8 size its objects from experience (in-object slack tracking) instead of
   * growing a property array as the parser adds fields.
   */
  readonly Object: new () => Record<string, unknown>;
}

function plainObjectConstructor(): new () => Record<string, unknown> {
  // A fresh function per type: each gets its own initial map.
  const ctor = function PlainObject(this: Record<string, unknown>) {} as unknown as new () => Record<string, unknown>;
  (ctor as unknown as { prototype: object }).prototype = Object.prototype;
  return ctor;
}

const plans = new WeakMap<ComplexType, TypePlan>();
const leafInfos = new WeakMap<LeafType, LeafInfo>();
const attrLists = new WeakMap<readonly AttributeSpec[], readonly AttrInfo[]>();

function attrInfos(specs: readonly AttributeSpec[]): readonly AttrInfo[] {
  let list = attrLists.get(specs);
  if (list === undefined) {
    list = specs.map((spec) => ({
      spec,
      key: internalized('@' + spec.name),
      conv: convOf(spec.base),
      enumSet: spec.enumValues ? new Set(spec.enumValues) : null,
    }));
    attrLists.set(specs, list);
  }
  return list;
}

export function leafInfo(type: LeafType): LeafInfo {
  let info = leafInfos.get(type);
  if (info === undefined) {
    const attrs = attrInfos(type.attributes);
    info = {
      type,
      base: type.base,
      maxLength: type.maxLength ?? (type.base === 'IDTYPE' ? 36 : Infinity),
      enumSet: type.enumValues ? new Set(type.enumValues) : null,
      conv: convOf(type.base),
      attrs,
      attrByName: new Map(attrs.map((a) => [a.spec.name, a])),
    };
    leafInfos.set(type, info);
  }
  return info;
}

export function planOf(type: ComplexType): TypePlan {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = buildPlan(type);
    plans.set(type, plan);
  }
  return plan;
}

/** The plan of a complex child, cached on its ChildInfo. */
export function childPlan(child: ChildInfo): TypePlan {
  return (child.plan ??= planOf(child.complex as ComplexType));
}

function buildPlan(type: ComplexType): TypePlan {
  const children = new Map<string, ChildInfo>();
  let position = 0;

  const info = (spec: ElementSpec, repeated: boolean, groupMax: number, pos: number): ChildInfo => {
    const existing = children.get(spec.name);
    if (existing) return existing; // the first of a name wins, as in the model's `children`
    const t = spec.type;
    const child: ChildInfo = {
      name: internalized(spec.name),
      spec,
      isArray: spec.max > 1 || repeated,
      max: repeated ? groupMax * spec.max : spec.max,
      leaf: t.kind === 'leaf' ? leafInfo(t) : null,
      complex: t.kind === 'complex' ? t : null,
      since: spec.since === undefined ? 0 : versionNumber(spec.since),
      position: pos,
      slot: children.size,
      range: t.kind === 'leaf' && t.base === 'INTTYPE' ? (INT_RANGES.get(spec.name) ?? null) : null,
      plan: null,
    };
    children.set(spec.name, child);
    return child;
  };

  // maxOccurs="0" (e.g. ValueAdjustment's NewValue | ValueDifference) prohibits a particle.
  const allowed = (p: Particle): boolean => p.max > 0;

  const node = (p: Particle): PlanNode => {
    if (p.kind === 'element') {
      return { kind: 'element', child: info(p, false, 1, position++), nullable: p.min === 0 };
    }
    if (p.max > 1) {
      const pos = position++;
      const members = elementsOf(p)
        .filter(allowed)
        .map((e) => info(e, true, p.max, pos));
      return { kind: 'repeat', min: p.min, max: p.max, members, nullable: p.min === 0 };
    }
    const items = p.items.filter(allowed).map(node);
    if (p.kind === 'sequence') {
      return {
        kind: 'sequence',
        min: p.min,
        items,
        keys: items.flatMap(keysOf),
        nullable: p.min === 0 || items.every((i) => i.nullable),
      };
    }
    return {
      kind: 'choice',
      min: p.min,
      alts: items,
      altKeys: items.map(keysOf),
      altLabels: items.map(label),
      nullable: p.min === 0 || items.some((i) => i.nullable),
    };
  };

  const root = type.content && allowed(type.content) ? node(type.content) : undefined;
  const attrs = attrInfos(type.attributes);
  const names = [...children.keys()];
  const lower = new Map<string, string>();
  for (const n of names) lower.set(n.toLowerCase(), n);
  for (const a of attrs) lower.set(a.key.toLowerCase(), a.key);
  const firstChild = names[0];
  return {
    type,
    children,
    attrs,
    attrByName: new Map(attrs.map((a) => [a.spec.name, a])),
    root,
    names,
    lower,
    firstChild,
    Object: plainObjectConstructor(),
  };
}

function elementsOf(p: Particle): ElementSpec[] {
  if (p.max === 0) return [];
  return p.kind === 'element' ? [p] : p.items.flatMap(elementsOf);
}

function keysOf(n: PlanNode): string[] {
  switch (n.kind) {
    case 'element':
      return [n.child.name];
    case 'repeat':
      return n.members.map((m) => m.name);
    case 'sequence':
      return [...n.keys];
    case 'choice':
      return n.altKeys.flat();
  }
}

/** Names an alternative for messages: an element's name, or a group's required names. */
function label(n: PlanNode): string {
  if (n.kind === 'element') return n.child.name;
  const required = requiredNames(n);
  const names = required.length > 0 ? required : keysOf(n);
  return names.length <= 3 ? names.join(' + ') : `${names.slice(0, 3).join(' + ')} + …`;
}

function requiredNames(n: PlanNode): string[] {
  switch (n.kind) {
    case 'element':
      return n.nullable ? [] : [n.child.name];
    case 'repeat':
      return n.min > 0 ? n.members.map((m) => m.name) : [];
    case 'sequence':
      return n.min === 0 ? [] : n.items.flatMap(requiredNames);
    case 'choice':
      return [];
  }
}
