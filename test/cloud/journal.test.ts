/** The cloud link's state in SQLite (main/store/cloud.ts and migration 10's triggers). */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../main/store';
import { CLOUD_LINK_SETTINGS_KEY } from '../../main/store/cloud';
import { MIGRATIONS } from '../../main/store/migrations';
import { CLOUD_CHANGES, CLOUD_CURSORS } from '../../main/store/tables';
import type { Instance } from '../../main/store/types';
import { tempDir } from '../helpers';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(): Store {
  const store = Store.open(tempDir());
  stores.push(store);
  return store;
}

const instance = (id: string): Instance => ({
  id,
  name: 'Acme',
  username: id,
  passwordHash: 'x',
  qbdPath: null,
  frequencyMinutes: 60,
  contact: null,
  configuration: {},
  fileId: 'f',
  ownerId: 'o',
  postponeSeconds: null,
  minRunEverySeconds: null,
  lingerSeconds: 0,
  alternateCompanyFiles: [],
  readOnly: false,
  syncWindow: null,
  company: null,
  createdAt: 1,
  updatedAt: 1,
});

const session = (id: string, instanceId: string | null) => ({
  id,
  ticketHash: `t-${id}`,
  instanceId,
  user: 'acme',
  status: 'active' as const,
  authResult: 'ok',
  ipAddress: null,
  clientVersion: null,
  expectedTotal: 0,
  endedAt: null,
  now: 1,
});

const journal = (store: Store) => [...store.cloud.journal('instance', 100), ...store.cloud.journal('session', 100)].map((e) => `${e.kind}:${e.entityId}:${e.seq}`);

describe('the journal', () => {
  it('has the columns its table definitions state', () => {
    const db = new Database(':memory:');
    for (const m of MIGRATIONS) db.exec(m);
    for (const table of [CLOUD_CHANGES, CLOUD_CURSORS]) {
      const columns = (db.pragma(`table_info(${table.name})`) as { name: string }[]).map((c) => c.name);
      expect(Object.values(table.sqlNames).sort()).toEqual(columns.sort());
    }
    db.close();
  });

  it('records changes only while the link is on, moves a changed entity to the end, and forgets what the cursor passed', () => {
    const store = open();
    const on = (enabled: boolean) => store.transaction(() => store.cloud.putSettings({ enabled, apiKey: null }));
    store.transaction(() => store.instances.insert(instance('before')));
    on(true);
    store.transaction(() => {
      store.instances.insert(instance('i1'));
      store.sessions.insert(session('s1', 'i1'));
      // A refused login of an unknown user is no instance's.
      store.sessions.insert(session('s0', null));
    });
    expect(journal(store)).toEqual(['instance:i1:1', 'session:s1:2']);
    // Every call of a session moves its lastSeenAt: not news for the cloud; its end is.
    store.transaction(() => store.sessions.update('s1', { lastSeenAt: 5 }));
    expect(journal(store)).toEqual(['instance:i1:1', 'session:s1:2']);
    store.transaction(() => store.sessions.update('s1', { status: 'closed', endedAt: 6 }));
    expect(journal(store)).toEqual(['instance:i1:1', 'session:s1:3']);
    expect(store.cloud.backlog()).toMatchObject({ instances: 1, sessions: 1 });

    store.transaction(() => store.cloud.advance('session', 3, 10));
    expect(journal(store)).toEqual(['instance:i1:1']);
    expect(store.db.prepare("SELECT count(*) AS n FROM cloud_changes WHERE kind = 'session'").get()).toEqual({ n: 0 });
    // Changed again after it was pushed: a seq above the cursor, never a reused one.
    store.transaction(() => store.sessions.update('s1', { status: 'expired' }));
    expect(store.cloud.journal('session', 10).map((e) => e.seq)).toEqual([4]);

    on(false);
    store.transaction(() => store.instances.update({ ...instance('i1'), name: 'Renamed' }));
    expect(journal(store)).toEqual(['instance:i1:1', 'session:s1:4']);
    // At start, every live instance is registered again.
    store.transaction(() => store.cloud.journalAllInstances());
    expect(store.cloud.journal('instance', 10).map((e) => e.entityId)).toEqual(['before', 'i1']);
  });

  it('starts from now: the event log from its last entry, nothing journaled before', () => {
    const store = open();
    store.transaction(() => {
      store.instances.insert(instance('i1'));
      store.events.append({ clientId: 'i1', timestamp: 1, user: 'u', action: 'a', detail: null, result: null, sessionId: null, requestId: null });
      store.cloud.putSettings({ enabled: true, apiKey: null });
      store.cloud.journalAllInstances();
      store.cloud.startFromNow(3_600_000, 2);
    });
    expect(store.cloud.journal('instance', 10)).toEqual([]);
    expect(store.cloud.cursor('metrics')).toBe(3_600_000);
    expect(store.cloud.eventsAfter(store.cloud.cursor('eventLog') ?? 0, 10)).toEqual([]);
    store.transaction(() => store.events.append({ clientId: 'i1', timestamp: 3, user: 'u', action: 'b', detail: null, result: null, sessionId: null, requestId: null }));
    store.transaction(() => store.events.append({ clientId: null, timestamp: 3, user: 'u', action: 'c', detail: null, result: null, sessionId: null, requestId: null }));
    expect(store.cloud.eventsAfter(store.cloud.cursor('eventLog') ?? 0, 10).map((e) => e.action)).toEqual(['b']);
    expect(store.cloud.backlog().eventLogs).toBe(1);
  });

  it('keeps the API key sealed at rest', () => {
    const store = open();
    store.transaction(() => store.cloud.putSettings({ enabled: false, apiKey: 'qbdc-live-key' }));
    expect(store.settings.get<{ apiKey: string }>(CLOUD_LINK_SETTINGS_KEY)?.apiKey).toMatch(/^enc:v1:/);
    expect(store.cloud.settings<{ apiKey: string | null }>()?.apiKey).toBe('qbdc-live-key');
  });
});
