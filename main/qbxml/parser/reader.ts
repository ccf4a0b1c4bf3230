/**
 * The typed element reader shared by the response and request parsers: an XmlHandler
 * that turns qbXML elements into JSON per the conventions of schema/generated/types.ts,
 * typed from the schema model as it streams — never a DOM of the whole document.
 *
 * - INTTYPE → number, BOOLTYPE → boolean (empty → null), everything else (decimals,
 *   dates, IDs, enums) → the string exactly as sent.
 * - An element that may occur more than once (itself, or inside a repeated group) → an
 *   array, even with one item. Complex elements → objects; attributes → "@name" keys
 *   (INTTYPE attributes as numbers); a leaf with attributes → { '#text', '@attr' }.
 * - Elements the schema does not know (real QuickBooks output is not always valid) are
 *   kept leniently: text → string, children → object, a repeat → array; nothing is lost.
 *   Whitespace-only text between elements is dropped; other text is kept verbatim.
 *
 * Per element the work is one Map lookup in a cached per-type plan and a property store;
 * frames are reused per depth, so no closures or regexes run per element.
 */
import { type Attributes, NO_ATTRIBUTES, type XmlHandler } from '../../xml/tokenizer';
import { CONV_BOOL, CONV_INT, type ChildInfo, type TypePlan, childPlan, planOf } from '../builder/plan';

export class QbxmlParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QbxmlParseError';
  }
}

/** Frame kinds. */
export const K_COMPLEX = 0;
export const K_LEAF = 1;
export const K_LENIENT = 2;
export const K_SKIP = 3;
/** The virtual frame below the root element. */
export const K_DOC = 4;
export const K_QBXML = 5;
export const K_MSGS = 6;
/** A …Rs element: its children are records, handed to the sink. */
export const K_RS = 7;

const NOT_YET_COMPLEX = new Int32Array(0);

export class Frame {
  kind = K_SKIP;
  /** For K_COMPLEX: seen[child.slot] === stamp once that child has been stored (saves a failing property read per child). */
  seen = NOT_YET_COMPLEX; // sized when the frame first holds a complex element (most hold leaves)
  stamp = 0;
  info: ChildInfo | undefined = undefined;
  plan: TypePlan | undefined = undefined;
  obj: Record<string, unknown> | undefined = undefined;
  text = '';
  attrs: Attributes = NO_ATTRIBUTES;
}

/** A plan with no children: everything inside is read leniently. */
export const EMPTY_PLAN: TypePlan = planOf({ kind: 'complex', content: undefined, attributes: [], children: new Map() });

export function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return true;
}

/** INTTYPE text → number; anything that is not a safe integer stays the string it was. */
export function intValue(t: string): number | string {
  const n = t.length;
  if (n > 0 && n < 16) {
    let i = 0;
    const c0 = t.charCodeAt(0);
    if (c0 === 45 || c0 === 43) i = 1;
    if (i < n) {
      for (; i < n; i++) {
        const c = t.charCodeAt(i);
        if (c < 48 || c > 57) break;
      }
      if (i === n) {
        const v = Number(t);
        return v === 0 ? 0 : v;
      }
    }
  }
  const trimmed = t.trim();
  if (trimmed !== t && /^[+-]?\d+$/.test(trimmed)) {
    const v = Number(trimmed);
    if (Number.isSafeInteger(v)) return v === 0 ? 0 : v;
  }
  return t;
}

/** BOOLTYPE text → boolean; empty → null; anything else stays the string it was. */
export function boolValue(t: string): boolean | null | string {
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t === '') return null;
  const trimmed = t.trim();
  if (trimmed === 'true' || trimmed === '1') return true;
  if (trimmed === 'false' || trimmed === '0') return false;
  if (trimmed === '') return null;
  return t;
}

function convert(t: string, conv: number): unknown {
  return conv === CONV_INT ? intValue(t) : conv === CONV_BOOL ? boolValue(t) : t;
}

/** Typed attributes of a known element, as "@name" keys on `obj`. */
export function addAttributes(obj: Record<string, unknown>, attrs: Attributes, plan: TypePlan | undefined): Record<string, unknown> {
  for (const k in attrs) {
    const a = plan?.attrByName.get(k);
    const v = attrs[k] as string;
    if (a === undefined) obj['@' + k] = v;
    else obj[a.key] = convert(v, a.conv);
  }
  return obj;
}

/**
 * Stores a value under a name the schema does not type: a second occurrence turns the
 * value into an array. "__proto__" (a legal XML name) becomes an own property, never the
 * object's prototype.
 */
export function storeLenient(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    const own = Object.getOwnPropertyDescriptor(obj, key);
    // A repeat is pushed, not copied into a new array: copying makes n repeats cost n².
    if (own !== undefined && Array.isArray(own.value)) (own.value as unknown[]).push(value);
    else Object.defineProperty(obj, key, { value: own === undefined ? value : [own.value, value], enumerable: true, writable: true, configurable: true });
    return;
  }
  // Own properties only: an element named "constructor" or "toString" is not Object's.
  const existing = Object.hasOwn(obj, key) ? obj[key] : undefined;
  if (existing === undefined) obj[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else obj[key] = [existing, value];
}

/**
 * Reads typed elements below structural levels decided by the subclass (`startRoot`).
 * When an element whose parent frame is K_RS ends, `record` receives it; when the root
 * element ends, `root` does.
 */
export abstract class TypedReader implements XmlHandler {
  protected readonly frames: Frame[] = [new Frame()];
  protected depth = 0;
  private stamps = 0;

  constructor() {
    (this.frames[0] as Frame).kind = K_DOC;
  }

  /** Sets up frame `f` for an element whose parent is a structural frame (K_DOC, K_QBXML, K_MSGS). */
  protected abstract startStructural(parent: Frame, f: Frame, name: string, attrs: Attributes): void;
  /** An element directly inside a K_RS frame ended. */
  protected abstract record(name: string, value: unknown): void;
  /** A structural frame (K_RS, K_MSGS, K_QBXML) ended. */
  protected abstract endStructural(f: Frame, name: string): void;
  /** The root element ended with a typed value (request parsing). */
  protected abstract root(name: string, value: unknown): void;

  startElement(name: string, attrs: Attributes): void {
    const parent = this.frames[this.depth] as Frame;
    const d = ++this.depth;
    let f = this.frames[d];
    if (f === undefined) {
      f = new Frame();
      this.frames[d] = f;
    }
    f.text = '';
    f.attrs = attrs;
    switch (parent.kind) {
      case K_COMPLEX:
      case K_RS: {
        const info = (parent.plan as TypePlan).children.get(name);
        if (info !== undefined) {
          f.info = info;
          if (info.leaf !== null) {
            f.kind = K_LEAF;
            f.obj = undefined;
            return;
          }
          const plan = info.plan ?? childPlan(info);
          this.enterComplex(f, plan);
          f.obj = attrs === NO_ATTRIBUTES ? new plan.Object() : addAttributes(new plan.Object(), attrs, plan);
          return;
        }
        this.startLenient(f);
        return;
      }
      case K_LEAF:
        // Child elements where the schema expects a value: keep them, leniently.
        parent.kind = K_LENIENT;
        parent.obj = undefined;
        parent.plan = undefined;
        this.startLenientChild(parent, f);
        return;
      case K_LENIENT:
        this.startLenientChild(parent, f);
        return;
      case K_SKIP:
        f.kind = K_SKIP;
        return;
      default:
        this.startStructural(parent, f, name, attrs);
        return;
    }
  }

  /** Makes `f` a typed complex frame (the caller sets `f.obj` and `f.info`). */
  protected enterComplex(f: Frame, plan: TypePlan): void {
    f.kind = K_COMPLEX;
    f.plan = plan;
    if (f.seen.length < plan.children.size) f.seen = new Int32Array(plan.children.size);
    if (this.stamps === 0x7fffffff) {
      this.stamps = 0;
      for (const frame of this.frames) frame.seen.fill(0);
    }
    f.stamp = ++this.stamps;
  }

  private startLenientChild(parent: Frame, f: Frame): void {
    if (parent.obj === undefined) {
      parent.obj = parent.attrs === NO_ATTRIBUTES ? {} : addAttributes({}, parent.attrs, parent.info?.plan ?? undefined);
    }
    this.startLenient(f);
  }

  protected startLenient(f: Frame): void {
    f.kind = K_LENIENT;
    f.info = undefined;
    f.plan = undefined;
    f.obj = undefined;
  }

  endElement(name: string): void {
    const f = this.frames[this.depth] as Frame;
    const parent = this.frames[--this.depth] as Frame;
    let value: unknown;
    switch (f.kind) {
      case K_LEAF: {
        const leaf = (f.info as ChildInfo).leaf;
        const conv = leaf === null ? 0 : leaf.conv;
        value = conv === 0 ? f.text : convert(f.text, conv);
        if (f.attrs !== NO_ATTRIBUTES) value = addAttributes({ '#text': value }, f.attrs, undefined);
        break;
      }
      case K_COMPLEX: {
        const obj = f.obj as Record<string, unknown>;
        if (f.text.length !== 0) obj['#text'] = f.text;
        value = obj;
        f.obj = undefined;
        break;
      }
      case K_LENIENT: {
        const obj = f.obj;
        if (obj !== undefined) {
          if (!isBlank(f.text)) obj['#text'] = f.text;
          value = obj;
          f.obj = undefined;
        } else if (f.attrs !== NO_ATTRIBUTES) {
          value = addAttributes({ '#text': f.text }, f.attrs, undefined);
        } else {
          value = f.text;
        }
        break;
      }
      case K_SKIP:
        return;
      default:
        this.endStructural(f, name);
        return;
    }
    switch (parent.kind) {
      case K_RS:
        this.record(name, value);
        return;
      case K_DOC:
        this.root(name, value);
        return;
      default:
        break;
    }
    const o = parent.obj as Record<string, unknown>;
    const info = f.info;
    if (info !== undefined) {
      // The schema's (internalized) name: keyed stores with it stay fast. A first
      // occurrence (the common case) is stored without reading the property first.
      const key = info.name;
      if (parent.seen[info.slot] !== parent.stamp) {
        parent.seen[info.slot] = parent.stamp;
        o[key] = info.isArray ? [value] : value;
        return;
      }
      const existing = o[key];
      if (Array.isArray(existing)) existing.push(value);
      else o[key] = [existing, value]; // a repeat the schema does not allow: keep both
      return;
    }
    storeLenient(o, name, value);
  }

  text(text: string): void {
    const f = this.frames[this.depth] as Frame;
    const k = f.kind;
    if (k === K_LEAF || k === K_LENIENT) f.text += text;
    else if (k === K_COMPLEX && !isBlank(text)) f.text += text;
  }
}
