/**
 * What is wrong with an input, in the caller's terms: every problem zod finds, each named
 * by its path in the caller's own input (`name`, `params.InvoiceLineAdd[1].Amount`,
 * `configuration["a.b"]`) and said in plain words — what was expected, what came — with
 * the rule that failed. Never zod's own wording ("Invalid input: expected …").
 */
import { z } from 'zod';
import type { Problem } from '../errors';

export type Where = 'params' | 'query' | 'body';

type Issue = z.core.$ZodIssue;
type Key = PropertyKey;
type Schema = z.core.$ZodType;

/** Keys never taken as field names anywhere in a body: they name JavaScript's object machinery. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** More problems than this are not listed (a body can hold millions). */
export const MAX_PROBLEMS = 100;

const PLAIN_KEY = /^[A-Za-z_$@#][\w$@#:-]*$/;

/** A path as the caller writes it: `requests[1].params`, `configuration["a.b"]`. */
export function fieldPath(path: readonly Key[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = typeof seg === 'symbol' ? String(seg) : seg;
      out += PLAIN_KEY.test(s) ? (out ? '.' : '') + s : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** The field named when the problem is about a whole input rather than one of its fields. */
const rootField = (where: Where): string | null => (where === 'body' ? 'body' : null);

const subjectOf = (field: string | null, where: Where): string => {
  if (field === 'body' && where === 'body') return 'The body';
  return field ?? (where === 'query' ? 'The query' : 'The path');
};

/** A short description of a value the caller sent, for "(got …)". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') {
    if (v === '') return 'an empty string';
    return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'a value that is not a number';
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const KIND: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
  tuple: 'an array',
  null: 'null',
  date: 'a date',
};
const kind = (expected: string): string => KIND[expected] ?? `a ${expected}`;

const plural = (n: number | bigint, one: string, many = `${one}s`) => `${n} ${Number(n) === 1 ? one : many}`;

/** Lengths as the schema counts them (UTF-16 code units for strings). */
const lengthOf = (v: unknown): number | undefined => (typeof v === 'string' || Array.isArray(v) ? v.length : undefined);

/** The schema under the wrappers that don't change the shape (optional, default, …). */
function unwrap(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s && i < 20; i++) {
    const def = s._zod.def as { type: string; innerType?: Schema; in?: Schema; getter?: () => Schema };
    if (def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else return s;
  }
  return s;
}

/** The schema at `path` inside `schema`, where that is unambiguous. */
function schemaAt(schema: Schema | undefined, path: readonly Key[]): Schema | undefined {
  let s = unwrap(schema);
  for (const seg of path) {
    if (!s) return undefined;
    const def = s._zod.def as { type: string; shape?: Record<string, Schema>; element?: Schema; valueType?: Schema };
    if (def.type === 'object') s = unwrap(def.shape?.[String(seg)]);
    else if (def.type === 'array') s = unwrap(def.element);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else return undefined;
  }
  return s;
}

const shapeKeys = (schema: Schema | undefined): string[] | undefined => {
  const def = unwrap(schema)?._zod.def as { type: string; shape?: Record<string, Schema> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
};

const valueAt = (root: unknown, path: readonly Key[]): unknown => {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<Key, unknown>)[seg];
  }
  return v;
};

/** Edit distance, case-insensitive (for "did you mean …?"), giving up past `max`. */
function distance(a: string, b: string, max: number): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (Math.abs(x.length - y.length) > max) return max + 1;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[y.length] as number;
}

/** The allowed key a mistyped one probably meant: same letters in another case, or one or two typos away. */
function nearest(key: string, allowed: readonly string[]): string | undefined {
  const max = key.length < 5 ? 1 : 2;
  let best: { key: string; d: number } | undefined;
  for (const k of allowed) {
    const d = distance(key, k, max);
    if (d <= max && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}

/** zod's own message for an issue; a different one was written by us, in the schema. */
let english: ((issue: z.core.$ZodRawIssue) => unknown) | undefined;
function isZodDefault(issue: Issue): boolean {
  english ??= z.locales.en().localeError as (issue: z.core.$ZodRawIssue) => unknown;
  const m = english(issue as unknown as z.core.$ZodRawIssue);
  const text = typeof m === 'string' ? m : (m as { message?: string } | undefined)?.message;
  return text === issue.message || issue.message === 'Invalid input';
}

interface Ctx {
  where: Where;
  /** The caller's input as sent (for the values in "got …"). */
  raw: unknown;
  /** The schema of the value at `schemaBase` (for the fields an object takes), if known. */
  schema: Schema | undefined;
  schemaBase: readonly Key[];
}

function fieldOf(ctx: Ctx, path: readonly Key[]): string | null {
  return path.length === 0 ? rootField(ctx.where) : fieldPath(path);
}

function schemaOf(ctx: Ctx, path: readonly Key[]): Schema | undefined {
  if (path.length < ctx.schemaBase.length || ctx.schemaBase.some((k, i) => path[i] !== k)) return undefined;
  return schemaAt(ctx.schema, path.slice(ctx.schemaBase.length));
}

/**
 * The problems of one issue (several for unknown keys), at `base` within the input.
 * `subject` overrides how the value is named at the start of a message.
 */
function problemsOf(ctx: Ctx, base: readonly Key[], issue: Issue, subjectOverride?: string): Problem[] {
  const path = [...base, ...issue.path];
  const field = fieldOf(ctx, path);
  const subject = subjectOverride ?? subjectOf(field, ctx.where);
  const sent = subjectOverride !== undefined ? issue.input : valueAt(ctx.raw, path) ?? issue.input;
  const got = () => describeValue(sent);
  const custom = !isZodDefault(issue);
  const say = (rule: string, text: string): Problem[] => [{ field, rule, message: custom ? ownMessage(subject, issue.message) : text }];

  switch (issue.code) {
    case 'invalid_type':
      if (sent === undefined) return say('required', `${subject} is required: send ${kind(issue.expected)}.`);
      return say('type', `${subject} must be ${kind(issue.expected)} (got ${got()}).`);
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
      const inclusive = issue.inclusive !== false;
      const len = lengthOf(sent);
      const bound = issue.exact ? 'exactly' : small ? 'at least' : 'at most';
      if (issue.origin === 'string') {
        if (small && Number(limit) === 1) return say('min_length', `${subject} must not be empty.`);
        return say(small ? 'min_length' : 'max_length', `${subject} must be ${bound} ${plural(limit, 'character')} long${len !== undefined ? ` (got ${len})` : ''}.`);
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return say(small ? 'min_items' : 'max_items', `${subject} must have ${bound} ${plural(limit, 'item')}${len !== undefined ? ` (got ${len})` : ''}.`);
      }
      const range = small ? (inclusive ? 'at least' : 'greater than') : inclusive ? 'at most' : 'less than';
      return say(small ? 'minimum' : 'maximum', `${subject} must be ${range} ${String(limit)} (got ${got()}).`);
    }
    case 'invalid_format':
      if (issue.format === 'email') return say('format', `${subject} must be an email address, e.g. "ann@example.com" (got ${got()}).`);
      if (issue.format === 'regex') return say('format', `${subject} does not have the expected form (got ${got()}).`);
      return say('format', `${subject} must be a valid ${issue.format.replace(/_/g, ' ')} (got ${got()}).`);
    case 'not_multiple_of':
      return say('multiple_of', `${subject} must be a multiple of ${issue.divisor} (got ${got()}).`);
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const text = values.length === 1 ? `${subject} must be ${values[0]}` : `${subject} must be one of ${values.join(', ')}`;
      return say('enum', `${text} (got ${got()}).`);
    }
    case 'unrecognized_keys': {
      const allowed = shapeKeys(schemaOf(ctx, path));
      const noun = ctx.where === 'query' ? 'query parameter' : 'field';
      const owner = path.length === 0 ? (ctx.where === 'query' ? 'this operation' : 'the body') : fieldPath(path);
      return issue.keys.map((key) => {
        const keyField = fieldPath([...path, key]);
        const near = allowed && nearest(key, allowed);
        let hint = '';
        if (FORBIDDEN_KEYS.has(key)) hint = ' "__proto__", "constructor" and "prototype" are never field names.';
        else if (near) hint = ` Did you mean ${near}?`;
        else if (allowed?.length === 0) hint = ` ${owner === 'the body' ? 'It' : owner} takes no ${noun}s.`;
        else if (allowed) hint = ` Allowed: ${allowed.join(', ')}.`;
        return { field: keyField, rule: 'unknown_field', message: `${keyField} is not a ${noun} of ${owner}.${hint}` };
      });
    }
    case 'invalid_key': {
      const key = String(path[path.length - 1]);
      const owner = fieldOf(ctx, path.slice(0, -1)) ?? 'the input';
      return issue.issues.flatMap((i) => problemsOf(ctx, path, { ...i, input: key } as Issue, `The key ${JSON.stringify(key)} of ${owner}`));
    }
    case 'invalid_element':
      return issue.issues.flatMap((i) => problemsOf(ctx, path, i));
    case 'invalid_union':
      return unionProblems(ctx, path, issue);
    case 'custom': {
      const rule = typeof issue.params?.rule === 'string' ? issue.params.rule : 'invalid';
      return [{ field, rule, message: custom ? ownMessage(subject, issue.message) : `${subject} is not valid (got ${got()}).` }];
    }
    default:
      return [{ field, rule: 'invalid', message: `${subject} is not valid (got ${got()}).` }];
  }
}

/** A message written in the schema: a predicate ("must be …") gets its subject. */
function ownMessage(subject: string, message: string): string {
  const text = /^[a-z]/.test(message) ? `${subject} ${message}` : message;
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

const isBefore = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  return false;
};

/**
 * For an input that matches none of a union's shapes, the problems of the shape it came
 * closest to, so each field named is one the caller got wrong rather than "invalid
 * input": a shape of the input's kind (object or array), then the one whose fields the
 * input's keys match best (a {type, params} with a bad onError lacks nothing of the JSON
 * shape, and has two keys the qbxml one doesn't take), then the fewest problems, then the
 * deepest. An input that is the wrong kind for every shape is told the kinds it may be.
 */
function unionProblems(ctx: Ctx, path: readonly Key[], issue: z.core.$ZodIssueInvalidUnion): Problem[] {
  const union = unwrap(schemaOf(ctx, path))?._zod.def as { type: string; options?: Schema[] } | undefined;
  const options = union?.type === 'union' ? union.options : undefined;
  const wrongKind = (branch: readonly Issue[]) => branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0;
  const field = fieldOf(ctx, path);
  const subject = subjectOf(field, ctx.where);
  if (issue.errors.length > 0 && issue.errors.every(wrongKind)) {
    const kinds = [...new Set(issue.errors.map((b) => kind((b[0] as z.core.$ZodIssueInvalidType).expected)))];
    const value = valueAt(ctx.raw, path);
    if (value === undefined) return [{ field, rule: 'required', message: `${subject} is required: send ${kinds.join(' or ')}.` }];
    return [{ field, rule: 'type', message: `${subject} must be ${kinds.join(' or ')} (got ${describeValue(value)}).` }];
  }
  let best: { problems: Problem[]; rank: number[] } | undefined;
  const fieldPrefix = path.length === 0 ? '' : `${fieldPath(path)}.`;
  issue.errors.forEach((branch, i) => {
    if (branch.length === 0) return;
    // The branch's issues are relative to the union, and so is its schema.
    const branchCtx: Ctx = { ...ctx, schema: options?.[i], schemaBase: path };
    const problems = branch.flatMap((b) => problemsOf(branchCtx, path, b));
    const depth = Math.max(...branch.map((b) => b.path.length + (b.code === 'unrecognized_keys' ? 0 : 1)));
    // How far the input's own keys are from the shape's: keys it lacks or doesn't take.
    const mismatch = problems.filter((p) => (p.rule === 'unknown_field' || p.rule === 'required') && p.field !== null && !/[.[]/.test(p.field.slice(fieldPrefix.length))).length;
    const rank = [wrongKind(branch) ? 1 : 0, mismatch, problems.length, -depth];
    if (!best || isBefore(rank, best.rank)) best = { problems, rank };
  });
  return best?.problems ?? [{ field, rule: 'invalid', message: `${subject} is not valid.` }];
}

/** Every problem of a failed parse, in the caller's terms (at most MAX_PROBLEMS). */
export function problemsFromZod(error: z.ZodError, where: Where, raw: unknown, schema?: z.ZodType): Problem[] {
  const ctx: Ctx = { where, raw, schema: schema as Schema | undefined, schemaBase: [] };
  const out: Problem[] = [];
  for (const issue of error.issues) {
    for (const p of problemsOf(ctx, [], issue)) {
      if (out.length >= MAX_PROBLEMS) return out;
      if (!out.some((q) => q.field === p.field && q.rule === p.rule)) out.push(p);
    }
  }
  return out;
}

/**
 * `__proto__`, `constructor` and `prototype` anywhere in an input, as unknown fields. JSON.parse
 * makes `__proto__` an own property, which an object built from it (a record's copy) would
 * turn into its prototype instead — silently dropping the key, or worse.
 */
export function forbiddenKeyProblems(value: unknown, where: Where = 'body'): Problem[] {
  const out: Problem[] = [];
  type Node = { value: unknown; key: Key | null; parent: Node | null };
  const pathOf = (node: Node): Key[] => {
    const path: Key[] = [];
    for (let n: Node | null = node; n && n.key !== null; n = n.parent) path.push(n.key);
    return path.reverse();
  };
  const stack: Node[] = [{ value, key: null, parent: null }];
  while (stack.length > 0 && out.length < MAX_PROBLEMS) {
    const node = stack.pop() as Node;
    const v = node.value;
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: node });
      continue;
    }
    const keys = Object.keys(v);
    const children: Node[] = [];
    for (const k of keys) {
      if (FORBIDDEN_KEYS.has(k)) {
        const field = fieldPath([...pathOf(node), k]);
        const owner = node.key === null ? (where === 'query' ? 'the query' : 'the body') : fieldPath(pathOf(node));
        out.push({ field, rule: 'unknown_field', message: `${field} is not a field of ${owner}: "__proto__", "constructor" and "prototype" are never field names.` });
      } else children.push({ value: (v as Record<string, unknown>)[k], key: k, parent: node });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Node);
  }
  return out;
}

/** A problem the qbXML builder found (see main/qbxml/builder/errors.ts). */
export interface BuilderIssue {
  path: string;
  rule: string;
  message: string;
}

/**
 * The builder's issues for one JSON request, as problems in the caller's body. The builder
 * names paths from the request element ("InvoiceAdd.InvoiceLineAdd[1].Amount"); the caller
 * wrote them under `params` of the request at `prefix` ("", "requests[2]", "[2]"), and with
 * the shorthand ({type: "InvoiceAdd", params: {…the InvoiceAdd's fields…}}) without the wrapper.
 */
export function builderProblems(issues: readonly BuilderIssue[], prefix: string, type: string, params: object): Problem[] {
  const join = (base: string, rest: string) => (rest === '' ? base : base === '' || rest.startsWith('[') ? base + rest : `${base}.${rest}`);
  const wrapper = type.replace(/Rq$/, '');
  const shorthand = !Object.prototype.hasOwnProperty.call(params, wrapper);
  return issues.map((issue) => {
    if (issue.rule === 'unknown_request') return { field: join(prefix, 'type'), rule: issue.rule, message: issue.message };
    let rest = issue.path;
    if (shorthand && rest === wrapper) rest = '';
    else if (shorthand && rest.startsWith(`${wrapper}.`)) rest = rest.slice(wrapper.length + 1);
    const field = join(join(prefix, 'params'), rest);
    // The message names the builder's path; name the caller's instead.
    const message = issue.path !== '' && issue.message.startsWith(issue.path) ? field + issue.message.slice(issue.path.length) : issue.message;
    return { field, rule: issue.rule, message };
  });
}
