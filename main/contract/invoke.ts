/**
 * Calling an operation from any transport: validates the raw path parameters, query
 * and body against the contract, then runs the handler. REST, IPC and the CLI all go
 * through here, so an input is judged the same way wherever it comes from.
 */
import { z } from 'zod';
import { ApiError } from '../errors';
import { type OperationDef, type OperationHandlers, type OperationName, type OperationOutput, operations } from './operations';

export interface RawInput {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

type Where = 'params' | 'query' | 'body';

type Issue = z.core.$ZodIssue;

/** The path an issue names: keys not allowed count as the object's own. */
const depth = (i: Issue): number => i.path.length + (i.code === 'unrecognized_keys' ? 0 : 1);

/**
 * For an input that matches none of a union's shapes, the issue of the shape it came
 * closest to, so the field named is the one the caller got wrong rather than "invalid
 * input": the shape with the fewest problems (a {type, params} with a bad onError is one
 * problem away from the JSON shape, three from the qbxml one), then one whose problem is
 * not being the wrong kind of value altogether, then the deepest problem.
 */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: { issue: Issue; rank: number[] } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = mostSpecific(first);
    const wrongKind = candidate.code === 'invalid_type' && candidate.path.length === 0 ? 1 : 0;
    const rank = [branch.length, wrongKind, -depth(candidate)];
    if (!best || isBefore(rank, best.rank)) best = { issue: candidate, rank };
  }
  return best ? { ...best.issue, path: [...issue.path, ...best.issue.path] } : issue;
}

const isBefore = (a: number[], b: number[]): boolean => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number);
  return false;
};

/** The first zod issue as an API error naming the field (body fields by their path). */
export function fromZod(err: z.ZodError, where: Where): ApiError {
  const issue = mostSpecific(err.issues[0] as Issue);
  let path = issue.path.map(String);
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, ...issue.keys];
    message = `unknown ${where === 'query' ? 'query parameter' : 'field'}${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  }
  const field = path.join('.') || (where === 'body' ? 'body' : null);
  const label = field ?? where;
  // A path that names nothing valid (e.g. an unknown metricId) is a missing resource.
  if (where === 'params') return new ApiError(404, 'not_found', `${label}: ${message}`, field);
  return new ApiError(400, 'invalid_field', `${label}: ${message}`, field);
}

function parse(schema: z.ZodType | undefined, value: unknown, where: Where): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, where);
  return result.data;
}

export async function invoke<K extends OperationName>(handlers: OperationHandlers, name: K, raw: RawInput): Promise<OperationOutput<K>> {
  const def: OperationDef = operations[name];
  const input: Record<string, unknown> = {
    ...(parse(def.params, raw.params ?? {}, 'params') as object),
    // Unknown query parameters are refused: a typo ("fromtime") should not be silently ignored.
    ...(parse((def.query ?? z.object({})).strict(), raw.query ?? {}, 'query') as object),
  };
  if (def.body) input.body = parse(def.body, raw.body ?? {}, 'body');
  const handler = handlers[name] as (input: unknown) => OperationOutput<K> | Promise<OperationOutput<K>>;
  return handler(input);
}
