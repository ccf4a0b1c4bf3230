import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText } from '../../main/xml/escape';

const REFERENCES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#9;': '\t', '&#10;': '\n', '&#13;': '\r' };
const unescape = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#9|#10|#13);/g, (r) => REFERENCES[r] as string);
// Strings dense in the characters that need references, next to ordinary and non-ASCII ones.
const xmlish = fc.array(fc.constantFrom('&', '<', '>', '"', "'", '\t', '\n', '\r', 'a', ' ', 'é', '’', '&amp;', '\u{1F600}')).map((a) => a.join(''));
const anyText = fc.oneof(xmlish, fc.string({ unit: 'binary' }));

describe('XML escaping', () => {
  it('writes the references a stamped request needs', () => {
    expect(escapeText('<A x="1">R&D\r\n</A>')).toBe('&lt;A x="1"&gt;R&amp;D&#13;\n&lt;/A&gt;');
    expect(escapeAttribute('a "b"\t<c>\n&')).toBe('a &quot;b&quot;&#9;&lt;c&gt;&#10;&amp;');
    const plain = 'nothing to escape, not even é';
    expect(escapeText(plain)).toBe(plain);
  });

  it('text: reversible, and no markup or CR is left raw', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const e = escapeText(s);
        expect(unescape(e)).toBe(s);
        expect(e).not.toMatch(/[<>\r]|&(?!amp;|lt;|gt;|#13;)/);
      }),
      { numRuns: 2000 },
    );
  });

  it('attribute: reversible, and no quote, markup or whitespace that a parser would normalise is left raw', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const e = escapeAttribute(s);
        expect(unescape(e)).toBe(s);
        expect(e).not.toMatch(/[<>"\t\n\r]|&(?!amp;|lt;|gt;|quot;|#9;|#10;|#13;)/);
      }),
      { numRuns: 2000 },
    );
  });
});
