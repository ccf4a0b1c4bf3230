/**
 * Calling an operation from any transport: validates the raw path parameters, query
 * and body against the contract, then runs the handler. REST, IPC and the CLI all go
 * through here, so an input is judged the same way wherever it comes from — and every
 * problem with it is reported at once, each named by its path in the caller's input.
 */
import { z } from 'zod';
import { ApiError, type Problem } from '../errors';
import { type OperationDef, type OperationHandlers, type OperationName, type OperationOutput, operations } from './operations';
import { forbiddenKeyProblems, MAX_PROBLEMS, problemsFromZod, type Where } from './problems';

export interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

type Parsed = { ok: true; data: unknown } | { ok: false; problems: Problem[] };

function parse(schema: z.ZodType | undefined, value: unknown, where: Where): Parsed {
  if (!schema) return { ok: true, data: undefined };
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, problems: problemsFromZod(result.error, where, value, schema) };
}

/** Validates an operation's raw input; throws an ApiError listing every problem. */
export function validateInput(name: OperationName, raw: RawInput): Record<string, unknown> {
  const def: OperationDef = operations[name];
  // A path that names nothing valid (e.g. an unknown metricId) is a missing resource.
  const params = parse(def.params, raw.params ?? {}, 'params');
  if (!params.ok) throw ApiError.of(404, 'not_found', params.problems);
  // Unknown query parameters are refused: a typo ("fromtime") should not be silently ignored.
  const query = parse((def.query ?? z.object({})).strict(), raw.query ?? {}, 'query');
  const problems: Problem[] = query.ok ? [] : [...query.problems];
  let body: Parsed = { ok: true, data: undefined };
  if (def.body) {
    const value = raw.body ?? {};
    body = parse(def.body, value, 'body');
    if (!body.ok) problems.push(...body.problems);
    for (const p of forbiddenKeyProblems(value)) {
      if (!problems.some((q) => q.field === p.field)) problems.push(p);
    }
  }
  if (problems.length > 0) throw ApiError.of(400, 'invalid_field', problems.slice(0, MAX_PROBLEMS));
  const input: Record<string, unknown> = { ...(params.ok ? (params.data as object) : {}), ...(query.ok ? (query.data as object) : {}) };
  if (def.body && body.ok) input.body = body.data;
  return input;
}

export async function invoke<K extends OperationName>(handlers: OperationHandlers, name: K, raw: RawInput): Promise<OperationOutput<K>> {
  const input = validateInput(name, raw);
  const handler = handlers[name] as (input: unknown) => OperationOutput<K> | Promise<OperationOutput<K>>;
  return handler(input);
}
