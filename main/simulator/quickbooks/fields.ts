/**
 * Turning request elements into stored fields. Whatever a handler does not interpret
 * itself is kept as given and echoed wherever the …Ret schema has an element of the same
 * name, so clients see their addresses, phones, memos… come back. Values are normalised
 * as QuickBooks prints them (Amount "10" → "10.00", BOOLTYPE "1" → "true"), and
 * references are resolved now, so an invalid one fails the request (3140).
 */
import type { ElementSpec, QbScalar } from '../../qbxml/schema/model';
import type { XmlElement } from '../../xml/tree';
import { formatAmount, formatPrice, formatQuantity, parseDecimal } from './decimal';
import { type Resolved, isReference, isStatus } from './refs';
import { type XNode, leaf, node, ref } from './render';
import type { Status } from './status';

export type RefResolver = (ref: XmlElement) => Resolved | Status;

const DECIMAL_FORMAT: Partial<Record<QbScalar, (v: bigint) => string>> = {
  AMTTYPE: formatAmount,
  PRICETYPE: formatPrice,
  PERCENTTYPE: formatPrice,
  QUANTYPE: formatQuantity,
};

const TRIMMED: ReadonlySet<QbScalar> = new Set<QbScalar>(['BOOLTYPE', 'DATETYPE', 'DATETIMETYPE', 'INTTYPE', 'FLOATTYPE', 'GUIDTYPE', 'IDTYPE']);

/** A leaf's value as QuickBooks would print it back. */
export function normalizeValue(text: string, base: QbScalar): string {
  const format = DECIMAL_FORMAT[base];
  if (format) {
    const d = parseDecimal(text);
    return d === undefined ? text.trim() : format(d);
  }
  if (base === 'BOOLTYPE') return { '1': 'true', '0': 'false' }[text.trim()] ?? text.trim();
  return TRIMMED.has(base) ? text.trim() : text;
}

export function copyElement(el: XmlElement, spec: ElementSpec, resolve: RefResolver): XNode | Status {
  if (isReference(el)) {
    const target = resolve(el);
    return isStatus(target) ? target : ref(el.name, target.ListID, target.FullName);
  }
  const type = spec.type;
  if (type.kind === 'leaf') return leaf(el.name, normalizeValue(el.text, type.base));
  const children = copyChildren(el, spec, new Set(), resolve);
  return isStatusList(children) ? children : node(el.name, children);
}

const isStatusList = (x: XNode[] | Status): x is Status => !Array.isArray(x);

/** The children of `el` except those named in `skip`, copied. */
export function copyChildren(el: XmlElement, spec: ElementSpec, skip: ReadonlySet<string>, resolve: RefResolver): XNode[] | Status {
  if (spec.type.kind !== 'complex') return [];
  const out: XNode[] = [];
  for (const c of el.children) {
    if (skip.has(c.name)) continue;
    const copied = copyElement(c, spec.type.children.get(c.name) as ElementSpec, resolve);
    if ('severity' in copied) return copied;
    out.push(copied);
  }
  return out;
}

/** Replaces same-named fields (a Mod changes only what it names) and appends new ones. */
export function mergeFields(existing: readonly XNode[], changes: readonly XNode[]): XNode[] {
  const changed = new Set(changes.map((c) => c.name));
  return [...existing.filter((f) => !changed.has(f.name)), ...changes];
}

export function fieldText(fields: readonly XNode[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.text;
}

export function fieldNode(fields: readonly XNode[], name: string): XNode | undefined {
  return fields.find((f) => f.name === name);
}
