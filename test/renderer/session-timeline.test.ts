/** One session's calls with the requests it sent merged in (renderer/src/data/session-timeline.ts). */
import { describe, expect, it } from 'vitest';
import { type SessionEvent, type SessionRequest, sessionTimeline } from '../../renderer/src/data/session-timeline';

let logId = 0;
const event = (timestamp: string, action: string, requestId: string | null = null): SessionEvent => ({
  logId: ++logId,
  clientId: 'a',
  timestamp,
  user: 'qbwc',
  action,
  detail: null,
  result: null,
  sessionId: 's1',
  requestId,
});

const request = (requestId: string, sentAt: string | null, status: SessionRequest['status'] = 'done'): SessionRequest =>
  ({ requestId, sentAt, completedAt: null, status, types: ['CustomerQueryRq'], idempotencyKey: null }) as SessionRequest;

const shape = (rows: ReturnType<typeof sessionTimeline>) => rows.map((r) => (r.kind === 'sent' ? `sent ${r.request.requestId}` : `${r.event.action}${r.request ? ` ${r.request.requestId}` : ''}`));

describe('sessionTimeline', () => {
  it('puts each request where it was sent, before the call that finished it, and gives that call the request', () => {
    const rows = sessionTimeline(
      [
        event('2026-11-23T10:00:00.000Z', 'session.authenticate'),
        event('2026-11-23T10:00:01.000Z', 'session.started'),
        event('2026-11-23T10:00:02.000Z', 'request.done', 'r1'),
        event('2026-11-23T10:00:04.000Z', 'request.error', 'r2'),
        event('2026-11-23T10:00:05.000Z', 'session.closeConnection'),
      ],
      [request('r2', '2026-11-23T10:00:02.000Z', 'error'), request('r1', '2026-11-23T10:00:01.000Z')],
    );
    expect(shape(rows)).toEqual([
      'session.authenticate',
      // Sent in the same instant as "company opened": the call first.
      'session.started',
      'sent r1',
      'request.done r1',
      'sent r2',
      'request.error r2',
      'session.closeConnection',
    ]);
  });

  it('a request sent and finished in the same instant: sent first; one not sent yet: not there', () => {
    const rows = sessionTimeline(
      [event('2026-11-23T10:00:00.000Z', 'session.started'), event('2026-11-23T10:00:01.000Z', 'request.done', 'r1')],
      [request('r1', '2026-11-23T10:00:01.000Z'), request('r2', '2026-11-23T10:00:01.500Z', 'sent'), request('r3', null, 'queued')],
    );
    expect(shape(rows)).toEqual(['session.started', 'sent r1', 'request.done r1', 'sent r2']);
    expect(rows[3]).toMatchObject({ kind: 'sent', request: { status: 'sent' } });
  });
});
