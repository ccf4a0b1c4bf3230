/**
 * One session's timeline: its calls from the event log, with the requests it sent
 * (listRequests by sessionId) merged in — a "sent" row when each went to QuickBooks,
 * carrying the request (its type, when it finished, how). The log has a line only for a
 * request that went wrong; that call carries its request too. Pure, so it is unit tested
 * without a browser.
 */
import type { CallOutput } from '../client/types';

export type SessionEvent = CallOutput<'listEvents'>['data'][number];
export type SessionRequest = CallOutput<'listRequests'>['data'][number];

type SentRow = { kind: 'sent'; key: string; at: string; request: SessionRequest };
export type TimelineRow = { kind: 'call'; key: string; at: string; event: SessionEvent; request: SessionRequest | null } | SentRow;

/** `events` oldest first, as the session made them; `requests` in any order. */
export function sessionTimeline(events: readonly SessionEvent[], requests: readonly SessionRequest[]): TimelineRow[] {
  const byId = new Map(requests.map((r) => [r.requestId, r]));
  const waiting = requests
    .filter((r): r is SessionRequest & { sentAt: string } => r.sentAt !== null)
    .sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt))
    .map((r): SentRow => ({ kind: 'sent', key: `sent:${r.requestId}`, at: r.sentAt, request: r }));
  const rows: TimelineRow[] = [];
  for (const event of events) {
    // Sent before this call, or sent in the same instant as the call that finished it: the sending goes first.
    const sameRequest = waiting.findIndex((row) => row.request.requestId === event.requestId);
    let flush = sameRequest + 1;
    while (flush < waiting.length && Date.parse((waiting[flush] as SentRow).at) < Date.parse(event.timestamp)) flush++;
    rows.push(...waiting.splice(0, flush));
    rows.push({ kind: 'call', key: `call:${event.logId}`, at: event.timestamp, event, request: event.requestId ? (byId.get(event.requestId) ?? null) : null });
  }
  return [...rows, ...waiting];
}
