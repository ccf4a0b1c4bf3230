import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscapedBytesDecoder } from '../../main/xml/escaped-bytes';
import { decodeEntities, XmlSyntaxError } from '../../main/xml/tokenizer';

/** Decodes `bytes` fed in the given pieces; the text, or the error. */
function viaBytes(bytes: Buffer, cuts: number[]): string | Error {
  const d = new EscapedBytesDecoder();
  const utf8 = new TextDecoder();
  let out = '';
  let at = 0;
  try {
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      out += utf8.decode(d.resolve(bytes.subarray(at, Math.max(at, cut))), { stream: true });
      at = Math.max(at, cut);
    }
    return out + utf8.decode(d.finish());
  } catch (err) {
    return err as Error;
  }
}

const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** What the tokenizer accepts as the text of an element, and makes of it. */
function viaString(raw: string): string | Error {
  if (raw.includes(']]>')) return new XmlSyntaxError('"]]>" is not allowed in text');
  if (FORBIDDEN.test(raw)) return new XmlSyntaxError('The document contains a character that XML does not allow');
  try {
    return decodeEntities(raw);
  } catch (err) {
    return err as Error;
  }
}

const piece = fc.constantFrom(
  'a', 'Z', ' ', '\n', '\t', ']', '>', ';', '#', 'é', '€', '😀', '\u0001', '\uFFFE',
  '&lt;', '&gt;', '&amp;', '&quot;', '&apos;', '&amp;lt;', '&#60;', '&#x3C;', '&#xE9;', '&#x1F600;', '&#0;', '&#xD800;',
  '&', '&bogus;', '&lt', '&#;', '&#x;', ']]>', ']]&gt;',
);

describe('EscapedBytesDecoder', () => {
  it('resolves references as bytes exactly as the tokenizer does as a string, however the input is cut (property)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), (pieces, cuts) => {
        const raw = pieces.join('');
        const expected = viaString(raw);
        const actual = viaBytes(Buffer.from(raw, 'utf8'), cuts);
        if (expected instanceof Error) expect(actual).toBeInstanceOf(XmlSyntaxError);
        else expect(actual).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('holds a reference or a character cut between calls until the rest arrives', () => {
    const bytes = Buffer.from('x &amp;lt; €&#x1F600;', 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) expect(viaBytes(bytes, [cut])).toBe('x &lt; €😀');
  });

  it('names what it refuses', () => {
    expect(String(viaBytes(Buffer.from('a &nbsp; b'), []))).toMatch(/Undefined entity "&nbsp;"/);
    expect(String(viaBytes(Buffer.from('a &#xD800; b'), []))).toMatch(/not a legal XML character/);
    expect(String(viaBytes(Buffer.from('a & b c d e f g h i j k l m'), []))).toMatch(/Unterminated entity reference/);
    expect(String(viaBytes(Buffer.from('a &am'), []))).toMatch(/Unterminated entity reference/);
    expect(String(viaBytes(Buffer.from('a ]]> b'), [3]))).toMatch(/"]]>" is not allowed/);
    expect(String(viaBytes(Buffer.from('a \u0007 b'), []))).toMatch(/character that XML does not allow/);
    expect(String(viaBytes(Buffer.from('a \uFFFF b'), [3, 4]))).toMatch(/character that XML does not allow/);
  });
});
