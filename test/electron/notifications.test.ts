import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_POLICY, NotificationPlanner, type PlannedNotification } from '../../main/electron/notifications';
import type { DomainEvent } from '../../main/electron/status-types';
import { connection, iso, minutes, overview, T0 } from './fixtures';

const failed = (instanceId = 'inst-acme', message: string | null = 'QuickBooks says the customer "Pine" already exists.'): DomainEvent => ({
  type: 'request.completed',
  data: { requestId: `r-${Math.random()}`, instanceId, status: 'error', userFacingMessage: message },
});
const ended = (data: Partial<Extract<DomainEvent, { type: 'session.ended' }>['data']> = {}): DomainEvent => ({
  type: 'session.ended',
  data: { sessionId: 's1', instanceId: 'inst-acme', status: 'closed', requestsDone: 12, requestsFailed: 0, firstSuccess: false, lastError: null, ...data },
});

/** A planner that knows Acme Ltd (and Pine Street Bakery) from an overview. */
function planner(): NotificationPlanner {
  const p = new NotificationPlanner();
  p.overview(overview([connection(), connection({ instanceId: 'inst-pine', name: 'Pine Street Bakery' })]), T0);
  return p;
}

/** Every notification from `events` spread over `spanMs`, then ticks every 5 s until `untilMs`. */
function play(p: NotificationPlanner, events: DomainEvent[], spanMs: number, untilMs: number): PlannedNotification[] {
  const out: PlannedNotification[] = [];
  events.forEach((e, i) => out.push(...p.event(e, T0 + Math.floor((spanMs * i) / events.length))));
  for (let t = T0; t <= T0 + untilMs; t += 5_000) out.push(...p.tick(t));
  return out;
}

describe('notification planner', () => {
  it('turns a burst of 50 failures into one notification', () => {
    const p = planner();
    const out = play(p, Array.from({ length: 50 }, () => failed()), 3_000, minutes(60));
    expect(out).toEqual([
      {
        kind: 'requests_failed',
        title: '50 requests failed in Acme Ltd',
        body: 'The last one: QuickBooks says the customer "Pine" already exists.',
        instanceId: 'inst-acme',
      },
    ]);
  });

  it('a burst over a whole session is at most two notifications', () => {
    const out = play(planner(), Array.from({ length: 50 }, () => failed()), minutes(2), minutes(60));
    expect(out.length).toBeGreaterThanOrEqual(1);
    expect(out.length).toBeLessThanOrEqual(2);
    expect(out.every((n) => n.kind === 'requests_failed')).toBe(true);
  });

  it('one failure says what QuickBooks said', () => {
    const out = play(planner(), [failed()], 0, minutes(1));
    expect(out).toEqual([{ kind: 'requests_failed', title: 'A request failed in Acme Ltd', body: 'QuickBooks says the customer "Pine" already exists.', instanceId: 'inst-acme' }]);
  });

  it('waits for the rest of a burst before telling', () => {
    const p = planner();
    p.event(failed(), T0);
    expect(p.tick(T0 + DEFAULT_NOTIFICATION_POLICY.settleMs - 1)).toEqual([]);
    expect(p.tick(T0 + DEFAULT_NOTIFICATION_POLICY.settleMs)).toHaveLength(1);
  });

  it('after telling failures, the next ones wait for the quiet period, then come as one summary', () => {
    const p = planner();
    p.event(failed(), T0);
    expect(p.tick(T0 + 10_000)).toHaveLength(1);
    for (let i = 0; i < 3; i++) p.event(failed('inst-acme', `problem ${i}`), T0 + minutes(1) + i);
    expect(p.tick(T0 + minutes(10))).toEqual([]);
    expect(p.tick(T0 + 10_000 + DEFAULT_NOTIFICATION_POLICY.failureQuietMs)).toEqual([
      { kind: 'requests_failed', title: '3 requests failed in Acme Ltd', body: 'The last one: problem 2', instanceId: 'inst-acme' },
    ]);
  });

  it('counts each connection\'s failures apart', () => {
    const out = play(planner(), [failed('inst-acme'), failed('inst-pine'), failed('inst-pine')], 100, minutes(1));
    expect(out.map((n) => n.title).sort()).toEqual(['2 requests failed in Pine Street Bakery', 'A request failed in Acme Ltd']);
  });

  it('without a message, says where to look', () => {
    const out = play(planner(), [failed('inst-acme', null)], 0, minutes(1));
    expect(out[0]?.body).toBe('Open QBWC Companion to see what failed and what to do.');
  });

  it('ignores requests that did not fail', () => {
    const p = planner();
    p.event({ type: 'request.completed', data: { requestId: 'r', instanceId: 'inst-acme', status: 'done', userFacingMessage: null } }, T0);
    expect(p.tick(T0 + minutes(5))).toEqual([]);
  });

  it('tells the first sync of a connection once, with its counts', () => {
    const p = planner();
    expect(p.event(ended({ firstSuccess: true, requestsDone: 12, requestsFailed: 1 }), T0)).toEqual([
      {
        kind: 'first_sync',
        title: 'Acme Ltd: first sync finished',
        body: '12 requests done, 1 failed. It will sync every 15 minutes from now on.',
        instanceId: 'inst-acme',
      },
    ]);
    expect(p.event(ended({ firstSuccess: true }), T0 + minutes(120))).toEqual([]);
    expect(p.event(ended({ firstSuccess: false }), T0 + minutes(240))).toEqual([]);
  });

  it('a first sync with nothing to do says so', () => {
    const [n] = planner().event(ended({ firstSuccess: true, requestsDone: 0 }), T0);
    expect(n?.body).toBe('Web Connector connected and QuickBooks answered; nothing was waiting. It will sync every 15 minutes from now on.');
  });

  it('tells a refused wrong company file, at most once an hour per connection', () => {
    const p = planner();
    const wrong = ended({ status: 'wrong_company', lastError: 'QuickBooks has Pine.qbw open, but this connection uses Acme.qbw.' });
    expect(p.event(wrong, T0)).toEqual([
      { kind: 'wrong_company', title: 'Acme Ltd: wrong company file open', body: 'QuickBooks has Pine.qbw open, but this connection uses Acme.qbw.', instanceId: 'inst-acme' },
    ]);
    expect(p.event(wrong, T0 + minutes(15))).toEqual([]);
    expect(p.event({ ...wrong, data: { ...wrong.data, instanceId: 'inst-pine' } } as DomainEvent, T0 + minutes(15))).toHaveLength(1);
    expect(p.event(wrong, T0 + minutes(61))).toHaveLength(1);
  });

  it('passes on the watchdog: once per overdue episode', () => {
    const p = new NotificationPlanner();
    const late = overview([
      connection({
        overdueMinutes: 150,
        lastSession: { sessionId: 'old', startedAt: iso(T0 - minutes(181)), endedAt: iso(T0 - minutes(180)), status: 'closed', requestsDone: 1, requestsFailed: 0, lastError: null },
      }),
    ]);
    const [alert, ...rest] = p.overview(late, T0);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ kind: 'overdue', title: 'Acme Ltd: Web Connector has stopped syncing', instanceId: 'inst-acme' });
    expect(alert?.body).toMatch(/^Web Connector hasn't connected for 3 hours although this connection runs every 15 minutes\./);
    expect(p.overview(late, T0 + minutes(1))).toEqual([]);
  });

  it('names an unknown connection plainly', () => {
    const [n] = new NotificationPlanner().event(ended({ firstSuccess: true, instanceId: 'who' }), T0);
    expect(n?.title).toBe('A connection: first sync finished');
    expect(n?.body).toBe('12 requests done.');
  });

  it('never shows more than a few a minute; the rest are counted and told as one', () => {
    const p = planner();
    const many = Array.from({ length: 10 }, (_, i) => `inst-${i}`);
    const shown = many.flatMap((id) => p.event(ended({ instanceId: id, firstSuccess: true }), T0));
    expect(shown).toHaveLength(DEFAULT_NOTIFICATION_POLICY.maxPerMinute);
    expect(p.tick(T0 + 30_000)).toEqual([]); // still no room this minute
    expect(p.tick(T0 + 60_000)).toEqual([
      {
        kind: 'held_back',
        title: '6 more notifications were held back',
        body: 'A lot happened at once. Open QBWC Companion to see every connection and what it needs.',
        instanceId: null,
      },
    ]);
    expect(p.tick(T0 + 120_000)).toEqual([]);
  });
});
