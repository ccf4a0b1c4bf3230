/**
 * The UI in browser mode, driven as a bookkeeper would: a real companion (the built code)
 * serving the built UI, signed in with a one-time link, a simulated Web Connector and
 * QuickBooks company syncing while the pages are watched — without ever reloading them.
 * Every page is checked with axe and photographed into test-results/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Companion } from '../../main/companion';
import { validateQwc } from '../../main/qwc/validate';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { createSoapClient } from '../../main/simulator/soap-client';
import { runWebConnectorSession } from '../../main/simulator/web-connector';
import { silentLogger } from '../../main/logger';
import { INVOICE_ADD, tempDir } from '../helpers';
import { assertUiBuilt, expectAccessible, expectNotReloaded, launch, markPage, newPage, ROOT, screenshot, type Watched } from './browser';

const compiled = () => require(path.join(ROOT, 'dist', 'main', 'companion.js')) as typeof import('../../main/companion');

let companion: Companion;
let browser: Browser;
let watched: Watched;
let page: Page;
/** What the bookkeeper learned in the wizard, and the company Web Connector talks to. */
const setup = { instanceId: '', password: '', ownerId: '', fileId: '', username: '' };
const company = new FakeQuickBooks();

async function api(method: string, route: string, body?: unknown): Promise<any> {
  const res = await fetch(`${companion.url}/api/v1${route}`, {
    method,
    headers: { Authorization: `Bearer ${companion.apiToken}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Another app queues work for QuickBooks, as the API's users do. */
const enqueue = (qbxml: string, idempotencyKey?: string) => api('POST', `/instances/${setup.instanceId}/requests`, { qbxml, ...(idempotencyKey ? { idempotencyKey } : {}) });

/** The Web Connector runs once, with the password and QWC from the wizard. */
const runSession = (password = setup.password) =>
  runWebConnectorSession({
    url: `${companion.url}/qbwc`,
    username: setup.username,
    password,
    ownerId: setup.ownerId,
    fileId: setup.fileId,
    quickbooks: company,
    noopDelayMs: 20,
  });

/**
 * A session driven call by call, so the page can be watched while it runs: stops after the
 * first of the queued requests, and `finish` does the rest.
 */
async function startSessionByHand() {
  const soap = createSoapClient(`${companion.url}/qbwc`);
  await soap.call('clientVersion', { strVersion: '2.3.0.215' });
  const [ticket] = (await soap.call('authenticate', { strUserName: setup.username, strPassword: setup.password })) as string[];
  const exchange = async (first: boolean): Promise<number> => {
    const request = String(
      await soap.call('sendRequestXML', {
        ticket: ticket as string,
        strHCPResponse: first ? company.hcpResponse(setup.ownerId, setup.fileId) : '',
        strCompanyFileName: company.companyFile,
        qbXMLCountry: 'US',
        qbXMLMajorVers: 16,
        qbXMLMinorVers: 0,
      }),
    );
    const answer = company.processRequest(request);
    return Number(await soap.call('receiveResponseXML', { ticket: ticket as string, response: 'response' in answer ? answer.response : '', hresult: '', message: '' }));
  };
  const percent = await exchange(true);
  return {
    percent,
    async finish() {
      while ((await exchange(false)) < 100);
      await soap.call('closeConnection', { ticket: ticket as string });
      company.endSession();
      soap.close();
    },
  };
}

const go = async (hash: string) => {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  await page.locator('h1').first().waitFor();
};

beforeAll(async () => {
  assertUiBuilt();
  companion = await compiled().startCompanion({ dataDir: tempDir('qbwc-ui-'), port: 0, logger: silentLogger });
  browser = await launch();
  watched = await newPage(browser);
  page = watched.page;
});

// A failing step leaves a picture of what the bookkeeper would have seen.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}`);
});

afterAll(async () => {
  await browser?.close();
  await companion?.stop();
});

describe('browser mode, as a bookkeeper', () => {
  it('without a sign-in, the page says how to get one', async () => {
    await page.goto(`${companion.url}/`);
    await page.getByText('This page needs a fresh sign-in link').waitFor();
    expect(await page.getByText('qbwc-companion open').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'the sign-in page');
    await screenshot(page, '00-sign-in-needed');
  });

  it('a one-time link signs in and shows the empty connections page', async () => {
    const { url } = await api('POST', '/login-codes');
    await page.goto(url);
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    await markPage(page);
    await expectAccessible(page, 'the empty connections page');
    await screenshot(page, '01-connections-empty');
  });

  it('adds a connection through the guided setup: password once, QWC file valid', async () => {
    await page.getByRole('link', { name: 'Add a connection' }).click();
    await page.getByRole('heading', { name: 'Add a connection' }).waitFor();
    await page.getByRole('textbox', { name: /^Name/ }).fill('Pine Street Bakery');
    await page.getByRole('button', { name: 'Create the connection' }).click();
    const password = page.getByLabel('Password for Web Connector');
    await password.waitFor();
    setup.password = await password.inputValue();
    expect(setup.password.length).toBeGreaterThanOrEqual(16);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download QWC file' }).click()]);
    expect(download.suggestedFilename()).toBe('Pine Street Bakery.qwc');
    const qwc = fs.readFileSync(await download.path(), 'utf8');
    expect(validateQwc(qwc)).toMatchObject({ valid: true, errors: [] });
    setup.username = /<UserName>([^<]+)<\/UserName>/.exec(qwc)?.[1] ?? '';
    setup.ownerId = /<OwnerID>([^<]+)<\/OwnerID>/.exec(qwc)?.[1] ?? '';
    setup.fileId = /<FileID>([^<]+)<\/FileID>/.exec(qwc)?.[1] ?? '';
    expect(setup.username).toBe('pine-street-bakery');
    const { data } = await api('GET', '/instances');
    setup.instanceId = data[0].instanceId;

    // Not Windows here: the companion says what to do instead of opening Web Connector.
    await page.getByRole('button', { name: 'Open in Web Connector' }).click();
    await page.getByText(/The QWC file was saved as .*Pine Street Bakery\.qwc/).waitFor();
    await page.getByText('Waiting for Web Connector to connect').waitFor();
    await expectAccessible(page, 'the guided setup');
    await screenshot(page, '02-add-connection');

    // A mistyped password in Web Connector: the check says so in plain words.
    expect((await runSession('not the password')).outcome).toBe('rejected');
    await page.getByText("Web Connector's password was refused").waitFor();
    await page.getByText(/click the Password field for this application/).waitFor();
    await screenshot(page, '03-add-connection-wrong-password');

    // The check waits in the queue, so Web Connector's first run opens QuickBooks; with the right
    // password and company, it turns green — without any app having queued anything.
    const queued = await api('GET', `/instances/${setup.instanceId}/requests?status=queued`);
    expect(queued.data).toMatchObject([{ types: ['CompanyQueryRq'], idempotencyKey: 'connection-check' }]);
    expect((await runSession()).outcome).toBe('completed');
    await page.getByText(/^Connected to Rock Castle Construction \(simulated\) in QuickBooks Enterprise/).waitFor();
    await expectAccessible(page, 'the guided setup, connected');
    await screenshot(page, '04-add-connection-connected');
    await expectNotReloaded(page);
  });

  it('the connections page follows the queue and a running session live', async () => {
    await page.getByRole('link', { name: 'Connections' }).click();
    const row = page.locator(`tr[data-connection="${setup.instanceId}"]`);
    await row.getByText('Nothing waiting', { exact: true }).waitFor();
    await row.locator('[data-state="idle"]').waitFor();

    // Two changes queued by an app appear without a reload…
    await enqueue('<CustomerAddRq><CustomerAdd><Name>Pine Street Bakery</Name><Phone>555-0100</Phone></CustomerAdd></CustomerAddRq>', 'add-1');
    await enqueue('<CustomerQueryRq><MaxReturned>2</MaxReturned></CustomerQueryRq>');
    await row.getByText('2 requests waiting', { exact: true }).waitFor();
    await expectAccessible(page, 'the connections page');
    await screenshot(page, '05-connections');

    // …the light shows the running session and its progress…
    const session = await startSessionByHand();
    expect(session.percent).toBe(50);
    await row.getByText('Syncing 50%').waitFor();
    await screenshot(page, '06-connections-syncing');
    // …and goes back to OK when it ends.
    await session.finish();
    await row.locator('[data-state="idle"]').waitFor();
    await row.getByText('Nothing waiting', { exact: true }).waitFor();
    await row.getByText('2 requests done').waitFor();
    await expectNotReloaded(page);
  });

  it('the connection page: what it is connected to, a chart, and a timeline of sessions with each call', async () => {
    await page.getByRole('link', { name: 'Pine Street Bakery' }).click();
    await page.getByRole('heading', { name: 'Pine Street Bakery', level: 1 }).waitFor();
    await page.getByText('QuickBooks Enterprise Solutions 24.0').waitFor();
    await page.getByRole('img', { name: /In the last 24 hours: 3 requests done, 0 failed/ }).waitFor();
    const sessions = page.locator('li[data-session]');
    await sessions.first().waitFor();
    const before = await sessions.count();
    expect(before).toBe(3); // the refused login, the first sync, the one watched above

    // The newest session, opened: each call with its time, the time since the one before, its outcome.
    await sessions.first().getByRole('button').click();
    const calls = page.getByRole('table', { name: 'Calls in this session' });
    await calls.getByText('Web Connector signed in').waitFor();
    await calls.getByText('Password OK, work to send').waitFor();
    await calls.getByText('QuickBooks company opened').waitFor();
    await calls.getByText('Web Connector closed the session').waitFor();
    // The requests it sent, merged in: what, when it finished, how long QuickBooks took.
    await calls.getByText('Sent to QuickBooks: CustomerAddRq').waitFor();
    await calls.getByText('Sent to QuickBooks: CustomerQueryRq').waitFor();
    expect(await calls.getByText(/^Done at .+ · \d+\.\d s in QuickBooks$/).count()).toBe(2);
    expect(await calls.getByText(/^\+\d+\.\d s$/).count()).toBe(4);
    await expectAccessible(page, 'the connection page');
    await screenshot(page, '07-connection-activity');
    // The first sync: the wizard's check, named in words.
    await sessions.nth(1).getByRole('button').click();
    await calls.getByText('Sent to QuickBooks: Connection check (reads the company name)').waitFor();

    // A new session shows up at the top by itself, with a progress bar while it runs.
    await enqueue('<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>');
    await enqueue('<CustomerQueryRq><MaxReturned>2</MaxReturned></CustomerQueryRq>');
    const session = await startSessionByHand();
    const progress = page.getByRole('progressbar');
    await progress.waitFor();
    expect(await progress.getAttribute('aria-valuetext')).toBe('50%');
    await sessions.first().getByText(/— Running · /).waitFor();
    await screenshot(page, '07b-connection-syncing');
    await session.finish();
    await progress.waitFor({ state: 'detached' });
    await expect.poll(() => sessions.count()).toBe(before + 1);
    await sessions.first().getByText(/— Finished · 2 requests done/).waitFor();
    await page.getByRole('img', { name: /In the last 24 hours: 5 requests done, 0 failed/ }).waitFor();
    await expectNotReloaded(page);
  });

  it('the queue by status: a QuickBooks error in plain words, personal data masked, retry and cancel', async () => {
    // Tabs by keyboard: arrow to the next one, and focus stays on it.
    await page.getByRole('tab', { name: 'Activity' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tablist', { name: 'Requests by status' }).waitFor();
    expect(await page.evaluate(`document.activeElement.getAttribute('role') + ' ' + document.activeElement.textContent`)).toBe('tab Requests');
    // The same customer again: QuickBooks refuses it (3100) and the bookkeeper is told why.
    await enqueue('<CustomerAddRq><CustomerAdd><Name>Pine Street Bakery</Name></CustomerAdd></CustomerAddRq>', 'add-2');
    await page.locator('tr[data-status="queued"]').getByText('CustomerAddRq').waitFor();
    expect((await runSession()).outcome).toBe('completed');
    await page.getByRole('tab', { name: 'Failed (1)' }).click();
    const failed = page.locator('tr[data-status="error"]');
    await failed.getByText('QuickBooks already has a record named "•••••"', { exact: false }).waitFor();
    expect(await failed.textContent()).not.toContain('Pine Street Bakery');
    await expectAccessible(page, 'the queue');
    await screenshot(page, '08-connection-queue-failed');

    // Its details: the qbXML and JSON, names hidden until asked for.
    await failed.getByRole('button', { name: 'CustomerAddRq', exact: true }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('QuickBooks could not do this').waitFor();
    const sent = drawer.getByRole('region', { name: 'The qbXML sent' }).or(drawer.getByLabel('The qbXML sent'));
    await sent.waitFor();
    expect(await sent.textContent()).toContain('<Name>•••••</Name>');
    await drawer.getByRole('tab', { name: 'Answer (qbXML)' }).click();
    expect(await drawer.getByLabel("QuickBooks' answer").textContent()).toContain('statusCode="3100"');
    await expectAccessible(page, 'the request details');
    await screenshot(page, '09-request-details');
    await drawer.getByRole('checkbox', { name: 'Show personal data' }).check();
    expect(await drawer.getByLabel("QuickBooks' answer").textContent()).toContain('Pine Street Bakery');
    await drawer.getByRole('tab', { name: 'JSON' }).click();
    expect(await drawer.getByLabel('The request and answer as JSON').textContent()).toContain('"Name": "Pine Street Bakery"');
    await drawer.getByRole('checkbox', { name: 'Show personal data' }).uncheck();
    expect(await drawer.getByLabel('The request and answer as JSON').textContent()).not.toContain('Pine Street Bakery');

    // Retry from the drawer: a copy waits for the next sync; cancel it from the queue.
    await drawer.getByRole('button', { name: 'Retry CustomerAddRq' }).click();
    await drawer.getByText('Queued again.').waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('tab', { name: /^Waiting/ }).click();
    const waiting = page.locator('tr[data-status="queued"]');
    await waiting.getByRole('button', { name: 'Cancel CustomerAddRq' }).click();
    await waiting.waitFor({ state: 'detached' });
    await page.getByText('Nothing is waiting to go to QuickBooks.').waitFor();
    await expectNotReloaded(page);
  });

  it('a write whose outcome is unknown: checked in QuickBooks, or given up', async () => {
    // An invoice (nothing in it QuickBooks could be asked about later) reaches QuickBooks, then
    // Web Connector crashes before passing the answer on; its next login ends that session.
    await enqueue(INVOICE_ADD, 'invoice-1');
    await runWebConnectorSession({
      url: `${companion.url}/qbwc`,
      username: setup.username,
      password: setup.password,
      ownerId: setup.ownerId,
      fileId: setup.fileId,
      quickbooks: company,
      abortAfterProcessing: () => true,
    });
    await runSession();
    await page.getByRole('tab', { name: 'Outcome unknown (1)' }).click();
    const unknown = page.locator('tr[data-status="unknown_outcome"]');
    await unknown.getByText('We could not confirm whether QuickBooks saved this change').waitFor();
    await unknown.getByRole('button', { name: 'Check in QuickBooks: InvoiceAddRq' }).click();
    await unknown.getByText('QuickBooks cannot be asked about this change').waitFor();
    await expectAccessible(page, 'the unknown outcomes');
    await screenshot(page, '10-connection-queue-unknown');
    // The bookkeeper looked in QuickBooks and gives up on it: nothing is left unknown.
    await unknown.getByRole('button', { name: 'Give up on InvoiceAddRq' }).click();
    await page.getByText('Every change sent to QuickBooks has a known outcome.').waitFor();
    await expectNotReloaded(page);
  });

  it('the event log: new events arrive by themselves, search and filters narrow it, CSV export', async () => {
    await page.getByRole('link', { name: 'Event log' }).click();
    await page.getByRole('heading', { name: 'Event log', level: 1 }).waitFor();
    const rows = page.locator('[data-testid="event-rows"] [role="row"]');
    await rows.first().waitFor();
    const countText = page.getByText(/^\d+ events/);
    const count = async () => Number(/^(\d+)/.exec((await countText.textContent()) ?? '')?.[1]);
    const before = await count();

    // Something happens elsewhere: the log shows it without a reload.
    await enqueue('<VendorQueryRq><MaxReturned>1</MaxReturned></VendorQueryRq>');
    await expect.poll(count).toBe(before + 1);
    await rows.first().getByText('Request queued').waitFor();
    await expectAccessible(page, 'the event log');
    await screenshot(page, '11-event-log');

    // Full-text search: the refused password, found by a word of its result.
    await page.getByRole('searchbox', { name: 'Search' }).fill('rejected');
    await expect.poll(count).toBeLessThan(before);
    expect((await rows.allTextContents()).every((row) => /Password refused|rejected/.test(row))).toBe(true);
    await rows.getByText('Password refused').first().waitFor();
    await screenshot(page, '12-event-log-search');
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await expect.poll(count).toBe(before + 1);

    // Only Web Connector sessions.
    await page.getByRole('combobox', { name: 'What' }).selectOption({ label: 'Web Connector sessions' });
    await expect.poll(count).toBeLessThan(before + 1);
    const actions = (await page.evaluate(
      `Array.from(document.querySelectorAll('[data-testid="event-rows"] [role="row"] [role="cell"]:nth-child(3)'), (c) => c.getAttribute('title'))`,
    )) as (string | null)[];
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((a) => a?.startsWith('session.'))).toBe(true);

    // Export what is shown, as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    // Straight from the API (the browser streams it to disk), not rebuilt in the page from a Blob.
    expect(new URL(download.url()).pathname).toBe('/api/v1/events/export');
    expect(new URL(download.url()).searchParams.get('action')).toBe('session.*');
    const csv = fs.readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
    expect(csv[0]).toMatch(/^time,connection,action,result,detail/);
    expect(csv.length - 1).toBe(await count());
    expect(csv.slice(1).every((line) => line.includes('session.'))).toBe(true);
    await expectNotReloaded(page);
  });

  it('pausing syncing: a banner, every connection paused, nothing lost; settings keep their errors next to the field', async () => {
    await page.getByRole('button', { name: 'Pause syncing' }).click();
    await page.getByText('Syncing is paused').waitFor();
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.locator(`tr[data-connection="${setup.instanceId}"] [data-state="paused"]`).waitFor();
    await screenshot(page, '13-connections-paused');
    // Web Connector is told there is nothing to do; what waits stays queued.
    await enqueue('<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>');
    expect((await runSession()).outcome).toBe('no_work');
    // This one and the vendor query queued while the event log was watched (a wait for "1 request waiting" matched the row as it was before).
    await page.locator(`tr[data-connection="${setup.instanceId}"]`).getByText(/^2 requests waiting/).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByRole('switch', { name: 'Pause all syncing' }).isChecked()).toBe(true);
    // Where it keeps its data and where the Web Connector finds it.
    const environment = await api('GET', '/environment');
    await page.getByText(environment.dataDir, { exact: true }).waitFor();
    await page.getByText(environment.webConnectorUrl, { exact: true }).waitFor();
    const version = page.getByRole('textbox', { name: 'Oldest Web Connector version accepted' });
    await version.fill('two point one');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The API's message, next to the field it names.
    const field = page.locator('.fui-Field').filter({ has: version });
    await field.getByText('Must look like 2.1.0.30.').waitFor();
    await expectAccessible(page, 'the settings with an error');
    await screenshot(page, '14-settings-error');
    await version.fill('2.1.0.30');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    expect((await api('GET', '/settings')).minimumClientVersion).toBe('2.1.0.30');

    await page.getByRole('button', { name: 'Resume syncing' }).click();
    await page.getByText('Syncing is paused').waitFor({ state: 'detached' });
    expect(await page.getByRole('switch', { name: 'Pause all syncing' }).isChecked()).toBe(false);
    await expectAccessible(page, 'the settings');
    await screenshot(page, '15-settings');
    await expectNotReloaded(page);
  });

  it('a connection\'s settings: rename, a sync window, errors next to their field, delete', async () => {
    await go(`#/connections/${setup.instanceId}/settings`);
    const name = page.getByRole('textbox', { name: /^Name/ });
    await name.fill(' ');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.locator('.fui-Field').filter({ has: name }).getByText('Must not be empty.').waitFor();
    await name.fill('Pine Street Bakery (main)');
    await page.getByRole('switch', { name: /Sync only at certain times/ }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Pine Street Bakery (main)', level: 1 }).waitFor();
    expect((await api('GET', `/instances/${setup.instanceId}`)).syncWindow).toEqual({ days: [1, 2, 3, 4, 5], start: '19:00', end: '07:00' });
    await page.getByText('(every 15 minutes, Mon–Fri, 19:00–07:00)').waitFor();
    // No day at all: refused, and said where.
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await page.getByRole('checkbox', { name: day }).uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Must name at least one day.').waitFor();
    await expectAccessible(page, 'the connection settings');
    await screenshot(page, '16-connection-settings');

    await page.emulateMedia({ colorScheme: 'dark' });
    await go(`#/connections/${setup.instanceId}`);
    await page.getByRole('img', { name: /In the last 24 hours/ }).waitFor();
    await expectAccessible(page, 'the connection page in dark mode');
    await screenshot(page, '17-connection-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await go(`#/connections/${setup.instanceId}/settings`);
    await page.getByRole('button', { name: 'Delete connection…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This cannot be undone.', { exact: false }).waitFor();
    await expectAccessible(page, 'the delete confirmation');
    await screenshot(page, '18-delete-connection');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    // The page is back for screen readers too: nothing left hidden by the dialog.
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    expect(await page.locator('#root[aria-hidden="true"]').count()).toBe(0);
    await expectNotReloaded(page);
    expect(watched.errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });
});
