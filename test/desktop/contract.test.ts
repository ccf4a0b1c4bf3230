/**
 * What the desktop UI needs from the core, end to end through a running companion: the
 * overview a bookkeeper reads, pause and sync windows (nothing lost), the event log's
 * search and CSV, retry and reconcile, opening a QWC file, and browser sign-in with
 * live updates over server-sent events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoQuickBooks, HCP_QB2014, type Harness, INVOICE_ADD, QUERY, sendArgs, startHarness, tempDir } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const connection = (harness: Harness) => {
  const c = harness.companion.handlers.getOverview({});
  return (c as Exclude<typeof c, Promise<unknown>>).connections[0];
};

describe('the overview', () => {
  it('goes from new to idle after a good sync, and shows the product, qbXML version and what is waiting', async () => {
    h = await startHarness();
    expect(connection(h)).toMatchObject({ state: 'new', lastSession: null, nextExpectedAt: null, company: null });
    h.enqueue(QUERY);
    h.enqueue(QUERY.replace('1', '2'));
    expect(connection(h)?.queue.queued).toBe(2);
    const seen: string[] = [];
    h.companion.events.onAll((name, payload) => seen.push(`${name} ${JSON.stringify(payload)}`));
    const report = await h.run(new EchoQuickBooks());
    expect(report.outcome).toBe('completed');
    // The tray and notifications learn progress, and that this was the connection's first good sync.
    expect(seen.filter((e) => e.startsWith('session.progress')).map((e) => JSON.parse(e.split(' ')[1] as string).percent)).toEqual([50, 100]);
    expect(JSON.parse((seen.find((e) => e.startsWith('session.ended')) as string).slice('session.ended '.length))).toMatchObject({
      status: 'closed',
      requestsDone: 2,
      requestsFailed: 0,
      firstSuccess: true,
      lastError: null,
    });
    h.enqueue(QUERY);
    seen.length = 0;
    await h.run(new EchoQuickBooks());
    expect(seen.find((e) => e.startsWith('session.ended'))).toContain('"firstSuccess":false');
    const after = connection(h);
    expect(after).toMatchObject({ state: 'idle', headline: 'Up to date', action: null, queue: { queued: 0, sent: 0, error: 0, unknown_outcome: 0 } });
    expect(after?.company).toMatchObject({ productName: 'QuickBooks Pro 2014', qbxmlVersion: '13.0' });
    expect(after?.lastSession).toMatchObject({ status: 'closed', requestsDone: 1, requestsFailed: 0 });
    expect(after?.lastSuccessAt).toBe(after?.lastSession?.endedAt);
    expect(Date.parse(after?.nextExpectedAt as string) - Date.parse(after?.lastSession?.startedAt as string)).toBe(60 * 60_000);
  });

  it('needs attention for a refused password, with the fix in plain words', async () => {
    h = await startHarness();
    const ended: string[] = [];
    h.companion.events.on('session.ended', (e) => ended.push(`${e.status}: ${e.lastError}`));
    await h.run(new EchoQuickBooks(), { password: 'wrong password!' });
    // A refused login is a whole session too: the tray and the UI learn of it at once.
    expect(ended).toEqual([expect.stringMatching(/^rejected: The Web Connector password for this application does not match/)]);
    expect(connection(h)).toMatchObject({ state: 'attention', headline: "Web Connector's password was refused" });
    expect(connection(h)?.action).toMatch(/enter the password shown in QBWC Companion/);
  });

  it('shows a failed request as an error, and a write whose outcome is unknown as needing attention', async () => {
    h = await startHarness();
    const failures: (string | null)[] = [];
    h.companion.events.on('request.completed', (e) => failures.push(e.userFacingMessage));
    h.enqueue(QUERY);
    await h.run(new EchoQuickBooks('C:\\Company\\test.qbw', () => ({ status: 'statusCode="3100" statusSeverity="Error" statusMessage="The name is in use."' })));
    expect(connection(h)).toMatchObject({ state: 'error', headline: '1 request failed in the last 24 hours', queue: { error: 1 } });
    expect(failures).toEqual([expect.stringMatching(/\S/)]);

    const write = h.enqueue(INVOICE_ADD);
    // The write goes out, and its Web Connector dies before QuickBooks' answer comes back:
    // the next login from that PC takes over, and the write's outcome is unknown.
    const soap = h.soap();
    const login = async () => ((await soap.call('authenticate', { strUserName: 'tester', strPassword: h?.password as string })) as string[])[0] as string;
    const ticket = await login();
    expect(String(await soap.call('sendRequestXML', sendArgs(ticket, HCP_QB2014)))).toContain('<InvoiceAddRq');
    await login();
    expect(h.companion.store.requests.get(write)?.status).toBe('unknown_outcome');
    expect(connection(h)).toMatchObject({ state: 'attention', headline: '1 change may or may not have reached QuickBooks', queue: { unknown_outcome: 1 } });
    expect(connection(h)?.action).toMatch(/Check in QuickBooks/);
  });
});

describe('pausing syncing', () => {
  it('answers the Web Connector "none" while paused, loses nothing, and syncs once resumed', async () => {
    h = await startHarness();
    const changes: boolean[] = [];
    h.companion.events.on('settings.changed', (e) => changes.push(e.paused));
    const id = h.enqueue(QUERY);
    await h.companion.handlers.updateSettings({ body: { paused: true } });
    const paused = await h.run(new EchoQuickBooks());
    expect(paused.outcome).toBe('no_work');
    expect(h.companion.store.requests.get(id)?.status).toBe('queued');
    expect(connection(h)).toMatchObject({ state: 'paused', headline: 'Syncing is paused', queue: { queued: 1 } });
    const sessions = await h.companion.handlers.listSessions({ instanceId: h.instance.instanceId, limit: 5 });
    expect(sessions.data[0]?.status).toBe('paused');

    await h.companion.handlers.updateSettings({ body: { paused: false } });
    expect((await h.run(new EchoQuickBooks())).outcome).toBe('completed');
    expect(h.companion.store.requests.get(id)?.status).toBe('done');
    expect(changes).toEqual([true, false]);
  });

  it('keeps a connection outside its sync window waiting, and tells the Web Connector when to come back', async () => {
    // Wednesday 2026-12-09 12:00 UTC; the window is Sunday only.
    const now = Date.parse('2026-12-09T12:00:00Z');
    h = await startHarness({ now: () => now, timeZone: 'UTC', instance: { syncWindow: { days: [0], start: '09:00', end: '17:00' } } });
    h.enqueue(QUERY);
    const [, slot1, postpone] = (await h.soap().call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(slot1).toBe('none');
    expect(Number(postpone)).toBe(86_400); // Sunday 09:00 is 3 days 21 hours away: asked again in a day
    expect(connection(h)).toMatchObject({ inSyncWindow: false });
    const bad = await h.companion.handlers.updateInstance({ instanceId: h.instance.instanceId, body: { syncWindow: null } });
    expect(bad.syncWindow).toBeNull();
    const [, open] = (await h.soap().call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[];
    expect(open).not.toBe('none');
  });
});

describe('the event log', () => {
  it('searches text, filters by session and connection, and exports CSV a spreadsheet cannot run', async () => {
    h = await startHarness();
    h.enqueue(QUERY);
    await h.run(new EchoQuickBooks());
    const { handlers } = h.companion;
    const all = await handlers.listAllEvents({ limit: 500 });
    const sessionId = all.data.find((e) => e.sessionId)?.sessionId as string;
    const inSession = await handlers.listAllEvents({ sessionId, limit: 500 });
    expect(inSession.data.length).toBeGreaterThan(2);
    expect(inSession.data.every((e) => e.sessionId === sessionId)).toBe(true);
    const found = await handlers.listAllEvents({ q: 'CUSTOMERQUERY', limit: 500 });
    expect(found.data.map((e) => e.action)).toContain('request.queued');
    expect(found.data.every((e) => `${e.action} ${e.detail} ${e.result} ${e.user}`.toLowerCase().includes('customerquery'))).toBe(true);
    expect((await handlers.listAllEvents({ q: '100%_', limit: 10 })).data).toEqual([]); // LIKE's wildcards are text here

    // A detail starting with "=" would be a formula in a spreadsheet.
    h.companion.store.events.append({ clientId: h.instance.instanceId, timestamp: Date.now(), user: 'api', action: 'note', detail: '=HYPERLINK("x"),"y"', result: 'ok', sessionId: null, requestId: null });
    const csv = [...(handlers.exportEvents({ instanceId: h.instance.instanceId }) as Iterable<string>)].join('');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,connection,action,result,detail,user,sessionId,requestId,logId');
    expect(lines).toHaveLength(all.data.length + 2);
    expect(lines[1]).toContain(`Test Company,note,ok,"'=HYPERLINK(""x""),""y""",api`);
  });
});

describe('retry and reconcile', () => {
  it('queues a failed request again as a new one, and refuses what is not failed', async () => {
    h = await startHarness();
    const id = h.enqueue(QUERY);
    await h.run(new EchoQuickBooks('C:\\Company\\test.qbw', () => ({ status: 'statusCode="500" statusSeverity="Error" statusMessage="Nope"' })));
    expect(h.companion.store.requests.get(id)?.status).toBe('error');
    // The requests a session sent, for its timeline.
    const sessionId = h.companion.store.requests.get(id)?.sessionId as string;
    const sent = await h.companion.handlers.listRequests({ instanceId: h.instance.instanceId, sessionId, limit: 10 });
    expect(sent.data.map((r) => r.requestId)).toEqual([id]);
    expect((await h.companion.handlers.listRequests({ instanceId: h.instance.instanceId, sessionId: 'another', limit: 10 })).data).toEqual([]);
    const again = await h.companion.handlers.retryRequest({ requestId: id });
    expect(again.requestId).not.toBe(id);
    expect(h.companion.store.requests.get(again.requestId)?.body).toBe(h.companion.store.requests.get(id)?.body);
    await expect(async () => h?.companion.handlers.retryRequest({ requestId: again.requestId })).rejects.toMatchObject({ status: 409, code: 'not_retryable' });
    await expect(async () => h?.companion.handlers.reconcileRequest({ requestId: id })).rejects.toMatchObject({ status: 409, code: 'outcome_known' });
  });
});

describe('the environment', () => {
  it('says where the data lives, where it listens and what the Web Connector is told', async () => {
    h = await startHarness({ durability: 'full' });
    const e = await h.companion.handlers.getEnvironment({});
    expect(e).toMatchObject({ dataDir: path.resolve(h.dataDir), port: h.companion.port, durability: 'full' });
    expect(e.webConnectorUrl).toBe(h.instance.appUrl);
  });
});

describe('opening a QWC file in the Web Connector', () => {
  it('saves it in the data folder and hands it to the system, or says what to do instead', async () => {
    const opened: string[] = [];
    h = await startHarness({ openFile: async (file) => (opened.push(file), true) });
    const result = await h.companion.handlers.openQwcInWebConnector({ instanceId: h.instance.instanceId });
    expect(result).toMatchObject({ opened: true, path: path.join(h.dataDir, 'qwc', 'Test Company.qwc') });
    expect(opened).toEqual([result.path]);
    expect(fs.readFileSync(result.path, 'utf8')).toContain(`<FileID>${h.instance.fileId}</FileID>`);
  });
});

describe('browser mode', () => {
  it('signs a browser in with a one-time link, then the cookie stands for the token, streams live events, and serves the UI', async () => {
    const uiDir = tempDir();
    fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>UI</title>');
    fs.mkdirSync(path.join(uiDir, 'assets'));
    fs.writeFileSync(path.join(uiDir, 'assets', 'app-1234.js'), 'console.log(1)');
    h = await startHarness({ uiDir });
    const base = h.companion.url;
    const { url } = await h.companion.handlers.createLoginCode({});
    const link = new URL(url);
    expect(link.pathname).toBe('/login');

    expect((await fetch(`${base}/api/v1/overview`)).status).toBe(401);
    const login = await fetch(`${base}${link.pathname}${link.search}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^qbwc_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
    const session = cookie.split(';')[0] as string;
    // The link works once.
    expect((await fetch(`${base}${link.pathname}${link.search}`, { redirect: 'manual' })).status).toBe(401);

    const overview = await fetch(`${base}/api/v1/overview`, { headers: { cookie: session } });
    expect(overview.status).toBe(200);
    expect(((await overview.json()) as { connections: unknown[] }).connections).toHaveLength(1);
    expect((await fetch(`${base}/api/v1/overview`, { headers: { cookie: 'qbwc_session=forged' } })).status).toBe(401);
    // A browser saves the event log's CSV as a file, streamed.
    const csv = await fetch(`${base}/api/v1/events/export`, { headers: { cookie: session } });
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename=qbwc-companion-events.csv');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);

    // Live updates: the stream says it is ready, then passes on domain events as they commit.
    const controller = new AbortController();
    const stream = await fetch(`${base}/api/v1/stream`, { headers: { cookie: session }, signal: controller.signal });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until(/event: ready/);
    const id = h.enqueue(QUERY);
    await until(/event: request\.queued\ndata: .*\n\n/);
    expect(text).toContain(`"requestId":"${id}"`);
    controller.abort();

    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>UI</title>');
    expect((await fetch(`${base}/assets/app-1234.js`)).headers.get('cache-control')).toContain('immutable');
    // Nothing outside the UI folder: the app page instead.
    expect(await (await fetch(`${base}/..%2f..%2fapi-token`)).text()).toContain('<title>UI</title>');
    expect(await (await fetch(`${base}/connections/123`)).text()).toContain('<title>UI</title>');
  });
});

describe('domain events', () => {
  it('a listener that fails is reported and never reaches the caller; the others still hear of it', async () => {
    h = await startHarness();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const heard: string[] = [];
    h.companion.events.on('request.queued', () => {
      throw new Error('listener bug');
    });
    h.companion.events.onAll((name) => heard.push(name));
    try {
      expect(() => h?.enqueue(QUERY)).not.toThrow();
      await new Promise((resolve) => setImmediate(resolve));
      expect(heard).toContain('request.queued');
      expect(warnings.some((w) => w.includes('request.queued') && w.includes('listener bug'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
