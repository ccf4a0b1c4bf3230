import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../main/companion';
import { invoke } from '../../main/contract/invoke';
import type { ChangeEvent } from '../../main/forward/payload';
import { DeliveryWorker } from '../../main/forward/worker';
import { silentLogger } from '../../main/logger';
import { tempDir } from '../helpers';
import { Receiver, verify } from './receiver';

const TOKEN = 'verifier-token-for-tests';
const SCHEDULE = [1000, 2000, 3000];

let core: Core;
let receiver: Receiver;
let clock: number;
let instanceId: string;
/** The connection's FileID: the realmId of its events. */
let fileId: string;

const worker = () => new DeliveryWorker({ store: core.store, events: core.events, logger: silentLogger, now: () => clock, random: () => 0.5, schedule: SCHEDULE });
const change = (over: Partial<ChangeEvent> = {}): ChangeEvent => ({ name: 'Customer', id: '80000001-1234567890', operation: 'Update', lastUpdated: '2026-12-07T10:00:00.000Z', ...over });
const row = (eventId: string) => core.store.deliveries.get(eventId);
const configure = (configuration: Record<string, string>) =>
  invoke(core.handlers, 'updateInstance', {
    params: { instanceId },
    body: {
      configuration: {
        'event.notification.enabled': 'true',
        'event.notification.callback.url': receiver.url,
        'event.notification.verifier.token': TOKEN,
        ...configuration,
      },
    },
  });

beforeEach(async () => {
  clock = Date.now(); // near the real time: Standard Webhooks verifiers allow 5 minutes
  core = createCore({ dataDir: tempDir(), logger: silentLogger, now: () => clock }, () => 8520);
  receiver = await new Receiver().up();
  ({ instanceId, fileId } = await invoke(core.handlers, 'createInstance', { body: { name: 'Acme', username: 'acme', password: 'long enough pw' } }));
  await configure({});
});

afterEach(async () => {
  await receiver.down();
  core.store.close();
});

describe('a delivery', () => {
  it('carries the legacy payload of seed 002, signed with intuit-signature and Standard Webhooks', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change({ operation: 'Merge', deletedId: '80000002-1234567890' })]);
    expect(await worker().runOnce()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const r = receiver.received[0]!;
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['webhook-id']).toBe(d!.eventId);
    const body = verify(r, TOKEN) as any;
    expect(Object.keys(body)).toEqual(['eventNotifications']);
    expect(Object.keys(body.eventNotifications[0]).sort()).toEqual(['dataChangeEvent', 'realmId']);
    expect(body.eventNotifications[0].realmId).toBe(fileId);
    expect(body.eventNotifications[0].dataChangeEvent.entities).toEqual([
      { name: 'Customer', id: '80000001-1234567890', operation: 'Merge', lastUpdated: '2026-12-07T10:00:00.000Z', deletedId: '80000002-1234567890' },
    ]);
    expect(row(d!.eventId)).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 200 });
    const log = core.store.events.query({ clientId: instanceId, action: 'delivery.*', limit: 10, cursor: null }).events;
    expect(log.map((e) => e.result)).toEqual(['delivered']);
    expect(JSON.stringify(log)).not.toContain(TOKEN);
  });

  it('carries CloudEvents when the format says so, and only the entities event.objects names', async () => {
    await configure({ 'event.notification.format': 'cloudevents', 'event.objects': 'Customer, Invoice' });
    const queued = core.outbox.enqueue(instanceId, [change({ operation: 'Merge', deletedId: '80000002-1' }), change({ name: 'Vendor' }), change({ name: 'Invoice', operation: 'Void' })]);
    expect(queued.map((d) => d.eventType)).toEqual(['Customer.Merge', 'Invoice.Void']);
    await worker().runOnce();
    const events = receiver.received.map((r) => verify(r, TOKEN) as any[]);
    expect(events.map((e) => e.length)).toEqual([1, 1]);
    const [merge, voided] = events.map((e) => e[0]);
    expect(merge).toEqual({
      specversion: '1.0',
      id: queued[0]!.eventId,
      source: `qbwc-companion.${fileId}`,
      type: 'qbd.customer.merged.v1',
      datacontenttype: 'application/json',
      time: '2026-12-07T10:00:00.000Z',
      intuitentityid: '80000001-1234567890',
      intuitaccountid: fileId,
      data: { deletedid: '80000002-1' },
    });
    expect(voided).toMatchObject({ id: queued[1]!.eventId, type: 'qbd.invoice.voided.v1', data: {} });
  });

  it('keeps one record\'s deliveries in order', async () => {
    const [first, second] = core.outbox.enqueue(instanceId, [change(), change({ operation: 'Delete' })]);
    const [other] = core.outbox.enqueue(instanceId, [change({ id: 'other' })]);
    receiver.answer = (r) => ({ status: r.headers['webhook-id'] === first!.eventId && receiver.received.length === 1 ? 500 : 200 });
    const w = worker();
    await w.runOnce();
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([first!.eventId, other!.eventId]);
    clock += 1000;
    await w.runOnce();
    await w.runOnce();
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([first!.eventId, other!.eventId, first!.eventId, second!.eventId]);
  });
});

describe('retries', () => {
  it('while this PC has no network, does not use up the schedule; when it is back, the delivery goes once', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    let online = false;
    // No local receiver can make a name fail to resolve: fetch answers as it does without a network.
    const offlineFetch: typeof fetch = (input, init) =>
      online ? fetch(input, init) : Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) }));
    const w = new DeliveryWorker({ store: core.store, events: core.events, logger: silentLogger, now: () => clock, random: () => 0.5, schedule: SCHEDULE, fetch: offlineFetch });
    for (let i = 0; i < 10; i++) {
      expect(await w.runOnce()).toBe(1);
      // Offline: retried after the schedule's first delay (at most 30 s), nothing counted.
      expect(row(d!.eventId)).toMatchObject({ status: 'pending', failures: 0, attempts: i + 1, nextAttemptAt: clock + 1000, lastStatusCode: null });
      clock += 3_600_000;
    }
    online = true;
    expect(await w.runOnce()).toBe(1);
    expect(row(d!.eventId)).toMatchObject({ status: 'delivered', failures: 0, attempts: 11 });
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([d!.eventId]);
    const results = core.store.events.query({ clientId: instanceId, action: 'delivery.attempt', limit: 20, cursor: null }).events.map((e) => e.result);
    expect(results).toEqual(['delivered', ...Array(10).fill('offline')]);
  });

  it('counts a refused connection: the network reached the receiver, which is down', async () => {
    await receiver.down();
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    const w = worker();
    await w.runOnce();
    expect(row(d!.eventId)).toMatchObject({ status: 'pending', failures: 1, attempts: 1, nextAttemptAt: clock + 1000, lastError: 'ECONNREFUSED' });
  });

  it('honours Retry-After on 429', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    receiver.answer = () => (receiver.received.length === 1 ? { status: 429, headers: { 'Retry-After': '120' } } : { status: 200 });
    const w = worker();
    await w.runOnce();
    expect(row(d!.eventId)).toMatchObject({ status: 'pending', lastStatusCode: 429, nextAttemptAt: clock + 120_000 });
    clock += 119_000;
    expect(await w.runOnce()).toBe(0);
    clock += 1000;
    expect(await w.runOnce()).toBe(1);
    expect(row(d!.eventId)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('waits at least the schedule when Retry-After asks for less (or is unreadable), and honours it on 503', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    receiver.answer = () => ({ status: 503, headers: { 'Retry-After': receiver.received.length === 1 ? '0' : '1.5' } });
    const w = worker();
    await w.runOnce();
    expect(row(d!.eventId)).toMatchObject({ failures: 1, nextAttemptAt: clock + 1000 });
    clock += 1000;
    await w.runOnce();
    expect(row(d!.eventId)).toMatchObject({ failures: 2, nextAttemptAt: clock + 2000 });
  });

  it('takes a redirect as a failure and does not follow it', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    receiver.answer = () => ({ status: 302, headers: { Location: `http://127.0.0.1:${receiver.port}/elsewhere` } });
    await worker().runOnce();
    expect(receiver.received.map((r) => r.path)).toEqual(['/hooks/qbd']);
    expect(row(d!.eventId)).toMatchObject({ status: 'pending', failures: 1, lastStatusCode: 302, lastError: 'HTTP 302', nextAttemptAt: clock + 1000 });
  });

  it('disables the destination on 410 Gone, and resumes when it is enabled again', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    receiver.answer = () => ({ status: 410 });
    const w = worker();
    await w.runOnce();
    const instance = await invoke(core.handlers, 'getInstance', { params: { instanceId } });
    expect(instance.configuration['event.notification.enabled']).toBe('false');
    expect(row(d!.eventId)).toMatchObject({ status: 'pending', failures: 0, lastStatusCode: 410 });
    expect(core.outbox.enqueue(instanceId, [change()])).toEqual([]);
    clock += 3_600_000;
    expect(await w.runOnce()).toBe(0);
    expect(core.store.events.query({ clientId: instanceId, action: 'delivery.attempt', limit: 5, cursor: null }).events[0]?.result).toBe('gone');
    receiver.answer = () => ({ status: 200 });
    // Enabled without a token is still no destination: its rows wait, and are not due.
    await configure({ 'event.notification.verifier.token': '' });
    expect([await w.runOnce(), w.nextDueAt()]).toEqual([0, null]);
    await configure({});
    expect(await w.runOnce()).toBe(1);
    expect(row(d!.eventId)).toMatchObject({ status: 'delivered' });
  });

  it('dead-letters after the schedule, and a replay sends the same event again', async () => {
    const [d] = core.outbox.enqueue(instanceId, [change()]);
    receiver.answer = () => ({ status: 500 });
    const w = worker();
    for (const wait of [...SCHEDULE, 0]) {
      expect(await w.runOnce()).toBe(1);
      clock += wait;
    }
    expect(row(d!.eventId)).toMatchObject({ status: 'dead', failures: 4, attempts: 4 });
    expect(await invoke(core.handlers, 'listDeliveries', { params: { instanceId }, query: { status: 'dead' } })).toMatchObject({ data: [{ eventId: d!.eventId, status: 'dead' }] });
    await expect(invoke(core.handlers, 'replayDelivery', { params: { eventId: 'nope' } })).rejects.toMatchObject({ status: 404 });

    receiver.answer = () => ({ status: 200 });
    expect(await invoke(core.handlers, 'replayDelivery', { params: { eventId: d!.eventId } })).toMatchObject({ status: 'pending', failures: 0 });
    await expect(invoke(core.handlers, 'replayDelivery', { params: { eventId: d!.eventId } })).rejects.toMatchObject({ status: 409 });
    expect(await w.runOnce()).toBe(1);
    expect(row(d!.eventId)).toMatchObject({ status: 'delivered', attempts: 5 });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([d!.eventId]));
    verify(receiver.received[4]!, TOKEN);

    receiver.answer = () => ({ status: 500 });
    core.outbox.enqueue(instanceId, [change({ id: 'a' }), change({ id: 'b' })]);
    for (const wait of [...SCHEDULE, 0]) {
      await w.runOnce();
      clock += wait;
    }
    expect(await invoke(core.handlers, 'replayDeadDeliveries', { params: { instanceId } })).toEqual({ replayed: 2 });
  });
});
