/**
 * A Merge concerns two records: the one that survives and the one merged away. Its row
 * waits for older rows of either, and holds back newer rows of either — so an app never
 * hears "3 merged into B" (3 is gone) before "8 merged into 3" is delivered.
 */
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../main/forward/outbox';
import { DomainEvents } from '../../main/events';
import type { ChangeEvent } from '../../main/forward/payload';
import { Store } from '../../main/store';
import { startHarness } from '../helpers';

const change = (id: string, operation: ChangeEvent['operation'], deletedId?: string): ChangeEvent => ({
  name: 'Customer',
  id,
  operation,
  lastUpdated: '2026-12-07T10:00:00Z',
  ...(deletedId ? { deletedId } : {}),
});

describe('the outbox keeps a merge in order with both of its records', () => {
  it('holds "3 merged into B" behind "8 merged into 3", which waits behind an Update of 3', async () => {
    const h = await startHarness({
      instance: {
        configuration: { 'event.notification.enabled': 'true', 'event.notification.callback.url': 'https://receiver.example/hook', 'event.notification.verifier.token': 't' },
      },
    });
    await h.stop(); // no worker from here: the test decides what is delivered
    const db = Store.open(h.dataDir);
    try {
      const outbox = new Outbox({ store: db, events: new DomainEvents(), now: () => 1_000 });
      const [update3, merge8into3, merge3intoB, updateB] = outbox.enqueue(h.instance.instanceId, [
        change('3', 'Update'),
        change('3', 'Merge', '8'),
        change('B', 'Merge', '3'),
        change('B', 'Update'),
      ]);
      const due = () => db.deliveries.due(h.instance.instanceId, 'configuration', 2_000, 50).map((d) => `${d.eventType} ${d.recordKey}`);
      expect(merge3intoB?.mergedKey).toBe('Customer:3');
      expect(updateB?.mergedKey).toBeNull();
      // Only the oldest row of records 3 and B goes: the merges wait.
      expect(due()).toEqual(['Customer.Update Customer:3']);
      db.deliveries.update(update3?.eventId as string, { status: 'delivered' });
      expect(due()).toEqual(['Customer.Merge Customer:3']);
      db.deliveries.update(merge8into3?.eventId as string, { status: 'delivered' });
      expect(due()).toEqual(['Customer.Merge Customer:B']);
      db.deliveries.update(merge3intoB?.eventId as string, { status: 'delivered' });
      expect(due()).toEqual(['Customer.Update Customer:B']);
    } finally {
      db.close();
    }
  });
});
