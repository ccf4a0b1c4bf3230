/** Several webhook destinations per instance: fan-out, order per record and destination, 410, deletion, secrets, metrics. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/companion';
import { invoke } from '../../main/contract/invoke';
import type { ChangeEvent } from '../../main/forward/payload';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../main/forward/worker';
import { silentLogger } from '../../main/logger';
import { MIGRATIONS } from '../../main/store/migrations';
import { DELIVERY_ATTEMPTS, DESTINATIONS } from '../../main/store/tables';
import { tempDir } from '../helpers';
import { Receiver, verify } from './receiver';

const TOKEN_A = 'token-of-destination-a';
const TOKEN_B = 'whsec_' + Buffer.from('a standard webhooks secret of B').toString('base64');
const SCHEDULE = [1000, 2000, 3000];

let core: Core;
let a: Receiver;
let b: Receiver;
let clock: number;
let instanceId: string;

const worker = (options: Partial<DeliveryWorkerOptions> = {}) =>
  new DeliveryWorker({ store: core.store, events: core.events, logger: silentLogger, now: () => clock, random: () => 0.5, schedule: SCHEDULE, ...options });
const change = (over: Partial<ChangeEvent> = {}): ChangeEvent => ({ name: 'Customer', id: '80000001-1', operation: 'Update', lastUpdated: '2026-12-07T10:00:00.000Z', ...over });
const create = (body: Record<string, unknown>) => invoke(core.handlers, 'createDestination', { params: { instanceId }, body: body as never });
const get = (destinationId: string) => invoke(core.handlers, 'getDestination', { params: { instanceId, destinationId } });
const log = (action: string) => core.store.events.query({ clientId: instanceId, action, limit: 100, cursor: null }).events;
const verifyB = (r: Receiver['received'][number]) => verify(r, TOKEN_B);

beforeEach(async () => {
  clock = Date.now(); // near the real time: Standard Webhooks verifiers allow 5 minutes
  core = createCore({ dataDir: tempDir(), logger: silentLogger, now: () => clock }, () => 8520);
  a = await new Receiver().up();
  b = await new Receiver().up();
  ({ instanceId } = await invoke(core.handlers, 'createInstance', { body: { name: 'Acme', username: 'acme', password: 'long enough pw' } }));
});

afterEach(async () => {
  await a.down();
  await b.down();
  core.store.close();
});

describe('two destinations', () => {
  it('each get the events their objects name, in their own format, signed with their own token', async () => {
    const da = await create({ name: 'Ledger app', url: a.url, verifierToken: TOKEN_A, format: 'legacy', objects: ['Customer'] });
    const db = await create({ name: 'Warehouse', url: b.url, verifierToken: TOKEN_B, format: 'cloudevents', objects: ['Customer', 'Invoice'] });
    const queued = core.outbox.enqueue(instanceId, [change(), change({ name: 'Invoice', id: 'T-1', operation: 'Void' }), change({ name: 'Vendor', id: 'V-1' })]);
    expect(queued.map((d) => [d.destinationId, d.eventType])).toEqual([
      [da.destinationId, 'Customer.Update'],
      [db.destinationId, 'Customer.Update'],
      [db.destinationId, 'Invoice.Void'],
    ]);
    expect(await worker().runOnce()).toBe(3);

    expect(a.received).toHaveLength(1);
    const legacy = verify(a.received[0]!, TOKEN_A) as any;
    expect(legacy.eventNotifications[0].dataChangeEvent.entities).toMatchObject([{ name: 'Customer', id: '80000001-1', operation: 'Update' }]);
    expect(() => verifyB(a.received[0]!)).toThrow();

    const cloudEvents = b.received.map((r) => (verifyB(r) as any[])[0]);
    expect(cloudEvents.map((e) => e.type).sort()).toEqual(['qbd.customer.updated.v1', 'qbd.invoice.voided.v1']);
    // Each (event, destination) has its own id: the receiver's dedupe key.
    expect(new Set(queued.map((d) => d.eventId)).size).toBe(3);
    expect(cloudEvents.map((e) => e.id).sort()).toEqual(queued.slice(1).map((d) => d.eventId).sort());

    const list = await invoke(core.handlers, 'listDestinations', { params: { instanceId } });
    expect(list.data.map((d) => [d.name, d.counts, d.lastDelivery?.result])).toEqual([
      ['Ledger app', { pending: 0, dead: 0, delivered24h: 1 }, 'delivered'],
      ['Warehouse', { pending: 0, dead: 0, delivered24h: 2 }, 'delivered'],
    ]);
    expect(await invoke(core.handlers, 'listDeliveries', { params: { instanceId }, query: { destinationId: da.destinationId } })).toMatchObject({
      data: [{ destinationId: da.destinationId, status: 'delivered' }],
    });
  });

  it('keep one record\'s events in order per destination, the others going on meanwhile', async () => {
    const da = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    await create({ name: 'B', url: b.url, verifierToken: TOKEN_B });
    const records = ['r1', 'r2', 'r3', 'r4', 'r5'];
    // Three rounds of changes to five records: each destination's rows interleave the records.
    for (const operation of ['Create', 'Update', 'Delete'] as const) core.outbox.enqueue(instanceId, records.map((id) => change({ id, operation })));
    // A refuses r1's first event once: r1 waits at A, and at A alone.
    let refused = false;
    a.answer = (r) => {
      const entity = (JSON.parse(r.body) as any).eventNotifications[0].dataChangeEvent.entities[0];
      if (entity.id === 'r1' && !refused) {
        refused = true;
        return { status: 503 };
      }
      return { status: 200 };
    };
    const w = worker({ concurrency: 4, rowsPerPass: 50 });
    while ((await w.runOnce()) > 0);
    const sequence = (r: Receiver, id: string) =>
      r.received.map((x) => (JSON.parse(x.body) as any).eventNotifications[0].dataChangeEvent.entities[0]).filter((e) => e.id === id).map((e) => e.operation);
    for (const id of records) expect([id, sequence(b, id)]).toEqual([id, ['Create', 'Update', 'Delete']]);
    for (const id of records.slice(1)) expect([id, sequence(a, id)]).toEqual([id, ['Create', 'Update', 'Delete']]);
    expect(sequence(a, 'r1')).toEqual(['Create']);
    expect((await get(da.destinationId)).counts.pending).toBe(3);

    clock += 1000;
    while ((await w.runOnce()) > 0);
    expect(sequence(a, 'r1')).toEqual(['Create', 'Create', 'Update', 'Delete']);
    expect((await get(da.destinationId)).counts).toMatchObject({ pending: 0, delivered24h: 15 });
  });

  it('a 410 turns off the destination that said it, and says why; the other goes on', async () => {
    const da = await create({ name: 'Old app', url: a.url, verifierToken: TOKEN_A });
    const db = await create({ name: 'New app', url: b.url, verifierToken: TOKEN_B });
    a.answer = () => ({ status: 410 });
    core.outbox.enqueue(instanceId, [change({ id: '1' }), change({ id: '2' })]);
    const w = worker({ concurrency: 1 });
    expect(await w.runOnce()).toBe(3); // A's first row (then A stops), and both of B's
    expect(a.received).toHaveLength(1);
    expect(b.received).toHaveLength(2);

    const gone = await get(da.destinationId);
    expect(gone).toMatchObject({ enabled: false, counts: { pending: 2 }, lastDelivery: { result: 'gone', statusCode: 410 } });
    expect(gone.disabledReason).toMatch(/gone \(410\)/);
    expect(await get(db.destinationId)).toMatchObject({ enabled: true, disabledReason: null });
    expect(log('destination.disabled').map((e) => e.detail)).toEqual([expect.stringContaining('"Old app"')]);

    // Off: nothing new is queued for it, and what waits stays.
    expect(core.outbox.enqueue(instanceId, [change({ id: '3' })]).map((d) => d.destinationId)).toEqual([db.destinationId]);
    while ((await w.runOnce()) > 0);
    expect(a.received).toHaveLength(1);

    a.answer = () => ({ status: 200 });
    const back = await invoke(core.handlers, 'updateDestination', { params: { instanceId, destinationId: da.destinationId }, body: { enabled: true } });
    expect(back.disabledReason).toBeNull();
    while ((await w.runOnce()) > 0);
    expect(a.received.map((r) => (verify(r, TOKEN_A) as any).eventNotifications[0].dataChangeEvent.entities[0].id)).toEqual(['1', '1', '2']);
    expect((await get(da.destinationId)).counts.pending).toBe(0);
  });

  it('a deleted destination\'s undelivered events go nowhere; what it delivered stays listed', async () => {
    const da = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    const db = await create({ name: 'B', url: b.url, verifierToken: TOKEN_B });
    const [delivered] = core.outbox.enqueue(instanceId, [change({ id: 'first' })]);
    const w = worker();
    await w.runOnce();
    a.answer = () => ({ status: 500 });
    core.outbox.enqueue(instanceId, [change({ id: 'x' }), change({ id: 'y' })]);
    for (const wait of [...SCHEDULE, 0]) {
      await w.runOnce();
      clock += wait;
    }
    core.outbox.enqueue(instanceId, [change({ id: 'z' })]);
    expect((await get(da.destinationId)).counts).toMatchObject({ pending: 1, dead: 2 });
    // Replaying one destination's dead letters leaves the others' alone.
    expect(await invoke(core.handlers, 'replayDeadDeliveries', { params: { instanceId }, query: { destinationId: db.destinationId } })).toEqual({ replayed: 0 });

    await invoke(core.handlers, 'deleteDestination', { params: { instanceId, destinationId: da.destinationId } });
    await expect(get(da.destinationId)).rejects.toMatchObject({ status: 404 });
    const left = await invoke(core.handlers, 'listDeliveries', { params: { instanceId }, query: { destinationId: da.destinationId } });
    expect(left.data.map((d) => [d.eventId, d.status])).toEqual([[delivered!.eventId, 'delivered']]);
    expect(log('destination.deleted')[0]?.detail).toContain('with the 3 events not delivered to it');
    const sentToA = a.received.length;
    clock += 60_000;
    while ((await w.runOnce()) > 0);
    expect(a.received).toHaveLength(sentToA);
    expect((await get(db.destinationId)).counts).toMatchObject({ pending: 0, dead: 0, delivered24h: 4 });
  });
});

describe('a receiver that gives no answer', () => {
  it('gets one request per destination, not one per event waiting, until its row\'s wait is over; the other destination goes on', async () => {
    const da = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    await create({ name: 'B', url: b.url, verifierToken: TOKEN_B });
    await a.down();
    core.outbox.enqueue(instanceId, Array.from({ length: 20 }, (_, i) => change({ id: String(i) })));
    const w = worker();
    expect(await w.runOnce()).toBe(21); // A: one refused; B: all 20
    expect(await w.runOnce()).toBe(0);
    expect(w.nextDueAt()).toBe(clock + SCHEDULE[0]!);
    expect((await get(da.destinationId)).counts.pending).toBe(20);
    expect(log('delivery.attempt').filter((e) => e.detail?.includes('destination "A"'))).toHaveLength(1);

    await a.up();
    clock += SCHEDULE[0]!;
    while ((await w.runOnce()) > 0);
    expect((await get(da.destinationId)).counts).toMatchObject({ pending: 0, delivered24h: 20 });
  });
});

describe('a destination\'s verifier token', () => {
  it('is returned masked, sealed at rest, and kept when the mask is sent back', async () => {
    const d = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    expect(d.verifierToken).toBe('********');
    const raw = new Database(`${core.store.db.name}`, { readonly: true });
    const stored = raw.prepare('SELECT verifier_token FROM destinations WHERE id = ?').pluck().get(d.destinationId) as string;
    raw.close();
    expect(stored.startsWith('enc:v1:')).toBe(true);
    expect(stored).not.toContain(TOKEN_A);

    await invoke(core.handlers, 'updateDestination', { params: { instanceId, destinationId: d.destinationId }, body: { verifierToken: '********', name: 'Renamed' } });
    const test = await invoke(core.handlers, 'testDestination', { params: { instanceId, destinationId: d.destinationId } });
    await worker().runOnce();
    expect((verify(a.received[0]!, TOKEN_A) as any).eventNotifications[0].dataChangeEvent.entities[0].name).toBe('CompanionTest');
    expect(a.received[0]!.headers['webhook-id']).toBe(test.eventId);
    const everything = JSON.stringify([await invoke(core.handlers, 'listDestinations', { params: { instanceId } }), log('*')]);
    expect(everything).not.toContain(TOKEN_A);
    expect(log('delivery.attempt')[0]?.detail).toContain('destination "Renamed"');
  });

  it('must go to https, or http on this computer', async () => {
    await expect(create({ name: 'A', url: 'http://example.com/hooks', verifierToken: TOKEN_A })).rejects.toMatchObject({ status: 400 });
    await expect(create({ name: 'A', url: a.url, verifierToken: TOKEN_A, objects: ['Custmer'] })).rejects.toMatchObject({ status: 400 });
  });
});

describe('the configuration\'s destination', () => {
  const configure = (configuration: Record<string, string>) => invoke(core.handlers, 'updateInstance', { params: { instanceId }, body: { configuration } });

  it('is listed first with the id "configuration", changed through the configuration, and turned on and off here', async () => {
    expect((await invoke(core.handlers, 'listDestinations', { params: { instanceId } })).data).toEqual([]);
    await configure({ 'event.notification.enabled': 'true', 'event.notification.callback.url': a.url, 'event.objects': 'Customer, Invoice' });
    await create({ name: 'B', url: b.url, verifierToken: TOKEN_B });
    const [configured, added] = (await invoke(core.handlers, 'listDestinations', { params: { instanceId } })).data;
    expect(configured).toMatchObject({ destinationId: 'configuration', fromConfiguration: true, url: a.url, verifierToken: '', objects: ['Customer', 'Invoice'], enabled: true });
    expect(configured!.disabledReason).toContain('event.notification.verifier.token');
    expect(added).toMatchObject({ name: 'B', fromConfiguration: false });

    await configure({ 'event.notification.enabled': 'true', 'event.notification.callback.url': a.url, 'event.notification.verifier.token': TOKEN_A });
    expect(await get('configuration')).toMatchObject({ verifierToken: '********', disabledReason: null });
    const patch = (body: Record<string, unknown>) => invoke(core.handlers, 'updateDestination', { params: { instanceId, destinationId: 'configuration' }, body });
    await expect(patch({ url: b.url })).rejects.toMatchObject({ status: 409, code: 'from_configuration' });
    await expect(invoke(core.handlers, 'deleteDestination', { params: { instanceId, destinationId: 'configuration' } })).rejects.toMatchObject({ status: 409 });

    expect(await patch({ enabled: false })).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('event.notification.enabled') });
    const instance = await invoke(core.handlers, 'getInstance', { params: { instanceId } });
    expect(instance.configuration['event.notification.enabled']).toBe('false');
    expect(core.outbox.enqueue(instanceId, [change()]).map((d) => d.destinationId)).not.toContain('configuration');
    await patch({ enabled: true });
    // The token survived the round trip through the configuration.
    await invoke(core.handlers, 'testDestination', { params: { instanceId, destinationId: 'configuration' } });
    await worker().runOnce();
    verify(a.received[0]!, TOKEN_A);
  });
});

describe('metrics per destination', () => {
  it('count deliveries and failures, and average the lag from queued to delivered', async () => {
    const da = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    const db = await create({ name: 'B', url: b.url, verifierToken: TOKEN_B });
    b.answer = (r) => ({ status: b.received.indexOf(r) === 0 ? 500 : 200 });
    core.outbox.enqueue(instanceId, [change()]);
    const w = worker();
    clock += 400;
    await w.runOnce(); // A delivered after 400 ms; B failed
    clock += 1000;
    await w.runOnce(); // B delivered after 1400 ms
    const metric = (metricId: 'deliveries' | 'delivery_failures' | 'delivery_lag_ms', destinationId?: string) =>
      invoke(core.handlers, 'getMetric', { params: { instanceId, metricId }, query: { destinationId } }).then((m) => m.total);
    expect(await Promise.all([metric('deliveries'), metric('deliveries', da.destinationId), metric('deliveries', db.destinationId)])).toEqual([2, 1, 1]);
    expect(await Promise.all([metric('delivery_failures'), metric('delivery_failures', da.destinationId), metric('delivery_failures', db.destinationId)])).toEqual([1, 0, 1]);
    expect(await Promise.all([metric('delivery_lag_ms', da.destinationId), metric('delivery_lag_ms', db.destinationId)])).toEqual([400, 1400]);
    await expect(invoke(core.handlers, 'getMetric', { params: { instanceId, metricId: 'sessions' }, query: { destinationId: da.destinationId } })).rejects.toMatchObject({ status: 400 });
    // Every attempt is in the event log, naming its destination and what came back.
    const attempts = log('delivery.attempt').map((e) => [/destination "(\w)"/.exec(e.detail ?? '')?.[1], e.result, /→ (\d+)/.exec(e.detail ?? '')?.[1]]);
    expect(attempts.sort()).toEqual([
      ['A', 'delivered', '200'],
      ['B', 'delivered', '200'],
      ['B', 'failed', '500'],
    ]);
  });
});

describe('the outbox tables', () => {
  it('state every column once, and give rows from before several destinations to the configuration\'s', () => {
    const db = new Database(':memory:');
    const last = MIGRATIONS.length - 1;
    for (const m of MIGRATIONS.slice(0, last)) db.exec(m);
    db.exec("INSERT INTO instances (id, name, username, password_hash, frequency_minutes, configuration_json, file_id, owner_id, created_at, updated_at) VALUES ('i', 'n', 'u', 'h', 1, '{}', 'f', 'o', 0, 0)");
    db.exec("INSERT INTO deliveries (event_id, instance_id, record_key, event_type, payload, status, next_attempt_at, created_at) VALUES ('e', 'i', 'Customer:1', 'Customer.Update', '{}', 'pending', 0, 0)");
    db.exec(MIGRATIONS[last] as string);
    expect(db.prepare('SELECT destination_id FROM deliveries').pluck().get()).toBe('configuration');
    for (const table of [DESTINATIONS, DELIVERY_ATTEMPTS]) {
      const columns = (db.pragma(`table_info(${table.name})`) as { name: string }[]).map((c) => c.name);
      expect([table.name, Object.values(table.sqlNames).sort()]).toEqual([table.name, columns.sort()]);
    }
    db.close();
  });

  it('give a pass only the rows it sends: read off an index, never sorted, at most the limit', async () => {
    const d = await create({ name: 'A', url: a.url, verifierToken: TOKEN_A });
    core.outbox.enqueue(instanceId, Array.from({ length: 300 }, (_, i) => change({ id: String(i % 100) })));
    const due = core.store.deliveries.due(instanceId, d.destinationId, clock, 50);
    expect(due.map((r) => r.recordKey)).toEqual(Array.from({ length: 50 }, (_, i) => `Customer:${i}`));
    // The pass's own statement (private: what is checked is how SQLite runs it).
    const { source } = (core.store.deliveries as unknown as { dueStmt: { source: string } }).dueStmt;
    const plan = (
      core.store.db.prepare(`EXPLAIN QUERY PLAN ${source}`).all({ instanceId, destinationId: d.destinationId, now: clock, limit: 50 }) as { detail: string }[]
    ).map((r) => r.detail);
    expect(plan.join(' | ')).toMatch(/deliveries_due/);
    expect(plan.join(' | ')).not.toMatch(/TEMP B-TREE/);
    // Waiting behind their records' first rows, the rest are due at once but not sendable: the next work is a retry's time.
    expect(core.store.deliveries.nextDueAfter(instanceId, d.destinationId, clock)).toBeNull();
  });
});
