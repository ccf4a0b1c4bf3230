/**
 * A client for the REST API built from the same contract: any operation by name, with
 * the same raw input the in-process invoker takes. The CLI uses it when a server owns the
 * data folder; the browser UI will use it in browser mode.
 */
import { API_PREFIX, type OperationDef, type OperationName, operations } from '../contract/operations';
import type { RawInput } from '../contract/invoke';
import { ApiError, type Problem } from '../errors';

/** A server that doesn't answer in this long is stuck (or stopped): better an error than waiting for ever. */
const TIMEOUT_MS = 60_000;

export async function callRest(baseUrl: string, token: string, name: OperationName, raw: RawInput, timeoutMs = TIMEOUT_MS): Promise<unknown> {
  const def: OperationDef = operations[name];
  const params = (raw.params ?? {}) as Record<string, unknown>;
  const route = def.path.replace(/\{(\w+)\}/g, (_m, key: string) => encodeURIComponent(String(params[key] ?? '')));
  const query = new URLSearchParams(
    Object.entries((raw.query ?? {}) as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const res = await fetch(`${baseUrl}${API_PREFIX}${route}${query ? `?${query}` : ''}`, {
    method: def.method,
    headers: { Authorization: `Bearer ${token}`, ...(def.body ? { 'Content-Type': 'application/json' } : {}) },
    body: def.body ? JSON.stringify(raw.body ?? {}) : undefined,
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: unknown) => {
    const why = (err as Error).name === 'TimeoutError' ? `did not answer within ${timeoutMs / 1000} s` : `could not be reached (${(err as Error).message})`;
    throw new Error(`The QBWC Companion server at ${baseUrl} ${why}.`);
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; field?: string | null; problems?: Problem[] } } | null;
    const e = body?.error;
    const problems = Array.isArray(e?.problems) ? e.problems : undefined;
    throw new ApiError(res.status as ApiError['status'], e?.code ?? 'http_error', e?.message ?? `HTTP ${res.status}`, e?.field ?? null, problems);
  }
  if (def.status === 204) return undefined;
  return def.rawContentType ? res.text() : res.json();
}
