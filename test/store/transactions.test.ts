/**
 * Units of work are SQLite transactions: committed when they return, all or nothing, a
 * failure (a refused constraint, a full disk) confined to its own unit, and nothing kept
 * in memory that a rollback could leave stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainEvents } from '../../main/events';
import { StorageUnavailableError } from '../../main/errors';
import { Store } from '../../main/store';
import { DATABASE_FILE } from '../../main/store/db';
import { MIGRATIONS } from '../../main/store/migrations';
import { DELIVERIES, EVENTS, INSTANCES, RECORDS, REQUESTS, SESSIONS } from '../../main/store/tables';
import { tempDir } from '../helpers';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function open(): { store: Store; dir: string } {
  const dir = tempDir('qbwc-store-');
  dirs.push(dir);
  const store = Store.open(dir);
  stores.push(store);
  return { store, dir };
}

const newSession = (id: string) => ({
  id,
  ticketHash: `hash-${id}`,
  instanceId: null,
  user: 'acme',
  status: 'active' as const,
  authResult: 'ok',
  ipAddress: null,
  clientVersion: null,
  expectedTotal: 3,
  now: 1000,
  endedAt: null,
});

/** A row as another connection (another process) sees it: what is committed. */
function committed(dir: string, sql: string, ...params: unknown[]): Record<string, unknown> | undefined {
  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(sql).get(...params) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

describe('a unit of work', () => {
  it('is committed when it returns: another connection sees it at once', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.insert(newSession('s1')));
    store.transaction(() => store.sessions.update('s1', { lastSeenAt: 2000, inFlightId: 'r1', requestsSent: 1 }));
    expect(committed(dir, 'SELECT requests_sent, in_flight_id, last_seen_at FROM sessions WHERE id = ?', 's1')).toEqual({
      requests_sent: 1,
      in_flight_id: 'r1',
      last_seen_at: 2000,
    });
  });

  it('that fails changes nothing, and leaves the work of units before it committed', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.insert(newSession('s1')));
    store.transaction(() => store.sessions.update('s1', { requestsSent: 1 }));
    expect(() =>
      store.transaction(() => {
        store.sessions.update('s1', { requestsSent: 2 });
        store.sessions.insert(newSession('s2'));
        // A constraint refused: the ticket hash is unique.
        store.sessions.insert({ ...newSession('s3'), ticketHash: 'hash-s1' });
      }),
    ).toThrow(/UNIQUE/);
    expect(store.sessions.get('s1')).toMatchObject({ requestsSent: 1 });
    expect(store.sessions.get('s2')).toBeUndefined();
    store.transaction(() => store.sessions.update('s1', { requestsDone: 1 }));
    expect(committed(dir, 'SELECT requests_sent, requests_done FROM sessions WHERE id = ?', 's1')).toEqual({ requests_sent: 1, requests_done: 1 });
  });

  it('inside another is a savepoint: its failure undoes only its own changes, and the outer unit goes on', () => {
    const { store } = open();
    store.transaction(() => {
      store.sessions.insert(newSession('outer'));
      expect(() =>
        store.transaction(() => {
          store.sessions.insert(newSession('inner'));
          throw new Error('inner fails');
        }),
      ).toThrow('inner fails');
      store.sessions.update('outer', { requestsSent: 5 });
    });
    expect(store.sessions.get('outer')).toMatchObject({ requestsSent: 5 });
    expect(store.sessions.get('inner')).toBeUndefined();
  });

  it('runs afterCommit work (domain events) only once the outermost unit committed, and never for one rolled back', () => {
    const { store } = open();
    const events = new DomainEvents((emit) => store.afterCommit(emit));
    const seen: string[] = [];
    events.on('session.started', ({ sessionId }) => seen.push(sessionId));
    store.transaction(() => {
      events.emit('session.started', { sessionId: 'a', instanceId: 'i' });
      expect(() =>
        store.transaction(() => {
          events.emit('session.started', { sessionId: 'rolled-back-inner', instanceId: 'i' });
          throw new Error('no');
        }),
      ).toThrow();
      expect(seen).toEqual([]); // not yet committed
    });
    expect(seen).toEqual(['a']);
    expect(() =>
      store.transaction(() => {
        events.emit('session.started', { sessionId: 'rolled-back', instanceId: 'i' });
        throw new Error('no');
      }),
    ).toThrow();
    events.emit('session.started', { sessionId: 'outside', instanceId: 'i' });
    expect(seen).toEqual(['a', 'outside']);
  });
});

describe('a full disk', () => {
  /** Lets the database grow by no page: what SQLite does when the disk is full. */
  const fillDisk = (store: Store) => store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true }) as number}`);
  const freeDisk = (store: Store) => store.db.pragma('max_page_count = 1073741823');

  it('fails the unit that hit it with StorageUnavailableError, keeps what was committed, and works again once space is free', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.insert(newSession('before')));
    fillDisk(store);
    let failure: unknown;
    try {
      store.transaction(() => {
        store.sessions.update('before', { requestsSent: 7 });
        for (let i = 0; i < 50; i++) store.sessions.insert({ ...newSession(`big${i}`), user: 'x'.repeat(4000) });
      });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect((failure as Error).message).toMatch(/cannot save to its data folder .*free some disk space/);
    expect(store.sessions.get('before')).toMatchObject({ requestsSent: 0 });
    expect(store.sessions.get('big0')).toBeUndefined();
    freeDisk(store);
    // No restart: the next unit just works.
    store.transaction(() => store.sessions.update('before', { requestsSent: 8 }));
    expect(committed(dir, 'SELECT requests_sent FROM sessions WHERE id = ?', 'before')).toEqual({ requests_sent: 8 });
  });
});

describe('the tables', () => {
  it('state every column once: each definition matches the migrated schema', () => {
    const db = new Database(':memory:');
    for (const m of MIGRATIONS) db.exec(m);
    const columnsOf = (table: string) => (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
    // Columns a table has beyond its record: bookkeeping the record does not carry.
    const beyond: Record<string, string[]> = {
      instances: ['deleted_at'],
      sessions: [],
      requests: [],
      events: [],
      records: ['id', 'request_seq', 'response_id'],
      deliveries: [],
    };
    for (const table of [INSTANCES, SESSIONS, REQUESTS, EVENTS, RECORDS, DELIVERIES]) {
      const defined = Object.values(table.sqlNames);
      expect([table.name, [...defined, ...(beyond[table.name] ?? [])].sort()]).toEqual([table.name, columnsOf(table.name).sort()]);
    }
    db.close();
  });

  it('read back what was written, field for field', () => {
    const { store } = open();
    store.transaction(() => store.sessions.insert(newSession('s1')));
    const host = { productName: 'QuickBooks Pro 2014', supportedVersions: ['13.0'] };
    store.transaction(() => store.sessions.update('s1', { host, noopSince: 5, interactiveState: 'open', status: 'closed' }));
    expect(store.sessions.get('s1')).toMatchObject({ host, noopSince: 5, interactiveState: 'open', status: 'closed', requestsDone: 0 });
  });
});

describe('records of a large response', () => {
  it('are not visible until the response is complete', () => {
    const { store } = open();
    store.transaction(() =>
      store.instances.insert({
        id: 'i1',
        name: 'Acme',
        username: 'acme',
        passwordHash: 'x',
        qbdPath: null,
        frequencyMinutes: 5,
        contact: null,
        configuration: {},
        fileId: '{f}',
        ownerId: '{o}',
        postponeSeconds: null,
        minRunEverySeconds: null,
        lingerSeconds: 0,
        alternateCompanyFiles: [],
        readOnly: false,
        syncWindow: null,
        company: null,
        createdAt: 1,
        updatedAt: 1,
      }),
    );
    const seq = store.transaction(() =>
      store.requests.insert({ id: 'r1', instanceId: 'i1', kind: 'query', priority: 0, types: ['CustomerQuery'], onError: 'stopOnError', body: '<CustomerQueryRq/>', rqOffsets: [0], source: null, now: 1 }),
    );
    const file = store.responses.openFile();
    const responseId = store.transaction(() => store.responses.create('s1', 'r1', 2, file));
    store.transaction(() =>
      store.records.upsert({ requestSeq: seq, seq: 0, responseId, rsIndex: 0, name: 'CustomerRet', key: null, editSequence: null, data: '{"Name":"A"}' }),
    );
    expect(store.records.page(seq, 10, null).records).toEqual([]);
    file.close();
    store.transaction(() => store.responses.finish(responseId, 'r1', 100, null));
    expect(store.records.page(seq, 10, null).records).toEqual([{ seq: 0, name: 'CustomerRet', rsIndex: 0, key: null, editSequence: null, data: { Name: 'A' } }]);
  });
});
