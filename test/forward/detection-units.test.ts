/** Change detection's parts: its tables, its watermark arithmetic, and what it reads of the companion's own writes. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { canPage, DETECTABLE_TYPES, idField } from '../../main/forward/detection/catalog';
import { CompanionWrites, type Observed } from '../../main/forward/detection/changes';
import { instantOf, queryFrom } from '../../main/forward/detection/clock';
import { changesQuery, deletedQuery, idsQuery } from '../../main/forward/detection/queries';
import { buildPayload } from '../../main/forward/payload';
import { buildRequest } from '../../main/qbxml/builder';
import { loadQbxmlSchema } from '../../main/qbxml/schema/load';
import { MIGRATIONS } from '../../main/store/migrations';
import { DETECTED_RECORDS, DETECTION_SETTINGS, WATERMARKS } from '../../main/store/tables';

const NY = 'America/New_York';

describe('the detection tables', () => {
  it('state every column once: each definition matches the migrated schema', () => {
    const db = new Database(':memory:');
    for (const m of MIGRATIONS) db.exec(m);
    for (const table of [DETECTION_SETTINGS, WATERMARKS, DETECTED_RECORDS]) {
      const columns = (db.pragma(`table_info(${table.name})`) as { name: string }[]).map((c) => c.name);
      expect([table.name, Object.values(table.sqlNames).sort()]).toEqual([table.name, columns.sort()]);
    }
    db.close();
  });
});

describe('the types detection watches', () => {
  it('each have a query returning their id, EditSequence and times, and a deleted-objects type', () => {
    const schema = loadQbxmlSchema();
    const enumOf = (rq: string, name: string) => {
      const spec = schema.requests.get(rq);
      const child = spec?.type.kind === 'complex' ? spec.type.children.get(name) : undefined;
      return child?.type.kind === 'leaf' ? child.type.enumValues : undefined;
    };
    for (const t of DETECTABLE_TYPES) {
      const rs = schema.responses.get(`${t.name}QueryRs`);
      const ret = rs?.type.kind === 'complex' ? rs.type.children.get(`${t.name}Ret`) : undefined;
      const fields = ret?.type.kind === 'complex' ? [...ret.type.children.keys()] : [];
      expect([t.name, [idField(t.kind), 'EditSequence', 'TimeCreated', 'TimeModified'].every((f) => fields.includes(f))]).toEqual([t.name, true]);
      const delTypes = t.kind === 'list' ? enumOf('ListDeletedQueryRq', 'ListDelType') : enumOf('TxnDeletedQueryRq', 'TxnDelType');
      expect([t.name, delTypes?.includes(t.name)]).toEqual([t.name, true]);
    }
    // EmployeeQuery and AccountQuery take no iterator: asked whole.
    expect(DETECTABLE_TYPES.filter((t) => !canPage(t.name)).map((t) => t.name)).toEqual(['Employee', 'Account']);
  });

  it('each get schema-valid queries: changes (with a page\'s MaxReturned), ids, deletions', () => {
    const build = (input: ReturnType<typeof changesQuery>) => {
      const { type, params, pageSize } = input as { type: string; params: Record<string, unknown>; pageSize?: number };
      return buildRequest(type, pageSize ? { ...params, MaxReturned: pageSize } : params).xml;
    };
    for (const t of DETECTABLE_TYPES) {
      expect(build(changesQuery(t, '2024-11-03T00:45:00', 500))).toContain('2024-11-03T00:45:00');
      expect(build(idsQuery(t, 500))).toContain(`<IncludeRetElement>${idField(t.kind)}</IncludeRetElement>`);
    }
    expect(build(deletedQuery('txn', ['Invoice', 'Check'], null))).toBe('<TxnDeletedQueryRq><TxnDelType>Invoice</TxnDelType><TxnDelType>Check</TxnDelType></TxnDeletedQueryRq>');
  });
});

describe('the query window', () => {
  it('starts ten minutes before the watermark, read as the wall time QuickBooks printed (its offset is wrong during DST)', () => {
    expect(queryFrom('2024-07-15T12:00:00-05:00', NY)).toBe('2024-07-15T11:50:00');
    expect(instantOf('2024-07-15T12:00:00-05:00', NY)).toBe(Date.parse('2024-07-15T16:00:00Z'));
  });

  it('never starts inside the hour that happens twice when clocks fall back', () => {
    // 01:25 could be EDT or EST; 01:15 too: QuickBooks might read it as the later one.
    expect(queryFrom('2024-11-03T01:25:00', NY)).toBe('2024-11-03T00:45:00');
    expect(queryFrom('2024-11-03T02:05:00', NY)).toBe('2024-11-03T00:55:00');
    expect(queryFrom('2024-11-03T02:20:00', NY)).toBe('2024-11-03T02:10:00');
    // Spring forward: 02:00–02:59 never happens; the window runs across the gap.
    expect(queryFrom('2024-03-10T03:05:00', NY)).toBe('2024-03-10T01:55:00');
  });
});

describe('the companion\'s own writes', () => {
  const observed = (id: string, editSequence: string): Observed => ({ id, editSequence, name: null, timeCreated: null, timeModified: null, voided: false });
  const writes = new CompanionWrites([
    { name: 'CustomerRet', editSequence: '11', data: { ListID: '80000001-1', EditSequence: '11' } },
    { name: 'ListMergeType', editSequence: null, data: 'Customer' },
    { name: 'MergedFrom', editSequence: null, data: { ListID: '80000002-1', FullName: 'B' } },
    { name: 'MergedTo', editSequence: '12', data: { ListID: '80000003-1', EditSequence: '12' } },
    { name: 'TxnDelType', editSequence: null, data: 'Invoice' },
    { name: 'TxnID', editSequence: null, data: '5-1' },
  ]);

  it('are the versions their responses returned, the ids they deleted or voided, and their merges', () => {
    expect(writes.originOf(observed('80000001-1', '11'), 'Update')).toBe('companion');
    expect(writes.originOf(observed('80000001-1', '13'), 'Update')).toBe('quickbooks');
    expect(writes.originOf(observed('80000003-1', '12'), 'Update')).toBe('companion');
    expect(writes.originOf(observed('5-1', '99'), 'Void')).toBe('companion');
    expect([writes.removedBy('5-1'), writes.removedBy('80000002-1'), writes.removedBy('6-1')]).toEqual(['companion', 'companion', 'quickbooks']);
    expect([writes.survivorOf('80000002-1'), writes.survivorOf('80000003-1')]).toEqual(['80000003-1', undefined]);
  });
});

describe('payloads', () => {
  const change = { name: 'Customer', id: '80000001-1', operation: 'Update' as const, lastUpdated: '2024-07-15T16:00:00.000Z', origin: 'companion' as const, record: { ListID: '80000001-1', Name: 'A' } };

  it('carry the origin as one more member (legacy) or attribute (CloudEvents), and the record only in "full"', () => {
    const legacy = JSON.parse(buildPayload('legacy', '{FILE-ID}', 'e1', change));
    expect(legacy.eventNotifications[0].dataChangeEvent.entities[0]).toEqual({ name: 'Customer', id: '80000001-1', operation: 'Update', lastUpdated: change.lastUpdated, origin: 'companion' });
    const [cloud] = JSON.parse(buildPayload('cloudevents', '{FILE-ID}', 'e1', change));
    expect([cloud.origin, cloud.data]).toEqual(['companion', {}]);
    const [full] = JSON.parse(buildPayload('full', '{FILE-ID}', 'e1', { ...change, operation: 'Merge', deletedId: '80000002-1' }));
    expect(full).toMatchObject({ type: 'qbd.customer.merged.v1', intuitaccountid: '{FILE-ID}', origin: 'companion', data: { ListID: '80000001-1', Name: 'A', deletedid: '80000002-1' } });
  });
});
