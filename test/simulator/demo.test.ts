/**
 * `npm run demo` end to end: its jobs come back as their labels say (here: "List three
 * customers" is MaxReturned 3, which keeps Intuit's meaning — three records, one request).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Companion, startCompanion } from '../../main/companion';
import { silentLogger } from '../../main/logger';
import { runDemo } from '../../main/simulator/demo';
import { tempDir } from '../helpers';

let companion: Companion | undefined;
afterEach(async () => {
  await companion?.stop();
  companion = undefined;
});

describe('the demo', () => {
  it('"List three customers" returns three customers, in one request and one round trip', async () => {
    const dataDir = tempDir();
    const lines: string[] = [];
    await runDemo({ dataDir, keepRunning: false, write: (line) => lines.push(line) });
    const narration = lines.join('\n');
    expect(narration).toMatch(/List three customers: done/);
    // One sendRequestXML per queued job, and just one for the query: no iterator pages.
    const queued = lines.filter((l) => l.startsWith('Queued: ')).length;
    expect(lines.filter((l) => /sendRequestXML\(.*\) → qbXML/.test(l))).toHaveLength(queued);
    expect(lines.filter((l) => /sendRequestXML\(.*\) → qbXML .*CustomerQueryRq/.test(l))).toHaveLength(1);

    companion = await startCompanion({ dataDir, port: 0, logger: silentLogger });
    const instance = companion.store.instances.byUsername('demo');
    expect(instance).toBeDefined();
    const { data } = await companion.handlers.listRequests({ instanceId: instance?.id as string, limit: 50 });
    const query = data.find((r) => r.types.join() === 'CustomerQueryRq');
    expect(query).toMatchObject({ status: 'done', recordCount: 3, attempts: 1, pages: null });
    const records = await companion.handlers.listRecords({ requestId: query?.requestId as string, limit: 50 });
    expect(records.data).toHaveLength(3);
    expect(records.data.every((r) => r.type === 'CustomerRet')).toBe(true);
  });
});
