/**
 * What a user trips on (issue 20, item 7), in process: a generated password from
 * POST /instances, the metrics window's default, QWC files from a server on a temporary
 * port, and refused logins in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../main/logger';
import { type Harness, startHarness } from '../helpers';

const lines: Record<string, unknown>[] = [];
let h: Harness;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  h = await startHarness({ logger: createLogger((line) => lines.push(JSON.parse(line) as Record<string, unknown>)) });
  base = `${h.companion.url}/api/v1`;
  auth = { Authorization: `Bearer ${h.companion.apiToken}`, 'Content-Type': 'application/json' };
});
afterAll(() => h.stop());

const HOUR = 3_600_000;

describe('POST /instances without a password', () => {
  it('generates a strong one and returns it once, in the 201', async () => {
    const res = await fetch(`${base}/instances`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Generated', username: 'generated' }) });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { instanceId: string; password: string };
    expect(created.password).toMatch(/^([a-zA-Z2-9]{5}-){3}[a-zA-Z2-9]{5}$/); // 20 characters of 55: ~115 bits
    // Never again: not on a read, not in a list.
    const again = await (await fetch(`${base}/instances/${created.instanceId}`, { headers: auth })).text();
    expect(again).not.toMatch(/password/i);
    expect(await (await fetch(`${base}/instances`, { headers: auth })).text()).not.toContain(created.password);
    // It is the instance's password.
    const soap = h.soap();
    const [, answer] = (await soap.call('authenticate', { strUserName: 'generated', strPassword: created.password })) as string[];
    expect(answer).not.toBe('nvu');
    soap.close();
  });
});

describe('metrics', () => {
  it('cover the last 24 hours without fromTime and toTime', async () => {
    const before = Date.now();
    const res = await fetch(`${base}/instances/${h.instance.instanceId}/metrics/sessions`, { headers: auth });
    expect(res.status).toBe(200);
    const m = (await res.json()) as { fromTime: string; toTime: string; interval: string; points: { timestamp: string }[] };
    const to = Date.parse(m.toTime);
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(to - Date.parse(m.fromTime)).toBe(24 * HOUR);
    expect(m.interval).toBe('hour');
    expect(m.points).toHaveLength(25); // every hour the window touches
    // Only toTime: the 24 hours before it.
    const until = '2026-01-02T00:00:00.000Z';
    const day = (await (await fetch(`${base}/instances/${h.instance.instanceId}/metrics/sessions?toTime=${until}`, { headers: auth })).json()) as { fromTime: string };
    expect(day.fromTime).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('QWC files from a server on a temporary port', () => {
  it('name the stable port, and the download says so', async () => {
    expect(h.companion.port).not.toBe(8520);
    const res = await fetch(`${base}/instances/${h.instance.instanceId}/qwc`, { headers: auth });
    const qwc = await res.text();
    expect(qwc).toContain('<AppURL>http://localhost:8520/qbwc</AppURL>');
    expect(res.headers.get('x-companion-warning')).toBe(
      `This companion listens on the temporary port ${h.companion.port} (--port 0), but QWC files name port 8520, where QuickBooks Web Connector will look for it: run the companion on port 8520 when the Web Connector uses this file.`,
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'QWC file downloaded from a temporary port' }));
    // Other answers carry no such header.
    expect((await fetch(`${base}/instances`, { headers: auth })).headers.get('x-companion-warning')).toBeNull();
  });

  it('name the port given as qwcPort, without a warning', async () => {
    const other = await startHarness({ qwcPort: 8600 });
    try {
      const res = await fetch(`${other.companion.url}/api/v1/instances/${other.instance.instanceId}/qwc`, { headers: { Authorization: `Bearer ${other.companion.apiToken}` } });
      expect(await res.text()).toContain('<AppURL>http://localhost:8600/qbwc</AppURL>');
      expect(res.headers.get('x-companion-warning')).toBeNull();
      expect(other.companion.qwcWarning).toBeNull();
    } finally {
      await other.stop();
    }
  });
});

describe('refused logins', () => {
  it('are logged with the user name and address, never the password', async () => {
    lines.length = 0;
    const soap = h.soap();
    expect(((await soap.call('authenticate', { strUserName: 'tester', strPassword: 'not the password 1' })) as string[])[1]).toBe('nvu');
    expect(((await soap.call('authenticate', { strUserName: 'nobody', strPassword: 'not the password 2' })) as string[])[1]).toBe('nvu');
    soap.close();
    expect((await fetch(`${base}/instances`, { headers: { Authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const address = expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'Web Connector login refused', user: 'tester', address, reason: 'wrong password' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'Web Connector login refused', user: 'nobody', address, reason: 'unknown user name' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'API request refused: missing or wrong API token', address, method: 'GET', path: '/api/v1/instances' }));
    const text = JSON.stringify(lines);
    expect(text).not.toContain('not the password');
    expect(text).not.toContain('not-the-token');
  });
});
