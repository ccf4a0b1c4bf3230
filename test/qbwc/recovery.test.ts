import { afterEach, describe, expect, it } from 'vitest';
import { hashTicket } from '../../main/security/tokens';
import { ADD, EchoQuickBooks, HCP_QB2014, INVOICE_ADD, type Harness, QUERY, sendArgs, startHarness } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});


async function beginSession(harness: Harness): Promise<{ ticket: string; sent: string }> {
  const soap = harness.soap();
  const auth = (await soap.call('authenticate', { strUserName: 'tester', strPassword: harness.password })) as string[];
  const sent = String(await soap.call('sendRequestXML', sendArgs(auth[0] as string, HCP_QB2014)));
  soap.close();
  return { ticket: auth[0] as string, sent };
}

describe('restart in the middle of a session', () => {
  it('puts a query back in the queue and marks a write unknown_outcome, never re-sending it blindly', async () => {
    h = await startHarness();
    const write = h.enqueue(INVOICE_ADD, 1);
    const query = h.enqueue(QUERY);
    const { ticket, sent } = await beginSession(h);
    expect(sent).toContain(`requestID="${write}"`);
    const dataDir = h.dataDir;
    await h.stop(); // the companion goes away mid-session; closeConnection never comes

    h = await startHarness({ dataDir });
    const status = (id: string) => h?.companion.store.requests.get(id)?.status;
    expect(status(write)).toBe('unknown_outcome');
    expect(status(query)).toBe('queued');
    // Raw qbXML with no RefNumber, name or marker: nothing to look it up by, so a person decides.
    expect(h.companion.store.requests.get(write)?.error?.code).toBe('RECONCILE_INCONCLUSIVE');

    // QBWC carries on with its old ticket: nothing faults, getLastError explains.
    const soap = h.soap();
    expect(await soap.call('sendRequestXML', sendArgs(ticket))).toBe('');
    expect(await soap.call('getLastError', { ticket })).toMatch(/restarted/);

    // A new session sends the query but not the write.
    const qb = new EchoQuickBooks();
    const report = await h.run(qb);
    expect(report.outcome).toBe('completed');
    expect(qb.received).toHaveLength(1);
    expect(qb.received[0]).toContain(`requestID="${query}"`);
    expect(status(write)).toBe('unknown_outcome');

    // If the Web Connector still delivers the write's response, it settles the write.
    const late = new EchoQuickBooks().processRequest(sent) as { response: string };
    expect(await soap.call('receiveResponseXML', { ticket, response: late.response, hresult: '', message: '' })).toBe(-1);
    expect(status(write)).toBe('done');
    soap.close();
  });

  it('ends a session the companion stopped during as interrupted, with its counters, and its in-flight write unknown_outcome', async () => {
    h = await startHarness();
    const query = h.enqueue(QUERY, 1);
    const write = h.enqueue(INVOICE_ADD);
    const soap = h.soap();
    const ticket = ((await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[])[0] as string;
    const answer = new EchoQuickBooks().processRequest(String(await soap.call('sendRequestXML', sendArgs(ticket, HCP_QB2014)))) as { response: string };
    expect(await soap.call('receiveResponseXML', { ticket, response: answer.response, hresult: '', message: '' })).toBe(50);
    expect(await soap.call('sendRequestXML', sendArgs(ticket))).toContain(write);
    soap.close();
    const dataDir = h.dataDir;
    await h.stop();

    h = await startHarness({ dataDir });
    expect(h.companion.store.requests.get(write)?.status).toBe('unknown_outcome');
    expect(h.companion.store.requests.get(query)?.status).toBe('done');
    const [session] = h.companion.store.sessions.page(h.instance.instanceId, 10, null).sessions;
    expect(session).toMatchObject({ status: 'interrupted', requestsSent: 2, requestsDone: 1, inFlightId: null });
  });

  it('recovers the in-flight request when sendRequestXML is called again out of sequence', async () => {
    h = await startHarness();
    const write = h.enqueue(INVOICE_ADD, 1);
    const query = h.enqueue(QUERY);
    const soap = h.soap();
    const auth = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const ticket = auth[0] as string;
    expect(await soap.call('sendRequestXML', sendArgs(ticket, HCP_QB2014))).toContain(write);
    // Again, without a receiveResponseXML: the write's fate is unknown; the query goes out.
    expect(await soap.call('sendRequestXML', sendArgs(ticket))).toContain(query);
    expect(h.companion.store.requests.get(write)?.status).toBe('unknown_outcome');
    expect(await soap.call('sendRequestXML', sendArgs(ticket))).toContain(query);
    expect(h.companion.store.requests.get(query)?.attempts).toBe(2);
    soap.close();
  });
});

describe('idle sessions', () => {
  it('expire after the idle timeout: the in-flight write is recovered and a new session is not busy', async () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    h = await startHarness({ now: () => now });
    const write = h.enqueue(INVOICE_ADD);
    h.enqueue(QUERY);
    const { ticket } = await beginSession(h);
    now += 16 * 60_000;
    const soap = h.soap();
    expect(await soap.call('receiveResponseXML', { ticket, response: '', hresult: '', message: '' })).toBe(-1);
    expect(await soap.call('getLastError', { ticket })).toMatch(/idle for too long/);
    expect(h.companion.store.requests.get(write)?.status).toBe('unknown_outcome');
    const again = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(again[1]).toBe('');
    soap.close();
  });
});

describe('a Web Connector that dies mid-session', () => {
  it('is taken over by its next login from the same machine: the old session ends abandoned, and its write in flight is reconciled', async () => {
    h = await startHarness();
    const query = h.enqueue(QUERY, 2);
    const write = h.enqueue(ADD, 1);
    const soap = h.soap();
    const first = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    const ticket = first[0] as string;
    const qb = new EchoQuickBooks();
    const answer = qb.processRequest(String(await soap.call('sendRequestXML', sendArgs(ticket, HCP_QB2014)))) as { response: string };
    expect(await soap.call('receiveResponseXML', { ticket, response: answer.response, hresult: '', message: '' })).toBe(50);
    expect(await soap.call('sendRequestXML', sendArgs(ticket))).toContain(`requestID="${write}`);
    const store = h.companion.store;
    expect(store.requests.get(write)?.status).toBe('sent');
    // The Web Connector crashes here, the write with QuickBooks: no answer, no closeConnection. Restarted, it logs in again.
    const again = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(again[1]).not.toBe('busy');
    expect(store.sessions.byTicketHash(hashTicket(ticket))).toMatchObject({ status: 'abandoned', inFlightId: null, requestsDone: 1 });
    expect(await soap.call('getLastError', { ticket })).toMatch(/started a new update before finishing this one/);
    expect(store.requests.get(query)?.status).toBe('done');
    // Whether QuickBooks added the customer is unknown: a query asks before anything is sent again.
    expect(store.requests.get(write)?.status).toBe('unknown_outcome');
    const [check] = store.requests.children(write);
    expect(check).toMatchObject({ purpose: 'reconcile', status: 'queued' });
    expect(check?.body).toContain('Pine Street Bakery');
    const next = String(await soap.call('sendRequestXML', sendArgs(again[0] as string, HCP_QB2014)));
    expect(next).toContain(`requestID="${check?.id}`);
    soap.close();
  });

  it('is taken over with its query in flight: the query goes back to the queue and is sent again', async () => {
    h = await startHarness();
    const query = h.enqueue(QUERY);
    const soap = h.soap();
    const first = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(await soap.call('sendRequestXML', sendArgs(first[0] as string, HCP_QB2014))).toContain(`requestID="${query}`);
    const again = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(h.companion.store.requests.get(query)?.status).toBe('queued');
    expect(await soap.call('sendRequestXML', sendArgs(again[0] as string, HCP_QB2014))).toContain(`requestID="${query}`);
    soap.close();
  });

  it('still answers busy, with a postpone, to a login from another address while the session is open', async () => {
    h = await startHarness({ instance: { postponeSeconds: 45 } });
    h.enqueue(QUERY);
    h.enqueue(QUERY);
    const soap = h.soap();
    const first = (await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(await soap.call('sendRequestXML', sendArgs(first[0] as string, HCP_QB2014))).toContain('CustomerQueryRq');
    const elsewhere = await h.companion.qbwc.authenticate({ strUserName: 'tester', strPassword: h.password }, { ipAddress: '192.0.2.7', connection: {} });
    expect(elsewhere.slice(1)).toEqual(['busy', '45', '']);
    expect(h.companion.store.sessions.byTicketHash(hashTicket(first[0] as string))?.status).toBe('active');
    soap.close();
  });
});
