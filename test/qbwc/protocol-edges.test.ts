/**
 * What a Web Connector (or someone posing as one) can send that a careless server
 * mishandles: tickets from refused logins, responses naming requests their session was
 * never sent, elements the WSDL lets a .NET client leave out, connectionError's "done",
 * the interactive poll, qbXML hosts older than iterators, and a body whose encoding
 * only its XML declaration names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invoke } from '../../main/contract/invoke';
import { ADD, EchoQuickBooks, FIRST_SEND, HCP_QB2014, type Harness, QUERY, startHarness } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});


const addRs = (requestId: string) =>
  `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerAddRs requestID="${requestId}" statusCode="0" statusSeverity="Info" statusMessage="Status OK">` +
  '<CustomerRet><ListID>FAKE-1</ListID><Name>Pine Street Bakery</Name></CustomerRet></CustomerAddRs></QBXMLMsgsRs></QBXML>';

const responseCount = (x: Harness) => (x.companion.store.db.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;

describe('who may answer for a request', () => {
  it('ignores what a ticket from a refused login posts: nothing is settled or stored, and the login learns nothing', async () => {
    h = await startHarness({ instance: { minRunEverySeconds: 300 } });
    const id = h.enqueue(ADD);
    const soap = h.soap();
    const refused = (await soap.call('authenticate', { strUserName: 'tester', strPassword: 'a wrong guess' })) as string[];
    // Not even the user's own setting in slot 4: a refused login can't tell a real user from none.
    expect(refused.slice(1)).toEqual(['nvu', '', '']);
    expect(await soap.call('receiveResponseXML', { ticket: refused[0] as string, response: addRs(id), hresult: '', message: '' })).toBe(-1);
    soap.close();
    expect(h.companion.store.requests.get(id)).toMatchObject({ status: 'queued', responseId: null });
    expect(responseCount(h)).toBe(0);

    const qb = new EchoQuickBooks();
    expect((await h.run(qb)).outcome).toBe('completed');
    expect(qb.received).toHaveLength(1);
    expect(h.companion.store.requests.get(id)?.status).toBe('done');
  });

  it('does not let a session settle a request it was never sent', async () => {
    h = await startHarness();
    const first = h.enqueue(QUERY);
    const second = h.enqueue(ADD);
    const soap = h.soap();
    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const sent = String(await soap.call('sendRequestXML', { ticket: ticket as string, ...FIRST_SEND }));
    expect(sent).toContain(`requestID="${first}"`);
    // A response naming the queued write, which this session never got.
    await soap.call('receiveResponseXML', { ticket: ticket as string, response: addRs(second), hresult: '', message: '' });
    soap.close();
    expect(h.companion.store.requests.get(second)).toMatchObject({ status: 'queued', responseId: null });
  });
});

describe('after a session ended', () => {
  it('keeps a late answer only when it settles something: an old ticket is no way to fill the disk', async () => {
    h = await startHarness();
    const id = h.enqueue(QUERY);
    const soap = h.soap();
    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    await soap.call('sendRequestXML', { ticket: ticket as string, ...FIRST_SEND });
    const rs = `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="${id}" statusCode="0" statusSeverity="Info" statusMessage="Status OK"/></QBXMLMsgsRs></QBXML>`;
    expect(await soap.call('receiveResponseXML', { ticket: ticket as string, response: rs, hresult: '', message: '' })).toBe(100);
    await soap.call('closeConnection', { ticket: ticket as string });
    const before = responseCount(h);
    expect(await soap.call('receiveResponseXML', { ticket: ticket as string, response: addRs('not-a-request'), hresult: '', message: '' })).toBe(-1);
    soap.close();
    expect(responseCount(h)).toBe(before);
  });
});

describe('elements the WSDL declares optional', () => {
  it('reads a missing response, hresult or strVersion as empty instead of faulting', async () => {
    h = await startHarness();
    const id = h.enqueue(ADD);
    const soap = h.soap();
    expect(await soap.call('clientVersion', {})).toBe('');
    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(String(await soap.call('sendRequestXML', { ticket: ticket as string, ...FIRST_SEND }))).toContain(`requestID="${id}"`);
    // QuickBooks refused to parse the request; a .NET client leaves the null response out.
    const answer = await soap.call('receiveResponseXML', {
      ticket: ticket as string,
      hresult: '0x80040400',
      message: 'QuickBooks found an error when parsing the provided XML text stream.',
    });
    expect(answer).toBe(100); // that request failed; the session itself is fine
    soap.close();
    // Never applied, so an error — not the unknown_outcome a fault would have left behind.
    const r = h.companion.store.requests.get(id);
    expect(r?.status).toBe('error');
    expect(r?.hresult).toBe('0x80040400');
  });

  it('still faults when what a call means nothing without is missing', async () => {
    h = await startHarness();
    const soap = h.soap();
    await expect(soap.call('receiveResponseXML', { response: '', hresult: '', message: '' })).rejects.toThrow(/ticket.*missing/);
    soap.close();
  });
});

describe('ending and polling', () => {
  it('ends the session when connectionError answers done, so the next update is not "busy"', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    const soap = h.soap();
    const [ticket, slot] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(slot).toBe('');
    expect(await soap.call('connectionError', { ticket: ticket as string, hresult: '0x80040408', message: 'Could not start QuickBooks.' })).toBe('done');
    const again = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(again[1]).toBe('');
    // QBWC may still close the first ticket: it hears what went wrong.
    expect(String(await soap.call('closeConnection', { ticket: ticket as string }))).toMatch(/QuickBooks/);
    soap.close();
    const sessions = await invoke(h.companion.handlers, 'listSessions', { params: { instanceId: h.instance.instanceId } });
    expect(sessions.data.map((s) => s.status).sort()).toEqual(['active', 'closed']);
  });

  it('says at closeConnection that a change sent was never answered, instead of "nothing to send"', async () => {
    h = await startHarness();
    const id = h.enqueue(ADD);
    const soap = h.soap();
    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(String(await soap.call('sendRequestXML', { ticket: ticket as string, ...FIRST_SEND }))).toContain(id);
    expect(String(await soap.call('closeConnection', { ticket: ticket as string }))).toMatch(/^The last change got no answer from QuickBooks\. .*check whether it was saved/);
    soap.close();
    expect(h.companion.store.requests.get(id)?.status).toBe('unknown_outcome');
  });

  it('offers the interactive page only for a wrong company file, and answers interactiveDone "Continue" while it is open', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    expect((await h.run(new EchoQuickBooks())).outcome).toBe('completed'); // learns "myCompany"
    await invoke(h.companion.handlers, 'updateSettings', { body: { interactiveWrongCompany: true } });
    h.enqueue(QUERY);
    const soap = h.soap();
    // A refused login gets no page: it could otherwise make the instance forget its company.
    const [refused] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: 'a wrong guess' })) as string[];
    expect(await soap.call('getInteractiveURL', { wcTicket: refused as string, sessionID: '' })).toBe('');

    const [ticket] = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const other = { ...FIRST_SEND, strCompanyFileName: 'D:\\Other\\books.qbw', strHCPResponse: HCP_QB2014.replace('<CompanyName>myCompany</CompanyName>', '<CompanyName>Someone Else Ltd</CompanyName>') };
    expect(await soap.call('sendRequestXML', { ticket: ticket as string, ...other })).toBe('');
    expect(await soap.call('getLastError', { ticket: ticket as string })).toBe('Interactive mode');
    const url = String(await soap.call('getInteractiveURL', { wcTicket: ticket as string, sessionID: '' }));
    expect(url).toMatch(/^http:\/\/localhost:\d+\/interactive\//);
    expect(await soap.call('interactiveDone', { wcTicket: ticket as string })).toBe('Continue');
    const page = await fetch(url.replace(/^http:\/\/localhost:\d+/, h.companion.url), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'action=accept' });
    expect(await page.text()).toContain('Thank you');
    expect(await soap.call('interactiveDone', { wcTicket: ticket as string })).toBe('Done');
    soap.close();
    expect((await invoke(h.companion.handlers, 'getInstance', { params: { instanceId: h.instance.instanceId } })).company).toBeNull();
  });

  it('offers no interactive page to a Web Connector on another PC: the page is served on this machine only', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    expect((await h.run(new EchoQuickBooks())).outcome).toBe('completed'); // learns "myCompany"
    await invoke(h.companion.handlers, 'updateSettings', { body: { interactiveWrongCompany: true } });
    h.enqueue(QUERY);
    const qbwc = h.companion.qbwc;
    const [ticket] = await qbwc.authenticate({ strUserName: 'tester', strPassword: h.password }, { ipAddress: '192.0.2.7', connection: {} });
    const other = { ...FIRST_SEND, strCompanyFileName: 'D:\\Other\\books.qbw', strHCPResponse: HCP_QB2014.replace('<CompanyName>myCompany</CompanyName>', '<CompanyName>Someone Else Ltd</CompanyName>') };
    expect(qbwc.sendRequestXML({ ticket: ticket as string, ...other })).toBe('');
    expect(qbwc.getLastError({ ticket: ticket as string })).toMatch(/not the one this connection uses|company file/i);
    expect(qbwc.getInteractiveURL({ wcTicket: ticket as string, sessionID: '' })).toBe('');
  });
});

describe('hosts older than qbXML iterators (5.0)', () => {
  it('sends a query with MaxReturned as a plain query (as to every host), and refuses a paged one it could not page', async () => {
    h = await startHarness();
    const id = h.enqueue(QUERY);
    const paged = h.companion.services.requests.enqueue(h.instance.instanceId, { qbxml: '<CustomerQueryRq/>', priority: 0, retryOnStaleEditSequence: false, pageSize: 100 }).requestId;
    const qb = new EchoQuickBooks();
    qb.hcp = qb.hcp.replace(/<SupportedQBXMLVersion>(?:[5-9]|1\d)\.\d<\/SupportedQBXMLVersion>/g, '');
    // One sent, one refused before sending.
    expect((await h.run(qb, { qbxmlVersion: { major: 4, minor: 1 } })).message).toMatch(/1 completed, 1 failed/);
    expect(qb.received).toHaveLength(1);
    expect(qb.received[0]).toContain('<?qbxml version="4.1"?>');
    expect(qb.received[0]).not.toContain('iterator=');
    expect(h.companion.store.requests.get(id)?.status).toBe('done');
    // Without iterators it would get only its first page: refused, nothing sent.
    expect(h.companion.store.requests.get(paged)).toMatchObject({ status: 'error', sentAt: null, error: { code: 'QBXML_VERSION_UNSUPPORTED' } });

    // A host that has them pages a query queued with pageSize, and still sends MaxReturned plain.
    const again = h.companion.services.requests.enqueue(h.instance.instanceId, { qbxml: '<CustomerQueryRq/>', priority: 0, retryOnStaleEditSequence: false, pageSize: 100 }).requestId;
    const plain = h.enqueue(QUERY);
    const modern = new EchoQuickBooks();
    await h.run(modern);
    expect(modern.received[0]).toContain(`requestID="${again}" iterator="Start"><MaxReturned>100</MaxReturned>`);
    expect(modern.received[1]).toContain(`requestID="${plain}"><MaxReturned>1</MaxReturned>`);
  });
});

describe('the body encoding', () => {
  it('follows the XML declaration when the Content-Type names no charset', async () => {
    h = await startHarness();
    await invoke(h.companion.handlers, 'createInstance', { body: { name: 'Umlaut GmbH', username: 'umlaut', password: 'pässwörd-123' } });
    const envelope = (encoding: string) =>
      `<?xml version="1.0" encoding="${encoding}"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
      '<authenticate xmlns="http://developer.intuit.com/"><strUserName>umlaut</strUserName><strPassword>pässwörd-123</strPassword></authenticate></soap:Body></soap:Envelope>';
    const post = async (body: Buffer, contentType: string) => {
      const res = await fetch(`${h?.companion.url}/qbwc`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
      return { status: res.status, text: await res.text() };
    };
    const latin1 = await post(Buffer.from(envelope('ISO-8859-1'), 'latin1'), 'text/xml');
    expect(latin1.status).toBe(200);
    expect(latin1.text).not.toContain('nvu');
    // The header wins when it names one.
    const utf8 = await post(Buffer.from(envelope('ISO-8859-1'), 'utf8'), 'text/xml; charset=utf-8');
    expect(utf8.text).not.toContain('nvu');
    const unknown = await post(Buffer.from(envelope('EBCDIC-FR'), 'latin1'), 'text/xml');
    expect(unknown.status).toBe(500);
    expect(unknown.text).toMatch(/Unsupported charset "EBCDIC-FR"/);
  });
});
