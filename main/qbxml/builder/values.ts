/**
 * Leaf values: normalising JSON values for the builder, and checking raw text (from
 * caller-supplied qbXML) against the exact XSD lexical rules of qbxmltypes160.xsd.
 *
 * Decimal values never go through binary floating point: strings are checked and
 * re-spelled digit by digit, and a JS number is only accepted when its shortest
 * round-trip spelling (`String(n)`) fits the type's decimals — 19.99 is fine, 0.1 + 0.2
 * (0.30000000000000004) is refused.
 */
import { hasForbiddenXmlChar } from '../../xml/tokenizer';
import { isValidDate, isValidDateString, parseDateTimeInput, quickBooksWallTimeFor } from '../datetime';
import type { QbScalar } from '../schema/model';
import type { LeafInfo } from './plan';

/** Why a value was refused; `message` continues a sentence that starts with the field's path. */
export class LeafProblem {
  constructor(
    readonly rule: string,
    readonly message: string,
  ) {}
}

const DESCRIPTION: Record<QbScalar, string> = {
  IDTYPE: 'a string',
  STRTYPE: 'a string',
  UUIDTYPE: 'a string',
  MACROTYPE: 'a string',
  ENUMTYPE: 'one of the listed values',
  BOOLTYPE: 'true or false',
  INTTYPE: 'an integer',
  AMTTYPE: 'an amount with at most 13 digits and 2 decimals, e.g. "1234.50"',
  PRICETYPE: 'a price with at most 10 digits and 5 decimals, e.g. "19.99"',
  QUANTYPE: 'a quantity with at most 10 digits and 5 decimals, e.g. "2.5"',
  PERCENTTYPE: 'a percentage with at most 10 digits and 5 decimals, e.g. "7.25"',
  FLOATTYPE: 'a decimal number, e.g. "1.2345"',
  DATETYPE: 'a date YYYY-MM-DD',
  DATETIMETYPE: 'a date-time YYYY-MM-DDTHH:MM:SS (a "Z" or ±HH:MM offset is converted to QuickBooks local time)',
  TIMEINTERVALTYPE: 'a duration like PT1H30M0S',
  GUIDTYPE: 'a GUID like {6B29FC40-CA47-1067-B31D-00DD010662DA}, or 0',
};

export function describeType(base: QbScalar): string {
  return DESCRIPTION[base];
}

export function show(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) s = String(value);
  else if (Array.isArray(value)) s = 'an array';
  else s = typeof value === 'object' ? 'an object' : typeof value;
  return s.length > 48 ? s.slice(0, 45) + '…' : s;
}

const typeProblem = (base: QbScalar, value: unknown): LeafProblem =>
  new LeafProblem(`type:${base}`, `must be ${DESCRIPTION[base]} (got ${show(value)})`);

const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/**
 * True when `s` has a character that escapeQbxmlText would change (& < > CR, non-ASCII)
 * or that XML cannot carry (other controls): one cheap scan spares the regexes for the
 * common plain-ASCII value.
 */
export function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || c === 38 || c === 60 || c === 62 || (c < 0x20 && c !== 9 && c !== 10)) return true;
  }
  return false;
}

/** Length in characters (code points), as XSD maxLength counts. */
export function charLength(s: string): number {
  if (!ANY_SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function checkString(s: string, leaf: LeafInfo): LeafProblem | null {
  if (s.length > leaf.maxLength) {
    const n = charLength(s);
    if (n > leaf.maxLength) {
      return new LeafProblem(`max_length:${leaf.maxLength}`, `is too long: ${n} characters, at most ${leaf.maxLength}`);
    }
  }
  if (needsEscape(s) && hasForbiddenXmlChar(s)) {
    return new LeafProblem('xml_char', 'contains a control character that XML cannot carry');
  }
  return null;
}

export function enumProblem(value: string, values: ReadonlySet<string>): LeafProblem {
  const list = [...values];
  const lower = value.toLowerCase();
  const near = list.find((v) => v.toLowerCase() === lower);
  const shown = list.length > 12 ? `${list.slice(0, 12).join(', ')}, … (${list.length} values)` : list.join(', ');
  return new LeafProblem(
    'enum',
    near !== undefined ? `must be "${near}" (values are case-sensitive; got ${show(value)})` : `must be one of ${shown} (got ${show(value)})`,
  );
}

// ---------------------------------------------------------------------------------
// Decimals

const DECIMAL_INPUT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The shortest plain (non-exponent) decimal spelling of a finite number. */
export function plainNumber(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e === -1) return s;
  const negative = s.charCodeAt(0) === 45;
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot === -1 ? mantissa.length : dot) + exponent; // digits before the point
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + out;
}

/**
 * A decimal for qbXML: optional "-", integer digits without leading zeros, then the
 * fraction. `fixed2` (AMTTYPE) always writes exactly two decimals.
 */
export function normalizeDecimal(value: unknown, base: QbScalar, intMax: number, fracMax: number, fixed2: boolean): string | LeafProblem {
  let s: string;
  const isNumber = typeof value === 'number';
  if (isNumber) {
    if (!Number.isFinite(value)) return typeProblem(base, value);
    s = plainNumber(value);
  } else if (typeof value === 'string') {
    if (value === '') return '';
    s = value;
  } else if (value === null) {
    return '';
  } else {
    return typeProblem(base, value);
  }
  const m = DECIMAL_INPUT.exec(s);
  if (m === null) return typeProblem(base, value);
  const rawInt = m[2] as string;
  let frac = m[3] ?? '';
  if (rawInt.length === 0 && frac.length === 0) return typeProblem(base, value);
  let i = 0;
  while (i < rawInt.length - 1 && rawInt.charCodeAt(i) === 48) i++;
  const int = rawInt.length === 0 ? '0' : i === 0 ? rawInt : rawInt.slice(i);
  if (frac.length > fracMax) {
    let end = frac.length;
    while (end > fracMax && frac.charCodeAt(end - 1) === 48) end--;
    if (end > fracMax) {
      return new LeafProblem(
        `type:${base}`,
        isNumber
          ? `must be exact with at most ${fracMax} decimals, but the number ${s} has ${frac.length}; pass the value as a string, e.g. "${int}.${frac.slice(0, fracMax)}"`
          : `has ${frac.length} decimals; at most ${fracMax} are allowed (got ${show(value)})`,
      );
    }
    frac = frac.slice(0, end);
  }
  if (int.length > intMax) {
    return new LeafProblem(`type:${base}`, `has ${int.length} integer digits; at most ${intMax} are allowed (got ${show(value)})`);
  }
  if (fixed2) frac = frac.length === 0 ? '00' : frac.length === 1 ? frac + '0' : frac;
  let negative = m[1] === '-';
  if (negative && isZero(int) && isZero(frac)) negative = false;
  const text = frac.length === 0 ? int : int + '.' + frac;
  return negative ? '-' + text : text;
}

function isZero(digits: string): boolean {
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return false;
  return true;
}

// ---------------------------------------------------------------------------------
// Build mode: JSON value → qbXML text (unescaped)

const INTEGER = /^[+-]?\d+$/;
const DURATION = /^[+-]?PT(?:\d+H)?(?:\d+M)?(?:\d+S)?$/;
const GUID = /^(?:0|\{[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\})$/;
const BARE_GUID = /^[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;

/**
 * The qbXML text of a leaf value given as JSON, or why it is refused. `null` stands for an
 * empty element (which clears the field in a …Mod) where the type allows one.
 */
export function normalizeLeaf(value: unknown, leaf: LeafInfo, timeZone: string): string | LeafProblem {
  switch (leaf.base) {
    case 'STRTYPE':
    case 'IDTYPE':
    case 'UUIDTYPE':
    case 'MACROTYPE': {
      if (typeof value !== 'string') return value === null ? '' : typeProblem(leaf.base, value);
      return checkString(value, leaf) ?? value;
    }
    case 'ENUMTYPE': {
      const v = value === null ? '' : value;
      if (typeof v !== 'string') return typeProblem(leaf.base, value);
      if (leaf.enumSet !== null && !leaf.enumSet.has(v)) return enumProblem(v, leaf.enumSet);
      return checkString(v, leaf) ?? v;
    }
    case 'BOOLTYPE':
      if (value === true || value === 'true') return 'true';
      if (value === false || value === 'false') return 'false';
      if (value === null || value === '') return '';
      return typeProblem(leaf.base, value);
    case 'INTTYPE':
      if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : typeProblem(leaf.base, value);
      if (typeof value === 'string' && INTEGER.test(value)) {
        const n = Number(value);
        if (Number.isSafeInteger(n)) return String(n === 0 ? 0 : n);
        return normalizeDecimal(value, leaf.base, Infinity, 0, false);
      }
      return typeProblem(leaf.base, value);
    case 'AMTTYPE':
      return normalizeDecimal(value, leaf.base, 13, 2, true);
    case 'PRICETYPE':
    case 'QUANTYPE':
    case 'PERCENTTYPE':
      return normalizeDecimal(value, leaf.base, 10, 5, false);
    case 'FLOATTYPE':
      return normalizeDecimal(value, leaf.base, Infinity, Infinity, false);
    case 'DATETYPE':
      if (value === null || value === '') return '';
      if (typeof value === 'string' && isValidDateString(value)) return value;
      return typeProblem(leaf.base, value);
    case 'DATETIMETYPE': {
      if (value === null || value === '') return '';
      if (typeof value !== 'string') return typeProblem(leaf.base, value);
      const input = parseDateTimeInput(value);
      if (input === null) return typeProblem(leaf.base, value);
      return quickBooksWallTimeFor(input, timeZone);
    }
    case 'TIMEINTERVALTYPE':
      if (value === null || value === '') return '';
      if (typeof value === 'string' && DURATION.test(value) && !value.endsWith('PT')) return value;
      return typeProblem(leaf.base, value);
    case 'GUIDTYPE':
      if (typeof value === 'string') {
        if (GUID.test(value)) return value;
        if (BARE_GUID.test(value)) return `{${value}}`;
      }
      return typeProblem(leaf.base, value);
  }
}

/** An attribute value: attributes are STRTYPE, MACROTYPE, INTTYPE or enumerations. */
export function normalizeAttribute(value: unknown, base: QbScalar, enumSet: ReadonlySet<string> | null): string | LeafProblem {
  if (enumSet !== null) {
    if (typeof value !== 'string') return typeProblem('ENUMTYPE', value);
    return enumSet.has(value) ? value : enumProblem(value, enumSet);
  }
  if (base === 'INTTYPE') {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    if (typeof value === 'string' && INTEGER.test(value)) return value;
    return typeProblem(base, value);
  }
  if (base === 'BOOLTYPE') {
    if (value === true || value === 'true') return 'true';
    if (value === false || value === 'false') return 'false';
    return typeProblem(base, value);
  }
  if (typeof value !== 'string') return typeProblem(base, value);
  return hasForbiddenXmlChar(value) ? new LeafProblem('xml_char', 'contains a control character that XML cannot carry') : value;
}

// ---------------------------------------------------------------------------------
// Check mode: raw text from caller-supplied qbXML, against the XSD's lexical rules

const AMT_EXACT = /^(?:[+-]?\d{1,13}(?:\.\d{2})?)?$/;
const PRICE_EXACT = /^(?:[+-]?\d{1,10}(?:\.\d{1,5})?)?$/;
const XSD_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const XSD_DATE = /^(-?\d{4,})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$/;
const XSD_DATETIME = /^(?:(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[+-]\d{1,2}:\d{1,2})?)?)?)?)?$/;
const XML_WS = /^[ \t\r\n]*$/;

const trimXml = (s: string): string => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');

/** Checks the text of a leaf element as sent verbatim; null when XSD-valid. */
export function checkLeafText(text: string, leaf: LeafInfo): LeafProblem | null {
  switch (leaf.base) {
    case 'STRTYPE':
    case 'IDTYPE':
    case 'UUIDTYPE':
    case 'MACROTYPE':
      return checkString(text, leaf);
    case 'ENUMTYPE':
      return leaf.enumSet !== null && !leaf.enumSet.has(text) ? enumProblem(text, leaf.enumSet) : null;
    case 'BOOLTYPE': {
      const t = trimXml(text);
      return t === 'true' || t === 'false' || t === '1' || t === '0' || t === '' ? null : typeProblem(leaf.base, text);
    }
    case 'INTTYPE':
      return INTEGER.test(trimXml(text)) ? null : typeProblem(leaf.base, text);
    case 'AMTTYPE':
      return AMT_EXACT.test(text) ? null : typeProblem(leaf.base, text);
    case 'PRICETYPE':
    case 'QUANTYPE':
    case 'PERCENTTYPE':
      return PRICE_EXACT.test(text) ? null : typeProblem(leaf.base, text);
    case 'FLOATTYPE': {
      const t = trimXml(text);
      return t === '' || XSD_DECIMAL.test(t) ? null : typeProblem(leaf.base, text);
    }
    case 'DATETYPE': {
      const t = trimXml(text);
      if (t === '') return null;
      const m = XSD_DATE.exec(t);
      return m !== null && isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) ? null : typeProblem(leaf.base, text);
    }
    case 'DATETIMETYPE': {
      if (XML_WS.test(text)) return null;
      const m = XSD_DATETIME.exec(text);
      if (m === null) return typeProblem(leaf.base, text);
      if (m[1] === undefined) return null;
      const ok =
        isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) &&
        (m[4] === undefined || Number(m[4]) <= 23) &&
        (m[5] === undefined || Number(m[5]) <= 59) &&
        (m[6] === undefined || Number(m[6]) <= 59);
      return ok ? null : typeProblem(leaf.base, text);
    }
    case 'TIMEINTERVALTYPE': {
      const t = trimXml(text);
      return t === '' || (DURATION.test(t) && !t.endsWith('PT')) ? null : typeProblem(leaf.base, text);
    }
    case 'GUIDTYPE':
      return GUID.test(text) ? null : typeProblem(leaf.base, text);
  }
}

/** Checks an attribute value as sent verbatim. */
export function checkAttributeText(text: string, base: QbScalar, enumSet: ReadonlySet<string> | null): LeafProblem | null {
  if (enumSet !== null) return enumSet.has(text) ? null : enumProblem(text, enumSet);
  if (base === 'INTTYPE') return INTEGER.test(trimXml(text)) ? null : typeProblem(base, text);
  return null;
}
