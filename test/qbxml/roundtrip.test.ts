/**
 * Property test: random valid JSON for every request type, generated from the schema
 * model → buildRequest → (1) XSD validation with xmllint against Intuit's
 * qbxmlops160.xsd, (2) parseRequestElement → deep-equal to the normalised input.
 *
 * The generator is deterministic (seeded). The XSD is Intuit's and never part of the
 * project: it is read from QBXML_SCHEMA_DIR (see ../helpers), and the xmllint half is skipped when
 * it (or xmllint) is missing; the round trip always runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRequest, checkRequestXml } from '../../main/qbxml/builder';
import { type ChildInfo, type LeafInfo, type PlanNode, type TypePlan, childPlan, planOf } from '../../main/qbxml/builder/plan';
import { plainNumber } from '../../main/qbxml/builder/values';
import { wallTimeAt } from '../../main/qbxml/datetime';
import { parseRequestElement } from '../../main/qbxml/parser';
import { loadQbxmlSchema } from '../../main/qbxml/schema/load';
import { QBXML_SCHEMA_DIR, seededRandom } from '../helpers';

const XSD = join(QBXML_SCHEMA_DIR, 'qbxmlops160.xsd');
const TIME_ZONE = 'America/New_York';

function hasXmllint(): boolean {
  try {
    return spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).status === 0;
  } catch {
    return false;
  }
}
const canValidate = existsSync(XSD) && hasXmllint();


interface Sample {
  input: unknown;
  expected: unknown;
}

/** An independent oracle for the wall time of an instant (sv-SE formats as "YYYY-MM-DD HH:MM:SS"). */
const oracleWallTime = (ms: number): string =>
  new Date(ms).toLocaleString('sv-SE', { timeZone: TIME_ZONE, hourCycle: 'h23' }).replace(' ', 'T');

class Generator {
  constructor(private readonly r: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.r() * list.length)] as T;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
  pad(n: number, width: number): string {
    return String(n).padStart(width, '0');
  }

  string(maxLength: number): string {
    const alphabet = ['a', 'b', 'Z', '7', ' ', '&', '<', '>', '"', "'", 'é', '“', '”', '😀', '\t', '\n', '\r', ':', '-', ']]>'];
    const limit = Math.min(maxLength, this.chance(0.1) ? 0 : this.int(1, 24));
    let s = '';
    let n = 0;
    while (n < limit) {
      const piece = this.pick(alphabet);
      const len = [...piece].length;
      if (n + len > limit) break;
      s += piece;
      n += len;
    }
    return s;
  }

  date(): string {
    const year = this.int(1990, 2035);
    const month = this.int(1, 12);
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `${year}-${this.pad(month, 2)}-${this.pad(this.int(1, days), 2)}`;
  }

  /** A decimal string with `intDigits` and `fracDigits`, maybe with leading zeros / sign. */
  decimal(maxInt: number, maxFrac: number): { text: string; int: string; frac: string; negative: boolean } {
    const int = String(Number(this.digits(this.int(1, Math.min(maxInt, 7)))));
    const frac = this.digits(this.int(0, maxFrac));
    const negative = this.chance(0.2);
    const lead = this.chance(0.1) ? '00' : '';
    const sign = negative ? '-' : this.chance(0.05) ? '+' : '';
    return { text: `${sign}${lead}${int}${frac ? '.' + frac : ''}`, int, frac, negative };
  }

  leaf(leaf: LeafInfo, range: readonly [number, number] | null = null): Sample {
    switch (leaf.base) {
      case 'STRTYPE':
      case 'IDTYPE':
      case 'UUIDTYPE':
      case 'MACROTYPE': {
        const s = this.string(leaf.maxLength);
        return { input: s, expected: s };
      }
      case 'ENUMTYPE': {
        const v = this.pick([...(leaf.enumSet ?? new Set(['']))]);
        return { input: v, expected: v };
      }
      case 'BOOLTYPE': {
        const x = this.r();
        if (x < 0.05) return { input: null, expected: null };
        if (x < 0.15) return { input: 'true', expected: true };
        const b = this.chance(0.5);
        return { input: b, expected: b };
      }
      case 'INTTYPE': {
        const n = range ? this.int(range[0], Math.min(range[1], range[0] + 1000)) : this.int(-1000, 100000);
        return this.chance(0.2) ? { input: String(n), expected: n } : { input: n, expected: n };
      }
      case 'AMTTYPE': {
        if (this.chance(0.3)) {
          const cents = this.int(-10_000_000, 10_000_000);
          const abs = Math.abs(cents);
          const text = `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${this.pad(abs % 100, 2)}`;
          return { input: cents / 100, expected: text === '-0.00' ? '0.00' : text };
        }
        const d = this.decimal(13, 2);
        const frac = d.frac.padEnd(2, '0');
        const zero = /^0*$/.test(d.int + frac);
        return { input: d.text, expected: `${d.negative && !zero ? '-' : ''}${d.int}.${frac}` };
      }
      case 'PRICETYPE':
      case 'QUANTYPE':
      case 'PERCENTTYPE':
      case 'FLOATTYPE': {
        if (this.chance(0.3)) {
          const n = this.int(-99999, 99999) / 1000;
          return { input: n, expected: plainNumber(n === 0 ? 0 : n) };
        }
        const d = this.decimal(10, 5);
        const zero = /^0*$/.test(d.int + d.frac);
        return { input: d.text, expected: `${d.negative && !zero ? '-' : ''}${d.int}${d.frac ? '.' + d.frac : ''}` };
      }
      case 'DATETYPE': {
        const d = this.date();
        return { input: d, expected: d };
      }
      case 'DATETIMETYPE': {
        const x = this.r();
        if (x < 0.2) {
          const d = this.date();
          return { input: d, expected: d };
        }
        if (x < 0.6) {
          // An instant with Z or another offset: converted to New York wall time.
          const ms = Date.UTC(2000, 0, 1) + Math.floor(this.r() * 1_000_000_000) * 1000;
          if (this.chance(0.5)) return { input: new Date(ms).toISOString(), expected: oracleWallTime(ms) };
          const off = this.pick([-300, -240, 0, 60, 330, 545]);
          const local = new Date(ms + off * 60000).toISOString().slice(0, 19);
          const sign = off < 0 ? '-' : '+';
          const a = Math.abs(off);
          // New York's standard offset is QuickBooks' own all-year convention: the wall time as written.
          return { input: `${local}${sign}${this.pad(Math.floor(a / 60), 2)}:${this.pad(a % 60, 2)}`, expected: off === -300 ? local : oracleWallTime(ms) };
        }
        const t = `${this.date()}T${this.pad(this.int(0, 23), 2)}:${this.pad(this.int(0, 59), 2)}:${this.pad(this.int(0, 59), 2)}`;
        return { input: t, expected: t };
      }
      case 'TIMEINTERVALTYPE': {
        const t = `PT${this.int(0, 99)}H${this.int(0, 59)}M${this.chance(0.5) ? `${this.int(0, 59)}S` : ''}`;
        return { input: t, expected: t };
      }
      case 'GUIDTYPE': {
        if (this.chance(0.2)) return { input: '0', expected: '0' };
        const hex = () => this.int(0, 15).toString(16);
        const part = (n: number) => Array.from({ length: n }, hex).join('');
        const g = `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`.toUpperCase();
        return this.chance(0.3) ? { input: g, expected: `{${g}}` } : { input: `{${g}}`, expected: `{${g}}` };
      }
    }
  }

  leafWithAttributes(leaf: LeafInfo, range: readonly [number, number] | null): Sample {
    const value = this.leaf(leaf, range);
    if (leaf.attrs.length === 0 || !this.chance(0.3)) return value;
    const input: Record<string, unknown> = { '#text': value.input };
    const expected: Record<string, unknown> = { '#text': value.expected };
    for (const a of leaf.attrs) {
      const v = a.enumSet ? this.pick([...a.enumSet]) : `TxnID:${this.string(10).replace(/[\t\n\r]/g, ' ')}`;
      input[a.key] = v;
      expected[a.key] = v;
    }
    return { input, expected };
  }

  element(child: ChildInfo, depth: number): Sample {
    if (child.leaf !== null) return this.leafWithAttributes(child.leaf, child.range);
    return this.complex(childPlan(child), depth + 1, false);
  }

  complex(plan: TypePlan, depth: number, rqLevel: boolean): Sample {
    const input: Record<string, unknown> = {};
    const expected: Record<string, unknown> = {};
    for (const a of plan.attrs) {
      if (rqLevel && a.spec.name !== 'metaData') continue; // requestID/iterator are the companion's
      if (!a.spec.required && !this.chance(0.3)) continue;
      const v = a.enumSet ? this.pick([...a.enumSet]) : this.string(20).replace(/[\t\n\r]/g, ' ');
      input[a.key] = v;
      expected[a.key] = v;
    }
    if (plan.root) this.node(plan.root, depth, input, expected);
    return { input, expected };
  }

  private optional(depth: number): boolean {
    return this.chance(depth <= 2 ? 0.6 : depth <= 4 ? 0.3 : 0.05);
  }

  private put(child: ChildInfo, depth: number, count: number, input: Record<string, unknown>, expected: Record<string, unknown>): void {
    const samples = Array.from({ length: count }, () => this.element(child, depth));
    if (child.isArray) {
      const single = count === 1 && this.chance(0.3);
      input[child.name] = single ? samples[0]?.input : samples.map((s) => s.input);
      expected[child.name] = samples.map((s) => s.expected);
    } else {
      input[child.name] = samples[0]?.input;
      expected[child.name] = samples[0]?.expected;
    }
  }

  private node(node: PlanNode, depth: number, input: Record<string, unknown>, expected: Record<string, unknown>): void {
    switch (node.kind) {
      case 'element': {
        const c = node.child;
        if (c.spec.min === 0 && !this.optional(depth)) return;
        const count = c.isArray ? Math.min(c.max, Math.max(c.spec.min, this.int(1, 3))) : 1;
        this.put(c, depth, count, input, expected);
        return;
      }
      case 'sequence':
        if (node.min === 0 && !this.optional(depth)) return;
        for (const item of node.items) this.node(item, depth, input, expected);
        return;
      case 'choice':
        if (node.nullable && !this.optional(depth)) return;
        this.node(this.pick(node.alts), depth, input, expected);
        return;
      case 'repeat': {
        const total = Math.max(node.min, this.optional(depth) ? this.int(1, 3) : 0);
        const counts = new Map<ChildInfo, number>();
        for (let i = 0; i < total; i++) {
          const m = this.pick(node.members);
          counts.set(m, (counts.get(m) ?? 0) + 1);
        }
        for (const [m, n] of counts) this.put(m, depth, n, input, expected);
        return;
      }
    }
  }
}

interface Case {
  type: string;
  input: unknown;
  expected: unknown;
}

function generateCases(seed: number): Case[] {
  const g = new Generator(seededRandom(seed));
  const schema = loadQbxmlSchema();
  const cases: Case[] = [];
  const types = [...schema.requests.keys()];
  // Every request type once, then more of the big list/transaction ones.
  const extra = types.filter((t) => /(Add|Mod|Query)Rq$/.test(t));
  for (const type of [...types, ...Array.from({ length: 150 }, () => g.pick(extra))]) {
    const spec = schema.requests.get(type);
    if (spec?.type.kind !== 'complex') continue;
    const { input, expected } = g.complex(planOf(spec.type), 0, true);
    cases.push({ type, input, expected });
  }
  return cases;
}

/** Override with QBXML_ROUNDTRIP_SEED to explore other samples. */
const SEED = Number(process.env.QBXML_ROUNDTRIP_SEED ?? 20240310);

describe('request round trip (property)', () => {
  const cases = generateCases(SEED);
  const built = cases.map((c) => ({ ...c, built: buildRequest(c.type, c.input, { timeZone: TIME_ZONE }) }));

  it('covers many request types', () => {
    expect(new Set(cases.map((c) => c.type)).size).toBeGreaterThan(250);
    expect(cases.length).toBeGreaterThan(400);
  });

  it('parses every built request back to the normalised input', () => {
    for (const c of built) {
      const parsed = parseRequestElement(c.built.xml);
      expect(parsed.type, c.type).toBe(c.type);
      expect(parsed.params, `${c.type}: ${c.built.xml}`).toEqual(c.expected);
    }
  });

  it('passes checkRequestXml (the raw-qbXML checker agrees with the builder)', () => {
    for (const c of built) {
      const checked = checkRequestXml(c.built.xml);
      expect(checked.issues, c.built.xml).toEqual([]);
      expect(checked.minVersion).toBe(c.built.minVersion);
    }
    // Several requests in one stored body.
    expect(checkRequestXml(built.slice(0, 50).map((c) => c.built.xml).join('')).issues).toEqual([]);
  });

  it.skipIf(!canValidate)('produces requests that validate against qbxmlops160.xsd (xmllint)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qbxml-roundtrip-'));
    try {
      // One request per line, so xmllint's line numbers name the request.
      const header = '<?xml version="1.0"?><?qbxml version="16.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">';
      const parts = [header, ...built.map((c) => c.built.xml), '</QBXMLMsgsRq></QBXML>'];
      // Text may hold newlines: map each request's first line number to the request.
      const startLine: number[] = [];
      let line = 1;
      for (const p of parts) {
        startLine.push(line);
        line += p.split('\n').length;
      }
      const requestAt = (n: number): string => {
        let i = 0;
        while (i + 1 < startLine.length && (startLine[i + 1] as number) <= n) i++;
        return parts[i]?.slice(0, 300) ?? '';
      };
      const file = join(dir, 'requests.xml');
      writeFileSync(file, parts.join('\n'));
      const result = spawnSync('xmllint', ['--noout', '--schema', XSD, file], { encoding: 'utf8' });
      const errors = result.stderr
        .split('\n')
        .filter((l) => l.includes('validity error'))
        .map((l) => {
          return `${requestAt(Number(/:(\d+):/.exec(l)?.[1] ?? 0))}\n  → ${l}`;
        });
      expect(errors.slice(0, 5)).toEqual([]);
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('value normalisation (fast-check)', () => {
  const amount = (value: unknown): string => {
    const xml = buildRequest('InvoiceAdd', { CustomerRef: { ListID: '1' }, InvoiceLineAdd: [{ Amount: value }] }).xml;
    return /<Amount>(.*)<\/Amount>/.exec(xml)?.[1] as string;
  };

  it('spells any cent amount given as a number exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 13), max: 10 ** 13 }), (cents) => {
        const abs = Math.abs(cents);
        const text = `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
        expect(amount(cents / 100)).toBe(text === '-0.00' ? '0.00' : text);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('converts instants to the same wall time as an independent Intl oracle', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2037, 11, 31) }), (ms) => {
        const whole = Math.floor(ms / 1000) * 1000;
        expect(wallTimeAt(whole, TIME_ZONE)).toBe(oracleWallTime(whole));
        const xml = buildRequest('InvoiceQuery', { ModifiedDateRangeFilter: { FromModifiedDate: new Date(whole).toISOString() } }, { timeZone: TIME_ZONE }).xml;
        expect(xml).toContain(`<FromModifiedDate>${oracleWallTime(whole)}</FromModifiedDate>`);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('checkRequestXml agrees with xmllint on hand-written raw requests', () => {
  const samples: { xml: string; valid: boolean }[] = [
    { xml: '<CustomerQueryRq><MaxReturned>5</MaxReturned><ActiveStatus>All</ActiveStatus></CustomerQueryRq>', valid: true },
    { xml: '<CustomerQueryRq><ActiveStatus>All</ActiveStatus><MaxReturned>5</MaxReturned></CustomerQueryRq>', valid: false },
    { xml: '<CustomerQueryRq><ListID>1</ListID><MaxReturned>5</MaxReturned></CustomerQueryRq>', valid: false },
    { xml: '<CustomerQueryRq><MaxReturned>0</MaxReturned></CustomerQueryRq>', valid: false },
    { xml: '<CustomerQueryRq><ActiveStatus>all</ActiveStatus></CustomerQueryRq>', valid: false },
    { xml: '<CustomerAddRq><CustomerAdd><Name>x</Name><OpenBalance>10.5</OpenBalance></CustomerAdd></CustomerAddRq>', valid: false },
    { xml: '<CustomerAddRq><CustomerAdd><Name>x</Name><OpenBalance>10.50</OpenBalance></CustomerAdd></CustomerAddRq>', valid: true },
    { xml: '<CustomerAddRq><CustomerAdd><CompanyName>x</CompanyName></CustomerAdd></CustomerAddRq>', valid: false },
    { xml: `<CustomerAddRq><CustomerAdd><Name>${'x'.repeat(42)}</Name></CustomerAdd></CustomerAddRq>`, valid: false },
    { xml: '<CustomerAddRq><CustomerAdd><Name>x</Name><Color>red</Color></CustomerAdd></CustomerAddRq>', valid: false },
    { xml: '<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>2024-01-01T10:00:00Z</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>', valid: false },
    { xml: '<InvoiceQueryRq><ModifiedDateRangeFilter><FromModifiedDate>2024-01-01T10:00:00-05:00</FromModifiedDate></ModifiedDateRangeFilter></InvoiceQueryRq>', valid: true },
    { xml: '<InvoiceQueryRq metaData="Nope"></InvoiceQueryRq>', valid: false },
    { xml: '<InvoiceQueryRq><IncludeLineItems>1</IncludeLineItems></InvoiceQueryRq>', valid: true },
    { xml: '<SalesReceiptAddRq><SalesReceiptAdd><CustomerRef><FullName>c</FullName></CustomerRef></SalesReceiptAdd></SalesReceiptAddRq>', valid: false },
  ];

  it('reports issues exactly for the requests the checker says are invalid', () => {
    for (const sample of samples) expect(checkRequestXml(sample.xml).issues.length === 0, sample.xml).toBe(sample.valid);
  });

  it.skipIf(!canValidate)('matches xmllint', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qbxml-check-'));
    try {
      const files = samples.map((sample, i) => {
        const file = join(dir, `r${i}.xml`);
        writeFileSync(file, `<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">${sample.xml}</QBXMLMsgsRq></QBXML>`);
        return file;
      });
      const result = spawnSync('xmllint', ['--noout', '--schema', XSD, ...files], { encoding: 'utf8' });
      samples.forEach((sample, i) => {
        expect(result.stderr.includes(`r${i}.xml validates`), sample.xml).toBe(sample.valid);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
