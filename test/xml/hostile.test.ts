/**
 * Hostile input: every document's cost must be linear in its size. A start tag with a
 * hundred thousand attributes, a token dribbled in a few characters at a time, names and
 * values as long as a token may be — none may cost more than a constant per character.
 *
 * Timing: CPU time (process.cpuUsage), the least of several runs, each input repeated until
 * it takes long enough to measure; 4× the input must cost well under 16× (quadratic) — the
 * bound is 8×, linear is about 4×. A run far over budget fails at once instead of running on.
 */
import { describe, expect, it } from 'vitest';
import { parseRequestDocument } from '../../main/qbxml/request-document';
import { parseResponse } from '../../main/qbxml/parser';
import { ResponseStreamParser } from '../../main/qbxml/parser/stream';
import {
  type Attributes,
  MAX_ATTRIBUTES,
  MAX_NAMESPACE_DECLARATIONS,
  MAX_TOKEN,
  type TokenizerOptions,
  XmlSyntaxError,
  XmlTokenizer,
} from '../../main/xml/tokenizer';
import { attrName } from '../helpers';

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Splits `s` into pieces of `size` characters. */
const pieces = (s: string, size: number): string[] => {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
};

/** CPU seconds a single tokenization may take before it is stopped as quadratic. */
const BUDGET = 2;

/**
 * Tokenizes `chunks`; returns the syntax error's message, or null for a document read
 * whole. Throws if it takes more than BUDGET seconds of CPU.
 */
function tokenize(chunks: readonly string[], options: TokenizerOptions = {}, onStart?: (name: string, attrs: Attributes) => void): string | null {
  const start = cpuSeconds();
  const t = new XmlTokenizer({ startElement: (name, attrs) => onStart?.(name, attrs), endElement() {}, text() {} }, options);
  try {
    for (let i = 0; i < chunks.length; i++) {
      t.write(chunks[i] as string);
      if ((i & 255) === 255 && cpuSeconds() - start > BUDGET) throw new Error(`over ${BUDGET} s of CPU after ${i + 1} of ${chunks.length} writes`);
    }
    t.end();
  } catch (err) {
    if (err instanceof XmlSyntaxError) return err.message;
    throw err;
  }
  if (cpuSeconds() - start > BUDGET) throw new Error(`over ${BUDGET} s of CPU`);
  return null;
}

/** The least CPU time of `runs` runs of `f`. */
function leastCpu(f: () => void, runs: number): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = cpuSeconds();
    f();
    best = Math.min(best, cpuSeconds() - t);
  }
  return best;
}

/**
 * Asserts that `work(4 * n)` costs less than 8× `work(n)`: linear is 4×, quadratic 16×.
 * `work(n)` prepares its input and returns the run to time.
 */
function expectLinear(work: (n: number) => () => void, n: number): { small: number; large: number } {
  const small = work(n);
  const large = work(4 * n);
  // Once each (the first a warm-up), failing at once when far over budget, as a quadratic cost would be.
  expect(leastCpu(small, 1), `one run of ${n}`).toBeLessThan(BUDGET);
  const once = leastCpu(small, 3);
  expect(leastCpu(large, 1), `one run of ${4 * n}`).toBeLessThan(BUDGET);
  // Repeat each run so that the small one takes about 20 ms: sub-millisecond times are noise.
  const reps = Math.max(1, Math.min(50, Math.ceil(0.02 / Math.max(once, 1e-4))));
  const repeated = (f: () => void) => () => {
    for (let i = 0; i < reps; i++) f();
  };
  const a = leastCpu(repeated(small), 3);
  const b = leastCpu(repeated(large), 3);
  expect(b / Math.max(a, 1e-3), `${n}: ${(a * 1000).toFixed(1)} ms, ${4 * n}: ${(b * 1000).toFixed(1)} ms (×${reps})`).toBeLessThan(8);
  return { small: a / reps, large: b / reps };
}


/** `<r A="v" B="v" …/>`: 8 bytes an attribute or less, so 125,000 of them fill a megabyte. */
const manyAttributes = (n: number, value = 'v'): string => {
  let s = '<r';
  for (let i = 0; i < n; i++) s += ` ${attrName(i)}="${value}"`;
  return s + '/>';
};

const manyDeclarations = (n: number): string => {
  let s = '<r';
  for (let i = 0; i < n; i++) s += ` xmlns:${attrName(i)}="u"`;
  return s + '/>';
};

const TOO_MANY_ATTRIBUTES = new RegExp(`<r> has more than ${MAX_ATTRIBUTES} attributes, the limit`);
const TOO_MANY_DECLARATIONS = new RegExp(`<r> has more than ${MAX_NAMESPACE_DECLARATIONS} namespace declarations, the limit`);

describe('attribute and namespace declaration limits', () => {
  it.each([
    ['in one write', 1 << 30],
    ['in pieces of 7 characters', 7],
  ])(`accepts a start tag with ${MAX_ATTRIBUTES} attributes and refuses one more, %s`, (_label, size) => {
    let seen: Attributes | undefined;
    expect(tokenize(pieces(manyAttributes(MAX_ATTRIBUTES, 'v'), size), {}, (_n, attrs) => void (seen = attrs))).toBeNull();
    expect(Object.keys(seen as Attributes)).toHaveLength(MAX_ATTRIBUTES);
    expect(seen?.[attrName(MAX_ATTRIBUTES - 1)]).toBe('v');
    expect(tokenize(pieces(manyAttributes(MAX_ATTRIBUTES + 1, ''), size))).toMatch(TOO_MANY_ATTRIBUTES);
    expect(tokenize(pieces(Buffer.from(manyAttributes(MAX_ATTRIBUTES + 1, 'é'), 'utf8').toString('latin1'), size), { utf8Bytes: true })).toMatch(TOO_MANY_ATTRIBUTES);
  });

  it(`accepts ${MAX_NAMESPACE_DECLARATIONS} namespace declarations on an element and refuses one more`, () => {
    // The default namespace counts; attributes that only begin like a declaration do not.
    const at = (n: number) => `<r xmlns="d"${manyDeclarations(n - 1).slice(2, -2)} xmlnsx="1" xmlns-y="2"/>`;
    let seen: Attributes | undefined;
    expect(tokenize([at(MAX_NAMESPACE_DECLARATIONS)], {}, (_n, attrs) => void (seen = attrs))).toBeNull();
    expect(Object.keys(seen as Attributes)).toHaveLength(MAX_NAMESPACE_DECLARATIONS + 2);
    expect(tokenize([at(MAX_NAMESPACE_DECLARATIONS + 1)])).toMatch(TOO_MANY_DECLARATIONS);
    expect(tokenize(pieces(at(MAX_NAMESPACE_DECLARATIONS + 1), 5))).toMatch(TOO_MANY_DECLARATIONS);
  });

  it('still finds duplicates among many attributes, early or late', () => {
    const names = Array.from({ length: 200 }, (_, i) => attrName(i));
    const tag = (list: string[]) => `<r${list.map((n) => ` ${n}="1"`).join('')}/>`;
    expect(tokenize([tag(names)])).toBeNull();
    expect(tokenize([tag([...names, attrName(7)])])).toBe(`Duplicate attribute "${attrName(7)}" in <r>`);
    expect(tokenize([tag([...names.slice(0, 150), names[149] as string, ...names.slice(150)])])).toBe(`Duplicate attribute "${names[149]}" in <r>`);
    expect(tokenize([tag(['A', 'B', 'A', ...names.slice(2)])])).toBe('Duplicate attribute "A" in <r>');
  });

  it('quotes a name as long as a token only in part in its error message', () => {
    const long = 'n'.repeat(500_000);
    // Lengths first: a matcher's report of a half-megabyte string would take minutes to diff.
    const message = tokenize([`<${long} a="1" a="2"/>`]) ?? '';
    expect(message.length).toBeLessThan(200);
    expect(message).toMatch(/^Duplicate attribute "a" in <n{60}…>$/);
    expect((tokenize([`<r ${long}="1" ${long}="2"/>`]) ?? '').length).toBeLessThan(200);
    expect((tokenize([`<${long}></x>`]) ?? '').length).toBeLessThan(200);
  });
});

describe('linear time on hostile input', () => {
  it('refuses a start tag of N and 4N attributes (up to 125,000 in a megabyte) in time linear in its size', () => {
    const whole = (n: number) => {
      const xml = manyAttributes(n);
      return () => expect(tokenize([xml])).toMatch(TOO_MANY_ATTRIBUTES);
    };
    const t = expectLinear(whole, 31_250);
    expect(manyAttributes(125_000).length).toBeGreaterThan(990_000);
    expect(manyAttributes(125_000).length).toBeLessThan(MAX_TOKEN);
    expect(t.large).toBeLessThan(0.1);
    const chunked = (n: number) => {
      const chunks = pieces(manyAttributes(n), 1024);
      return () => expect(tokenize(chunks)).toMatch(TOO_MANY_ATTRIBUTES);
    };
    expect(expectLinear(chunked, 31_250).large).toBeLessThan(0.1);
  });

  it('refuses a start tag of N and 4N namespace declarations in time linear in its size', () => {
    const work = (n: number) => {
      const xml = manyDeclarations(n);
      return () => expect(tokenize([xml])).toMatch(TOO_MANY_DECLARATIONS);
    };
    expect(expectLinear(work, 17_500).large).toBeLessThan(0.1);
  });

  it(`reads N and 4N elements at the cap of ${MAX_ATTRIBUTES} attributes (a megabyte) in linear time`, () => {
    const element = manyAttributes(MAX_ATTRIBUTES).replace('<r', '<e');
    const work = (n: number) => {
      const xml = `<r>${element.repeat(n)}</r>`;
      const chunks = pieces(xml, 16_384);
      let count = 0;
      return () => {
        count = 0;
        expect(tokenize(chunks, {}, () => void count++)).toBeNull();
        expect(count).toBe(n + 1);
      };
    };
    expectLinear(work, Math.floor(250_000 / element.length));
  });

  // Tokens as long as MAX_TOKEN allows, written a few characters at a time: each write must
  // not re-read the token from its start (nor copy it whole).
  const value = (n: number) => 'v'.repeat(n);
  const tokens: [string, (n: number) => string][] = [
    ['a long attribute value', (n) => `<r a="${value(n)}"/>`],
    ['a long attribute value holding ">" and the other quote', (n) => `<r a='${'>"'.repeat(n / 2)}' b="1"/>`],
    ['a long element name', (n) => `<r${value(n)}></r${value(n)}>`],
    [`${MAX_ATTRIBUTES} attributes with long values`, (n) => manyAttributes(MAX_ATTRIBUTES, value(Math.floor(n / MAX_ATTRIBUTES)))],
    ['a long processing instruction', (n) => `<?pi ${'?'.repeat(n)}?><r/>`],
    ['a long end tag', (n) => `<r></r${' '.repeat(n)}>`],
    ['a long comment', (n) => `<r><!--${'c-'.repeat(n / 2)} --></r>`],
    ['a long CDATA section', (n) => `<r><![CDATA[${']'.repeat(n)}]]></r>`],
    ['long text', (n) => `<r>${'&amp;'.repeat(n / 5)}</r>`],
  ];

  it.each(tokens)('reads %s, written 64 characters at a time, in linear time', (_label, make) => {
    for (const options of [{}, { utf8Bytes: true }]) {
      const work = (n: number) => {
        const chunks = pieces(make(n), 64);
        return () => expect(tokenize(chunks, options)).toBeNull();
      };
      // 4 × 240,000 characters, within MAX_TOKEN.
      expectLinear(work, 240_000);
    }
  });

  it('reads a token near MAX_TOKEN written a character at a time within a second', () => {
    const xml = `<r a="${'v'.repeat(MAX_TOKEN - 100)}"/>`;
    const chunks = pieces(xml, 1);
    const t = leastCpu(() => expect(tokenize(chunks)).toBeNull(), 1);
    expect(t).toBeLessThan(1);
  });

  it('refuses a token past MAX_TOKEN that arrives in pieces as soon as it is past', () => {
    const xml = `<r a="${'v'.repeat(MAX_TOKEN + 100_000)}"/>`;
    for (const size of [65_536, 1024, 64]) {
      const t = leastCpu(() => expect(tokenize(pieces(xml, size))).toBe('Markup token too large'), 1);
      expect(t).toBeLessThan(0.5);
    }
  });

  it('refuses a start tag arriving in pieces once it is past the limit, without waiting for its end', () => {
    const chunks = pieces(manyAttributes(125_000), 64);
    const t = new XmlTokenizer({ startElement() {}, endElement() {}, text() {} });
    let written = 0;
    expect(() => {
      for (const c of chunks) {
        t.write(c);
        written++;
      }
    }).toThrow(TOO_MANY_ATTRIBUTES);
    expect(written).toBeLessThan(Math.ceil((8 * (MAX_ATTRIBUTES + 1)) / 64));
  });

  it('does not re-read on every piece a tag with too many values that cannot be refused yet', () => {
    // A name that has not ended yet ("r", then "=" and values with no white space): startTag
    // waits for its end, however many values the search for the tag's end has counted.
    const chunks = ['<r', ...pieces('="v"'.repeat(200_000), 64), '/>'];
    let message: string | null = null;
    const t = leastCpu(() => void (message = tokenize(chunks)), 1);
    expect(message).toMatch(/^Invalid element name "r="v"=/);
    expect(t).toBeLessThan(0.5);
  });

  it('refuses a start tag whose attribute has no "=" at its ">", not on every later piece', () => {
    // No "=" may ever follow: once the tag's ">" is in, waiting for one would re-read the
    // tag and all that follows on every write, up to MAX_TOKEN.
    for (const head of ['<r><a b', '<r><a b ', '<r><a é']) {
      const chunks = [head, ...pieces(' >x'.repeat(300_000), 64)];
      let message: string | null = null;
      const t = leastCpu(() => void (message = tokenize(chunks)), 1);
      expect(message).toMatch(/^Attribute "(b|é)" in <a> has no value$/);
      expect(t).toBeLessThan(0.5);
    }
    expect(tokenize(['<a b></a>'])).toBe('Attribute "b" in <a> has no value');
    expect(tokenize(['<a b/>'])).toBe('Invalid attribute name "b/" in <a>');
    expect(tokenize(['<a b'])).toBe('Unterminated start tag');
  });

  it('reads names and values near the token limit in one write in linear time', () => {
    for (const make of [(n: number) => `<r${value(n)}/>`, (n: number) => `<r a="${value(n)}"/>`, (n: number) => `<r>${value(n)}</r>`]) {
      expectLinear((n) => {
        const xml = make(n);
        return () => expect(tokenize([xml])).toBeNull();
      }, 250_000);
    }
  });
});

describe('the qbXML parsers on hostile input', () => {
  const response = (tag: string) => `<?xml version="1.0" ?><QBXML><QBXMLMsgsRs>${tag}</QBXMLMsgsRs></QBXML>`;
  const refused = new RegExp(`<CustomerQueryRs> has more than ${MAX_ATTRIBUTES} attributes, the limit`);

  it('a streamed response with a megabyte start tag (125,000 attributes) gets a clear parse error, quickly', () => {
    const hostileTag = manyAttributes(125_000).replace('<r', '<CustomerQueryRs');
    const start = cpuSeconds();
    const parser = new ResponseStreamParser(() => {});
    for (const chunk of pieces(response(hostileTag), 16_384)) {
      parser.write(chunk);
      expect(cpuSeconds() - start).toBeLessThan(BUDGET);
    }
    const summary = parser.end();
    expect(summary.parseError).toMatch(refused);
    expect(cpuSeconds() - start).toBeLessThan(1);
  });

  it('a whole response, or request document, with too many attributes on an element is refused with a clear message', () => {
    const tag = manyAttributes(MAX_ATTRIBUTES + 1).replace('<r', '<CustomerQueryRs');
    expect(() => parseResponse(response(tag))).toThrow(refused);
    expect(() => parseResponse(response(tag))).toThrow(XmlSyntaxError);
    const request = manyAttributes(MAX_ATTRIBUTES + 1).replace('<r', '<CustomerQueryRq');
    expect(() => parseRequestDocument(request)).toThrow(new RegExp(`not well-formed: <CustomerQueryRq> has more than ${MAX_ATTRIBUTES} attributes`));
  });

  it('keeps N and 4N repeats of an element named __proto__ in linear time', () => {
    expectLinear((n) => {
      const xml = response(`<CustomerQueryRs statusCode="0"><CustomerRet><Odd>${'<__proto__>p</__proto__>'.repeat(n)}</Odd></CustomerRet></CustomerQueryRs>`);
      return () => {
        const parsed = parseResponse(xml);
        const customer = (parsed.responses[0]?.value.CustomerRet as Record<string, unknown>[])[0] as Record<string, Record<string, unknown>>;
        expect(Object.getOwnPropertyDescriptor(customer.Odd, '__proto__')?.value).toHaveLength(n);
      };
    }, 10_000);
  });
});
