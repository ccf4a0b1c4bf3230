/** The UI's plain words for the companion's codes (renderer/src/lib/words.ts) against the core's lists. */
import { describe, expect, it } from 'vitest';
import { DETECTABLE_TYPES } from '../../main/forward/detection/catalog';
import { PAYLOAD_FORMATS as CORE_FORMATS } from '../../main/forward/destination';
import { actionLabel, eventTypeLabel, PAYLOAD_FORMATS, RECORD_TYPES, recordTypesList, requestLabel, resultLabel } from '../../renderer/src/lib/words';
import { withLocalTimes } from '../../renderer/src/lib/format';

describe('words', () => {
  it('name every kind of record change detection watches, in its order and kind', () => {
    expect(RECORD_TYPES.map((t) => [t.name, t.kind])).toEqual(DETECTABLE_TYPES.map((t) => [t.name, t.kind]));
    expect(recordTypesList([])).toBe('All kinds of records');
    expect(recordTypesList(['ReceivePayment', 'Customer'])).toBe('Customer payments, Customers');
  });

  it('explain every payload format', () => {
    expect(PAYLOAD_FORMATS.map((f) => f.value)).toEqual([...CORE_FORMATS]);
  });

  it('say what a webhook event is, the test event included', () => {
    expect(eventTypeLabel('Customer.Update')).toBe('Customer changed');
    expect(eventTypeLabel('ItemInventory.Create')).toBe('Inventory item added');
    expect(eventTypeLabel('CompanionTest.Create')).toBe('Test event');
  });

  it('label the actions of cloud apps, change detection and the cloud link, with their results', () => {
    for (const action of [
      'destination.created',
      'destination.updated',
      'destination.deleted',
      'destination.disabled',
      'delivery.attempt',
      'detection.settings',
      'detection.reconcile',
      'detection.failed',
      'cloud.settings',
      'cloud.recovered',
      'cloud.refused',
      'cloud.failed',
      'cloud.instance.refused',
      'cloud.request.pulled',
      'cloud.request.refused',
      'request.retried',
    ]) {
      expect(actionLabel(action), action).not.toBe(action);
    }
    expect(resultLabel('delivery.attempt', 'dead')).toBe('Failed for good');
    expect(resultLabel('delivery.attempt', 'gone')).toBe('Address gone (410): turned off');
    expect(resultLabel('detection.settings', 'on')).toBe('Turned on');
    expect(resultLabel('cloud.failed', 'refused')).toBe('Refused');
  });

  it('name the connection check by its idempotency key', () => {
    expect(requestLabel({ types: ['CompanyQueryRq'], idempotencyKey: 'connection-check' })).toBe('Connection check (reads the company name)');
    expect(requestLabel({ types: ['CustomerQueryRq'], idempotencyKey: null })).toBe('CustomerQueryRq');
  });

  it('show the times in messages in the PC\'s words', () => {
    const text = withLocalTimes('The receiver said this address is gone (410) at 2026-11-23T15:00:00.000Z. Check it.');
    expect(text).not.toContain('2026-11-23T15');
    expect(text).toContain('2026');
    expect(text).toMatch(/^The receiver said this address is gone \(410\) at .+\. Check it\.$/);
  });
});
