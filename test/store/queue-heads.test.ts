import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store';
import { QueueHeads } from '../../main/store/queue-heads';
import type { RequestStatus } from '../../main/store/types';

// The queue heads (main/store/queue-heads.ts) answer `next` from memory. Whatever is
// written, the answer must be the one SQL gives, row for row.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const INSTANCES = ['i1', 'i2'] as const;

function open(): Store {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qbwc-heads-'));
  dirs.push(dir);
  const store = Store.open(dir);
  store.transaction(() => {
    for (const id of INSTANCES) {
      store.instances.insert({
        id, name: id, username: id, passwordHash: 'x', qbdPath: null, frequencyMinutes: 60, contact: null,
        configuration: {}, fileId: `{F${id}}`, ownerId: '{O}', postponeSeconds: null, minRunEverySeconds: null, lingerSeconds: 0,
        alternateCompanyFiles: [], readOnly: false, company: null, createdAt: 1, updatedAt: 1,
      });
    }
  });
  return store;
}

/** The next request as SQL alone says: the order of the requests_queue index. */
function truth(store: Store, instanceId: string, now: number): string | undefined {
  return store.db
    .prepare<[string, number], { id: string }>(
      `SELECT id FROM requests WHERE instance_id = ? AND status = 'queued' AND (not_before IS NULL OR not_before <= ?)
       ORDER BY urgent DESC, priority DESC, seq LIMIT 1`,
    )
    .get(instanceId, now)?.id;
}

const instance = fc.constantFrom(...INSTANCES);
const pick = fc.nat(); // an index into the requests made so far
const op = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('enqueue' as const), instance, priority: fc.integer({ min: 0, max: 3 }), urgent: fc.boolean(), count: fc.integer({ min: 1, max: 20 }) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('send' as const), instance }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('finish' as const), pick, status: fc.constantFrom<RequestStatus>('done', 'error', 'queued'), delay: fc.constantFrom(0, 5, 50) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('transition' as const), pick, to: fc.constantFrom<RequestStatus>('queued', 'cancelled', 'unknown_outcome') }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('requeue' as const), pick, delay: fc.constantFrom(0, 5, 50) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('iterator' as const), pick, urgent: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('body' as const), pick }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('records' as const), pick }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('cancelAll' as const), instance }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('rollback' as const), instance }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('wait' as const), ms: fc.constantFrom(1, 10, 60) }), weight: 1 },
);

describe('queue heads', () => {
  it('always give the request SQL would, as it is stored now', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const store = open();
        const ids: string[] = [];
        let now = 1000;
        const at = (i: number) => ids.length > 0 ? store.requests.get(ids[i % ids.length] as string) : undefined;
        try {
          for (const o of ops) {
            switch (o.t) {
              case 'enqueue':
                store.transaction(() => {
                  for (let k = 0; k < o.count; k++) {
                    const id = `r${ids.length}`;
                    ids.push(id);
                    store.requests.insert({
                      id, instanceId: o.instance, kind: 'query', priority: o.priority, urgent: o.urgent, types: ['CustomerQueryRq'],
                      onError: 'stopOnError', body: `<CustomerQueryRq>${id}</CustomerQueryRq>`, rqOffsets: [0], source: null, now,
                    });
                  }
                });
                break;
              case 'send':
                store.transaction(() => {
                  const next = store.requests.next(o.instance, now);
                  if (next) store.requests.markSent(next, 's1', now);
                });
                break;
              case 'finish': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.complete(r, { status: o.status, now, notBefore: o.delay ? now + o.delay : null }));
                break;
              }
              case 'transition': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.transition(r.id, r.status, o.to, now));
                break;
              }
              case 'requeue': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.requeue(r.id, r.status, now, o.delay ? now + o.delay : null, null));
                break;
              }
              case 'iterator': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.setIterator(r.id, { id: 'it', remaining: 3, pages: 1, restarts: 0 }, o.urgent));
                break;
              }
              case 'body': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.setBody(r.id, `${r.body}<!-- edited -->`, [0], now));
                break;
              }
              case 'records': {
                const r = at(o.pick);
                if (r) store.transaction(() => store.requests.addRecords(r.id, 2));
                break;
              }
              case 'cancelAll':
                store.transaction(() => store.requests.cancelAllQueued(o.instance, now));
                break;
              case 'rollback':
                // A unit that fails after changing the queue: it all comes undone, in memory too.
                expect(() =>
                  store.transaction(() => {
                    const next = store.requests.next(o.instance, now);
                    if (next) store.requests.markSent(next, 's1', now);
                    store.requests.insert({
                      id: 'doomed', instanceId: o.instance, kind: 'query', priority: 9, urgent: true, types: ['CustomerQueryRq'],
                      onError: 'stopOnError', body: '<CustomerQueryRq/>', rqOffsets: [0], source: null, now,
                    });
                    store.requests.next(o.instance, now);
                    throw new Error('fails');
                  }),
                ).toThrow('fails');
                break;
              case 'wait':
                now += o.ms;
                break;
            }
            for (const i of INSTANCES) {
              const got = store.requests.next(i, now);
              expect(got?.id).toBe(truth(store, i, now));
              // Not just the right request: the request as stored now (body, attempts, iterator, counts).
              if (got) expect(got).toMatchObject(stored(store, got.id));
              expect(store.requests.hasReady(i, now)).toBe(got !== undefined);
            }
          }
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});

/** What is stored for a request that a head could hold stale, read from SQL alone. */
function stored(store: Store, id: string) {
  const r = store.db
    .prepare<[string], Record<string, unknown>>(
      'SELECT status, priority, urgent, not_before, body, attempts, updated_at, iterator_json, record_count FROM requests WHERE id = ?',
    )
    .get(id) as Record<string, unknown>;
  return {
    status: r.status,
    priority: r.priority,
    urgent: r.urgent === 1,
    notBefore: r.not_before,
    body: r.body,
    attempts: r.attempts,
    updatedAt: r.updated_at,
    iterator: r.iterator_json === null ? null : JSON.parse(r.iterator_json as string),
    recordCount: r.record_count,
  };
}

describe('QueueHeads', () => {
  it('keeps at most eight heads, letting go of the longest kept first', () => {
    const heads = new QueueHeads(16);
    for (let i = 0; i < 9; i++) heads.set(`i${i}`, []);
    expect(heads.has('i0')).toBe(false);
    for (let i = 1; i < 9; i++) expect(heads.has(`i${i}`)).toBe(true);
    // An empty head read whole knows there is nothing to send; one let go can't tell.
    expect(heads.next('i8', 0)).toBeUndefined();
    expect(heads.next('i0', 0)).toBeNull();
  });
});
