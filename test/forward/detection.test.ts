/**
 * Change detection end to end: a companion, the simulated Web Connector and company,
 * a bookkeeper changing the company between sessions, and a local receiver of the
 * webhooks — what it receives is what an app would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import type { ChangeDetectionUpdate } from '../../main/forward/detection/contract';
import { Bookkeeper, FakeQuickBooks } from '../../main/simulator/quickbooks';
import type { WebConnectorOptions } from '../../main/simulator/web-connector';
import { type Harness, startHarness } from '../helpers';
import { Receiver, verify } from './receiver';

const TOKEN = 'detection-verifier-token';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let receiver: Receiver;
const harnesses: Harness[] = [];

beforeEach(async () => {
  receiver = await new Receiver().up();
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop().catch(() => {});
  await receiver.down();
});

interface Entity {
  name: string;
  id: string;
  operation: string;
  lastUpdated: string;
  deletedId?: string;
  origin?: string;
}

interface Setup {
  h: Harness;
  company: FakeQuickBooks;
  bookkeeper: Bookkeeper;
  /** The simulated QuickBooks PC's clock (ms); the companion's is `companionClock` when given. */
  clock: { qb: number; companion: number };
  /** Queues a run, lets the Web Connector run a session (to the end, unless `session` makes it stop), and waits until every event was delivered. */
  run(session?: Partial<WebConnectorOptions>): Promise<void>;
  /** Entities received so far, in order (legacy format). */
  entities(): Entity[];
}

async function setup(
  options: {
    timeZone?: string;
    qbTime?: number;
    companionTime?: number;
    detection?: Partial<ChangeDetectionUpdate>;
    configuration?: Record<string, string>;
    pageSize?: number;
  } = {},
): Promise<Setup> {
  const timeZone = options.timeZone ?? 'America/New_York';
  const clock = { qb: options.qbTime ?? Date.now(), companion: options.companionTime ?? Date.now() };
  const realClock = options.companionTime === undefined;
  const company = new FakeQuickBooks({ now: () => new Date(clock.qb), timeZone });
  const h = await startHarness({
    timeZone,
    forward: { schedule: [50, 100] },
    detection: { tickMs: HOUR, pageSize: options.pageSize },
    ...(realClock ? {} : { now: () => clock.companion }),
  });
  harnesses.push(h);
  const instanceId = h.instance.instanceId;
  await invoke(h.companion.handlers, 'updateInstance', {
    params: { instanceId },
    body: {
      configuration: {
        'event.notification.enabled': 'true',
        'event.notification.callback.url': receiver.url,
        'event.notification.verifier.token': TOKEN,
        ...options.configuration,
      },
    },
  });
  await invoke(h.companion.handlers, 'updateChangeDetection', {
    params: { instanceId },
    body: { enabled: true, types: ['Customer', 'ItemService', 'Invoice'], startMode: 'snapshot', intervalMinutes: 15, ...options.detection },
  });
  const run = async (session: Partial<WebConnectorOptions> = {}) => {
    await invoke(h.companion.handlers, 'runChangeDetection', { params: { instanceId } });
    const report = await h.run(company, session);
    expect(report.outcome).toBe(session.abortAfterProcessing ? 'aborted' : 'completed');
    await until(() => h.companion.store.deliveries.list(instanceId, { status: 'pending' }, 1, undefined).rows.length === 0);
  };
  const entities = () =>
    receiver.received.map((r) => {
      // Signatures are checked where the companion's clock is the real one (Standard Webhooks allows 5 minutes).
      const body = (realClock ? verify(r, TOKEN) : JSON.parse(r.body)) as { eventNotifications: { realmId: string; dataChangeEvent: { entities: Entity[] } }[] };
      expect(body.eventNotifications[0]?.realmId).toBe(h.instance.fileId);
      return body.eventNotifications[0]?.dataChangeEvent.entities[0] as Entity;
    });
  return { h, company, bookkeeper: new Bookkeeper(company), clock, run, entities };
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ops = (entities: Entity[]) => entities.map((e) => `${e.name} ${e.operation}${e.deletedId ? ` ${e.deletedId}` : ''}`);

describe('change detection', () => {
  it('reports a snapshot as Creates, then each change once: Update, Delete — nothing again across overlapping runs', async () => {
    const s = await setup();
    await s.run();
    const snapshot = s.entities();
    const customers = s.company.customers();
    expect(ops(snapshot).sort()).toEqual([...customers.map(() => 'Customer Create'), 'ItemService Create'].sort());
    expect(snapshot.map((e) => e.id).sort()).toEqual([...customers.map((c) => c.ListID), s.company.items().find((i) => i.type === 'ItemService')?.ListID].sort());
    expect(snapshot.every((e) => e.origin === 'quickbooks')).toBe(true);

    // Nothing changed: the next run's overlap window sees the same records again, and reports none.
    s.clock.qb += 60_000;
    await s.run();
    expect(s.entities()).toHaveLength(snapshot.length);

    const cook = customers.find((c) => c.Name === 'Cook, Brian')?.ListID as string;
    s.bookkeeper.editCustomer(cook, { Phone: '415-555-0000' });
    s.clock.qb += 60_000;
    await s.run();
    s.clock.qb += 60_000;
    await s.run();
    const jacobsen = customers.find((c) => c.Name === 'Jacobsen, Doug')?.ListID as string;
    s.bookkeeper.deleteCustomer(jacobsen);
    s.clock.qb += 60_000;
    await s.run();
    s.clock.qb += 60_000;
    await s.run();

    const after = s.entities().slice(snapshot.length);
    expect(after.map((e) => [e.id, e.operation, e.origin])).toEqual([
      [cook, 'Update', 'quickbooks'],
      [jacobsen, 'Delete', 'quickbooks'],
    ]);
    // Every event once: distinct event ids, distinct (record, operation) pairs.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(receiver.received.length);
  });
});

describe('the watermark', () => {
  it('carries across the end of DST in New York: a record changed in the repeated hour is not skipped, none is repeated', async () => {
    // 01:00 EDT; at 06:00Z clocks fall back to 01:00 EST and 01:00–01:59 happens again.
    const s = await setup({ qbTime: Date.parse('2024-11-03T05:00:00Z') });
    await s.run();
    const created = s.entities().length;
    const [a, b, c] = s.company.customers().map((x) => x.ListID) as [string, string, string];
    const at = async (utc: string, id: string) => {
      s.clock.qb = Date.parse(utc);
      s.bookkeeper.editCustomer(id, { Phone: utc });
      await s.run();
    };
    await at('2024-11-03T05:25:00Z', a); // 01:25 EDT: the watermark becomes 01:25
    await at('2024-11-03T06:05:00Z', b); // 01:05 EST: before the watermark's wall time, after it in fact
    await at('2024-11-03T06:40:00Z', c); // 01:40 EST
    await at('2024-11-03T07:30:00Z', a); // 02:30 EST
    // QuickBooks printed every one of them with -05:00 (its DST bug); the events say when it happened.
    expect(s.entities().slice(created).map((e) => [e.id, e.operation])).toEqual([
      [a, 'Update'],
      [b, 'Update'],
      [c, 'Update'],
      [a, 'Update'],
    ]);
    expect(s.entities()[created]?.lastUpdated).toBe('2024-11-03T05:25:00.000Z');
    expect(s.entities().at(-1)?.lastUpdated).toBe('2024-11-03T07:30:00.000Z');
  });
});

describe('deletions older than QuickBooks keeps them', () => {
  it('are found by comparing ids after 90 days without a check, once, and the event log says so', async () => {
    const t0 = Date.now() - 100 * DAY;
    const s = await setup({ qbTime: t0, companionTime: t0 });
    await s.run();
    const created = s.entities().length;
    const [, early, late] = s.company.customers().filter((c) => c.Sublevel === 0).map((c) => c.ListID) as [string, string, string];
    // The Web Connector stays away for 100 days; QuickBooks' own log forgets the first deletion.
    s.clock.qb += DAY;
    s.bookkeeper.deleteCustomer(early);
    s.clock.qb += 94 * DAY;
    s.bookkeeper.deleteCustomer(late);
    s.clock.qb += 5 * DAY;
    s.clock.companion = s.clock.qb;
    await s.run();
    s.clock.qb += HOUR;
    s.clock.companion = s.clock.qb;
    await s.run();
    expect(s.entities().slice(created).map((e) => [e.id, e.operation]).sort()).toEqual([
      [early, 'Delete'],
      [late, 'Delete'],
    ].sort());
    const log = s.h.companion.store.events.query({ clientId: s.h.instance.instanceId, action: 'detection.reconcile', limit: 20, cursor: null }).events;
    expect(log.map((e) => e.result).sort()).toEqual(['done', 'done', 'done', 'queued', 'queued', 'queued']);
    expect(log.find((e) => e.result === 'queued' && e.detail?.startsWith('Customer'))?.detail).toMatch(/last checked 100 days ago and QuickBooks keeps them about 90 days/);
    expect(log.find((e) => e.result === 'done' && e.detail?.startsWith('Customer'))?.detail).toMatch(/2 no longer there, reported as deletions/);
  });
});

describe('who made a change', () => {
  it('marks the companion\'s own writes (adds, merges, voids) as origin "companion", and the bookkeeper\'s as "quickbooks"', async () => {
    const s = await setup();
    const { h, company, bookkeeper } = s;
    const invoiceOf = (customerId: string) => bookkeeper.addInvoice(customerId, '250.00').id;
    const [kristy, , brian, doug] = company.customers().map((c) => c.ListID) as [string, string, string, string];
    const theirs = invoiceOf(brian);
    const ours = invoiceOf(doug);
    await s.run();
    const before = s.entities().length;

    const write = (type: string, params: Record<string, unknown>) =>
      h.companion.services.requests.enqueue(h.instance.instanceId, { type, params, priority: 0, retryOnStaleEditSequence: false });
    const es = (id: string) => company.customers().find((c) => c.ListID === id)?.EditSequence;
    write('CustomerAddRq', { CustomerAdd: { Name: 'Pine Street Bakery' } });
    write('TxnVoidRq', { TxnVoidType: 'Invoice', TxnID: ours });
    write('ListMergeRq', { ListMergeType: 'Customer', MergeFrom: { ListID: doug, EditSequence: es(doug) }, MergeTo: { ListID: brian, EditSequence: es(brian) } });
    s.clock.qb += 60_000;
    await s.run();
    const bakery = company.customers().find((c) => c.Name === 'Pine Street Bakery')?.ListID as string;

    s.clock.qb += 60_000;
    bookkeeper.editCustomer(bakery, { Phone: '555-0100' });
    bookkeeper.voidInvoice(theirs);
    const carol = bookkeeper.addCustomer('Carol').id;
    bookkeeper.mergeCustomers(carol, kristy);
    s.clock.qb += 60_000;
    await s.run();
    s.clock.qb += 60_000;
    bookkeeper.mergeCustomers(bakery, kristy);
    s.clock.qb += 60_000;
    await s.run();

    const seen = s.entities().slice(before).map((e) => [e.name, e.operation, e.id, e.deletedId ?? null, e.origin]);
    // A merge's survivor is modified too: an Update, then the Merge naming the one merged away.
    expect(seen).toEqual([
      ['Customer', 'Update', brian, null, 'companion'],
      ['Customer', 'Create', bakery, null, 'companion'],
      ['Invoice', 'Void', ours, null, 'companion'],
      ['Customer', 'Merge', brian, doug, 'companion'],
      ['Customer', 'Update', kristy, null, 'quickbooks'],
      ['Customer', 'Update', bakery, null, 'quickbooks'],
      ['Invoice', 'Void', theirs, null, 'quickbooks'],
      ['Customer', 'Merge', kristy, carol, 'quickbooks'],
      ['Customer', 'Update', kristy, null, 'quickbooks'],
      ['Customer', 'Merge', kristy, bakery, 'quickbooks'],
    ]);
  });
});

describe('the start mode', () => {
  it('"now" reports nothing that exists, then changes to it: Update, Delete, and Create for what is new', async () => {
    const s = await setup({ detection: { startMode: 'now' } });
    await s.run();
    expect(s.entities()).toEqual([]);
    const [kristy, , brian] = s.company.customers().map((c) => c.ListID) as [string, string, string];
    s.clock.qb += 60_000;
    s.bookkeeper.editCustomer(kristy, { Phone: '555-0101' });
    const carol = s.bookkeeper.addCustomer('Carol').id;
    s.bookkeeper.deleteCustomer(brian);
    s.clock.qb += 60_000;
    await s.run();
    expect(s.entities().map((e) => [e.id, e.operation])).toEqual([
      [kristy, 'Update'],
      [carol, 'Create'],
      [brian, 'Delete'],
    ]);
  });
});

describe('the full format', () => {
  it('sends CloudEvents whose data is the record as QuickBooks returned it, with its origin', async () => {
    const s = await setup({ detection: { types: ['Customer'] }, configuration: { 'event.notification.format': 'full' } });
    await s.run();
    const events = receiver.received.map((r) => (verify(r, TOKEN) as Record<string, any>[])[0] as Record<string, any>);
    const kristy = s.company.customers()[0];
    const event = events.find((e) => e.intuitentityid === kristy?.ListID);
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'qbd.customer.created.v1',
      intuitaccountid: s.h.instance.fileId,
      origin: 'quickbooks',
      data: { ListID: kristy?.ListID, EditSequence: kristy?.EditSequence, Name: 'Abercrombie, Kristy', BillAddress: { City: 'Bayshore' } },
    });
  });
});

describe('a large type', () => {
  it('is read page by page; a session that breaks mid-way restarts it, losing and repeating nothing', async () => {
    const s = await setup({ detection: { types: ['Customer'] }, pageSize: 100 });
    for (let i = 0; i < 250; i++) s.bookkeeper.addCustomer(`Customer ${String(i).padStart(3, '0')}`);
    const all = s.company.customers().map((c) => c.ListID);
    // The Web Connector stops after QuickBooks answered the second page: only the first arrives.
    await s.run({ abortAfterProcessing: (xml) => xml.includes('iterator="Continue"') });
    const first = s.entities().map((e) => e.id);
    expect(first).toHaveLength(100);
    // Meanwhile one customer already reported and one not yet reported change.
    const reported = first[0] as string;
    const unreported = all.find((id) => !first.includes(id)) as string;
    s.clock.qb += 60_000;
    s.bookkeeper.editCustomer(reported, { Phone: '555-0102' });
    s.bookkeeper.editCustomer(unreported, { Phone: '555-0103' });
    await s.run();
    const entities = s.entities();
    expect(entities.filter((e) => e.operation === 'Create').map((e) => e.id).sort()).toEqual([...all].sort());
    expect(entities.filter((e) => e.operation !== 'Create').map((e) => [e.id, e.operation])).toEqual([[reported, 'Update']]);
  });
});

describe('a restart', () => {
  it('turns what QuickBooks answered before the companion stopped, but was not yet reported, into events', async () => {
    const s = await setup({ detection: { types: ['Customer'] } });
    // As if the companion stopped right after storing QuickBooks' answers.
    s.h.companion.services.detection.stop();
    await s.run();
    expect(receiver.received).toEqual([]);
    await s.h.stop();
    harnesses.splice(harnesses.indexOf(s.h), 1);

    const again = await startHarness({ dataDir: s.h.dataDir, timeZone: 'America/New_York', forward: { schedule: [50, 100] }, detection: { tickMs: HOUR } });
    harnesses.push(again);
    const customers = s.company.customers().map((c) => c.ListID);
    await until(() => receiver.received.length === customers.length);
    expect(s.entities().map((e) => e.id).sort()).toEqual([...customers].sort());
  });
});

describe('the REST API', () => {
  it('reads and sets change detection per instance, runs it now, and documents it in OpenAPI', async () => {
    const h = await startHarness({ detection: { tickMs: HOUR } });
    harnesses.push(h);
    const api = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${h.companion.url}/api/v1${route}`, {
        method,
        headers: { Authorization: `Bearer ${h.companion.apiToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const path = `/instances/${h.instance.instanceId}/change-detection`;

    const initial = await api('GET', path);
    expect(initial.status).toBe(200);
    expect(initial.json).toMatchObject({ enabled: false, startMode: 'now', intervalMinutes: 15, lastRunAt: null, nextRunAt: null, watermarks: [] });
    expect(initial.json.types).toContain('BillPaymentCheck');
    expect((await api('GET', '/instances/nope/change-detection')).status).toBe(404);

    const unknown = await api('PUT', path, { enabled: true, types: ['Customer', 'Widget'] });
    expect([unknown.status, unknown.json.error.field]).toEqual([400, 'types[1]']);
    const off = await api('POST', `${path}/run`);
    expect([off.status, off.json.error.code]).toEqual([409, 'detection_disabled']);

    const put = await api('PUT', path, { enabled: true, types: ['Customer', 'Invoice'], startMode: 'snapshot', intervalMinutes: 5 });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ enabled: true, types: ['Customer', 'Invoice'], startMode: 'snapshot', intervalMinutes: 5 });
    const run = await api('POST', `${path}/run`);
    expect(run.status).toBe(202);
    expect(run.json.queued.map((q: any) => [q.types, q.purpose])).toEqual([
      [['Customer'], 'snapshot'],
      [['Invoice'], 'snapshot'],
    ]);
    const request = await api('GET', `/requests/${run.json.queued[0].requestId}`);
    expect(request.json).toMatchObject({ status: 'queued', types: ['CustomerQueryRq'], priority: -100, pageSize: 500 });
    // What still waits for QuickBooks is not queued again.
    expect((await api('POST', `${path}/run`)).json.queued).toEqual([]);
    const after = await api('GET', path);
    expect(after.json.watermarks).toMatchObject([
      { type: 'Customer', started: false, running: ['snapshot'] },
      { type: 'Invoice', started: false, running: ['snapshot'] },
    ]);
    expect(Date.parse(after.json.nextRunAt) - Date.parse(after.json.lastRunAt)).toBe(5 * 60_000);

    const openapi = (await api('GET', '/openapi.json')).json;
    expect(Object.keys(openapi.paths[path.replace(h.instance.instanceId, '{instanceId}')]).sort()).toEqual(['get', 'put']);
    expect(openapi.paths['/instances/{instanceId}/change-detection/run']).toHaveProperty('post');
  });
});
