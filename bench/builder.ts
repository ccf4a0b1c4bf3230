/**
 * Issue 3 (b): builder throughput for a typical InvoiceAdd (customer, two addresses, memo,
 * four lines): JSON in, schema-ordered, validated and escaped qbXML out, for qbXML 16.0.
 * In-process; the median of several timed batches after a warm-up.
 */
import { type BenchContext, type Benchmark, type BenchResult, intOption } from './benchmark';
import { sampleInvoiceAdd } from './qbxml-fixtures';
import { median, round } from './stats';
import { buildRequest } from '../main/qbxml/builder';

function batch(params: Record<string, unknown>, iterations: number): number {
  let size = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) size += buildRequest('InvoiceAdd', params, { version: '16.0' }).xml.length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (size === 0) throw new Error('the builder produced nothing');
  return iterations / seconds;
}

export const builderBenchmark: Benchmark = {
  name: 'builder',
  key: 'builderInvoiceAdd',
  description: 'Builder throughput: a typical InvoiceAdd from JSON to qbXML 16.0 (requests per second).',
  async run(ctx: BenchContext): Promise<BenchResult> {
    const iterations = intOption(ctx, 'builder-iterations', 20_000);
    const params = sampleInvoiceAdd();
    const xml = buildRequest('InvoiceAdd', params, { version: '16.0' }).xml;
    batch(params, 2000); // warm-up: let the JIT settle
    const rates = Array.from({ length: 7 }, () => batch(params, iterations));
    const perSecond = median(rates);
    ctx.log(`builder: ${Math.round(perSecond)} InvoiceAdd/s`);
    return {
      config: { iterations, batches: rates.length, requestBytes: Buffer.byteLength(xml) },
      requestsPerSecond: Math.round(perSecond),
      microsecondsPerRequest: round(1e6 / perSecond, 2),
      batches: rates.map((r) => Math.round(r)),
    };
  },
};
