/**
 * JSON → qbXML request builder, driven by the schema model (see the conventions in
 * schema/generated/types.ts). Children are written in schema order whatever the key
 * order of the JSON, every value is checked and normalised against its qbXML type, and
 * all problems are collected (up to MAX_ISSUES) into one QbxmlBuildError.
 *
 * The same walker checks caller-supplied raw qbXML (`checkRequestXml`), where values are
 * the verbatim element texts and are held to the XSD's exact lexical rules instead of
 * being normalised.
 */
import { localTimeZone, isValidTimeZone } from '../datetime';
import { escapeQbxmlText } from '../escape';
import { isQueryType } from '../request-document';
import { loadQbxmlSchema } from '../schema/load';
import { escapeAttribute } from '../../xml/escape';
import { type BuildIssue, MAX_ISSUES, QbxmlBuildError } from './errors';
import {
  type AttrInfo,
  type ChildInfo,
  type ChoiceNode,
  type LeafInfo,
  type PlanNode,
  type TypePlan,
  childPlan,
  planOf,
  versionNumber,
} from './plan';
import { LeafProblem, checkAttributeText, checkLeafText, needsEscape, normalizeAttribute, normalizeLeaf, show } from './values';

export interface BuildOptions {
  /** The qbXML version the connected QuickBooks takes; fields newer than this are refused (rule "since:X.Y"). Omit to skip gating. */
  version?: string;
  /** IANA zone for converting datetimes that carry an offset into QuickBooks' local wall time (default: the process's zone). */
  timeZone?: string;
}

export interface BuiltRequest {
  /** The request element's name, e.g. "InvoiceAddRq". */
  type: string;
  /** The `<InvoiceAddRq>…</InvoiceAddRq>` element, without requestID; the name ends at index type.length + 1. */
  xml: string;
  /** The highest `since` among the elements used (the request's own included), or null when none is dated. */
  minVersion: string | null;
  isQuery: boolean;
  /** The request takes iterator="Start|Continue|Stop". */
  supportsIterator: boolean;
}

/** Attributes of a …Rq element that the companion sets when it sends the request. */
export const COMPANION_ATTRIBUTES: readonly string[] = ['@requestID', '@iterator', '@iteratorID'];

interface Ctx {
  out: string;
  readonly issues: BuildIssue[];
  /** Path segments: names, and numbers for array indices. */
  readonly path: (string | number)[];
  /** Names the request in messages about its own level. */
  readonly root: string;
  /** Gating version (versionNumber), 0 for none. */
  readonly version: number;
  readonly versionText: string;
  minVersion: number;
  minVersionText: string | null;
  readonly timeZone: string | undefined;
  /** Raw-qbXML mode: values are verbatim texts, checked against the XSD's lexical rules. */
  readonly check: boolean;
}

let processZone: string | undefined;

function newCtx(root: string, options: BuildOptions | undefined, check: boolean): Ctx {
  let version = 0;
  const versionText = options?.version ?? '';
  if (options?.version !== undefined) {
    version = versionNumber(options.version);
    if (version === 0) throw new RangeError(`Unrecognised qbXML version "${options.version}" (expected e.g. "13.0").`);
  }
  const timeZone = options?.timeZone;
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) throw new RangeError(`Unknown time zone "${timeZone}".`);
  return { out: '', issues: [], path: [], root, version, versionText, minVersion: 0, minVersionText: null, timeZone, check };
}

function zoneOf(ctx: Ctx): string {
  return ctx.timeZone ?? (processZone ??= localTimeZone());
}

function pathText(ctx: Ctx, extra?: string): string {
  let s = '';
  for (const seg of ctx.path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s.length === 0 ? seg : '.' + seg;
  }
  if (extra !== undefined) s += s.length === 0 ? extra : '.' + extra;
  return s;
}

/** The path, or the request's name when the path is empty (for sentences). */
function subject(path: string, ctx: Ctx): string {
  return path.length === 0 ? ctx.root : path;
}

function issue(ctx: Ctx, path: string, rule: string, message: string): void {
  if (ctx.issues.length < MAX_ISSUES) ctx.issues.push({ path, rule, message });
}

function problem(ctx: Ctx, p: LeafProblem, extra?: string): void {
  const path = pathText(ctx, extra);
  issue(ctx, path, p.rule, `${subject(path, ctx)} ${p.message}.`);
}

/** A plain JSON object (not an array, Date, Map, …). */
function isObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function trackSince(ctx: Ctx, since: number, sinceText: string): void {
  if (since > ctx.minVersion) {
    ctx.minVersion = since;
    ctx.minVersionText = sinceText;
  }
  if (ctx.version !== 0 && since > ctx.version) {
    const path = pathText(ctx);
    issue(
      ctx,
      path,
      `since:${sinceText}`,
      `${subject(path, ctx)} needs qbXML ${sinceText} or later; the connected QuickBooks supports ${ctx.versionText}.`,
    );
  }
}

function unknownKey(ctx: Ctx, plan: TypePlan, owner: string, key: string): void {
  const path = pathText(ctx, key);
  const near = plan.lower.get(key.toLowerCase());
  let hint: string;
  if (near !== undefined) hint = `did you mean ${near}?`;
  else if (plan.names.length === 0 && plan.attrs.length === 0) hint = `${owner} takes no fields`;
  else {
    const all = [...plan.names, ...plan.attrs.map((a) => a.key)];
    hint = `allowed: ${all.length > 10 ? `${all.slice(0, 10).join(', ')}, … (${all.length} in all)` : all.join(', ')}`;
  }
  issue(ctx, path, 'unknown_field', `${path} is not a field of ${owner} (${hint}).`);
}

function attribute(ctx: Ctx, a: AttrInfo, value: unknown): string {
  const p =
    ctx.check && typeof value === 'string'
      ? (checkAttributeText(value, a.spec.base, a.enumSet) ?? value)
      : normalizeAttribute(value, a.spec.base, a.enumSet);
  if (p instanceof LeafProblem) {
    problem(ctx, p, a.key);
    return '';
  }
  return ` ${a.spec.name}="${escapeQbxmlText(escapeAttribute(p), true)}"`;
}

function attributes(ctx: Ctx, attrs: readonly AttrInfo[], obj: Record<string, unknown>): string {
  let s = '';
  for (const a of attrs) {
    const v = obj[a.key];
    if (v === undefined) {
      if (a.spec.required) {
        const path = pathText(ctx, a.key);
        issue(ctx, path, 'required', `${path} is required.`);
      }
      continue;
    }
    s += attribute(ctx, a, v);
  }
  return s;
}

function emitComplex(ctx: Ctx, name: string, plan: TypePlan, value: unknown): void {
  if (!isObject(value)) {
    const path = pathText(ctx);
    issue(ctx, path, 'type:object', `${subject(path, ctx)} must be an object of ${name}'s fields (got ${show(value)}).`);
    return;
  }
  for (const k in value) {
    if (plan.children.has(k)) continue;
    if (k.charCodeAt(0) === 64 /* @ */ && plan.attrByName.has(k.slice(1))) continue;
    if (value[k] === undefined) continue;
    unknownKey(ctx, plan, name, k);
  }
  const attrs = plan.attrs.length === 0 ? '' : attributes(ctx, plan.attrs, value);
  ctx.out += '<' + name + attrs + '>';
  if (plan.root !== undefined) walk(ctx, plan.root, value);
  ctx.out += '</' + name + '>';
}

function emitLeaf(ctx: Ctx, name: string, leaf: LeafInfo, item: unknown, range: readonly [number, number] | null): void {
  let value = item;
  let attrs = '';
  if (leaf.attrs.length > 0 && isObject(item)) {
    for (const k in item) {
      if (k === '#text' || (k.charCodeAt(0) === 64 && leaf.attrByName.has(k.slice(1))) || item[k] === undefined) continue;
      const path = pathText(ctx, k);
      issue(ctx, path, 'unknown_field', `${path} is not allowed (a ${name} value takes '#text' and ${leaf.attrs.map((a) => `'${a.key}'`).join(', ')}).`);
    }
    value = item['#text'] ?? '';
    attrs = attributes(ctx, leaf.attrs, item);
  }
  let text: string;
  if (ctx.check) {
    if (typeof value !== 'string') {
      const path = pathText(ctx);
      issue(ctx, path, 'type:value', `${path} must be a value, not contain elements.`);
      return;
    }
    const p = checkLeafText(value, leaf);
    if (p !== null) {
      problem(ctx, p);
      return;
    }
    text = escapeQbxmlText(value);
  } else {
    const r = normalizeLeaf(value, leaf, leaf.base === 'DATETIMETYPE' ? zoneOf(ctx) : '');
    if (typeof r !== 'string') {
      problem(ctx, r);
      return;
    }
    text = NEEDS_ESCAPE[leaf.base] && needsEscape(r) ? escapeQbxmlText(r) : r;
  }
  if (range !== null && text.length > 0) {
    const n = Number(text);
    if (!(n >= range[0] && n <= range[1])) {
      const path = pathText(ctx);
      const bounds = range[1] === Infinity ? `at least ${range[0]}` : `between ${range[0]} and ${range[1]}`;
      issue(ctx, path, `range:${range[0]}..${range[1] === Infinity ? '' : range[1]}`, `${path} must be ${bounds} (got ${text.trim()}).`);
      return;
    }
  }
  ctx.out += '<' + name + attrs + '>' + text + '</' + name + '>';
}

/** Types whose normalised text may contain markup or non-ASCII characters. */
const NEEDS_ESCAPE: Record<string, boolean> = { STRTYPE: true, IDTYPE: true, UUIDTYPE: true, MACROTYPE: true, ENUMTYPE: true };

function emitOne(ctx: Ctx, child: ChildInfo, item: unknown): void {
  if (ctx.issues.length >= MAX_ISSUES) return;
  if (child.since !== 0) trackSince(ctx, child.since, child.spec.since as string);
  if (child.leaf !== null) emitLeaf(ctx, child.name, child.leaf, item, child.range);
  else emitComplex(ctx, child.name, childPlan(child), item);
}

/** Emits every occurrence of a child; returns how many were given. */
function emitChild(ctx: Ctx, child: ChildInfo, value: unknown): number {
  ctx.path.push(child.name);
  let n = 1;
  if (Array.isArray(value)) {
    n = value.length;
    if (!child.isArray) {
      const path = pathText(ctx);
      issue(ctx, path, 'max_occurs', `${path} occurs at most once: give one value, not an array.`);
    } else {
      if (n > child.max) {
        const path = pathText(ctx);
        issue(ctx, path, 'max_occurs', `${path} may occur at most ${child.max} times (got ${n}).`);
      }
      for (let i = 0; i < n; i++) {
        ctx.path.push(i);
        emitOne(ctx, child, value[i]);
        ctx.path.pop();
      }
    }
  } else {
    emitOne(ctx, child, value);
  }
  ctx.path.pop();
  return n;
}

function anyPresent(obj: Record<string, unknown>, keys: readonly string[]): boolean {
  for (let i = 0; i < keys.length; i++) if (obj[keys[i] as string] !== undefined) return true;
  return false;
}

function firstPresent(obj: Record<string, unknown>, keys: readonly string[]): string {
  for (const k of keys) if (obj[k] !== undefined) return k;
  return keys[0] ?? '';
}

function walk(ctx: Ctx, node: PlanNode, obj: Record<string, unknown>): void {
  switch (node.kind) {
    case 'element': {
      const child = node.child;
      const v = obj[child.name];
      const n = v === undefined ? 0 : emitChild(ctx, child, v);
      if (n < child.spec.min) {
        const path = pathText(ctx, child.name);
        issue(ctx, path, 'required', child.spec.min === 1 ? `${path} is required.` : `${path} needs at least ${child.spec.min} items.`);
      }
      return;
    }
    case 'sequence':
      if (node.min === 0 && !anyPresent(obj, node.keys)) return;
      for (const item of node.items) walk(ctx, item, obj);
      return;
    case 'choice': {
      let chosen = -1;
      for (let i = 0; i < node.alts.length; i++) {
        if (!anyPresent(obj, node.altKeys[i] as readonly string[])) continue;
        if (chosen === -1) chosen = i;
        else return choiceConflict(ctx, node, obj, chosen, i);
      }
      if (chosen === -1) {
        if (!node.nullable) {
          const path = pathText(ctx);
          const labels = node.altLabels;
          issue(ctx, path, 'required', `${subject(path, ctx)} needs one of ${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}.`);
        }
        return;
      }
      walk(ctx, node.alts[chosen] as PlanNode, obj);
      return;
    }
    case 'repeat': {
      let total = 0;
      for (const m of node.members) {
        const v = obj[m.name];
        if (v !== undefined) total += emitChild(ctx, m, v);
      }
      if (total < node.min) {
        const path = pathText(ctx, node.members[0]?.name);
        const names = node.members.map((m) => m.name);
        issue(ctx, path, 'required', `${subject(pathText(ctx), ctx)} needs at least ${node.min === 1 ? 'one' : node.min} ${names.join(' or ')}.`);
      } else if (total > node.max) {
        const path = pathText(ctx, node.members[0]?.name);
        issue(ctx, path, 'max_occurs', `${subject(pathText(ctx), ctx)} may have at most ${node.max} of ${node.members.map((m) => m.name).join(' and ')} together (got ${total}).`);
      }
      return;
    }
  }
}

function choiceConflict(ctx: Ctx, node: ChoiceNode, obj: Record<string, unknown>, a: number, b: number): void {
  const first = firstPresent(obj, node.altKeys[a] as readonly string[]);
  const second = firstPresent(obj, node.altKeys[b] as readonly string[]);
  const path = pathText(ctx, second);
  const owner = subject(pathText(ctx), ctx);
  issue(ctx, path, 'choice', `${owner}: use either ${first} or ${second}, not both (they are alternatives).`);
}

function requestSpec(type: string) {
  const schema = loadQbxmlSchema();
  const name = type.endsWith('Rq') ? type : type + 'Rq';
  const spec = schema.requests.get(name);
  return spec !== undefined && spec.type.kind === 'complex' ? { name, spec, plan: planOf(spec.type) } : undefined;
}

let requestsByLowerName: Map<string, string> | undefined;

/** The request a mistyped name probably meant (case or a missing/extra "Rq"). */
function nearRequest(type: string): string | undefined {
  if (requestsByLowerName === undefined) {
    requestsByLowerName = new Map();
    for (const name of loadQbxmlSchema().requests.keys()) requestsByLowerName.set(name.slice(0, -2).toLowerCase(), name.slice(0, -2));
  }
  return requestsByLowerName.get(type.replace(/rq$/i, '').toLowerCase());
}

/** Moves the wrapper's fields into the wrapper for the {type: "CustomerAdd", params: {Name}} shorthand. */
function applyShorthand(base: string, plan: TypePlan, params: Record<string, unknown>): Record<string, unknown> {
  const wrapper = plan.children.get(base);
  if (wrapper === undefined || wrapper.complex === null) return params;
  const inner = childPlan(wrapper);
  // Without a prototype, a "__proto__" key (JSON.parse makes it an own property) stays a key,
  // refused below as unknown, instead of becoming the object's prototype and vanishing.
  const outer: Record<string, unknown> = Object.create(null);
  const content: Record<string, unknown> = Object.create(null);
  for (const k in params) {
    const atRq = plan.children.has(k) || (k.charCodeAt(0) === 64 && plan.attrByName.has(k.slice(1)));
    const inWrapper = inner.children.has(k) || (k.charCodeAt(0) === 64 && inner.attrByName.has(k.slice(1)));
    if (atRq && !inWrapper) outer[k] = params[k];
    else content[k] = params[k];
  }
  outer[base] = content;
  return outer;
}

/**
 * Builds one request element. `type` may be "InvoiceAdd" or "InvoiceAddRq"; `params` is
 * the content of the Rq element per the JSON conventions, e.g.
 * `{ InvoiceAdd: {...}, IncludeRetElement: [...] }`. Shorthand: when the Rq's first child
 * is named `type` (the …Add/…Mod wrappers) and params lacks that key, params is that
 * wrapper's content (`buildRequest("CustomerAdd", { Name: "X" })`); Rq-level keys such as
 * IncludeRetElement may still sit beside the wrapper's fields.
 *
 * Throws QbxmlBuildError listing every problem found (up to MAX_ISSUES).
 */
export function buildRequest(type: string, params: unknown, options?: BuildOptions): BuiltRequest {
  const found = requestSpec(type);
  if (found === undefined) {
    const near = nearRequest(type);
    const hint = near !== undefined ? `did you mean "${near}"?` : 'e.g. "InvoiceAdd" or "CustomerQueryRq"';
    throw new QbxmlBuildError(type, [
      { path: '', rule: 'unknown_request', message: `${type} is not a qbXML ${loadQbxmlSchema().version} request type (${hint}).` },
    ]);
  }
  const { name, spec, plan } = found;
  const ctx = newCtx(name, options, false);
  const base = name.slice(0, -2);
  let content = params ?? {};
  if (isObject(content) && plan.firstChild === base && content[base] === undefined) content = applyShorthand(base, plan, content);
  if (isObject(content)) {
    for (const key of COMPANION_ATTRIBUTES) {
      if (content[key] !== undefined) {
        issue(ctx, key, 'companion_attribute', `${key} is set by the companion when it sends ${name}; leave it out.`);
      }
    }
  }
  if (spec.since !== undefined) trackSince(ctx, versionNumber(spec.since), spec.since);
  emitComplex(ctx, name, plan, content);
  if (ctx.issues.length > 0) throw new QbxmlBuildError(name, ctx.issues);
  return {
    type: name,
    xml: ctx.out,
    minVersion: ctx.minVersionText,
    isQuery: isQueryType(name),
    supportsIterator: plan.attrByName.has('iterator'),
  };
}

/** Internal: checks one request element already turned into JSON (verbatim texts). */
export function checkRequestJson(
  rqName: string,
  label: string,
  content: Record<string, unknown>,
  options: BuildOptions | undefined,
  issues: BuildIssue[],
): { minVersion: number; minVersionText: string | null } {
  const found = requestSpec(rqName);
  if (found === undefined) return { minVersion: 0, minVersionText: null };
  const ctx = newCtx(rqName, options, true);
  ctx.path.push(label);
  if (found.spec.since !== undefined) trackSince(ctx, versionNumber(found.spec.since), found.spec.since);
  emitComplex(ctx, rqName, found.plan, content);
  for (const i of ctx.issues) if (issues.length < MAX_ISSUES) issues.push(i);
  return { minVersion: ctx.minVersion, minVersionText: ctx.minVersionText };
}

export { requestSpec };
