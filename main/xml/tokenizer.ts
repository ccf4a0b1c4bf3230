/**
 * A strict, streaming XML tokenizer.
 *
 * Why our own: QBWC delivers a whole query result as one escaped string inside a SOAP
 * element, so a 50 MB response is one giant text node. DOM parsers (fast-xml-parser,
 * xmlbuilder2) hold it all (GBs of RSS); saxes buffers a text node until it ends;
 * htmlparser2 streams text but accepts malformed input. This tokenizer streams text in
 * chunks (including CDATA), enforces well-formedness, and refuses any DOCTYPE so entity
 * declarations are never expanded. It only recognises the five predefined entities and
 * character references, which is all qbXML and SOAP ever use.
 */

export type Attributes = Readonly<Record<string, string>>;

export interface XmlHandler {
  /** `attrs` is a shared empty object when the tag has none; do not mutate it. */
  startElement(name: string, attrs: Attributes, selfClosing: boolean): void;
  endElement(name: string): void;
  /** Decoded character data; one text node may arrive in several calls. */
  text(text: string): void;
  /**
   * Offered character data before its references are decoded (never a reference split
   * between calls); returning true takes it as is, and with it the duty to decode it and
   * to reject malformed references. Lets an escaped document inside an element (qbXML in
   * a SOAP string) pass through without being decoded here.
   */
  rawText?(raw: string): boolean;
  processingInstruction?(target: string, data: string): void;
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

export const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * The prototype of every attributes object: empty and without Object.prototype, so an
 * attribute named "constructor" or "__proto__" is just an own property. Unlike
 * Object.create(null), which makes a slow dictionary object, objects built on it keep
 * V8's fast shapes (one per attribute list), so reading and iterating them is cheap.
 */
const ATTRIBUTES_PROTO: object = Object.freeze(Object.create(null) as object);

/** What ends a markup token that is held back until more input comes (see XmlTokenizer.hold). */
const enum Hold {
  /** Nothing held, or only a few characters (a "<", "<!-", a cut reference): simply re-read with the next input. */
  None,
  /** A start tag: ">" outside quoted attribute values. */
  StartTag,
  /** An end tag: ">". */
  EndTag,
  /** A processing instruction: "?>". */
  Pi,
}

const enum State {
  Prolog,
  Content,
  Cdata,
  Comment,
  Epilog,
  Done,
}

// Characters XML 1.0 forbids anywhere in a document, and unpaired surrogates (checked
// only when a surrogate is present: the /u scan is several times slower).
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Cs}/u;
// One scan for the common case (none of these characters at all).
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
/** Whether `s` holds a character XML 1.0 cannot carry at all, not even as a reference. */
export const hasForbiddenXmlChar = (s: string): boolean =>
  SUSPECT.test(s) && (FORBIDDEN_CONTROL.test(s) || (ANY_SURROGATE.test(s) && LONE_SURROGATE.test(s)));
// XML 1.0 (5th edition) Name; characters beyond U+FFFF appear as surrogate pairs (lone
// surrogates are refused with the other forbidden characters).
const NAME_START = ':A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\uD800-\uDFFF';
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*$`);
const WHITESPACE_ONLY = /^[ \t\r\n]*$/;
/** utf8Bytes: a byte that is part of a character beyond ASCII. */
const HIGH_BYTE = /[\u0080-\u00ff]/;
/** utf8Bytes: the byte order mark's three bytes. */
export const UTF8_BOM = '\u00ef\u00bb\u00bf';

// NAME for ASCII code units, checked while a tag name is scanned instead of by the regex
// afterwards (names with other characters still get the regex): 1 = may start a name, 2 = may follow.
const NAME_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME_CHAR[c] = 1 | 2;
  else if (/[-0-9.]/.test(ch)) NAME_CHAR[c] = 2;
}

/** Longest markup token we are willing to buffer (a start tag with attributes, a PI). */
export const MAX_TOKEN = 1 << 20;
/**
 * Most attributes one element may carry. qbXML's elements carry at most a handful
 * (requestID, statusCode, iteratorID…) and a SOAP envelope a handful of declarations;
 * 256 leaves ample room while bounding the work and the object one start tag can cost.
 */
export const MAX_ATTRIBUTES = 256;
/** Most namespace declarations (xmlns, xmlns:p) one element may carry: SOAP envelopes use about six. */
export const MAX_NAMESPACE_DECLARATIONS = 64;
/** Attribute names up to this many are checked for duplicates by comparing them one by one (the usual case); past it, in a Set. */
const FEW_ATTRIBUTES = 16;
/** Longest entity reference we recognise, "&#x10FFFF;" plus slack. */
const MAX_ENTITY = 12;
/**
 * Deepest element nesting accepted. qbXML nests about a dozen deep and a SOAP envelope
 * adds four; thousands of levels only serve to overflow the stack of whatever walks the
 * result later (JSON.stringify, a recursive check), long after the input was accepted.
 */
export const MAX_DEPTH = 256;

export interface TokenizerOptions {
  /**
   * Accept a document that is only a fragment: several top-level elements or bare
   * text (used when the inner qbXML of a SOAP field is re-tokenized).
   */
  fragment?: boolean;
  /**
   * Report an `<?xml …?>` declaration met inside an element to the handler instead of
   * failing. Hand-written QBWC fixtures put a literal qbXML document, declaration and all,
   * inside a SOAP string element; real QBWC escapes it.
   */
  embeddedDeclarations?: boolean;
  /**
   * The input's characters were already checked (it is the decoded text of an element
   * another tokenizer read): skip the check for characters XML forbids.
   */
  charactersChecked?: boolean;
  /**
   * Each character of the input is one byte of UTF-8 (the bytes were decoded as Latin-1).
   * Latin-1 decoding is several times faster than UTF-8 decoding and keeps every string
   * one byte per character, which makes all the scanning after it faster too; markup is
   * ASCII, so it reads the same. Names, text and attribute values are decoded from UTF-8
   * as they are handed out, and a character split at the end of a chunk waits for the rest.
   */
  utf8Bytes?: boolean;
}

export class XmlTokenizer {
  private buf = '';
  private state = State.Prolog;
  private readonly stack: string[] = [];
  private sawRoot = false;
  private sawElement = false;
  /** The last characters of a text run that continues in the next chunk. */
  private textTail = '';
  private sawAnything = false;
  /** The input being tokenized has no character that could be forbidden: per-token checks are skipped. */
  private clean = false;
  private readonly fragment: boolean;
  private readonly embeddedDeclarations: boolean;
  private readonly charactersChecked: boolean;
  private readonly utf8Bytes: boolean;
  /** utf8Bytes: the input being tokenized may hold bytes above 0x7F (they need decoding). */
  private high = false;
  /** utf8Bytes: the open elements' names as handed out (`stack` holds them as they appear in the input). */
  private readonly names: string[] = [];
  /** Set by scanName: the name it found as handed out, when that is not the input itself (utf8Bytes, non-ASCII). */
  private scannedName: string | null = null;
  /**
   * When `buf` holds an unfinished markup token: what ends it. Later input is only searched
   * for that end and kept in `pending`, and the token is parsed once, when it is complete:
   * re-parsing a long token from its start on every write (a start tag arriving in many
   * small pieces) would cost time quadratic in its length.
   */
  private hold = Hold.None;
  /**
   * Where the search for the held token's end stopped. Hold.StartTag: 0 outside values, 1
   * after an "=" (a quote there opens a value), or the quote character of the open value.
   * Hold.Pi: 1 if the text searched ended with "?".
   */
  private holdState = 0;
  /**
   * Hold.StartTag: the attribute values the search has seen open. Past MAX_ATTRIBUTES the tag
   * is parsed at once, to be refused without waiting for the rest of it.
   */
  private holdValues = 0;
  /** The writes since `buf` was held back, not yet joined to it. */
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(
    private readonly handler: XmlHandler,
    options: TokenizerOptions = {},
  ) {
    this.fragment = options.fragment ?? false;
    this.embeddedDeclarations = options.embeddedDeclarations ?? false;
    this.charactersChecked = options.charactersChecked ?? false;
    this.utf8Bytes = options.utf8Bytes ?? false;
    if (this.fragment) this.state = State.Content;
  }

  /** Depth of currently open elements. */
  get depth(): number {
    return this.stack.length;
  }

  /**
   * True when the input so far ended inside an element's text with nothing held back, so
   * the caller may deliver the text that follows to the handler itself, up to the next "<"
   * (then resume writing here): no reference is split, and no "]]>" can straddle the seam.
   */
  get atTextSeam(): boolean {
    return this.state === State.Content && this.buf.length === 0 && this.stack.length > 0 && !this.textTail.endsWith(']');
  }

  /**
   * The next piece of input. With utf8Bytes, `ascii` says the piece has no byte above
   * 0x7F (the caller knows it cheaply from the bytes), so nothing in it needs decoding.
   */
  write(chunk: string, ascii = false): void {
    if (this.state === State.Done) throw new XmlSyntaxError('Data after the end of the document');
    if (chunk.length === 0) return;
    if (!this.sawAnything) {
      // The byte order mark, whole (a caller splitting it across writes holds it back).
      if (chunk.startsWith(this.utf8Bytes ? UTF8_BOM : '\ufeff')) chunk = chunk.slice(this.utf8Bytes ? 3 : 1);
      this.sawAnything = chunk.length > 0;
    }
    // What is held back from the last write could hold such bytes too.
    this.high = this.utf8Bytes && (!ascii || (this.high && this.buf.length > 0));
    if (this.hold !== Hold.None) {
      if (!this.holdEndsIn(chunk)) {
        // Still unfinished: kept as is, neither joined nor parsed yet.
        this.pendingLength += chunk.length;
        if (this.buf.length + this.pendingLength > MAX_TOKEN) throw new XmlSyntaxError('Markup token too large');
        this.pending.push(chunk);
        return;
      }
      if (this.pending.length > 0) {
        this.pending.push(chunk);
        chunk = this.pending.join('');
        this.pending = [];
        this.pendingLength = 0;
      }
      this.hold = Hold.None;
    }
    const buf = this.buf.length === 0 ? chunk : this.buf + chunk;
    this.buf = '';
    // One scan of the whole input is far cheaper than one per text node and attribute.
    this.clean = this.charactersChecked || !SUSPECT.test(buf);
    const consumed = this.run(buf, false);
    if (consumed < buf.length) {
      if (buf.length - consumed > MAX_TOKEN) throw new XmlSyntaxError('Markup token too large');
      this.buf = buf.slice(consumed);
      this.hold = this.holdFor(this.buf);
    }
  }

  /** What ends `held`, the start of a markup token that `run` left unfinished (sets holdState). */
  private holdFor(held: string): Hold {
    if (this.state !== State.Content && this.state !== State.Prolog && this.state !== State.Epilog) return Hold.None;
    if (held.charCodeAt(0) !== 0x3c /* < */) return Hold.None;
    const c1 = held.charCodeAt(1);
    // Held only while it is too short to tell a comment, CDATA or a DOCTYPE apart.
    if (Number.isNaN(c1) || c1 === 0x21 /* ! */) return Hold.None;
    if (c1 === 0x2f /* / */) return Hold.EndTag;
    if (c1 === 0x3f /* ? */) {
      this.holdState = held.length > 2 && held.charCodeAt(held.length - 1) === 0x3f ? 1 : 0;
      return Hold.Pi;
    }
    this.holdState = 0;
    this.holdValues = 0;
    this.holdEndsIn(held.slice(1), Hold.StartTag, false);
    // Too many values, yet not refused (an error startTag meets only later, such as a name
    // that never ends): no sooner parse for this tag then, or every write would repeat it.
    if (this.holdValues > MAX_ATTRIBUTES) this.holdValues = -Infinity;
    return Hold.StartTag;
  }

  /**
   * Whether the held token ends within `input`, which continues it; if not, records where
   * the search stopped (holdState) so the next input is searched from there. A start tag
   * ends at the first ">" outside a quoted value, as startTag reads it; where this search
   * and startTag part ways, startTag has met an error before, which it reports when it runs.
   * With `early`, a start tag past MAX_ATTRIBUTES values counts as ended: startTag refuses it.
   */
  private holdEndsIn(input: string, hold = this.hold, early = true): boolean {
    if (hold === Hold.EndTag) return input.indexOf('>') !== -1;
    if (hold === Hold.Pi) {
      if ((this.holdState === 1 && input.charCodeAt(0) === 0x3e) || input.indexOf('?>') !== -1) return true;
      this.holdState = input.charCodeAt(input.length - 1) === 0x3f ? 1 : 0;
      return false;
    }
    let at = this.holdState;
    for (let i = 0; i < input.length; i++) {
      const c = input.charCodeAt(i);
      if (at > 1) {
        if (c === at) at = 0; // the value's closing quote
      } else if (c === 0x3e /* > */) return true;
      else if (c === 0x3d /* = */) at = 1;
      else if (at === 1 && (c === 0x22 || c === 0x27)) {
        at = c;
        if (++this.holdValues > MAX_ATTRIBUTES && early) return true;
      } else if (at === 1 && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) at = 0;
    }
    this.holdState = at;
    return false;
  }

  /** Signals end of input; throws if the document is incomplete. */
  end(): void {
    if (this.state === State.Done) return;
    const buf = this.pending.length === 0 ? this.buf : this.buf + this.pending.join('');
    this.buf = '';
    this.pending = [];
    this.pendingLength = 0;
    this.hold = Hold.None;
    this.clean = this.charactersChecked || !SUSPECT.test(buf);
    const consumed = this.run(buf, true);
    if (consumed < buf.length) throw new XmlSyntaxError('Unexpected end of input inside markup');
    if (this.state === State.Cdata) throw new XmlSyntaxError('Unterminated CDATA section');
    if (this.state === State.Comment) throw new XmlSyntaxError('Unterminated comment');
    if (this.stack.length > 0) throw new XmlSyntaxError(`Unexpected end of input: <${shown(this.decoded(this.stack[this.stack.length - 1] as string))}> is not closed`);
    if (!this.fragment && !this.sawRoot) throw new XmlSyntaxError('The document has no root element');
    this.state = State.Done;
  }

  /** Processes as much of `buf` as possible and returns how many characters were consumed. */
  private run(buf: string, final: boolean): number {
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      switch (this.state) {
        case State.Cdata: {
          const close = buf.indexOf(']]>', pos);
          if (close === -1) {
            // Keep a possible partial "]]" for the next chunk.
            let keep = 0;
            if (!final) {
              if (buf.endsWith(']]')) keep = 2;
              else if (buf.endsWith(']')) keep = 1;
            }
            const end = this.holdPartial(buf, len - keep, final);
            if (end > pos) this.emitRaw(buf.slice(pos, end));
            return end;
          }
          if (close > pos) this.emitRaw(buf.slice(pos, close));
          pos = close + 3;
          this.state = State.Content;
          continue;
        }
        case State.Comment: {
          const close = buf.indexOf('-->', pos);
          if (close === -1) return final ? len : Math.max(pos, len - 2);
          pos = close + 3;
          this.state = this.stack.length > 0 || this.fragment ? State.Content : this.sawRoot ? State.Epilog : State.Prolog;
          continue;
        }
        case State.Done:
          throw new XmlSyntaxError('Data after the end of the document');
        default:
          break;
      }

      const lt = buf.indexOf('<', pos);
      if (lt === -1) {
        // Text up to the end; hold back an unfinished entity reference.
        let end = len;
        if (!final) {
          const amp = buf.lastIndexOf('&');
          if (amp >= pos && len - amp <= MAX_ENTITY && buf.indexOf(';', amp) === -1) end = amp;
          end = this.holdPartial(buf, end, false);
        }
        if (end > pos) this.emitText(buf.slice(pos, end), true);
        return end;
      }
      if (lt > pos) this.emitText(buf.slice(pos, lt), false);
      else this.textTail = '';
      pos = lt;
      const next = this.markup(buf, pos, final);
      if (next === -1) return pos; // incomplete token: wait for more input
      pos = next;
    }
    return pos;
  }

  /** Parses the markup starting at `lt`; returns the index after it, or -1 if incomplete. */
  private markup(buf: string, lt: number, final: boolean): number {
    const c1 = buf.charCodeAt(lt + 1);
    if (Number.isNaN(c1)) return final ? this.fail('Unexpected end of input after "<"') : -1;
    if (c1 === 0x2f /* / */) {
      // The common case, compared in place: the end tag of the open element.
      const open = this.stack[this.stack.length - 1];
      if (open !== undefined && continuesWith(buf, lt + 2, open)) {
        let p = lt + 2 + open.length;
        let c = buf.charCodeAt(p);
        while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = buf.charCodeAt(++p);
        if (c === 0x3e) {
          this.closeTag(open);
          return p + 1;
        }
      }
      const gt = buf.indexOf('>', lt + 2);
      if (gt === -1) return final ? this.fail('Unterminated end tag') : -1;
      this.closeTag(trimSpaceEnd(buf.slice(lt + 2, gt)));
      return gt + 1;
    }
    if (c1 === 0x3f /* ? */) {
      const close = buf.indexOf('?>', lt + 2);
      if (close === -1) return final ? this.fail('Unterminated processing instruction') : -1;
      this.pi(buf.slice(lt + 2, close));
      return close + 2;
    }
    if (c1 === 0x21 /* ! */) {
      if (buf.length - lt < 9 && !final) {
        // Need enough characters to tell a comment from CDATA or a DOCTYPE.
        const head = buf.slice(lt);
        if ('<!--'.startsWith(head) || '<![CDATA['.startsWith(head) || '<!DOCTYPE'.startsWith(head.toUpperCase())) return -1;
      }
      if (buf.startsWith('<!--', lt)) {
        this.state = State.Comment;
        return lt + 4;
      }
      if (buf.startsWith('<![CDATA[', lt)) {
        if (this.stack.length === 0 && !this.fragment) this.fail('CDATA outside the root element');
        this.state = State.Cdata;
        return lt + 9;
      }
      if (buf.slice(lt + 2, lt + 9).toUpperCase() === 'DOCTYPE') this.fail('DOCTYPE declarations are not allowed');
      if (buf.startsWith('<!ENTITY', lt)) this.fail('Entity declarations are not allowed');
      return this.fail('Unsupported markup declaration');
    }
    return this.startTag(buf, lt, final);
  }

  private startTag(buf: string, lt: number, final: boolean): number {
    const nameEnd = this.scanName(buf, lt + 1);
    if (nameEnd === -1) return final ? this.fail('Unterminated start tag') : -1;
    if (nameEnd < 0) this.fail(`Invalid element name "${this.decoded(buf.slice(lt + 1, Math.min(-nameEnd - 2, lt + 41)))}"`);
    const inputName = buf.slice(lt + 1, nameEnd);
    const name = this.scannedName ?? inputName;
    let pos = nameEnd;
    let attrs: Record<string, string> | null = null;
    /**
     * The attribute names so far: the first one alone, then all of them in an array, and
     * past FEW_ATTRIBUTES in a Set (comparing each new name with every earlier one would
     * make a tag's cost quadratic in its attributes).
     */
    let seen: string | string[] | Set<string> = '';
    let count = 0;
    let declarations = 0;
    for (;;) {
      // Skip whitespace.
      let c = buf.charCodeAt(pos);
      while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = buf.charCodeAt(++pos);
      if (Number.isNaN(c)) return final ? this.fail('Unterminated start tag') : -1;
      if (c === 0x3e /* > */) {
        this.openTag(inputName, name, attrs ?? NO_ATTRIBUTES, false);
        return pos + 1;
      }
      if (c === 0x2f /* / */) {
        const c2 = buf.charCodeAt(pos + 1);
        if (Number.isNaN(c2)) return final ? this.fail('Unterminated start tag') : -1;
        if (c2 !== 0x3e) this.fail(`Expected ">" after "/" in <${shown(name)}>`);
        this.openTag(inputName, name, attrs ?? NO_ATTRIBUTES, true);
        return pos + 2;
      }
      if (pos === nameEnd) this.fail(`Expected whitespace before an attribute in <${shown(name)}>`);
      let eq = this.scanAttributeName(buf, pos);
      let attrName: string;
      if (eq >= 0) attrName = buf.slice(pos, this.attributeNameEnd);
      else {
        // Not a plain ASCII name followed by "=": the general rule, with its messages.
        // The name ends at "=", or at a ">" before it: then the tag ends without a value
        // (and reading on for an "=" would make the error depend on what follows the tag).
        eq = buf.indexOf('=', pos);
        const gt = eq === -1 ? buf.indexOf('>', pos) : indexBetween(buf, 0x3e /* > */, pos, eq);
        const end = gt === -1 ? eq : gt;
        if (end === -1) return final ? this.fail('Unterminated start tag') : -1;
        attrName = this.decoded(trimSpaceEnd(buf.slice(pos, end)));
        if (!NAME.test(attrName)) this.fail(`Invalid attribute name "${attrName.slice(0, 40)}" in <${shown(name)}>`);
        if (end === gt) this.fail(`Attribute "${shown(attrName)}" in <${shown(name)}> has no value`);
      }
      let q = eq + 1;
      let qc = buf.charCodeAt(q);
      while (qc === 0x20 || qc === 0x09 || qc === 0x0a || qc === 0x0d) qc = buf.charCodeAt(++q);
      if (Number.isNaN(qc)) return final ? this.fail('Unterminated start tag') : -1;
      if (qc !== 0x22 && qc !== 0x27) this.fail(`Attribute "${shown(attrName)}" in <${shown(name)}> must be quoted`);
      const close = buf.indexOf(qc === 0x22 ? '"' : "'", q + 1);
      if (close === -1) return final ? this.fail('Unterminated attribute value') : -1;
      const raw = buf.slice(q + 1, close);
      if (raw.indexOf('<') !== -1) this.fail(`"<" is not allowed in the value of attribute "${shown(attrName)}"`);
      if (!this.clean && hasForbiddenXmlChar(raw)) this.fail('The document contains a character that XML does not allow');
      if (++count > MAX_ATTRIBUTES) this.fail(`<${shown(name)}> has more than ${MAX_ATTRIBUTES} attributes, the limit`);
      if (attrName.startsWith('xmlns') && (attrName.length === 5 || attrName.charCodeAt(5) === 0x3a /* : */)) {
        if (++declarations > MAX_NAMESPACE_DECLARATIONS) this.fail(`<${shown(name)}> has more than ${MAX_NAMESPACE_DECLARATIONS} namespace declarations, the limit`);
      }
      if (attrs === null) {
        attrs = Object.create(ATTRIBUTES_PROTO) as Record<string, string>;
        seen = attrName;
      } else if (typeof seen === 'string' || Array.isArray(seen)) {
        // Compared as strings: `in` with a name just cut from the input costs a lookup in
        // V8's string table (the store below pays it once anyway).
        if (typeof seen === 'string') seen = [seen];
        if (seen.includes(attrName)) this.fail(`Duplicate attribute "${shown(attrName)}" in <${shown(name)}>`);
        seen.push(attrName);
        if (seen.length > FEW_ATTRIBUTES) seen = new Set(seen);
      } else {
        if (seen.has(attrName)) this.fail(`Duplicate attribute "${shown(attrName)}" in <${shown(name)}>`);
        seen.add(attrName);
      }
      attrs[attrName] = decodeEntities(normalizeAttributeWhitespace(this.decoded(raw)));
      pos = close + 1;
      const after = buf.charCodeAt(pos);
      if (!Number.isNaN(after) && after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d && after !== 0x3e && after !== 0x2f) {
        this.fail(`Expected whitespace between attributes in <${shown(name)}>`);
      }
    }
  }

  /** `inputName` is the name as it appears in the input, `name` as handed out (they differ only for utf8Bytes). */
  private openTag(inputName: string, name: string, attrs: Attributes, selfClosing: boolean): void {
    this.sawElement = true;
    if (this.stack.length === 0 && !this.fragment) {
      if (this.sawRoot) this.fail('Only one root element is allowed');
      this.sawRoot = true;
    }
    this.state = State.Content;
    if (selfClosing) {
      this.handler.startElement(name, attrs, true);
      this.handler.endElement(name);
      if (this.stack.length === 0 && !this.fragment) this.state = State.Epilog;
    } else {
      if (this.stack.length >= MAX_DEPTH) this.fail(`Elements are nested more than ${MAX_DEPTH} levels deep`);
      this.stack.push(inputName);
      if (this.utf8Bytes) this.names.push(name);
      this.handler.startElement(name, attrs, false);
    }
  }

  /** `name` as it appears in the input. */
  private closeTag(name: string): void {
    const open = this.stack.pop();
    if (open === undefined) this.fail(`Unexpected end tag </${shown(this.decoded(name))}>`);
    if (open !== name) this.fail(`End tag </${shown(this.decoded(name))}> does not match <${shown(this.decoded(open))}>`);
    this.handler.endElement(this.utf8Bytes ? (this.names.pop() as string) : name);
    if (this.stack.length === 0 && !this.fragment) this.state = State.Epilog;
  }

  private pi(input: string): void {
    // The XML declaration at the very start, the usual case: nothing in it to report.
    if (!this.sawElement && (this.state === State.Prolog || this.fragment) && input.startsWith('xml') && isSpace(input.charCodeAt(3))) return;
    const body = this.decoded(input);
    const space = body.search(/[ \t\r\n]/);
    const target = space === -1 ? body : body.slice(0, space);
    const data = space === -1 ? '' : trimSpaceEnd(body.slice(space + 1).replace(SPACE_START, ''));
    if (!NAME.test(target)) this.fail('Invalid processing instruction');
    if (target.toLowerCase() === 'xml') {
      // The XML declaration: only at the very start of a document.
      if (!this.sawElement && (this.state === State.Prolog || this.fragment)) return;
      if (!(this.embeddedDeclarations && this.stack.length > 0)) this.fail('XML declaration is only allowed at the start of the document');
    }
    this.handler.processingInstruction?.(target, data);
  }

  private emitText(raw: string, continues: boolean): void {
    if (this.stack.length === 0 && !this.fragment) {
      if (!WHITESPACE_ONLY.test(raw)) this.fail(this.sawRoot ? 'Text after the root element' : 'Text before the root element');
      return;
    }
    if (isBlank(raw)) {
      // Indentation between elements: nothing to decode or check.
      this.textTail = '';
      this.handler.text(raw);
      return;
    }
    // "]]>" may not appear in text, even split across chunks.
    if ((this.textTail === '' ? raw : this.textTail + raw).includes(']]>')) this.fail('"]]>" is not allowed in text');
    // The last two characters of the run so far: "]]>" may come a character per write.
    this.textTail = continues ? (raw.length >= 2 ? raw : this.textTail + raw).slice(-2) : '';
    // Checked before decoding: references can only produce characters isXmlChar allows.
    if (!this.clean && hasForbiddenXmlChar(raw)) this.fail('The document contains a character that XML does not allow');
    // Decoding UTF-8 yields no "&" or "<": references are decoded after it, as before.
    if (this.high) raw = this.decoded(raw);
    if (this.handler.rawText?.(raw)) return;
    this.handler.text(decodeEntities(raw));
  }

  private emitRaw(text: string): void {
    if (!this.clean && hasForbiddenXmlChar(text)) this.fail('The document contains a character that XML does not allow');
    this.handler.text(this.high ? this.decoded(text) : text);
  }

  /** With utf8Bytes, `s` decoded from UTF-8 (invalid bytes become U+FFFD); otherwise `s`. */
  private decoded(s: string): string {
    if (!this.utf8Bytes || !HIGH_BYTE.test(s)) return s;
    const text = Buffer.from(s, 'latin1').toString('utf8');
    // U+FFFE and U+FFFF show only now (lone surrogates can't: they decode to U+FFFD).
    if (!this.charactersChecked && hasForbiddenXmlChar(text)) this.fail('The document contains a character that XML does not allow');
    return text;
  }

  /** Where text at the end of a chunk may end: not inside a character whose rest comes next. */
  private holdPartial(buf: string, end: number, final: boolean): number {
    if (final || end === 0) return end;
    if (!this.utf8Bytes) {
      const c = buf.charCodeAt(end - 1);
      return c >= 0xd800 && c <= 0xdbff ? end - 1 : end; // a high surrogate waits for its pair
    }
    if (!this.high) return end;
    // Back over continuation bytes to the lead byte of the last character, if it is unfinished.
    for (let i = end - 1; i >= 0 && i >= end - 4; i--) {
      const b = buf.charCodeAt(i);
      if (b < 0x80) return end;
      if (b >= 0xc0) return end - i < (b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4) ? i : end;
    }
    return end;
  }

  /**
   * Where a tag name starting at `from` ends (XML whitespace, "/" or ">"); -1 if it does not
   * end within `buf` yet; -(end + 2) if it ends but is not a valid name. Sets scannedName.
   */
  private scanName(buf: string, from: number): number {
    let valid = true;
    let ascii = true;
    for (let i = from; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 0x20 || c === 0x3e || c === 0x2f || c === 0x0a || c === 0x09 || c === 0x0d) {
        this.scannedName = null;
        if (valid && !ascii) {
          const name = this.decoded(buf.slice(from, i));
          valid = NAME.test(name);
          if (this.utf8Bytes) this.scannedName = name;
        }
        return valid && i > from ? i : -(i + 2);
      }
      if (c >= 0x80) ascii = false;
      else if (((NAME_CHAR[c] as number) & (i === from ? 1 : 2)) === 0) valid = false;
    }
    return -1;
  }

  /** Set by scanAttributeName: where the name it found ends. */
  private attributeNameEnd = 0;

  /**
   * An attribute name of ASCII name characters starting at `from`, then optional
   * whitespace and "=": returns the index of the "=" (and sets attributeNameEnd), or -1
   * for anything else — the caller then takes the general path, which also reports errors.
   */
  private scanAttributeName(buf: string, from: number): number {
    let i = from;
    let c = buf.charCodeAt(i);
    if (!(c < 0x80 && ((NAME_CHAR[c] as number) & 1) !== 0)) return -1;
    for (c = buf.charCodeAt(++i); c < 0x80 && ((NAME_CHAR[c] as number) & 2) !== 0; c = buf.charCodeAt(++i));
    this.attributeNameEnd = i;
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = buf.charCodeAt(++i);
    return c === 0x3d /* = */ ? i : -1;
  }

  private fail(message: string): never {
    throw new XmlSyntaxError(message);
  }
}

// XML's white space is these four only: String#trim would also take no-break spaces etc.
const SPACE_START = /^[ \t\r\n]+/;
const SPACE_END = /[ \t\r\n]+$/;
const trimSpaceEnd = (s: string): string => s.replace(SPACE_END, '');

/** A name or other input quoted in an error message, cut short: it may be up to MAX_TOKEN long. */
const shown = (s: string): string => (s.length > 60 ? `${s.slice(0, 60)}…` : s);

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;

/** Whether `s` continues at `at` with `part`: compared in place, cheaper than startsWith for a short name. */
function continuesWith(s: string, at: number, part: string): boolean {
  const n = part.length;
  if (at + n > s.length) return false;
  for (let k = 0; k < n; k++) if (s.charCodeAt(at + k) !== part.charCodeAt(k)) return false;
  return true;
}

/** The first index of the character `code` in `s` within [from, to), or -1. */
function indexBetween(s: string, code: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === code) return i;
  return -1;
}

/** Only XML whitespace (and not empty). */
function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return false;
  }
  return s.length > 0;
}

/** Decodes the predefined entities and character references; rejects anything else. */
export function decodeEntities(raw: string): string {
  const amp = raw.indexOf('&');
  if (amp === -1) return raw;
  if (raw.length <= SHORT_TEXT) return decodeShort(raw, amp);
  // The common case (qbXML escaped inside SOAP) in native replaces, several times faster
  // than a callback. The four that cannot yield "&" go first: if any "&" is then left
  // that does not start "&amp;", the text holds something else and takes the slow path.
  const s = raw.replace(LT, '<').replace(GT, '>').replace(QUOT, '"').replace(APOS, "'");
  if (NOT_AMP.test(s)) return raw.replace(ENTITY, decodeOne);
  return s.replace(AMP, '&');
}

/** Text up to this long is decoded by a plain loop: six regex passes cost more than they save. */
const SHORT_TEXT = 256;

function decodeShort(raw: string, firstAmp: number): string {
  let out = '';
  let last = 0;
  for (let amp = firstAmp; amp !== -1; amp = raw.indexOf('&', last)) {
    const semi = raw.indexOf(';', amp + 1);
    const ch = semi === -1 ? undefined : namedEntity(raw.slice(amp + 1, semi));
    if (ch === undefined) return raw.replace(ENTITY, decodeOne); // a character reference, or an error to report
    out += raw.slice(last, amp) + ch;
    last = semi + 1;
  }
  return out + raw.slice(last);
}

function namedEntity(name: string): string | undefined {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
    default:
      return undefined;
  }
}

// Atom regexes, not replaceAll with a string: V8 has a faster path for these.
const LT = /&lt;/g;
const GT = /&gt;/g;
const QUOT = /&quot;/g;
const APOS = /&apos;/g;
const AMP = /&amp;/g;
const NOT_AMP = /&(?!amp;)/;

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,8})|#x([0-9a-fA-F]{1,7}));|&([^;]{0,12};?)/g;

function decodeOne(_m: string, named?: string, dec?: string, hex?: string, bad?: string): string {
  if (named !== undefined) return namedEntity(named) as string;
  if (bad !== undefined) {
    if (!bad.endsWith(';')) throw new XmlSyntaxError('Unterminated entity reference');
    throw new XmlSyntaxError(bad.startsWith('#') ? `Invalid character reference "&${bad}"` : `Undefined entity "&${bad}"`);
  }
  const cp = dec !== undefined ? parseInt(dec, 10) : parseInt(hex as string, 16);
  if (!isXmlChar(cp)) throw new XmlSyntaxError(`Character reference "&#${dec ?? 'x' + hex};" is not a legal XML character`);
  return String.fromCodePoint(cp);
}

/** Whether a code point is a character XML 1.0 allows. */
export function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** XML attribute-value normalisation: literal tabs and newlines become spaces. */
const ATTRIBUTE_SPACE = /[\t\n\r]/;
const ATTRIBUTE_SPACES = /\r\n|[\t\n\r]/g;

function normalizeAttributeWhitespace(value: string): string {
  return ATTRIBUTE_SPACE.test(value) ? value.replace(ATTRIBUTE_SPACES, ' ') : value;
}
