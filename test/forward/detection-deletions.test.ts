/**
 * Regression tests for two holes in the deletion checks' window (main/forward/detection/detector.ts),
 * found by test/crash/forward-kill.test.ts: a record created and deleted between two changes
 * queries must be reported as a Delete (the detector's own rule: "a record never reported,
 * created within the query's window … reported too").
 */
import { afterEach, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import { Bookkeeper, FakeQuickBooks } from '../../main/simulator/quickbooks';
import { type Harness, startHarness } from '../helpers';
import { Receiver } from './receiver';

const MINUTE = 60_000;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function setup() {
  const receiver = await new Receiver().up();
  const clock = { qb: Date.parse('2025-05-05T13:00:00Z') };
  const company = new FakeQuickBooks({ now: () => new Date(clock.qb), timeZone: 'America/New_York' });
  const h: Harness = await startHarness({ timeZone: 'America/New_York', forward: { schedule: [50, 100] }, detection: { tickMs: 3_600_000 } });
  cleanup.push(() => h.stop(), () => receiver.down());
  const instanceId = h.instance.instanceId;
  await invoke(h.companion.handlers, 'updateInstance', {
    params: { instanceId },
    body: { configuration: { 'event.notification.enabled': 'true', 'event.notification.callback.url': receiver.url, 'event.notification.verifier.token': 't' } },
  });
  await invoke(h.companion.handlers, 'updateChangeDetection', { params: { instanceId }, body: { enabled: true, types: ['Customer'], startMode: 'snapshot', intervalMinutes: 15 } });
  const run = async () => {
    await invoke(h.companion.handlers, 'runChangeDetection', { params: { instanceId } });
    await h.run(company);
    const end = Date.now() + 5000;
    while (h.companion.store.deliveries.list(instanceId, { status: 'pending' }, 1, undefined).rows.length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  };
  const operationsOf = (id: string) =>
    receiver.received.map((r) => JSON.parse(r.body).eventNotifications[0].dataChangeEvent.entities[0]).filter((e) => e.id === id).map((e) => e.operation);
  return { clock, company, bookkeeper: new Bookkeeper(company), run, operationsOf };
}

it('reports a record created after the snapshot and deleted before the first deletion check', async () => {
  const s = await setup();
  await s.run(); // the snapshot
  s.clock.qb += 5 * MINUTE;
  const shortLived = s.bookkeeper.addCustomer('Short Lived');
  s.clock.qb += 20 * MINUTE;
  s.bookkeeper.deleteCustomer(shortLived.id);
  s.clock.qb += 5 * MINUTE;
  await s.run(); // changes, and the first deletion check
  s.clock.qb += 5 * MINUTE;
  await s.run();
  expect(s.operationsOf(shortLived.id)).toEqual(['Delete']);
});

it('reports a record deleted after a deletion check read a later deletion, while its changes query failed', async () => {
  const s = await setup();
  await s.run(); // the snapshot
  s.clock.qb += MINUTE;
  await s.run(); // changes and the first deletion check
  s.clock.qb += 5 * MINUTE;
  const shortLived = s.bookkeeper.addCustomer('Short Lived');
  s.clock.qb += 20 * MINUTE;
  const other = s.company.customers().find((c) => c.Name === 'Jacobsen, Doug')!.ListID;
  s.bookkeeper.deleteCustomer(other);
  s.clock.qb += MINUTE;
  // The changes query fails (a kill that holds it back does the same); the deletion check reads the other deletion.
  s.company.injectFailure({ requestType: 'CustomerQueryRq', statusCode: 3000, statusSeverity: 'Error', statusMessage: 'injected' });
  await s.run();
  s.clock.qb += 5 * MINUTE;
  s.bookkeeper.deleteCustomer(shortLived.id);
  s.clock.qb += MINUTE;
  await s.run();
  s.clock.qb += MINUTE;
  await s.run();
  expect(s.operationsOf(other)).toEqual(['Create', 'Delete']);
  expect(s.operationsOf(shortLived.id)).toEqual(['Delete']);
});
