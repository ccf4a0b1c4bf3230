import { describe, expect, it } from 'vitest';
import { endpointBenchmark } from '../../bench/endpoint';

describe('endpoint benchmark (in-process SOAP driver)', () => {
  it('drives whole sessions through the real endpoint and reports per-call figures', async () => {
    const logs: string[] = [];
    const result = await endpointBenchmark.run({ options: { requests: '40', runs: '2' }, log: (m) => logs.push(m) });
    const runs = result.runs as Array<{ pairs: number; cpuPerCallUs: number; pairMedianUs: number; pairP99Us: number }>;
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      // Each measured session delivered every queued request (the driver throws otherwise).
      expect(r.pairs).toBe(40);
      expect(r.cpuPerCallUs).toBeGreaterThan(0);
      expect(r.pairMedianUs).toBeGreaterThan(0);
      expect(r.pairP99Us).toBeGreaterThanOrEqual(r.pairMedianUs);
    }
    expect(result.config).toMatchObject({ requests: 40, runs: 2, warmupSessions: 2 });
    expect(logs).toHaveLength(2);
  });

  it('with --flush-mb, times the calls alone and reports no process CPU (the flushing would dominate it)', async () => {
    const result = await endpointBenchmark.run({ options: { requests: '20', runs: '1', 'flush-mb': '1' }, log: () => {} });
    expect(result.cpuPerCallUs).toBeNull();
    expect(result.config).toMatchObject({ flushMb: 1 });
    const [run] = result.runs as Array<{ pairs: number; cpuPerCallUs: number | null; pairMedianUs: number }>;
    expect(run).toMatchObject({ pairs: 20, cpuPerCallUs: null });
    expect(run?.pairMedianUs).toBeGreaterThan(0);
  });
});
