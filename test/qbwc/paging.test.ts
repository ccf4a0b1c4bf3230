/**
 * MaxReturned keeps Intuit's meaning (at most N records, one request, no iterator); paging
 * through a whole result is asked for explicitly with `pageSize`. Driven end to end: the
 * REST contract, the simulated Web Connector and the simulated QuickBooks company.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import { MAX_PAGE_SIZE, MIN_PAGE_SIZE } from '../../main/queue/paging';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { EchoQuickBooks, type Harness, startHarness } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const enqueue = (body: unknown) => invoke((h as Harness).companion.handlers, 'enqueueRequest', { params: { instanceId: (h as Harness).instance.instanceId }, body });
const get = (id: string) => (h as Harness).companion.handlers.getRequest({ requestId: id });

async function allRecords(id: string): Promise<{ type: string; data: any }[]> {
  const out: { type: string; data: any }[] = [];
  let cursor: string | undefined;
  do {
    const page = await (h as Harness).companion.handlers.listRecords({ requestId: id, limit: 500, cursor });
    out.push(...(page.data as { type: string; data: any }[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** A simulated company with exactly `n` (active) customers. */
function companyWith(n: number): FakeQuickBooks {
  const qb = new FakeQuickBooks();
  const adds = Array.from(
    { length: n - qb.customers().length },
    (_, i) => `<CustomerAddRq><CustomerAdd><Name>Paged ${String(i).padStart(4, '0')}</Name></CustomerAdd></CustomerAddRq>`,
  ).join('');
  const r = qb.processRequest(`<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${adds}</QBXMLMsgsRq></QBXML>`);
  expect('response' in r && !/statusSeverity="Error"/.test(r.response)).toBe(true);
  expect(qb.customers()).toHaveLength(n);
  expect(qb.customers().every((c) => (c as { IsActive?: boolean }).IsActive !== false)).toBe(true);
  return qb;
}

const sends = (report: Awaited<ReturnType<Harness['run']>>) =>
  report.transcript.filter((t) => t.method === 'sendRequestXML' && String(t.result) !== '').map((t) => String(t.result));

describe('MaxReturned keeps Intuit\'s meaning', () => {
  it('MaxReturned 1 is one request, one round trip, one record — no iterator', async () => {
    h = await startHarness();
    const qb = companyWith(250);
    const { requestId } = await enqueue({ type: 'CustomerQuery', params: { MaxReturned: 1 } });
    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    const sent = sends(report);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('<MaxReturned>1</MaxReturned>');
    expect(sent[0]).not.toContain('iterator=');
    expect(report.transcript.filter((t) => t.method === 'receiveResponseXML')).toHaveLength(1);
    const r = await get(requestId);
    expect(r).toMatchObject({ status: 'done', attempts: 1, recordCount: 1, pageSize: null, pages: null, iterator: null });
    expect(await allRecords(requestId)).toHaveLength(1);
  });

  it('a raw query with MaxReturned 3 returns the first 3, in one request', async () => {
    h = await startHarness();
    const qb = companyWith(250);
    const id = h.enqueue('<CustomerQueryRq><MaxReturned>3</MaxReturned></CustomerQueryRq>');
    const report = await h.run(qb);
    expect(sends(report)).toHaveLength(1);
    expect((await allRecords(id)).map((x) => x.data.FullName)).toEqual(qb.customers().slice(0, 3).map((c) => c.FullName));
    expect((await get(id)).attempts).toBe(1);
  });
});

describe('paging with pageSize', () => {
  it('pages 250 customers 100 at a time: 3 pages, every record once, one attempt', async () => {
    h = await startHarness();
    const qb = companyWith(250);
    const { requestId, warnings } = await enqueue({ type: 'CustomerQuery', params: { ActiveStatus: 'All' }, pageSize: 100 });
    expect(warnings).toEqual([]);
    const queued = await get(requestId);
    expect(queued.qbxml).toBe('<CustomerQueryRq><MaxReturned>100</MaxReturned><ActiveStatus>All</ActiveStatus></CustomerQueryRq>');
    expect(queued).toMatchObject({ pageSize: 100, pages: 0, attempts: 0 });

    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    const sent = sends(report);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(new RegExp(`<CustomerQueryRq requestID="${requestId}" iterator="Start"><MaxReturned>100</MaxReturned>`));
    for (const x of sent.slice(1)) expect(x).toMatch(/iterator="Continue" iteratorID="\{[^"]+\}"><MaxReturned>100<\/MaxReturned>/);

    const r = await get(requestId);
    expect(r).toMatchObject({ status: 'done', attempts: 1, pageSize: 100, pages: 3, recordCount: 250 });
    expect(r.iterator).toMatchObject({ pages: 3, remaining: 0, restarts: 0 });
    const records = await allRecords(requestId);
    expect(records).toHaveLength(250);
    expect(new Set(records.map((x) => x.data.ListID)).size).toBe(250);
    expect(new Set(records.map((x) => x.data.ListID))).toEqual(new Set(qb.customers().map((c) => c.ListID)));
  });

  it('pages raw qbXML too, MaxReturned put in its schema place', async () => {
    h = await startHarness();
    const qb = companyWith(250);
    const plain = await enqueue({ qbxml: '<CustomerQueryRq/>', pageSize: 100 });
    const filtered = await enqueue({ qbxml: '<CustomerQueryRq metaData="NoMetaData"><ActiveStatus>ActiveOnly</ActiveStatus><IncludeRetElement>ListID</IncludeRetElement></CustomerQueryRq>', pageSize: 200 });
    expect(plain.warnings).toEqual([]);
    expect(filtered.warnings).toEqual([]);
    expect((await get(plain.requestId)).qbxml).toBe('<CustomerQueryRq><MaxReturned>100</MaxReturned></CustomerQueryRq>');
    expect((await get(filtered.requestId)).qbxml).toBe(
      '<CustomerQueryRq metaData="NoMetaData"><MaxReturned>200</MaxReturned><ActiveStatus>ActiveOnly</ActiveStatus><IncludeRetElement>ListID</IncludeRetElement></CustomerQueryRq>',
    );
    expect((await h.run(qb)).outcome).toBe('completed');
    expect(await get(plain.requestId)).toMatchObject({ status: 'done', pages: 3, attempts: 1, recordCount: 250 });
    expect(await get(filtered.requestId)).toMatchObject({ status: 'done', pages: 2, attempts: 1, recordCount: 250 });
    expect(new Set((await allRecords(filtered.requestId)).map((x) => x.data.ListID)).size).toBe(250);
  });

  it('restarts after the session ends mid-iteration, and still returns every record exactly once', async () => {
    h = await startHarness();
    const qb = companyWith(250);
    const { requestId } = await enqueue({ type: 'CustomerQuery', params: {}, pageSize: 100 });
    // The Web Connector stops after QuickBooks answered the second page: that page never arrives.
    const broken = await h.run(qb, { abortAfterProcessing: (_x, i) => i === 1 });
    expect(broken.outcome).toBe('aborted');
    const dataDir = h.dataDir;
    await h.stop(); // the companion restarts: the session (and QuickBooks' iterator) is over
    h = await startHarness({ dataDir });
    const half = await get(requestId);
    expect(half).toMatchObject({ status: 'queued', pages: 1, attempts: 1 });
    expect(half.recordCount).toBe(100);

    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    const sent = sends(report);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toContain('iterator="Start"'); // the iterator died with the session: start over
    const r = await get(requestId);
    expect(r).toMatchObject({ status: 'done', attempts: 2, pages: 4, recordCount: 250 });
    expect(r.iterator).toMatchObject({ restarts: 1, remaining: 0 });
    const records = await allRecords(requestId);
    expect(records).toHaveLength(250);
    expect(new Set(records.map((x) => x.data.ListID)).size).toBe(250);
  });

  it('needs qbXML 5.0: an older QuickBooks refuses a paged query, nothing sent', async () => {
    h = await startHarness();
    const { requestId } = await enqueue({ qbxml: '<CustomerQueryRq/>', pageSize: 100 });
    const qb = new EchoQuickBooks();
    qb.hcp = qb.hcp.replace(/<SupportedQBXMLVersion>(?:[5-9]|1\d)\.\d<\/SupportedQBXMLVersion>/g, '');
    await h.run(qb, { qbxmlVersion: { major: 4, minor: 1 } });
    expect(qb.received).toEqual([]);
    const r = await get(requestId);
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('QBXML_VERSION_UNSUPPORTED');
    expect(r.sentAt).toBeNull();
  });
});

describe('pageSize is checked before anything is queued', () => {
  async function refused(body: unknown) {
    h ??= await startHarness();
    const err = await enqueue(body).then(
      () => undefined,
      (e: { status?: number; field?: string; message?: string }) => e,
    );
    expect(err?.status, JSON.stringify(body)).toBe(400);
    expect(err?.field, JSON.stringify(body)).toBe('pageSize');
    return err?.message as string;
  }

  it('refuses a page size below the minimum or above the maximum, naming pageSize, in plain words', async () => {
    // (How the field is put before the message belongs to the contract's error rendering.)
    expect(await refused({ type: 'CustomerQuery', params: {}, pageSize: MIN_PAGE_SIZE - 1 })).toMatch(
      new RegExp(`^pageSize:? must be at least ${MIN_PAGE_SIZE} records per page \\(each page is one Web Connector round trip\\)$`),
    );
    expect(await refused({ type: 'CustomerQuery', params: {}, pageSize: 1 })).toMatch(/at least 100/);
    expect(await refused({ qbxml: '<CustomerQueryRq/>', pageSize: 10 })).toMatch(/at least 100/);
    expect(await refused({ type: 'CustomerQuery', params: {}, pageSize: MAX_PAGE_SIZE + 1 })).toMatch(/at most 10000/);
    expect(await refused({ type: 'CustomerQuery', params: {}, pageSize: 150.5 })).toMatch(/whole number/);
    // Directly through the service too (no contract in front of it).
    expect(() => (h as Harness).companion.services.requests.enqueue((h as Harness).instance.instanceId, { type: 'CustomerQuery', params: {}, priority: 0, retryOnStaleEditSequence: false, pageSize: 5 })).toThrow(
      /pageSize must be a whole number from 100 to 10000/,
    );
  });

  it('refuses pageSize with MaxReturned as ambiguous, and on what cannot be paged', async () => {
    expect(await refused({ type: 'CustomerQuery', params: { MaxReturned: 500 }, pageSize: 100 })).toMatch(/either MaxReturned .* or pageSize .*not both/);
    expect(await refused({ qbxml: '<CustomerQueryRq><MaxReturned>500</MaxReturned></CustomerQueryRq>', pageSize: 100 })).toMatch(/not both/);
    expect(await refused({ type: 'CustomerAdd', params: { Name: 'X' }, pageSize: 100 })).toMatch(/CustomerAdd can't be paged/);
    expect(await refused({ type: 'CompanyQuery', params: {}, pageSize: 100 })).toMatch(/CompanyQuery can't be paged/);
    expect(await refused({ requests: [{ type: 'CustomerQuery' }, { type: 'ItemQuery' }], pageSize: 100 })).toMatch(/holds 2 requests/);
    expect(await refused({ qbxml: '<CustomerQueryRq/><ItemQueryRq/>', pageSize: 100 })).toMatch(/holds 2 requests/);
    expect(await refused({ type: 'CustomerQuery', params: { ListID: ['80000001-1'] }, pageSize: 100 })).toMatch(/CustomerQuery can't be paged as written/);
    expect(await refused({ qbxml: '<InvoiceQueryRq><RefNumber>A-1</RefNumber></InvoiceQueryRq>', pageSize: 100 })).toMatch(/InvoiceQuery can't be paged as written/);
    expect(await refused({ qbxml: '<CustomerQueryRq iterator="Start"/>', pageSize: 100 })).toMatch(/iterator attributes itself/);
    expect((await h?.companion.handlers.listRequests({ instanceId: (h as Harness).instance.instanceId, limit: 10 }))?.data).toEqual([]);
  });

  it('answers over REST with a 400 naming pageSize', async () => {
    h = await startHarness();
    const res = await fetch(`${h.companion.url}/api/v1/instances/${h.instance.instanceId}/requests`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.companion.apiToken}` },
      body: JSON.stringify({ type: 'CustomerQuery', params: {}, pageSize: 10 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { field: string; message: string } };
    expect(body.error.field).toBe('pageSize');
    expect(body.error.message).toMatch(/^pageSize:? must be at least 100 records per page/);
  });

  it('documents pageSize and pages in the OpenAPI document', async () => {
    h = await startHarness();
    const doc = JSON.stringify(await (await fetch(`${h.companion.url}/api/v1/openapi.json`)).json());
    expect(doc).toContain('"pageSize"');
    expect(doc).toContain('"pages"');
    expect(doc).toMatch(/MaxReturned \(which keeps Intuit's meaning/);
  });
});
