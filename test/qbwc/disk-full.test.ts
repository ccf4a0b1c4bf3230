/**
 * The data folder's disk fills up in the middle of a session: each call that can't save
 * fails on its own with an answer its client understands (a SOAP Fault for the Web
 * Connector, 503 storage_unavailable for the REST API), nothing acknowledged is lost, and
 * once space is freed the companion goes on by itself, without a restart.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EchoQuickBooks, HCP_QB2014, INVOICE_ADD, type Harness, QUERY, sendArgs, startHarness, tempDir } from '../helpers';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});


/**
 * A data folder on a file system of its own, small enough to fill: a tmpfs (mounting needs
 * root, which CI has; elsewhere the test is skipped and says why).
 */
function smallDisk(): { dir: string; fill(): void; free(): void; unmount(): void } | null {
  const dir = tempDir('qbwc-disk-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024);
      try {
        for (const size of [64 * 1024, 4096, 1]) {
          try {
            for (;;) fs.writeSync(fd, block, 0, size);
          } catch (err) {
            expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
          }
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free: () => fs.rmSync(filler),
    unmount() {
      execFileSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const disk = smallDisk();
afterAll(() => disk?.unmount());

async function enqueueOverRest(harness: Harness, qbxml: string) {
  const res = await fetch(`${harness.companion.url}/api/v1/instances/${harness.instance.instanceId}/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${harness.companion.apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ qbxml }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

describe('a full disk mid-session', () => {
  it.skipIf(disk === null)('fails only the calls that could not save, loses nothing acknowledged, and recovers once space is free', async () => {
    if (disk === null) throw new Error('(skipped: mounting a small tmpfs needs root)');
    h = await startHarness({ dataDir: disk.dir });
    const query = h.enqueue(QUERY, 1);
    const write = h.enqueue(INVOICE_ADD);
    const qb = new EchoQuickBooks();
    const soap = h.soap();
    const ticket = ((await soap.call('authenticate', { strUserName: 'tester', strPassword: h.password })) as string[])[0] as string;
    const first = String(await soap.call('sendRequestXML', sendArgs(ticket, HCP_QB2014)));
    const answer = qb.processRequest(first) as { response: string };
    expect(await soap.call('receiveResponseXML', { ticket, response: answer.response, hresult: '', message: '' })).toBe(50);
    const sentWrite = String(await soap.call('sendRequestXML', sendArgs(ticket)));
    expect(sentWrite).toContain(`requestID="${write}"`);
    const store = h.companion.store;

    disk.fill();
    // The Web Connector's response can't be stored: a SOAP Fault, which QBWC reports and survives.
    const late = qb.processRequest(sentWrite) as { response: string };
    await expect(soap.call('receiveResponseXML', { ticket, response: late.response, hresult: '', message: '' })).rejects.toThrow(
      /cannot save to its data folder/,
    );
    // A REST caller is told to come back later, in words and with Retry-After.
    const refused = await enqueueOverRest(h, QUERY);
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBeTruthy();
    expect(refused.body.error).toMatchObject({ code: 'storage_unavailable' });
    expect(refused.body.error.message).toMatch(/free some disk space/);
    // Nothing acknowledged was lost: the query is done, the write is still sent (its answer never stored).
    expect(store.requests.get(query)?.status).toBe('done');
    expect(store.requests.get(write)?.status).toBe('sent');

    disk.free();
    // No restart. QBWC ends the session; the write's fate is unknown, so it is never sent blindly again.
    await soap.call('closeConnection', { ticket });
    expect(store.requests.get(write)?.status).toBe('unknown_outcome');
    const accepted = await enqueueOverRest(h, QUERY);
    expect(accepted.status).toBe(202);
    expect(store.requests.get(accepted.body.requestId)?.status).toBe('queued');
    soap.close();
  });
});
