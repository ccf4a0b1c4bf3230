/**
 * The qbXML engine end to end: JSON requests through the REST contract, the simulated
 * Web Connector and the simulated QuickBooks company (which validates element order
 * against the schema and answers with real status codes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import type { QuickBooksHost } from '../../main/simulator/web-connector';
import { HCP_QB2014, type Harness, startHarness } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const TZ = 'America/New_York';

/** Through the contract, as REST and the CLI do: validated, defaults applied. */
async function enqueue(body: unknown) {
  return invoke((h as Harness).companion.handlers, 'enqueueRequest', { params: { instanceId: (h as Harness).instance.instanceId }, body });
}
const get = (id: string) => (h as Harness).companion.handlers.getRequest({ requestId: id });
const status = (id: string) => (h as Harness).companion.store.requests.get(id)?.status;

async function allRecords(id: string): Promise<{ type: string; data: any }[]> {
  const out: { type: string; data: any }[] = [];
  let cursor: string | undefined;
  do {
    const page = await (h as Harness).companion.handlers.listRecords({ requestId: id, limit: 7, cursor });
    out.push(...(page.data as { type: string; data: any }[]));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('JSON requests', () => {
  it('builds requests in schema order from JSON in any key order, and returns parsed JSON beside the raw qbXML', async () => {
    h = await startHarness({ timeZone: TZ });
    const qb = new FakeQuickBooks({ timeZone: TZ });
    const item = qb.items()[0]?.FullName as string;
    const cust = await enqueue({ type: 'CustomerAdd', params: { Phone: '555-0100', Name: 'Café Zürich', CompanyName: 'Café Zürich AG' } });
    const inv = await enqueue({
      type: 'InvoiceAdd',
      params: {
        InvoiceAdd: {
          InvoiceLineAdd: [
            { Rate: '19.99', Quantity: '3', ItemRef: { FullName: item } },
            { Amount: 45.5, ItemRef: { FullName: item } },
          ],
          Memo: 'first & only',
          RefNumber: 'J-1',
          CustomerRef: { FullName: 'Café Zürich' },
        },
      },
    });
    expect(inv.idempotencyKey).toEqual(expect.any(String)); // every write gets one
    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');

    const c = await get(cust.requestId);
    expect(c.status).toBe('done');
    expect(c.qbxml).toMatch(/^<CustomerAddRq><CustomerAdd><Name>Caf&#233; Z&#252;rich<\/Name><CompanyName>/);
    const customerRet = (c.parsed as any).CustomerAddRs[0].CustomerRet;
    expect(customerRet.Name).toBe('Café Zürich');
    expect(typeof customerRet.Sublevel).toBe('number');

    const i = await get(inv.requestId);
    expect(i.status).toBe('done');
    const ret = (i.parsed as any).InvoiceAddRs[0].InvoiceRet;
    expect(ret.Subtotal).toBe('105.47'); // 3 × 19.99 + 45.50, exact decimal strings
    expect(ret.InvoiceLineRet).toHaveLength(2);
    expect(ret.ExternalGUID).toMatch(/^\{[0-9A-F-]{36}\}$/); // the companion's marker
    expect(i.json?.[0]?.type).toBe('InvoiceAddRq');
    expect((await allRecords(inv.requestId)).map((r) => r.type)).toEqual(['InvoiceRet']);
  });

  it('refuses invalid JSON before anything reaches QuickBooks, naming the field and the rule', async () => {
    h = await startHarness();
    const cases: [unknown, string, RegExp][] = [
      [{ type: 'CustomerAdd', params: { Nmae: 'x' } }, 'params.Nmae', /Nmae/],
      [{ type: 'CustomerAdd', params: { Name: 'x'.repeat(42) } }, 'params.Name', /41/],
      [{ type: 'InvoiceAdd', params: { InvoiceAdd: { CustomerRef: { FullName: 'A' }, InvoiceLineAdd: [{ Quantity: 'three' }] } } }, 'params.InvoiceAdd.InvoiceLineAdd[0].Quantity', /Quantity/],
      [{ type: 'CustomerQuery', params: { ListID: ['1'], MaxReturned: 5 } }, 'params', /either|one of/i],
      [{ type: 'FrobnicateAdd', params: {} }, 'type', /FrobnicateAdd/],
      [[{ type: 'CustomerQuery' }, { type: 'CustomerAdd', params: {} }], '[1].params', /Name/],
    ];
    for (const [body, field, message] of cases) {
      const err = await enqueue(body).then(
        () => null,
        (e: { status: number; field: string; message: string }) => e,
      );
      expect(err, JSON.stringify(body)).not.toBeNull();
      expect(err?.status).toBe(400);
      expect(err?.field?.startsWith(field), `${err?.field} vs ${field}`).toBe(true);
      expect(err?.message).toMatch(message);
    }
  });

  it('sends an array as one message set and reports every response', async () => {
    h = await startHarness();
    const { requestId } = await enqueue([
      { type: 'CustomerQuery', params: { MaxReturned: 1 } },
      { type: 'ItemQuery', params: { MaxReturned: 2 } },
    ]);
    await h.run(new FakeQuickBooks());
    const r = await get(requestId);
    expect(r.types).toEqual(['CustomerQueryRq', 'ItemQueryRq']);
    expect(r.results.map((x) => x.type)).toEqual(['CustomerQueryRs', 'ItemQueryRs']);
    expect(r.recordCount).toBe(3);
  });

  it('returns the first request again for a repeated idempotency key, and refuses the key for different content', async () => {
    h = await startHarness();
    const body = { type: 'CustomerAdd', params: { Name: 'Once' }, idempotencyKey: 'order-42' };
    const a = await enqueue(body);
    const b = await enqueue(body);
    expect(b.requestId).toBe(a.requestId);
    await expect(enqueue({ ...body, params: { Name: 'Twice' } })).rejects.toMatchObject({ status: 409, field: 'idempotencyKey' });
  });
});

describe('qbXML version gating', () => {
  it('refuses a request a QuickBooks 2014 (qbXML 13.0) cannot take, and sends it to a 16.0 host', async () => {
    h = await startHarness();
    // EmployeeDefaultQuery is not in qbXML 14.0 (it came with 15.0 or 16.0).
    const old = await enqueue({ type: 'EmployeeDefaultQuery', params: {} });
    const other = await enqueue({ type: 'CustomerQuery', params: { MaxReturned: 1 } });
    const qb2014 = new FakeQuickBooks({ supportedVersions: ['1.0', '2.0', '3.0', '4.0', '5.0', '6.0', '7.0', '8.0', '9.0', '10.0', '11.0', '12.0', '13.0'] });
    const refused = await h.run(qb2014, { qbxmlVersion: { major: 13, minor: 0 } });
    const r = await get(old.requestId);
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('QBXML_VERSION_UNSUPPORTED');
    // Named after the QuickBooks of this very session (its HCP came with the same call), and counted.
    expect(r.error?.userFacingMessage).toMatch(/^QuickBooks Enterprise Solutions 24\.0 is too old for this request/);
    expect(refused.message).toMatch(/1 completed, 1 failed/);
    expect(r.error?.developerMessage).toMatch(/qbXML 15\.0.*up to qbXML 13\.0/);
    expect(r.sentAt).toBeNull(); // never reached QuickBooks
    expect(status(other.requestId)).toBe('done'); // the rest of the queue went on

    const again = await enqueue({ type: 'EmployeeDefaultQuery', params: {} });
    const report = await h.run(new FakeQuickBooks());
    expect(String(report.transcript.find((t) => t.method === 'sendRequestXML')?.result)).toContain('<?qbxml version="16.0"?>');
    expect((await get(again.requestId)).sentAt).not.toBeNull();
  });
});

describe('records of answers that are asked again', () => {
  it('keeps a retried batch\'s records once, from the answer that stood', async () => {
    let clock = Date.now();
    h = await startHarness({ now: () => clock });
    const qb = new FakeQuickBooks();
    // A lock on the second element: the whole message set goes again, the first element's records with it.
    qb.injectFailure({ requestType: 'ItemQueryRq', statusCode: 3180, statusMessage: 'There was an error when saving. QuickBooks error message: This list has been modified by another user.' });
    const { requestId } = await enqueue([{ type: 'CustomerQuery', params: {} }, { type: 'ItemQuery', params: {} }]);
    await h.run(qb);
    expect(status(requestId)).toBe('queued');
    expect(await allRecords(requestId)).toEqual([]);
    clock += 120_000;
    await h.run(qb);
    expect(status(requestId)).toBe('done');
    const records = await allRecords(requestId);
    expect(records).toHaveLength(qb.customers().length + qb.items().length);
    expect((await get(requestId)).recordCount).toBe(records.length);
  });

  it('keeps no records of an answer cut short by malformed qbXML', async () => {
    h = await startHarness();
    const id = h.enqueue('<CustomerQueryRq><MaxReturned>5</MaxReturned></CustomerQueryRq>');
    const broken = {
      companyFile: 'C:\\Company\\test.qbw',
      hcpResponse: () => HCP_QB2014,
      processRequest: (xml: string) => {
        const rid = /requestID="([^"]+)"/.exec(xml)?.[1] ?? '';
        return {
          response:
            `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="${rid}" statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
            '<CustomerRet><ListID>1</ListID><Name>A</Name></CustomerRet><CustomerRet><ListID>2</ListID><Name>B &#1;</Name></CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>',
        };
      },
      endSession: () => undefined,
    };
    await h.run(broken);
    await h.run(broken);
    await h.run(broken);
    expect(status(id)).toBe('error');
    expect(await allRecords(id)).toEqual([]);
    expect((await get(id)).recordCount).toBe(0);
  });
});

describe('iterators (pageSize)', () => {
  /** Adds customers straight into the company until it holds `n` (no Web Connector round trips). */
  function seedCustomers(qb: FakeQuickBooks, n: number) {
    const adds = Array.from({ length: n - qb.customers().length }, (_, i) => `<CustomerAddRq><CustomerAdd><Name>Customer ${String(i).padStart(3, '0')}</Name></CustomerAdd></CustomerAddRq>`).join('');
    const r = qb.processRequest(`<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${adds}</QBXMLMsgsRq></QBXML>`);
    expect('response' in r && !/statusSeverity="Error"/.test(r.response)).toBe(true);
    return qb.customers().length;
  }

  /** The query ended done, after `restarts` restarts, with every one of `total` records once. */
  async function expectWholeResult(requestId: string, total: number, restarts: number) {
    const r = await get(requestId);
    expect(r.status).toBe('done');
    expect(r.iterator?.restarts).toBe(restarts);
    const records = await allRecords(requestId);
    expect(records).toHaveLength(total);
    expect(new Set(records.map((x) => x.data.ListID)).size).toBe(total);
  }

  it('pages a query with pageSize through iterators in one session and serves one logical result', async () => {
    h = await startHarness();
    const qb = new FakeQuickBooks();
    const total = seedCustomers(qb, 230);
    const { requestId } = await enqueue({ type: 'CustomerQuery', params: {}, pageSize: 100 });
    const report = await h.run(qb);
    const sent = report.transcript.filter((t) => t.method === 'sendRequestXML').map((t) => String(t.result)).filter(Boolean);
    expect(sent[0]).toContain('iterator="Start"');
    expect(sent.slice(1).every((x) => /iterator="Continue" iteratorID="\{/.test(x))).toBe(true);
    expect(sent).toHaveLength(Math.ceil(total / 100));
    const r = await get(requestId);
    expect(r.status).toBe('done');
    expect(r.iterator).toMatchObject({ pages: Math.ceil(total / 100), remaining: 0, restarts: 0 });
    expect(r.attempts).toBe(1); // pages are not attempts
    const records = await allRecords(requestId);
    expect(records).toHaveLength(total);
    expect(new Set(records.map((x) => x.data.ListID)).size).toBe(total);
  });

  it('starts over when a Continue page comes back unreadable, rather than continue past the lost page', async () => {
    h = await startHarness();
    const qb = new FakeQuickBooks();
    const total = seedCustomers(qb, 250);
    const { requestId } = await enqueue({ type: 'CustomerQuery', params: {}, pageSize: 100 });
    let spoiled = false;
    const flaky: QuickBooksHost = {
      companyFile: qb.companyFile,
      hcpResponse: (ownerId, fileId) => qb.hcpResponse(ownerId, fileId),
      endSession: () => qb.endSession(),
      processRequest: (xml) => {
        const answer = qb.processRequest(xml);
        if (spoiled || !/iterator="Continue"/.test(xml) || !('response' in answer)) return answer;
        spoiled = true; // the second page, cut short by a character XML forbids
        return { response: answer.response.replace('</Name>', '&#1;</Name>') };
      },
    };
    expect((await h.run(flaky)).outcome).toBe('completed');
    expect(spoiled).toBe(true);
    await expectWholeResult(requestId, total, 1);
  });

  it('restarts after the session ends mid-iteration, without duplicates or gaps', async () => {
    h = await startHarness();
    const qb = new FakeQuickBooks();
    const total = seedCustomers(qb, 250);
    const { requestId } = await enqueue({ type: 'CustomerQuery', params: {}, pageSize: 100 });
    // The Web Connector stops after QuickBooks answered the second page.
    const broken = await h.run(qb, { abortAfterProcessing: (_x, i) => i === 1 });
    expect(broken.outcome).toBe('aborted');
    const dataDir = h.dataDir;
    await h.stop(); // QBWC gone, companion restarts: the session (and QuickBooks' iterator) is over
    h = await startHarness({ dataDir });
    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    await expectWholeResult(requestId, total, 1);
  });
});

describe('write safety', () => {
  it('never produces two invoices when the companion dies between QuickBooks executing InvoiceAdd and the response', async () => {
    let clock = Date.parse('2024-03-10T06:50:00Z'); // 01:50 in New York, ten minutes before DST starts
    h = await startHarness({ timeZone: TZ, now: () => clock });
    const qb = new FakeQuickBooks({ timeZone: TZ, now: () => new Date(clock) });
    const item = qb.items()[0]?.FullName as string;
    const { requestId } = await enqueue({
      type: 'InvoiceAdd',
      params: { CustomerRef: { FullName: qb.customers()[0]?.FullName }, InvoiceLineAdd: [{ ItemRef: { FullName: item }, Amount: '100.00' }] },
    });
    const crashed = await h.run(qb, { abortAfterProcessing: () => true });
    expect(crashed.outcome).toBe('aborted');
    expect(qb.invoices()).toHaveLength(1); // QuickBooks did it

    clock += 30 * 60_000; // after the DST jump: QuickBooks now prints offsets wrong by an hour
    const dataDir = h.dataDir;
    await h.stop();
    h = await startHarness({ dataDir, timeZone: TZ, now: () => clock });
    expect(status(requestId)).toBe('unknown_outcome');

    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    expect(qb.invoices()).toHaveLength(1); // not sent again
    const r = await get(requestId);
    expect(r.status).toBe('done');
    expect(r.statusMessage).toMatch(/Confirmed in QuickBooks/);
    const check = h.companion.store.requests.children(requestId)[0];
    expect(check?.purpose).toBe('reconcile');
    expect(check?.types).toEqual(['InvoiceQueryRq']);
  });

  it('re-sends a write whose absence QuickBooks proves', async () => {
    h = await startHarness({ timeZone: TZ });
    const qb = new FakeQuickBooks({ timeZone: TZ });
    const { requestId } = await enqueue({ type: 'CustomerAdd', params: { Name: 'Lost In Transit' } });
    const soap = h.soap();
    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const sent = String(await soap.call('sendRequestXML', { ticket: ticket as string, strHCPResponse: qb.hcpResponse(h.instance.ownerId, h.instance.fileId), strCompanyFileName: qb.companyFile, qbXMLCountry: 'US', qbXMLMajorVers: 16, qbXMLMinorVers: 0 }));
    expect(sent).toContain('Lost In Transit');
    soap.close();
    // The Web Connector vanished before QuickBooks ever saw it; the session expires.
    h.companion.store.sessions.update(h.companion.store.sessions.activeFor(h.instance.instanceId)[0]!.id, { lastSeenAt: 0 });
    h.companion.qbwc.expireIdle();
    expect(status(requestId)).toBe('unknown_outcome');
    await h.run(qb);
    expect(status(requestId)).toBe('done');
    expect(qb.customers().filter((c) => c.Name === 'Lost In Transit')).toHaveLength(1);
  });

  it('re-reads the EditSequence and retries a Mod on 3200 when the caller allowed it', async () => {
    h = await startHarness();
    const qb = new FakeQuickBooks();
    const customer = qb.customers()[0]!;
    const stale = { ListID: customer.ListID, EditSequence: '1', Phone: '555-0199' };
    const refused = await enqueue({ type: 'CustomerMod', params: stale });
    const retried = await enqueue({ type: 'CustomerMod', params: { ...stale, Phone: '555-0123' }, retryOnStaleEditSequence: true });
    await h.run(qb);
    const r1 = await get(refused.requestId);
    expect(r1).toMatchObject({ status: 'error', statusCode: 3200 });
    expect(r1.error?.category).toBe('stale_edit_sequence');
    expect(r1.error?.userFacingMessage).toBeTruthy();
    // Sent once: the same EditSequence again could only fail again.
    expect(h.companion.store.requests.get(refused.requestId)?.attempts).toBe(1);
    const r2 = await get(retried.requestId);
    expect(r2.status).toBe('done');
    // Once stale, once after the re-read.
    expect(h.companion.store.requests.get(retried.requestId)?.attempts).toBe(2);
    const phone = qb.customers().find((c) => c.ListID === customer.ListID)?.fields.find((f) => f.name === 'Phone');
    expect(phone?.text).toBe('555-0123');
    expect(h.companion.store.requests.children(retried.requestId).map((c) => c.purpose)).toEqual(['refresh']);
  });

  it('retries a write QuickBooks refused because the record was locked, later', async () => {
    let clock = Date.now();
    h = await startHarness({ now: () => clock });
    const qb = new FakeQuickBooks();
    qb.injectFailure({ requestType: 'CustomerAddRq', statusCode: 3180, statusMessage: 'There was an error when saving a Customer list, element "Locky". QuickBooks error message: This list has been modified by another user.' });
    const { requestId } = await enqueue({ type: 'CustomerAdd', params: { Name: 'Locky' } });
    await h.run(qb);
    expect(status(requestId)).toBe('queued');
    clock += 120_000;
    await h.run(qb);
    expect(status(requestId)).toBe('done');
    expect(qb.customers().filter((c) => c.Name === 'Locky')).toHaveLength(1);
  });
});
