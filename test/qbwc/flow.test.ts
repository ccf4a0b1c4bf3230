import { afterEach, describe, expect, it } from 'vitest';
import { ADD, EchoQuickBooks, type Harness, QUERY, startHarness } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});


describe('a full simulated QBWC session', () => {
  it('follows the Guide\'s call order, sends HCP once, negotiates the version and stores every response', async () => {
    h = await startHarness();
    const ids = [h.enqueue(QUERY), h.enqueue(ADD), h.enqueue(QUERY, 5)];
    const qb = new EchoQuickBooks();
    const report = await h.run(qb);

    expect(report.outcome).toBe('completed');
    expect(report.message).toBe('Done. 3 requests completed.');
    expect(report.transcript.map((t) => t.method)).toEqual([
      'serverVersion',
      'clientVersion',
      'authenticate',
      'sendRequestXML',
      'receiveResponseXML',
      'sendRequestXML',
      'receiveResponseXML',
      'sendRequestXML',
      'receiveResponseXML',
      'closeConnection',
    ]);
    const sends = report.transcript.filter((t) => t.method === 'sendRequestXML');
    expect(sends.map((t) => String(t.args.strHCPResponse).length > 0)).toEqual([true, false, false]);
    // Priority first, then FIFO; the 2014 host lists up to 13.0, so 13.0 is stamped.
    expect(qb.received.map((x) => /requestID="([^"]+)"/.exec(x)?.[1])).toEqual([ids[2], ids[0], ids[1]]);
    for (const x of qb.received) expect(x).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?><\?qbxml version="13\.0"\?><QBXML><QBXMLMsgsRq onError="stopOnError">/);
    expect(report.transcript.filter((t) => t.method === 'receiveResponseXML').map((t) => t.result)).toEqual([33, 66, 100]);

    for (const id of ids) {
      const r = await h.companion.handlers.getRequest({ requestId: id });
      expect(r.status).toBe('done');
      expect(r.statusCode).toBe(0);
      expect(r.response).toContain(`requestID="${id}"`);
    }
    const sessions = await h.companion.handlers.listSessions({ instanceId: h.instance.instanceId, limit: 10 });
    expect(sessions.data[0]).toMatchObject({ status: 'closed', qbxmlVersion: '13.0', productName: 'QuickBooks Pro 2014', requestsDone: 3, clientVersion: '2.3.0.215' });
  });

  it('speaks RPC/encoded to a QWC with Style=RPC', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    const report = await h.run(new EchoQuickBooks(), { style: 'RPC' });
    expect(report.outcome).toBe('completed');
  });

  it('stamps 16.0 for a host that supports it and never more than the host lists', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    const qb = new EchoQuickBooks();
    qb.hcp = qb.hcp.replace('<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>', '<SupportedQBXMLVersion>13.0</SupportedQBXMLVersion><SupportedQBXMLVersion>14.0</SupportedQBXMLVersion><SupportedQBXMLVersion>16.0</SupportedQBXMLVersion><SupportedQBXMLVersion>17.0</SupportedQBXMLVersion>');
    await h.run(qb);
    expect(qb.received[0]).toContain('<?qbxml version="16.0"?>');
  });
});

describe('authenticate', () => {
  it('answers nvu for a wrong password or an unknown user, always with four strings', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    const soap = h.soap();
    for (const [user, pass] of [
      ['tester', 'wrong password'],
      ['nobody', 'correct horse battery'],
    ]) {
      const auth = (await soap.call('authenticate', { strUserName: user as string, strPassword: pass as string })) as string[];
      expect(auth).toHaveLength(4);
      expect(auth[0]?.length).toBeGreaterThanOrEqual(43); // 256-bit ticket
      expect(auth.slice(1)).toEqual(['nvu', '', '']);
      expect(await soap.call('closeConnection', { ticket: auth[0] as string })).toMatch(/password/);
    }
    soap.close();
  });

  it('locks a user name out for a while after repeated failures, even with the right password', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    const soap = h.soap();
    for (let i = 0; i < 4; i++) await soap.call('authenticate', { strUserName: 'tester', strPassword: 'nope' });
    const locked = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(locked[1]).toBe('nvu');
    expect(await soap.call('getLastError', { ticket: locked[0] as string })).toMatch(/Too many wrong passwords/);
    soap.close();
  });

  it('answers none when nothing is queued, with the min-run-every slot from the instance', async () => {
    h = await startHarness({ instance: { minRunEverySeconds: 300, postponeSeconds: 45 } });
    const report = await h.run(new EchoQuickBooks());
    expect(report.outcome).toBe('no_work');
    expect(report.transcript.find((t) => t.method === 'authenticate')?.result).toEqual([expect.any(String), 'none', '45', '300']);
    expect(report.message).toMatch(/nothing waiting/);
  });

  it('answers busy while a session of another machine is active for the instance, and the company path when set', async () => {
    h = await startHarness({ instance: { qbdPath: 'C:\\Company\\test.qbw' } });
    h.enqueue(QUERY);
    const soap = h.soap();
    const first = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(first.slice(1)).toEqual(['C:\\Company\\test.qbw', '', '']);
    // From this machine a new login would take the session over (see recovery.test.ts); from another it waits.
    const second = await h.companion.qbwc.authenticate({ strUserName: 'tester', strPassword: h.password }, { ipAddress: '192.0.2.7', connection: {} });
    expect(second[1]).toBe('busy');
    await soap.call('closeConnection', { ticket: first[0] as string });
    const third = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(third[1]).toBe('C:\\Company\\test.qbw');
    soap.close();
  });
});

describe('NoOp, connectionError, unknown tickets', () => {
  it('lingers with NoOp after the queue empties, sends work that arrives meanwhile, then ends', async () => {
    h = await startHarness({ instance: { lingerSeconds: 1 } });
    h.enqueue(QUERY);
    const qb = new EchoQuickBooks();
    let late: string | undefined;
    const report = await h.run(qb, {
      noopDelayMs: 100,
      onCall: (e) => {
        if (e.method === 'getLastError' && e.result === 'NoOp' && !late) late = h?.enqueue(ADD);
      },
    });
    expect(report.noops).toBeGreaterThan(1);
    expect(qb.received).toHaveLength(2);
    expect(qb.received[1]).toContain(`requestID="${late}"`);
    expect(report.outcome).toBe('ended');
    expect(report.message).toBe('Done. 2 requests completed.');
  });

  it('retries once with a configured alternate company file, then says done', async () => {
    h = await startHarness({ instance: { qbdPath: 'C:\\Old\\moved.qbw', alternateCompanyFiles: ['C:\\Company\\test.qbw'] } });
    h.enqueue(QUERY);
    const report = await h.run(new EchoQuickBooks());
    expect(report.outcome).toBe('completed');
    const ce = report.transcript.filter((t) => t.method === 'connectionError');
    expect(ce.map((t) => t.result)).toEqual(['C:\\Company\\test.qbw']);

    h.enqueue(QUERY);
    const failing = await h.run(new EchoQuickBooks(), { canOpen: () => ({ hresult: '0x80040408', message: 'Could not start QuickBooks.' }) });
    expect(failing.outcome).toBe('connection_failed');
    expect(failing.transcript.filter((t) => t.method === 'connectionError').map((t) => t.result)).toEqual(['C:\\Company\\test.qbw', 'done']);
    expect(failing.message).toMatch(/QuickBooks/);
  });

  it('never faults on an unknown ticket', async () => {
    h = await startHarness();
    const soap = h.soap();
    const ticket = 'not-a-ticket';
    expect(await soap.call('sendRequestXML', { ticket, strHCPResponse: '', strCompanyFileName: '', qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 })).toBe('');
    expect(await soap.call('getLastError', { ticket })).toMatch(/not known to QBWC Companion/);
    expect(await soap.call('receiveResponseXML', { ticket, response: '<QBXML/>', hresult: '', message: '' })).toBe(-1);
    expect(await soap.call('connectionError', { ticket, hresult: '0x80040408', message: 'x' })).toBe('done');
    expect(await soap.call('closeConnection', { ticket })).toMatch(/Update Selected/);
    expect(await soap.call('interactiveDone', { wcTicket: ticket })).toBe('Done');
    soap.close();
  });
});

describe('responses that are errors', () => {
  it('records a qbXML error status with an actionable message and carries on', async () => {
    h = await startHarness();
    const bad = h.enqueue('<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Nobody</FullName></CustomerRef></InvoiceAdd></InvoiceAddRq>');
    const good = h.enqueue(QUERY);
    const qb = new EchoQuickBooks(undefined, (type) =>
      type === 'InvoiceAdd'
        ? { status: 'statusCode="3140" statusSeverity="Error" statusMessage="There is an invalid reference to QuickBooks Customer &quot;Nobody&quot; in the Invoice."' }
        : {},
    );
    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    const r = await h.companion.handlers.getRequest({ requestId: bad });
    expect(r).toMatchObject({ status: 'error', statusCode: 3140, statusSeverity: 'Error' });
    expect(r.error?.userFacingMessage).toMatch(/Nobody/);
    expect(r.error?.retryable).toBe(false);
    expect((await h.companion.handlers.getRequest({ requestId: good })).status).toBe('done');
  });

  it('puts a locked write back in the queue for later instead of failing it', async () => {
    h = await startHarness();
    const id = h.enqueue(ADD);
    const qb = new EchoQuickBooks(undefined, () => ({ status: 'statusCode="3180" statusSeverity="Error" statusMessage="There was an error when saving a Customer list, element &quot;X&quot;. QuickBooks error message: This list has been modified by another user."' }));
    await h.run(qb);
    const r = h.companion.store.requests.get(id);
    expect(r?.status).toBe('queued');
    expect(r?.notBefore).toBeGreaterThan(Date.now());
    expect(r?.error?.category).toBe('locked');
  });

  it('treats a parse HRESULT as a failed request (never applied) and a connection HRESULT as the end of the session', async () => {
    h = await startHarness();
    const a = h.enqueue(ADD);
    const b = h.enqueue(QUERY);
    const qb = new EchoQuickBooks(undefined, (type) =>
      type === 'CustomerAdd'
        ? { hresult: '0x80040400', message: 'QuickBooks found an error when parsing the provided XML text stream.' }
        : { hresult: '0x80040408', message: 'Could not start QuickBooks.' },
    );
    const report = await h.run(qb);
    expect((await h.companion.handlers.getRequest({ requestId: a })).status).toBe('error');
    expect(report.outcome).toBe('error');
    expect(report.message).toMatch(/QuickBooks/);
    expect((await h.companion.handlers.getRequest({ requestId: b })).status).toBe('queued');
  });
});

describe('company file guard', () => {
  it('learns the company, then refuses to send anything when a different company file is open', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    expect((await h.run(new EchoQuickBooks())).outcome).toBe('completed');
    const learned = (await h.companion.handlers.getInstance({ instanceId: h.instance.instanceId })).company;
    expect(learned).toMatchObject({ name: 'myCompany', path: 'C:\\Company\\test.qbw', productName: 'QuickBooks Pro 2014' });

    const id = h.enqueue(ADD);
    const other = new EchoQuickBooks('D:\\Other\\books.qbw');
    other.hcp = other.hcp.replace('<CompanyName>myCompany</CompanyName>', '<CompanyName>Someone Else Ltd</CompanyName>');
    const report = await h.run(other);
    expect(other.received).toHaveLength(0);
    expect(report.outcome).toBe('ended');
    expect(report.message).toMatch(/Someone Else Ltd.*belongs to "myCompany"/);
    expect((await h.companion.handlers.getRequest({ requestId: id })).status).toBe('queued');

    // Without the file's stamp, a moved file can't be told from another company's copy.
    const moved = new EchoQuickBooks('E:\\Backup\\test.qbw');
    expect((await h.run(moved)).outcome).toBe('ended');
    expect(moved.received).toHaveLength(0);
    // The bookkeeper confirms it by forgetting the learned company; the next session relearns it.
    await h.companion.handlers.forgetCompany({ instanceId: h.instance.instanceId });
    expect((await h.run(moved)).outcome).toBe('completed');
    expect(moved.received).toHaveLength(1);
    expect((await h.companion.handlers.getInstance({ instanceId: h.instance.instanceId })).company?.path).toBe('E:\\Backup\\test.qbw');
  });

  it("trusts QBWC's FileID stamp: a moved and renamed file carrying it is the same company, one without it is not", async () => {
    h = await startHarness();
    const ownerId = h.instance.ownerId;
    const stamped = (file: string, name: string, fileId: string) => {
      const qb = new EchoQuickBooks(file);
      qb.hcp = qb.hcp
        .replaceAll('{512349B1-1111-2222-3333-000DE1813D20}', ownerId)
        .replace(/(<DataExtName>FileID<\/DataExtName><DataExtType>[^<]*<\/DataExtType><DataExtValue>)[^<]*/, `$1${fileId}`)
        .replace('<CompanyName>myCompany</CompanyName>', `<CompanyName>${name}</CompanyName>`);
      return qb;
    };
    h.enqueue(QUERY);
    expect((await h.run(stamped('C:\\Company\\test.qbw', 'myCompany', h.instance.fileId))).outcome).toBe('completed');
    expect((await h.companion.handlers.getInstance({ instanceId: h.instance.instanceId })).company?.fileId).toBe(h.instance.fileId);

    h.enqueue(QUERY);
    const moved = stamped('E:\\Moved\\renamed.qbw', 'myCompany Inc', h.instance.fileId);
    expect((await h.run(moved)).outcome).toBe('completed');
    expect(moved.received).toHaveLength(1);
    // The same GUID however it is written.
    h.enqueue(QUERY);
    const bare = stamped('E:\\Moved\\renamed.qbw', 'myCompany Inc', h.instance.fileId.replace(/[{}]/g, '').toLowerCase());
    expect((await h.run(bare)).outcome).toBe('completed');

    const id = h.enqueue(ADD);
    // Same name and path as learned, but another file's stamp (a copy set up for another connection).
    const other = stamped('E:\\Moved\\renamed.qbw', 'myCompany Inc', '{00000000-0000-0000-0000-000000000001}');
    const report = await h.run(other);
    expect(other.received).toHaveLength(0);
    expect(report.message).toMatch(/another Web Connector file ID/);
    // No stamp at all, where the learned company had one.
    const unstamped = new EchoQuickBooks('E:\\Moved\\renamed.qbw');
    unstamped.hcp = unstamped.hcp.replace('<CompanyName>myCompany</CompanyName>', '<CompanyName>myCompany Inc</CompanyName>');
    expect((await h.run(unstamped)).message).toMatch(/does not carry its Web Connector file ID/);
    expect(unstamped.received).toHaveLength(0);
    expect((await h.companion.handlers.getRequest({ requestId: id })).status).toBe('queued');
  });

  it('does not let two sessions each changing one thing re-teach the instance another company', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    expect((await h.run(new EchoQuickBooks('C:\\QB\\Acme.qbw'))).outcome).toBe('completed');
    const id = h.enqueue(ADD);
    const renamedInPlace = new EchoQuickBooks('C:\\QB\\Acme.qbw');
    renamedInPlace.hcp = renamedInPlace.hcp.replace('<CompanyName>myCompany</CompanyName>', '<CompanyName>Globex</CompanyName>');
    expect((await h.run(renamedInPlace)).outcome).toBe('ended');
    expect(renamedInPlace.received).toHaveLength(0);
    expect((await h.companion.handlers.getInstance({ instanceId: h.instance.instanceId })).company).toMatchObject({ name: 'myCompany', path: 'C:\\QB\\Acme.qbw' });
    const original = new EchoQuickBooks('C:\\QB\\Acme.qbw');
    expect((await h.run(original)).outcome).toBe('completed');
    expect((await h.companion.handlers.getRequest({ requestId: id })).status).toBe('done');
  });
});
