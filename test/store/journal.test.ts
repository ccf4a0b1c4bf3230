/**
 * The journal's promise: a unit is durable when it returns — except a unit made only of
 * deferrable changes (sending a query), which rides with the next unit's journal write.
 * A crash is emulated by copying the data folder's files while the store is open: that is
 * what the disk holds if the process dies at that moment (the open SQLite transaction is
 * only in memory).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StorageUnavailableError } from '../../main/errors';
import { JOURNAL_FILE, Store } from '../../main/store';
import { DATABASE_FILE } from '../../main/store/db';
import { RESPONSES_DIR } from '../../main/store/responses';
import type { QueuedRequest, RequestKind } from '../../main/store/types';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qbwc-journal-'));
  dirs.push(dir);
  return dir;
}

function open(dir: string): Store {
  const store = Store.open(dir);
  stores.push(store);
  return store;
}

/** The files a kill -9 right now would leave, opened by a new process (the lock is not copied). */
function crashCopy(dir: string): Store {
  const copy = tempDir();
  for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, JOURNAL_FILE]) {
    if (fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), path.join(copy, f));
  }
  return open(copy);
}

function seed(store: Store, kinds: RequestKind[]): QueuedRequest[] {
  store.transaction(() => {
    store.instances.insert({
      id: 'i1', name: 'Acme', username: 'acme', passwordHash: 'x', qbdPath: null, frequencyMinutes: 60, contact: null,
      configuration: {}, fileId: '{F}', ownerId: '{O}', postponeSeconds: null, minRunEverySeconds: null, lingerSeconds: 0,
      alternateCompanyFiles: [], readOnly: false, company: null, createdAt: 1, updatedAt: 1,
    });
    kinds.forEach((kind, i) =>
      store.requests.insert({
        id: `r${i}`, instanceId: 'i1', kind, priority: -i, types: ['CustomerQueryRq'], onError: 'stopOnError',
        body: '<CustomerQueryRq/>', rqOffsets: [0], source: null, now: 1,
      }),
    );
  });
  return kinds.map((_, i) => store.requests.get(`r${i}`) as QueuedRequest);
}

const journalText = (dir: string) => fs.readFileSync(path.join(dir, JOURNAL_FILE), 'utf8');

describe('journal', () => {
  it('holds back the sending of a query until the next unit, and then writes both at once', () => {
    const dir = tempDir();
    const store = open(dir);
    const [query] = seed(store, ['query']) as [QueuedRequest];
    const before = journalText(dir);

    store.transaction(() => store.requests.markSent(query, 's1', 2));
    expect(journalText(dir)).toBe(before);
    expect(store.requests.get(query.id)?.status).toBe('sent'); // this process sees it at once
    // A crash now undoes the sending: the query is simply queued again.
    expect(crashCopy(dir).requests.get(query.id)).toMatchObject({ status: 'queued', attempts: 0 });

    store.transaction(() => store.requests.complete(query, { status: 'done', now: 3 }));
    const written = journalText(dir).slice(before.length).trim().split('\n');
    expect(written).toHaveLength(1);
    expect(crashCopy(dir).requests.get(query.id)).toMatchObject({ status: 'done', attempts: 1, sessionId: 's1', sentAt: 2 });
  });

  it('journals the sending of a write at once: after a crash it must be found sent', () => {
    const dir = tempDir();
    const store = open(dir);
    const [write] = seed(store, ['write']) as [QueuedRequest];
    store.transaction(() => store.requests.markSent(write, 's1', 2));
    expect(crashCopy(dir).requests.get(write.id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('journals a unit at once when it holds anything besides deferrable changes', () => {
    const dir = tempDir();
    const store = open(dir);
    const [query, other] = seed(store, ['query', 'query']) as [QueuedRequest, QueuedRequest];
    store.transaction(() => {
      store.requests.markSent(query, 's1', 2);
      store.requests.transition(other.id, 'queued', 'cancelled', 2);
    });
    const copy = crashCopy(dir);
    expect(copy.requests.get(query.id)?.status).toBe('sent');
    expect(copy.requests.get(other.id)?.status).toBe('cancelled');
  });

  it('keeps a held-back change when a later unit fails and the group is rolled back', () => {
    const dir = tempDir();
    const store = open(dir);
    const [query, other] = seed(store, ['query', 'query']) as [QueuedRequest, QueuedRequest];
    store.transaction(() => store.requests.markSent(query, 's1', 2));
    expect(() =>
      store.transaction(() => {
        store.requests.transition(other.id, 'queued', 'cancelled', 2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.requests.get(query.id)?.status).toBe('sent');
    expect(store.requests.get(other.id)?.status).toBe('queued');
    expect(crashCopy(dir).requests.get(query.id)?.status).toBe('sent');
  });

  it('lets the group commit make a held-back change durable by itself', () => {
    const dir = tempDir();
    const store = open(dir);
    const [query] = seed(store, ['query']) as [QueuedRequest];
    store.transaction(() => store.requests.markSent(query, 's1', 2));
    store.close();
    stores.splice(stores.indexOf(store), 1);
    expect(open(dir).requests.get(query.id)?.status).toBe('sent');
  });

  it("bulk writes store a record's JSON given as UTF-8 bytes as the same text, durable at once", () => {
    const dir = tempDir();
    const store = open(dir);
    const [query] = seed(store, ['query']) as [QueuedRequest];
    const json = '{"Name":"Décor “quoted” 🙂"}';
    store.bulk(() =>
      store.records.upsert({ requestSeq: query.seq, seq: 0, responseId: 1, rsIndex: 0, name: 'CustomerRet', key: null, editSequence: null, data: Buffer.from(json) }),
    );
    expect(store.db.prepare('SELECT typeof(data) AS t, data FROM records').get()).toEqual({ t: 'text', data: json });
    expect(crashCopy(dir).records.page(query.seq, 10, null).records.map((r) => r.data)).toEqual([JSON.parse(json)]);
  });

  it('undoes a unit it could not journal (disk full, a torn write) and keeps the journal replayable', () => {
    const dir = tempDir();
    const store = open(dir);
    const [a, b, c] = seed(store, ['write', 'write', 'write']) as [QueuedRequest, QueuedRequest, QueuedRequest];
    store.transaction(() => store.requests.markSent(a, 's1', 2));
    // The failing units are the first to use their statement: its definition is in them.
    expect(journalText(dir)).not.toContain("SET status = ?, updated_at = ?, error_json = ?");
    const realWrite = fs.writeSync;
    const fail = (how: 'throw' | 'short') =>
      vi.spyOn(fs, 'writeSync').mockImplementationOnce(((fd: number, data: string | Uint8Array) => {
        if (how === 'throw') throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return realWrite(fd, Buffer.from(data).subarray(0, 7)); // the first bytes only, as a full disk leaves them
      }) as typeof fs.writeSync);
    fail('throw');
    expect(() => store.transaction(() => store.requests.transition(b.id, 'queued', 'cancelled', 3))).toThrow(/ENOSPC/);
    fail('short');
    expect(() => store.transaction(() => store.requests.transition(c.id, 'queued', 'cancelled', 3))).toThrow(/disk full/);
    vi.restoreAllMocks();
    // The failed units left nothing behind, in this process or on disk.
    expect(store.requests.get(b.id)?.status).toBe('queued');
    expect(store.requests.get(c.id)?.status).toBe('queued');
    // Later units are journaled after the last whole entry, so a crash finds all of them.
    store.transaction(() => store.requests.transition(c.id, 'queued', 'cancelled', 4));
    const copy = crashCopy(dir);
    expect([a, b, c].map((r) => copy.requests.get(r.id)?.status)).toEqual(['sent', 'queued', 'cancelled']);
  });

  it('re-applies the journaled units of a group SQLite could not commit (disk full), and goes on', async () => {
    const dir = tempDir();
    const failures: unknown[] = [];
    const store = Store.open(dir, { onCommitError: (err) => failures.push(err) });
    stores.push(store);
    const [a, b] = seed(store, ['write', 'write']) as [QueuedRequest, QueuedRequest];
    store.transaction(() => {
      store.sessions.insert({
        id: 's1', ticketHash: 'h', instanceId: 'i1', user: 'acme', status: 'active', authResult: 'ok',
        ipAddress: null, clientVersion: null, expectedTotal: 2, now: 1, endedAt: null,
      });
    });
    store.transaction(() => {
      store.requests.markSent(a, 's1', 2);
      store.sessions.update('s1', { requestsSent: 1, lastSeenAt: 2 }); // held in memory until the group commits
    });
    const journal = (store as unknown as { journal: { commitStmt: { run(): unknown } } }).journal;
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    vi.spyOn(journal.commitStmt, 'run').mockImplementationOnce(() => {
      throw full;
    });
    // The group commit runs on a timer: its failure is reported, not thrown (that would end the process).
    await new Promise((r) => setTimeout(r, 400));
    expect(failures).toEqual([full]);
    vi.restoreAllMocks();
    // What was acknowledged is in the database (committed by the replay), and work goes on.
    expect(crashCopy(dir).requests.get(a.id)?.status).toBe('sent');
    store.transaction(() => store.requests.markSent(b, 's1', 3));
    expect(store.requests.get(b.id)?.status).toBe('sent');
    expect(crashCopy(dir).requests.get(b.id)?.status).toBe('sent');
    // The session's progress the failed group held is written by the next one.
    await new Promise((r) => setTimeout(r, 400));
    expect(crashCopy(dir).sessions.get('s1')).toMatchObject({ requestsSent: 1, lastSeenAt: 2 });
  });

  it('refuses units while a rolled-back group cannot be re-applied, so nothing builds on a database missing acknowledged units', async () => {
    const dir = tempDir();
    const store = open(dir);
    const [a, b] = seed(store, ['write', 'write']) as [QueuedRequest, QueuedRequest];
    store.transaction(() => store.requests.markSent(a, 's1', 2)); // acknowledged: journaled, not yet committed
    const realRead = fs.readFileSync;
    const unreadable = vi.spyOn(fs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
      if (String(file).endsWith(JOURNAL_FILE)) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return (realRead as (...args: unknown[]) => unknown)(file, ...rest);
    }) as typeof fs.readFileSync);
    expect(() =>
      store.transaction(() => {
        store.requests.transition(b.id, 'queued', 'cancelled', 3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    // The group (with the acknowledged unit) was rolled back and can't be re-applied yet.
    expect(() => store.transaction(() => store.requests.markSent(b, 's1', 4))).toThrow(StorageUnavailableError);
    expect(() => store.transaction(() => store.requests.markSent(b, 's1', 4))).toThrow(/cannot save to its data folder/);
    expect(store.requests.get(a.id)?.status).not.toBe('sent'); // what reads see meanwhile: the rolled-back group
    unreadable.mockRestore();
    // Once it can, the acknowledged unit is back — retried on its own, and reads see it.
    await new Promise((r) => setTimeout(r, 1300));
    expect(store.requests.get(a.id)?.status).toBe('sent');
    store.transaction(() => store.requests.transition(b.id, 'queued', 'cancelled', 5));
    expect(store.requests.get(b.id)?.status).toBe('cancelled');
  });

  it('keeps the data folder and its files to their owner, whatever the umask', () => {
    const dir = path.join(tempDir(), 'new', 'data');
    const umask = process.umask(0o022);
    try {
      const store = open(dir);
      const [query] = seed(store, ['query']);
      store.transaction(() => store.requests.transition((query as QueuedRequest).id, 'queued', 'cancelled', 2));
      store.transaction(() => store.responses.openFile().close());
    } finally {
      process.umask(umask);
    }
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    for (const f of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, JOURNAL_FILE]) expect([f, mode(f)]).toEqual([f, 0o600]);
    expect(mode(RESPONSES_DIR)).toBe(0o700);
  });

  describe('changes executed later (runLater: journaled with their unit, run before the next statement)', () => {
    const record = (requestSeq: number, seq: number, responseId: number) => ({
      requestSeq, seq, responseId, rsIndex: 0, name: 'CustomerRet', key: null, editSequence: null, data: `{"n":${seq}}`,
    });
    const statusOf = (store: Store, id: string) =>
      (store.db.prepare('SELECT status FROM requests WHERE id = ?').get(id) as { status: string }).status;

    it('are seen by any statement that runs after their unit, in the order they were made', () => {
      const store = open(tempDir());
      const [query] = seed(store, ['query']) as [QueuedRequest];
      store.transaction(() => {
        store.requests.markSent(query, 's1', 2);
        store.requests.complete(query, { status: 'done', now: 3 });
      });
      // A statement prepared anywhere, read or write, runs after them.
      expect(statusOf(store, query.id)).toBe('done');
      store.transaction(() => store.requests.complete(query, { status: 'error', now: 4 }));
      expect(store.requests.transition(query.id, 'error', 'cancelled', 5)).toBe(true);
      expect(statusOf(store, query.id)).toBe('cancelled');
      expect(store.requests.get(query.id)).toMatchObject({ attempts: 1, sentAt: 2, updatedAt: 5 });
    });

    it('are durable when their unit returns: a crash replays them from the journal', () => {
      const dir = tempDir();
      const store = open(dir);
      const [write] = seed(store, ['write']) as [QueuedRequest];
      let responseId = 0;
      store.transaction(() => {
        store.requests.markSent(write, 's1', 2);
        responseId = store.responses.insertWhole('s1', write.id, 3, 9, null, '<CustomerAddRs/>');
        store.records.upsert(record(write.seq, 0, responseId));
        store.requests.complete(write, { status: 'done', now: 3, responseId, recordsAdded: 1 });
      });
      const copy = crashCopy(dir);
      expect(copy.requests.get(write.id)).toMatchObject({ status: 'done', attempts: 1, responseId, recordCount: 1 });
      expect(copy.responses.text(responseId)).toBe('<CustomerAddRs/>');
      expect(copy.records.page(write.seq, 10, null).records.map((r) => r.data)).toEqual([{ n: 0 }]);
    });

    it('are dropped with a failing unit, while earlier units keep theirs', () => {
      const dir = tempDir();
      const store = open(dir);
      const [a, b] = seed(store, ['query', 'query']) as [QueuedRequest, QueuedRequest];
      store.transaction(() => store.requests.complete(a, { status: 'done', now: 2 }));
      expect(() =>
        store.transaction(() => {
          store.requests.complete(b, { status: 'done', now: 2 });
          store.responses.insertWhole(null, b.id, 2, 1, null, 'x');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      for (const s of [store, crashCopy(dir)]) {
        expect([statusOf(s, a.id), statusOf(s, b.id)]).toEqual(['done', 'queued']);
        expect(s.db.prepare('SELECT count(*) AS n FROM responses').get()).toEqual({ n: 0 });
      }
    });

    it("can't fail, so the journal never holds a statement its replay can't run: a record's taken place keeps its record", () => {
      const dir = tempDir();
      const store = open(dir);
      const [query] = seed(store, ['query']) as [QueuedRequest];
      store.transaction(() => store.records.upsert(record(query.seq, 0, 1)));
      store.transaction(() => store.records.upsert({ ...record(query.seq, 0, 2), data: '{"n":"again"}' }));
      for (const s of [store, crashCopy(dir)]) expect(s.records.page(query.seq, 10, null).records.map((r) => r.data)).toEqual([{ n: 0 }]);
    });

    it('run as soon as the event loop is free once many wait; a disk failure there is reported and undone by the replay', async () => {
      const dir = tempDir();
      const failures: unknown[] = [];
      const store = Store.open(dir, { onCommitError: (err) => failures.push(err) });
      stores.push(store);
      const requests = seed(store, Array<RequestKind>(17).fill('write'));
      for (const r of requests) {
        store.transaction(() => {
          store.requests.markSent(r, 's1', 2);
          const responseId = store.responses.insertWhole('s1', r.id, 3, 1, null, 'x');
          store.records.upsert(record(r.seq, 0, responseId));
          store.requests.complete(r, { status: 'done', now: 3, responseId, recordsAdded: 1 });
        });
      }
      const journal = (store as unknown as { journal: { later: [{ run(): unknown }, unknown[]][] } }).journal;
      expect(journal.later.length).toBeGreaterThanOrEqual(64);
      const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      vi.spyOn((journal.later[40] as [{ run(): unknown }, unknown[]])[0], 'run').mockImplementationOnce(() => {
        throw full;
      });
      await new Promise((r) => setImmediate(r));
      expect(failures).toEqual([full]);
      expect(journal.later).toEqual([]);
      vi.restoreAllMocks();
      for (const s of [store, crashCopy(dir)]) {
        expect(requests.map((r) => s.requests.get(r.id)?.status)).toEqual(Array(17).fill('done'));
        expect(s.db.prepare('SELECT count(*) AS n FROM records').get()).toEqual({ n: 17 });
      }
    });

    it('are committed by the group commit, and hand out response ids no row ever had', () => {
      const dir = tempDir();
      let store = open(dir);
      const [query] = seed(store, ['query']) as [QueuedRequest];
      const first = store.transaction(() => store.responses.insertWhole(null, query.id, 2, 1, null, 'a'));
      expect(() =>
        store.transaction(() => {
          store.responses.insertWhole(null, query.id, 2, 1, null, 'lost');
          throw new Error('boom');
        }),
      ).toThrow('boom');
      const file = store.responses.openFile();
      const spilled = store.bulk(() => store.responses.create(null, query.id, 3, file));
      const last = store.transaction(() => store.responses.insertWhole(null, query.id, 4, 1, null, 'b'));
      expect(new Set([first, spilled, last]).size).toBe(3);
      store.close();
      stores.splice(stores.indexOf(store), 1);
      store = open(dir);
      expect([store.responses.text(first), store.responses.text(last)]).toEqual(['a', 'b']);
      const next = store.transaction(() => store.responses.insertWhole(null, query.id, 5, 1, null, 'c'));
      expect(next).toBeGreaterThan(last);
    });
  });

  it('refuses a bulk write inside a unit (it would commit half of the unit)', () => {
    const store = open(tempDir());
    seed(store, []);
    expect(() => store.transaction(() => store.bulk(() => 1))).toThrow(/inside a unit/);
    expect(store.bulk(() => 2)).toBe(2);
  });
});
