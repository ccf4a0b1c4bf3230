/**
 * The browser-mode transport: REST calls with the session cookie (set by the one-time
 * login link `serve` prints), and domain events over server-sent events.
 */
import { API_PREFIX, routes } from '../contract/routes.gen';
import { CompanionError, unreachable } from './error';
import { DOMAIN_EVENT_NAMES } from './events';
import { downloadLink } from '../lib/files';
import { planRequest } from './paths';
import type { ClientEvent, CompanionClient, DomainEvent, ErrorData, RawCall } from './types';

const STREAM_URL = `${API_PREFIX}/stream`;

async function errorFrom(response: Response): Promise<CompanionError> {
  const text = await response.text().catch(() => '');
  try {
    const { error } = JSON.parse(text) as { error: Omit<ErrorData, 'status'> };
    return new CompanionError({ ...error, status: response.status });
  } catch {
    return new CompanionError({
      status: response.status,
      code: 'http_error',
      message: `QBWC Companion answered with an unexpected error (HTTP ${response.status}). Try again; if it keeps happening, restart the companion.`,
    });
  }
}

export function createHttpClient(): CompanionClient {
  return {
    transport: 'browser',
    async call(name, input) {
      const route = routes[name];
      const plan = planRequest(route, input as RawCall);
      let response: Response;
      try {
        response = await fetch(plan.url, {
          method: plan.method,
          credentials: 'same-origin',
          headers: plan.body === undefined ? {} : { 'Content-Type': 'application/json' },
          body: plan.body,
        });
      } catch {
        throw unreachable();
      }
      if (!response.ok) throw await errorFrom(response);
      if (response.status === 204) return undefined as never;
      return ('rawContentType' in route ? await response.text() : await response.json()) as never;
    },
    async saveFile(name, input, fileName) {
      downloadLink(planRequest(routes[name], input as RawCall).url, fileName);
    },
    subscribe(listener) {
      const source = new EventSource(STREAM_URL);
      const emit = (event: ClientEvent) => listener(event);
      source.addEventListener('ready', () => emit({ type: 'live.connected' }));
      // EventSource reconnects by itself; until it has, events may be missed.
      source.addEventListener('error', () => emit({ type: 'live.disconnected' }));
      for (const type of DOMAIN_EVENT_NAMES) {
        source.addEventListener(type, (message) => {
          try {
            emit({ type, data: JSON.parse((message as MessageEvent<string>).data) } as DomainEvent);
          } catch {
            // A message we cannot read tells us nothing; the next refetch shows the truth.
          }
        });
      }
      return () => source.close();
    },
  };
}
