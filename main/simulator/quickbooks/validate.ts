/**
 * Structural validation of a request against the qbXML schema model, which is what
 * QuickBooks does before processing anything: unknown elements, wrong order, missing
 * required elements, attributes, value types and lengths, and elements newer than the
 * document's qbXML version all reject the whole document with HRESULT 0x80040400
 * (shared/reference/qbxml.md §2.1; consolibyte qbXML FAQ).
 *
 * The model is qbXML 16.0; older documents are checked against it with every element's
 * `since` version, which approximates the older schema (elements removed since are not
 * modelled). Returns a human-readable reason, or null when valid.
 */
import type { AttributeSpec, ElementSpec, LeafType, Particle, QbScalar } from '../../qbxml/schema/model';
import { versionAtLeast } from '../../qbxml/version';
import type { XmlElement } from '../../xml/tree';

// Value patterns of qbxmltypes160.xsd (XSD patterns are implicitly anchored). BOOLTYPE,
// DATETYPE, INTTYPE, FLOATTYPE and TIMEINTERVALTYPE derive from xsd types whose
// whitespace is collapsed; the rest are xsd:string and preserve it.
const PATTERNS: Partial<Record<QbScalar, RegExp>> = {
  BOOLTYPE: /^(true|false|1|0)?$/,
  DATETYPE: /^(-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?)?$/,
  DATETIMETYPE: /^(\d{4}-\d{1,2}-\d{1,2}(T\d{1,2}(:\d{1,2}(:\d{1,2}([+-]\d{1,2}:\d{1,2})?)?)?)?)?$/,
  TIMEINTERVALTYPE: /^([+-]?PT(\d+H)?(\d+M)?(\d+S)?)?$/,
  AMTTYPE: /^([+-]?\d{1,13}(\.\d{2})?)?$/,
  PRICETYPE: /^([+-]?\d{1,10}(\.\d{1,5})?)?$/,
  QUANTYPE: /^([+-]?\d{1,10}(\.\d{1,5})?)?$/,
  PERCENTTYPE: /^([+-]?\d{1,10}(\.\d{1,5})?)?$/,
  INTTYPE: /^[+-]?\d+$/,
  GUIDTYPE: /^(0|\{[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$/,
  FLOATTYPE: /^([+-]?(\d+(\.\d*)?|\.\d+))?$/,
};

const COLLAPSED: ReadonlySet<QbScalar> = new Set<QbScalar>(['BOOLTYPE', 'DATETYPE', 'INTTYPE', 'FLOATTYPE', 'TIMEINTERVALTYPE']);

function validDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return true; // empty is allowed by the union with ""
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

function checkValue(value: string, base: QbScalar, type: { maxLength?: number; enumValues?: readonly string[] }): string | null {
  const v = COLLAPSED.has(base) ? value.trim() : value;
  const pattern = PATTERNS[base];
  if (pattern && !pattern.test(v)) return `"${value}" is not a valid ${base}`;
  if (base === 'DATETYPE' && !validDate(v)) return `"${value}" is not a calendar date`;
  if (type.enumValues && !type.enumValues.includes(v)) return `"${value}" is not one of ${type.enumValues.join(', ')}`;
  // QuickBooks counts characters, not bytes.
  if (type.maxLength !== undefined && [...v].length > type.maxLength) return `"${value}" is longer than ${type.maxLength} characters`;
  return null;
}

export function checkAttributes(el: XmlElement, specs: readonly AttributeSpec[]): string | null {
  for (const [name, value] of Object.entries(el.attrs)) {
    const spec = specs.find((a) => a.name === name);
    if (!spec) return `<${el.name}> has no attribute "${name}"`;
    const problem = checkValue(value, spec.base, spec);
    if (problem) return `attribute ${name} of <${el.name}>: ${problem}`;
  }
  const missing = specs.find((a) => a.required && !(a.name in el.attrs));
  return missing ? `<${el.name}> lacks the required attribute "${missing.name}"` : null;
}

/**
 * Every position in `names` where a match of `p` starting at `pos` can end. qbXML's
 * models are small, so a set-based search (no backtracking blow-up) is plenty.
 * `reach` records how far any partial match got, to name the offending element.
 */
function ends(p: Particle, names: readonly string[], pos: number, reach: { max: number }): Set<number> {
  const once = (start: number): Set<number> => {
    if (p.kind === 'element') {
      if (names[start] !== p.name) return new Set();
      reach.max = Math.max(reach.max, start + 1);
      return new Set([start + 1]);
    }
    if (p.kind === 'choice') {
      const out = new Set<number>();
      for (const item of p.items) for (const e of ends(item, names, start, reach)) out.add(e);
      return out;
    }
    let current = new Set([start]);
    for (const item of p.items) {
      const next = new Set<number>();
      for (const q of current) for (const e of ends(item, names, q, reach)) next.add(e);
      current = next;
      if (current.size === 0) break;
    }
    return current;
  };
  const result = new Set<number>(p.min === 0 ? [pos] : []);
  let frontier = new Set([pos]);
  const seen = new Set([pos]);
  for (let i = 1; i <= p.max && frontier.size > 0; i++) {
    const next = new Set<number>();
    for (const q of frontier) for (const e of once(q)) next.add(e);
    if (i >= p.min) for (const e of next) result.add(e);
    // Only new positions can lead further; an empty match repeated adds nothing.
    frontier = new Set([...next].filter((e) => !seen.has(e) || i < p.min));
    for (const e of next) seen.add(e);
  }
  return result;
}

function checkLeaf(el: XmlElement, type: LeafType): string | null {
  if (el.children.length > 0) return `<${el.name}> must not contain <${el.children[0]?.name}>`;
  const problem = checkAttributes(el, type.attributes) ?? checkValue(el.text, type.base, type);
  return problem && `<${el.name}>: ${problem}`;
}

/** Validates `el` (whose name matches `spec`) and everything inside it. */
export function validateElement(el: XmlElement, spec: ElementSpec, version: string): string | null {
  if (spec.since !== undefined && !versionAtLeast(version, spec.since)) {
    return `<${el.name}> needs qbXML ${spec.since}; the document is ${version}`;
  }
  const type = spec.type;
  if (type.kind === 'leaf') return checkLeaf(el, type);
  const attrProblem = checkAttributes(el, type.attributes);
  if (attrProblem) return attrProblem;
  if (el.text.trim() !== '') return `<${el.name}> must not contain text`;
  const names = el.children.map((c) => c.name);
  const reach = { max: 0 };
  const fits = type.content ? ends(type.content, names, 0, reach).has(names.length) : names.length === 0;
  if (!fits) {
    const offending = names[reach.max];
    return offending === undefined
      ? `<${el.name}> is missing a required element`
      : `<${offending}> is not expected at position ${reach.max + 1} of <${el.name}>`;
  }
  for (const c of el.children) {
    const problem = validateElement(c, type.children.get(c.name) as ElementSpec, version);
    if (problem) return problem;
  }
  return null;
}
