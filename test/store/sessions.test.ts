import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store';
import { DATABASE_FILE } from '../../main/store/db';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function open(): { store: Store; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qbwc-sessions-'));
  dirs.push(dir);
  const store = Store.open(dir);
  store.sessions.insert({
    id: 's1',
    ticketHash: 'h1',
    instanceId: null,
    user: 'acme',
    status: 'active',
    authResult: 'ok',
    ipAddress: null,
    clientVersion: null,
    expectedTotal: 3,
    now: 1000,
    endedAt: null,
  });
  return { store, dir };
}

/** The row as another connection sees it: what is committed to SQLite. */
function committed(dir: string): Record<string, unknown> {
  const db = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT * FROM sessions WHERE id = ?').get('s1') as Record<string, unknown>;
  } finally {
    db.close();
  }
}

describe('session progress written behind', () => {
  it('is seen at once by every read, and reaches SQLite with the group commit', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.update('s1', { lastSeenAt: 2000, inFlightId: 'r1', requestsSent: 1 }));
    store.transaction(() => store.sessions.update('s1', { requestsDone: 1, inFlightId: null }));
    const seen = { inFlightId: null, requestsSent: 1, requestsDone: 1, lastSeenAt: 2000 };
    expect(store.sessions.get('s1')).toMatchObject(seen);
    expect(store.sessions.allActive()[0]).toMatchObject(seen);
    expect(store.sessions.byTicketHash('h1')).toMatchObject(seen);
    store.close();
    expect(committed(dir)).toMatchObject({ requests_sent: 1, requests_done: 1, in_flight_id: null, last_seen_at: 2000 });
  });

  it('drops what a failed unit staged and keeps what earlier units did', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.update('s1', { requestsSent: 1, inFlightId: 'r1' }));
    expect(() =>
      store.transaction(() => {
        store.sessions.update('s1', { requestsSent: 2, inFlightId: 'r2' });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.sessions.get('s1')).toMatchObject({ requestsSent: 1, inFlightId: 'r1' });
    store.close();
    expect(committed(dir)).toMatchObject({ requests_sent: 1, in_flight_id: 'r1' });
  });

  it('writes held progress together with a change that is written at once', () => {
    const { store, dir } = open();
    store.transaction(() => store.sessions.update('s1', { requestsDone: 2 }));
    store.transaction(() => {
      store.sessions.update('s1', { status: 'closed', endedAt: 3000 });
      store.sessions.update('s1', { lastSeenAt: 3000 });
    });
    expect(store.sessions.get('s1')).toMatchObject({ status: 'closed', requestsDone: 2, lastSeenAt: 3000 });
    store.close();
    expect(committed(dir)).toMatchObject({ status: 'closed', requests_done: 2, last_seen_at: 3000, ended_at: 3000 });
  });
});
