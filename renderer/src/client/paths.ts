/**
 * How the REST transport turns a call into an HTTP request: the operation's path template
 * filled from `params`, `query` as search parameters, `body` as JSON. Pure, so it is unit
 * tested without a browser.
 */
import { API_PREFIX, type Route } from '../contract/routes.gen';
import type { RawCall } from './types';

export interface HttpRequestPlan {
  method: Route['method'];
  /** Path and query, relative to the page's origin: /api/v1/… */
  url: string;
  /** JSON text, when the call has a body. */
  body?: string;
}

/** A query value as a search parameter; absent (undefined, null, '') means "not given". */
function queryValue(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`query values must be strings, numbers or booleans, not ${typeof value}`);
}

export function planRequest(route: Route, call: RawCall): HttpRequestPlan {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = call.params?.[name];
    if (typeof value !== 'string' || value === '') throw new TypeError(`missing path parameter "${name}" for ${route.path}`);
    // A slash, "?" or "#" in an id must stay inside its path segment.
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(call.query ?? {})) {
    const text = queryValue(value);
    if (text !== undefined) search.append(key, text);
  }
  const query = search.toString();
  const plan: HttpRequestPlan = { method: route.method, url: API_PREFIX + path + (query ? `?${query}` : '') };
  if (call.body !== undefined) plan.body = JSON.stringify(call.body);
  return plan;
}
