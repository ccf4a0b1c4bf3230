/**
 * XML character data given as UTF-8 bytes, references resolved while they are still bytes:
 * UTF-8 in, UTF-8 out. A large qbXML response arrives escaped inside a SOAP string
 * (`&lt;InvoiceRet&gt;` …), roughly one reference every seven bytes; resolving them with
 * string operations costs tens of nanoseconds each, a plain loop over bytes a few
 * nanoseconds per byte — and bytes can be handed to another thread without a copy.
 *
 * Same rules as the tokenizer's text: the five predefined entities and character
 * references to legal XML characters only, no "]]>", no character XML forbids. Input may
 * be split anywhere, even inside a reference or a character.
 */
import { isXmlChar, XmlSyntaxError } from './tokenizer';

/** Longest reference we recognise, "&#x10FFFF;" plus slack (as the tokenizer). */
const MAX_REFERENCE = 12;

const AMP = 0x26;
const SEMI = 0x3b;

export class EscapedBytesDecoder {
  private carry: Uint8Array | null = null;
  /** The last two bytes of the previous input, for the "]]>" check across calls. */
  private last1 = 0;
  private last2 = 0;

  /** Reused between calls: a large response would otherwise leave megabytes of garbage buffers. */
  private out = new Uint8Array(0);
  private joined = new Uint8Array(0);

  /**
   * Resolves what it can of `input`; a reference or character cut at the end waits for
   * the next call. The result is a view that the next call overwrites.
   */
  resolve(input: Uint8Array): Uint8Array {
    let src = input;
    if (this.carry !== null) {
      const size = this.carry.length + input.length;
      if (this.joined.length < size) this.joined = new Uint8Array(size * 2);
      src = this.joined.subarray(0, size);
      src.set(this.carry);
      src.set(input, this.carry.length);
      this.carry = null;
    }
    const n = src.length;
    if (this.out.length < n) this.out = new Uint8Array(n * 2); // resolving only shortens
    const out = this.out;
    let o = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = src[i] as number;
      if (c > 0x3e) {
        // Letters, most punctuation, and the bytes of non-ASCII characters: the bulk of it.
        if (c === 0xef) {
          if (i + 2 >= n) break; // which character this starts is known only with the next bytes
          if (src[i + 1] === 0xbf && ((src[i + 2] as number) & 0xfe) === 0xbe) throw forbidden(); // U+FFFE, U+FFFF
        }
        out[o++] = c;
        continue;
      }
      if (c === AMP) {
        // &lt; &gt; &amp; — nearly every reference in escaped qbXML — without a call.
        if (src[i + 3] === SEMI && src[i + 2] === 0x74) {
          const c1 = src[i + 1];
          if (c1 === 0x6c || c1 === 0x67) {
            out[o++] = c1 === 0x6c ? 0x3c : 0x3e;
            i += 3;
            continue;
          }
        } else if (src[i + 4] === SEMI && src[i + 1] === 0x61 && src[i + 2] === 0x6d && src[i + 3] === 0x70) {
          out[o++] = AMP;
          i += 4;
          continue;
        }
        const semi = findSemicolon(src, i + 1, n);
        if (semi === -1) {
          if (n - i > MAX_REFERENCE) throw new XmlSyntaxError('Unterminated entity reference');
          break;
        }
        o = this.reference(src, i + 1, semi, out, o);
        i = semi;
        continue;
      }
      if (c < 0x20) {
        if (c !== 0x09 && c !== 0x0a && c !== 0x0d) throw forbidden();
      } else if (c === 0x3e) {
        // "]]>" as written (a "]" from a reference does not count, as in the tokenizer).
        const p1 = i >= 1 ? src[i - 1] : this.last1;
        const p2 = i >= 2 ? src[i - 2] : i === 1 ? this.last1 : this.last2;
        if (p1 === 0x5d && p2 === 0x5d) throw new XmlSyntaxError('"]]>" is not allowed in text');
      }
      out[o++] = c;
    }
    if (i < n) this.carry = src.slice(i);
    if (i >= 2) {
      this.last1 = src[i - 1] as number;
      this.last2 = src[i - 2] as number;
    } else if (i === 1) {
      this.last2 = this.last1;
      this.last1 = src[0] as number;
    }
    return out.subarray(0, o);
  }

  /** The input is complete: returns the bytes held back (a cut character); throws if a reference was left open. */
  finish(): Uint8Array {
    const carry = this.carry ?? new Uint8Array(0);
    this.carry = null;
    if (carry[0] === AMP) throw new XmlSyntaxError('Unterminated entity reference');
    return carry;
  }

  /** Writes the character `src[from, semi)` names (between "&" and ";") to `out` at `o`; returns the new end. */
  private reference(src: Uint8Array, from: number, semi: number, out: Uint8Array, o: number): number {
    const len = semi - from;
    const c0 = src[from];
    if (c0 === 0x23 /* # */) return writeCodePoint(characterReference(src, from + 1, semi), out, o);
    let ch = -1;
    if (len === 2 && src[from + 1] === 0x74 /* t */) {
      if (c0 === 0x6c /* l */) ch = 0x3c;
      else if (c0 === 0x67 /* g */) ch = 0x3e;
    } else if (len === 3 && c0 === 0x61 && src[from + 1] === 0x6d && src[from + 2] === 0x70) {
      ch = 0x26; // amp
    } else if (len === 4) {
      if (c0 === 0x71 && src[from + 1] === 0x75 && src[from + 2] === 0x6f && src[from + 3] === 0x74) ch = 0x22; // quot
      else if (c0 === 0x61 && src[from + 1] === 0x70 && src[from + 2] === 0x6f && src[from + 3] === 0x73) ch = 0x27; // apos
    }
    if (ch === -1) throw new XmlSyntaxError(`Undefined entity "&${latin1(src, from, semi)};"`);
    out[o] = ch;
    return o + 1;
  }
}

function findSemicolon(src: Uint8Array, from: number, n: number): number {
  const end = Math.min(n, from + MAX_REFERENCE);
  for (let j = from; j < end; j++) if (src[j] === SEMI) return j;
  return -1;
}

/** The code point of "#123" / "#x7B" (without "&#" and ";"); throws unless it is a legal XML character. */
function characterReference(src: Uint8Array, from: number, end: number): number {
  const hex = src[from] === 0x78; /* x */
  let cp = 0;
  let digits = 0;
  for (let j = hex ? from + 1 : from; j < end; j++) {
    const c = src[j] as number;
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (hex && c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (hex && c >= 0x41 && c <= 0x46) d = c - 0x37;
    else throw new XmlSyntaxError(`Invalid character reference "&#${latin1(src, from, end)};"`);
    cp = cp * (hex ? 16 : 10) + d;
    digits++;
  }
  if (digits === 0 || digits > (hex ? 7 : 8) || !isXmlChar(cp)) {
    throw new XmlSyntaxError(`Character reference "&#${latin1(src, from, end)};" is not a legal XML character`);
  }
  return cp;
}

function writeCodePoint(cp: number, out: Uint8Array, o: number): number {
  if (cp < 0x80) {
    out[o] = cp;
    return o + 1;
  }
  if (cp < 0x800) {
    out[o] = 0xc0 | (cp >> 6);
    out[o + 1] = 0x80 | (cp & 0x3f);
    return o + 2;
  }
  if (cp < 0x10000) {
    out[o] = 0xe0 | (cp >> 12);
    out[o + 1] = 0x80 | ((cp >> 6) & 0x3f);
    out[o + 2] = 0x80 | (cp & 0x3f);
    return o + 3;
  }
  out[o] = 0xf0 | (cp >> 18);
  out[o + 1] = 0x80 | ((cp >> 12) & 0x3f);
  out[o + 2] = 0x80 | ((cp >> 6) & 0x3f);
  out[o + 3] = 0x80 | (cp & 0x3f);
  return o + 4;
}

const latin1 = (src: Uint8Array, from: number, end: number): string => String.fromCharCode(...src.subarray(from, Math.min(end, from + 20)));

const forbidden = () => new XmlSyntaxError('The document contains a character that XML does not allow');
