/**
 * Cloud apps, change detection and the cloud link in browser mode, driven as a bookkeeper
 * would: a real companion (the built code) with short retry schedules, a local webhook
 * receiver that checks signatures, the simulated Web Connector and QuickBooks company, and
 * a fake QBD Connect service — the pages followed without ever reloading them.
 */
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Companion } from '../../main/companion';
import { silentLogger } from '../../main/logger';
import { FakeQuickBooks } from '../../main/simulator/quickbooks';
import { runWebConnectorSession } from '../../main/simulator/web-connector';
import { FakeCloud } from '../cloud/fake-cloud';
import { Receiver, verify } from '../forward/receiver';
import { tempDir } from '../helpers';
import { assertUiBuilt, expectAccessible, expectNotReloaded, launch, markPage, newPage, ROOT, screenshot } from './browser';

const compiled = () => require(path.join(ROOT, 'dist', 'main', 'companion.js')) as typeof import('../../main/companion');

const PASSWORD = 'a long enough password';

let companion: Companion;
let browser: Browser;
let page: Page;
let receiver: Receiver;
let cloud: FakeCloud;
/** The browser's zone (browser.ts), so QuickBooks' wall times read the same on the page as on the simulated PC. */
const TIME_ZONE = 'America/New_York';
const company = new FakeQuickBooks({ timeZone: TIME_ZONE });
const setup = { instanceId: '', username: 'bakery', ownerId: '', fileId: '', signingKey: '', destinationId: '' };

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

const runSession = () =>
  runWebConnectorSession({
    url: `${companion.url}/qbwc`,
    username: setup.username,
    password: PASSWORD,
    ownerId: setup.ownerId,
    fileId: setup.fileId,
    quickbooks: company,
    noopDelayMs: 20,
  });

/** The card of the cloud app added in the first test. */
const card = (): Locator => page.locator(`[data-destination="${setup.destinationId}"]`);
/** One of a card's facts (a <dd>), by its term. */
const fact = (scope: Locator, term: string): Locator => scope.locator(`dt:text-is("${term}") + dd`);

beforeAll(async () => {
  assertUiBuilt();
  receiver = await new Receiver().up();
  cloud = await new FakeCloud().up();
  companion = await compiled().startCompanion({
    dataDir: tempDir('qbwc-forward-ui-'),
    port: 0,
    logger: silentLogger,
    timeZone: TIME_ZONE,
    // A delivery is dead after three failed attempts a fraction of a second apart.
    forward: { schedule: [100, 200] },
    // Change detection looks when asked ("Look for changes now") or when Web Connector connects.
    detection: { tickMs: 3_600_000 },
    cloud: { retrySchedule: [50, 100], metricsEveryMs: 300, timeoutMs: 3000, offlineRetryMs: 100 },
  });
  const created = await api('POST', '/instances', { name: 'Pine Street Bakery', username: setup.username, password: PASSWORD });
  Object.assign(setup, { instanceId: created.instanceId, ownerId: created.ownerId, fileId: created.fileId });
  // A first sync, so the connection knows its company file.
  await api('POST', `/instances/${setup.instanceId}/requests`, { type: 'CompanyQuery' });
  expect((await runSession()).outcome).toBe('completed');

  browser = await launch();
  ({ page } = await newPage(browser));
  const { url } = await api('POST', '/login-codes');
  await page.goto(url);
  await page.getByRole('link', { name: 'Pine Street Bakery' }).click();
  await page.getByRole('heading', { name: 'Pine Street Bakery', level: 1 }).waitFor();
  await markPage(page);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(page, `failed-${ctx.task.name.replace(/\W+/g, '-').slice(0, 60)}`);
});

afterAll(async () => {
  await browser?.close();
  await companion?.stop();
  await receiver?.down();
  await cloud?.down();
});

describe('cloud apps, as a bookkeeper', () => {
  it('adds a cloud app: a bad address refused next to its field, the signing key made and shown once', async () => {
    await page.getByRole('tab', { name: 'Cloud apps' }).click();
    await page.getByRole('heading', { name: 'No cloud apps yet' }).waitFor();
    await page.getByText('Off: nothing is looked for.').waitFor();
    await expectAccessible(page, 'the cloud apps tab, empty');

    // By keyboard: Enter opens the dialog, Escape closes it and gives focus back.
    const add = page.getByRole('button', { name: 'Add a cloud app' });
    await add.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add a cloud app' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Add a cloud app');

    await add.click();
    await dialog.getByRole('textbox', { name: /^Name/ }).fill('Bakery dashboard');
    const address = dialog.getByRole('textbox', { name: /^Where to send/ });
    await address.fill('http://example.com/hooks');
    const key = dialog.getByRole('textbox', { name: 'Signing key' });
    setup.signingKey = await key.inputValue();
    expect(setup.signingKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await dialog.getByRole('radio', { name: /^CloudEvents/ }).check();
    await dialog.getByRole('button', { name: 'Add the cloud app' }).click();
    // The API's reason, next to the field it names.
    await dialog.locator('.fui-Field').filter({ has: page.getByRole('textbox', { name: /^Where to send/ }) }).getByText(/^Must be an https:\/\/ URL \(http:\/\/ only on this computer/).waitFor();
    await expectAccessible(page, 'adding a cloud app, with an error');
    await screenshot(page, '22-cloud-app-add');

    await address.fill(receiver.url);
    await dialog.getByRole('button', { name: 'Add the cloud app' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Added “Bakery dashboard”. Send it a test event').waitFor();
    const [destination] = (await api('GET', `/instances/${setup.instanceId}/destinations`)).data;
    setup.destinationId = destination.destinationId;
    // Write-only: the key is never read back.
    expect(destination).toMatchObject({ name: 'Bakery dashboard', url: receiver.url, format: 'cloudevents', objects: [], verifierToken: '********' });
    await card().getByText('Sending', { exact: true }).waitFor();
    await card().getByText('Nothing sent yet').waitFor();
    await expectNotReloaded(page);
  });

  it('sends a test event: signed with the key, and shown delivered without a reload', async () => {
    await card().getByRole('button', { name: 'Send a test event' }).click();
    await card().locator('[data-last-delivery="delivered"]').getByText('HTTP 200').waitFor();
    expect(receiver.received).toHaveLength(1);
    const [event] = verify(receiver.received[0]!, setup.signingKey) as { type: string }[];
    expect(event?.type).toBe('qbd.companiontest.created.v1');
    await expect.poll(() => fact(card(), 'Delivered in the last 24 hours').textContent()).toBe('1');
    await expectAccessible(page, 'a cloud app that received a test event');
    await screenshot(page, '23-cloud-app-delivered');
    await expectNotReloaded(page);
  });

  it('changes the app refuses end up failed for good; "Send again" and "Send all again" send them', async () => {
    receiver.answer = () => ({ status: 500 });
    const refused = receiver.received.length;
    await card().getByRole('button', { name: 'Send a test event' }).click();
    await card().getByRole('button', { name: 'Send a test event' }).click();
    const dead = card().getByRole('table', { name: 'Changes Bakery dashboard did not take' });
    await card().getByRole('heading', { name: 'Failed for good (2)' }).waitFor();
    await dead.getByRole('row').nth(2).waitFor();
    await dead.getByText('HTTP 500').first().waitFor();
    await card().getByText('Some changes failed').waitFor();
    await expectAccessible(page, 'a cloud app with changes that failed for good');
    await screenshot(page, '24-cloud-app-dead-letters');

    receiver.answer = () => ({ status: 200 });
    const before = receiver.received.length;
    const idsFrom = (from: number) => new Set(receiver.received.slice(from).map((r) => r.headers['webhook-id']));
    const deadIds = idsFrom(refused);
    expect(deadIds.size).toBe(2);
    await dead.getByRole('button', { name: /^Send again: Test event/ }).first().click();
    await card().getByRole('heading', { name: 'Failed for good (1)' }).waitFor();
    await card().getByRole('button', { name: 'Send all again: 1 failed change to Bakery dashboard' }).click();
    await card().getByRole('heading', { name: /^Failed for good/ }).waitFor({ state: 'detached' });
    await card().locator('[data-last-delivery="delivered"]').waitFor();
    // The app got each again with the same event id as the first tries (its dedupe key).
    expect(idsFrom(before)).toEqual(deadIds);
    await expectNotReloaded(page);
  });

  it('a receiver answering 410 turns the app off, and the page says why; turned on again, what waited goes', async () => {
    receiver.answer = () => ({ status: 410 });
    await card().getByRole('button', { name: 'Send a test event' }).click();
    await card().getByText('Turned off: address gone').waitFor();
    await card().getByText(/The receiver said this address is gone \(410\) at .+, \d{4}, .+\. Check it with whoever runs the receiver/).waitFor();
    expect(await card().getByRole('switch', { name: 'Send changes to this app' }).isChecked()).toBe(false);
    await expectAccessible(page, 'a cloud app turned off by a 410');
    await screenshot(page, '25-cloud-app-gone');

    receiver.answer = () => ({ status: 200 });
    await card().getByRole('switch', { name: 'Send changes to this app' }).check();
    await card().getByText('Sending', { exact: true }).waitFor();
    await card().locator('[data-last-delivery="delivered"]').waitFor();
    await expectNotReloaded(page);
  });

  it('change detection: turned on for two kinds, its progress in words after a sync, the snapshot delivered', async () => {
    const detection = page.locator('.fui-Card').filter({ has: page.getByRole('heading', { name: 'Change detection' }) });
    await detection.getByRole('switch', { name: /^Look for changes in QuickBooks/ }).check();
    await detection.getByRole('radio', { name: 'Only the kinds I tick' }).check();
    await detection.getByRole('button', { name: 'Save change detection' }).click();
    // None ticked: the API's reason under the boxes.
    await detection.getByRole('alert').waitFor();
    await detection.getByRole('checkbox', { name: 'Customers' }).check();
    await detection.getByRole('checkbox', { name: 'Invoices' }).check();
    await detection.getByRole('radio', { name: /^Send everything once/ }).check();
    await detection.getByRole('button', { name: 'Save change detection' }).click();
    await detection.getByText('Saved.').waitFor();
    expect(await api('GET', `/instances/${setup.instanceId}/change-detection`)).toMatchObject({ enabled: true, types: ['Customer', 'Invoice'], startMode: 'snapshot' });
    const progress = detection.getByRole('table', { name: 'Progress of each kind of record' });
    await progress.locator('tr[data-type="Customer"]').getByText('Not started yet: starts at the next look').waitFor();

    await detection.getByRole('button', { name: 'Look for changes now' }).click();
    await detection.getByText(/^QuickBooks will be asked at the next Web Connector sync/).waitFor();
    await progress.locator('tr[data-type="Customer"]').getByText('Waiting for QuickBooks: reading every record once').waitFor();
    await expectAccessible(page, 'change detection waiting for Web Connector');
    await screenshot(page, '26-change-detection-waiting');

    const delivered = receiver.received.length;
    expect((await runSession()).outcome).toBe('completed');
    const customers = progress.locator('tr[data-type="Customer"]');
    await customers.getByText(/^Changes known up to .+; deletions checked /).waitFor();
    await customers.getByText('Nothing waiting', { exact: true }).waitFor();
    // Every customer, once, as added — and the page follows the deliveries by itself.
    await expect.poll(() => receiver.received.length - delivered).toBe(company.customers().length);
    await expect.poll(async () => Number(await fact(card(), 'Delivered in the last 24 hours').textContent())).toBeGreaterThan(company.customers().length);
    expect(await fact(card(), 'Failed for good').textContent()).toBe('0');
    await expectAccessible(page, 'change detection after a sync');
    await screenshot(page, '27-change-detection-progress');

    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page, 'the cloud apps tab in dark mode');
    await screenshot(page, '31-cloud-apps-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expectNotReloaded(page);
  });

  it('changes a cloud app: only some records, a new signing key shown once and used from then on', async () => {
    await card().getByRole('button', { name: 'Change…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change “Bakery dashboard”' });
    await dialog.getByRole('radio', { name: 'Only the kinds I tick' }).check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    // "Only these" with none ticked would send every kind: refused before it is sent.
    await dialog.getByRole('alert').getByText('Tick at least one kind of record').waitFor();
    await dialog.getByRole('checkbox', { name: 'Customers' }).check();
    await dialog.getByRole('button', { name: 'Make a new signing key' }).click();
    const key = await dialog.getByRole('textbox', { name: 'Signing key' }).inputValue();
    expect(key).not.toBe(setup.signingKey);
    await expectAccessible(page, 'changing a cloud app');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('Saved “Bakery dashboard”.').waitFor();
    await fact(card(), 'Records').getByText('Customers', { exact: true }).waitFor();

    const before = receiver.received.length;
    await card().getByRole('button', { name: 'Send a test event' }).click();
    await expect.poll(() => receiver.received.length).toBe(before + 1);
    expect(() => verify(receiver.received[before]!, key)).not.toThrow();
    expect(() => verify(receiver.received[before]!, setup.signingKey)).toThrow();
    await expectNotReloaded(page);
  });

  it('the event log names what cloud apps and change detection did', async () => {
    await page.getByRole('link', { name: 'Event log' }).click();
    await page.getByRole('combobox', { name: 'What' }).selectOption({ label: 'Cloud app settings' });
    const rows = page.locator('[data-testid="event-rows"] [role="row"]');
    await rows.getByText('Cloud app added').waitFor();
    await rows.getByText('Cloud app turned off: its address is gone').waitFor();
    await page.getByRole('combobox', { name: 'What' }).selectOption({ label: 'Changes sent to cloud apps' });
    await rows.getByText('Failed for good').first().waitFor();
    await rows.getByText('Address gone (410): turned off').first().waitFor();
    await page.getByRole('combobox', { name: 'What' }).selectOption({ label: 'Change detection' });
    await rows.getByText('Change detection set').first().waitFor();
    await expectNotReloaded(page);
  });
});

describe('the cloud link, as a bookkeeper', () => {
  it('a bad address is refused next to its field', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const link = page.locator('.fui-Card').filter({ has: page.getByRole('heading', { name: 'Cloud link (QBD Connect)' }) });
    await link.getByText('Off', { exact: true }).waitFor();
    const address = link.getByRole('textbox', { name: /^Base URL of the QBD Connect API/ });
    await address.fill('ftp://example.com/qbdconnect-api');
    await link.getByRole('button', { name: 'Save the cloud link' }).click();
    await link.locator('.fui-Field').filter({ has: page.getByRole('textbox', { name: /^Base URL of the QBD Connect API/ }) }).getByText(/^Must be an https:\/\/ URL/).waitFor();
    await expectAccessible(page, 'the cloud link with an error');
    await screenshot(page, '28-cloud-link-error');
    await expectNotReloaded(page);
  });

  it('turned on with a wrong API key: refused, in words; with the right one, in step after "Sync now"', async () => {
    const link = page.locator('.fui-Card').filter({ has: page.getByRole('heading', { name: 'Cloud link (QBD Connect)' }) });
    await link.getByRole('switch', { name: /^Keep QBD Connect in the cloud in step/ }).check();
    await link.getByRole('textbox', { name: /^Base URL of the QBD Connect API/ }).fill(cloud.url);
    await link.getByLabel(/^API key/).fill('not-the-key');
    await link.getByRole('textbox', { name: /^Customer ID/ }).fill('cus_TEST123');
    await link.getByRole('textbox', { name: 'First name' }).fill('Dana');
    await link.getByRole('textbox', { name: 'Last name' }).fill('Books');
    await link.getByRole('textbox', { name: 'Email' }).fill('dana@example.com');
    await link.getByRole('button', { name: 'Save the cloud link' }).click();
    await link.getByText('Saved.').waitFor();
    await link.getByText('API key refused').waitFor();
    await expectAccessible(page, 'the cloud link, its key refused');
    await screenshot(page, '29-cloud-link-refused');
    // Write-only: the box is empty again, and the key is not read back.
    expect(await link.getByLabel(/^API key/).inputValue()).toBe('');
    expect((await api('GET', '/cloud-link')).apiKey).toBe('********');

    await link.getByLabel(/^API key/).fill(cloud.apiKey);
    await link.getByRole('button', { name: 'Save the cloud link' }).click();
    await link.getByRole('button', { name: 'Sync now' }).click();
    await link.getByText('In step', { exact: true }).waitFor();
    await link.getByText('Synced.', { exact: true }).waitFor();
    expect(await fact(link, 'Last sent to the cloud').textContent()).not.toBe('Not yet');
    await expectAccessible(page, 'the cloud link in step');
    await screenshot(page, '30-cloud-link-in-step');
    await expectNotReloaded(page);
  });
});
