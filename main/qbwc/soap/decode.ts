/**
 * Streaming decoder for QBWC's SOAP 1.1 requests.
 *
 * Accepts what QBWC actually sends: document/literal wrapped bodies in the Intuit default
 * namespace, RPC/encoded bodies (`<q1:clientVersion>` with `xsi:type`) as a QWC with
 * `Style=RPC` produces, any SOAPAction (dispatch is on the body element's local name), a
 * UTF-8 BOM. String fields may be streamed to a sink as they are decoded, so a 100 MB
 * `response` is never held whole in memory.
 */
import { escapeAttribute, escapeText } from '../../xml/escape';
import { type Attributes, NO_ATTRIBUTES, type XmlHandler, XmlTokenizer } from '../../xml/tokenizer';
import { type MethodSpec, type ParamSpec, type QbwcMethod, type QbwcParams, QBWC_METHODS, qbwcMethodNamed } from '../methods';

export const SOAP11_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';

export type SoapStyle = 'document' | 'rpc';

export interface DecodedRequest {
  readonly method: QbwcMethod;
  readonly params: QbwcParams;
  readonly style: SoapStyle;
}

/** A consumer of one streamed string field. */
export interface TextSink {
  /** Character data as it appears in the envelope, references not yet decoded (whole ones only). */
  writeEscaped(raw: string): void;
  /** Decoded text (from CDATA, or nested markup written out as text). */
  write(text: string): void;
  /** Whether it can take raw UTF-8 bytes of escaped text now (see `SoapRequestDecoder.byteSink`). */
  readonly acceptsBytes?: boolean;
  /** Escaped character data as UTF-8 bytes, split anywhere. */
  writeBytes?(bytes: Uint8Array): void;
  /** The field ended; the envelope is not yet known to be complete. */
  end(): void;
  /** The request failed after the sink was opened; discard what it received. */
  abort(): void;
}

/** Chooses, per string field, whether to stream it (return a sink) or buffer it. */
export type OpenSink = (method: QbwcMethod, field: string, paramsSoFar: QbwcParams) => TextSink | undefined;

export type FaultCode = 'Client' | 'Server' | 'VersionMismatch';

/** A request we refuse; serialised as a SOAP 1.1 Fault. */
export class SoapFault extends Error {
  constructor(
    readonly faultCode: FaultCode,
    message: string,
  ) {
    super(message);
    this.name = 'SoapFault';
  }
}

/** A name from the request quoted in a fault, cut short: it may be up to a megabyte long. */
const shown = (name: string): string => (name.length > 80 ? `${name.slice(0, 80)}…` : name);

const localName = (qname: string): string => {
  const colon = qname.indexOf(':');
  return colon === -1 ? qname : qname.slice(colon + 1);
};

const prefixOf = (qname: string): string => {
  const colon = qname.indexOf(':');
  return colon === -1 ? '' : qname.slice(0, colon);
};

const enum Level {
  Envelope = 1,
  BodyOrHeader = 2,
  Method = 3,
  Param = 4,
}

export class SoapRequestDecoder implements XmlHandler {
  private readonly tokenizer = new XmlTokenizer(this, { embeddedDeclarations: true });
  private depth = 0;
  private inBody = false;
  private skipDepth = 0; // > 0 while inside soap:Header or an element we ignore
  private method: QbwcMethod | undefined;
  private spec: MethodSpec | undefined;
  private style: SoapStyle = 'document';
  private readonly params: QbwcParams = {};
  /** The parameter being read (its name is the table's own string: see startParam). */
  private field: ParamSpec | undefined;
  /** Bit i: the method's parameter i has been read. */
  private seen = 0;
  private fieldText = '';
  private sink: TextSink | undefined;
  private readonly openSinks: TextSink[] = [];
  private methodDone = false;
  private nestedSelfClosing = false;

  constructor(private readonly openSink?: OpenSink) {}

  write(chunk: string): void {
    try {
      this.tokenizer.write(chunk);
    } catch (err) {
      this.abort();
      throw asFault(err);
    }
  }

  end(): DecodedRequest {
    try {
      this.tokenizer.end();
    } catch (err) {
      this.abort();
      throw asFault(err);
    }
    if (this.method === undefined || this.spec === undefined) {
      this.abort();
      throw new SoapFault('Client', 'The SOAP Body does not contain a QBWC method call.');
    }
    for (let i = 0; i < this.spec.params.length; i++) {
      const p = this.spec.params[i] as ParamSpec;
      // The WSDL declares every string minOccurs="0"; .NET leaves a null one out.
      if (p.required && (this.seen & (1 << i)) === 0) {
        this.abort();
        throw new SoapFault('Client', `${this.method}: the required parameter "${p.name}" is missing.`);
      }
    }
    return { method: this.method, params: this.params, style: this.style };
  }

  /**
   * Whether the body's next bytes, up to the next "<", may go to `writeBytes` instead of
   * `write`: while a streamed field's own text is being read and its sink takes bytes.
   * They then skip the string decoding, the tokenizer and the re-encoding — a 100 MB
   * response is mostly this text. Writing resumes with `write` at the "<".
   */
  get acceptsBytes(): boolean {
    const sink = this.sink;
    return !!sink?.acceptsBytes && this.depth === Level.Param && this.skipDepth === 0 && this.tokenizer.atTextSeam;
  }

  /** Raw UTF-8 bytes of the current field's text (see `acceptsBytes`). */
  writeBytes(bytes: Uint8Array): void {
    try {
      (this.sink as Required<TextSink>).writeBytes(bytes);
    } catch (err) {
      this.abort();
      throw asFault(err);
    }
  }

  /** Tells every open sink that the request failed. */
  abort(): void {
    for (const s of this.openSinks.splice(0)) s.abort();
  }

  startElement(name: string, attrs: Attributes, selfClosing: boolean): void {
    this.depth++;
    if (this.skipDepth > 0) {
      this.skipDepth++;
      return;
    }
    // soap:encodingStyle (RPC) sits on the Envelope, the Body or the method element.
    if (this.depth <= Level.Method && attrs !== NO_ATTRIBUTES && hasEncodingStyle(attrs)) this.style = 'rpc';
    switch (this.depth) {
      case Level.Envelope:
        this.checkEnvelope(name, attrs);
        return;
      case Level.BodyOrHeader: {
        const local = localName(name);
        if (local === 'Body') this.inBody = true;
        else if (local === 'Header') this.skipDepth = 1;
        else throw new SoapFault('Client', `Unexpected element <${shown(name)}> in the SOAP Envelope.`);
        return;
      }
      case Level.Method:
        if (!this.inBody) return;
        if (this.method !== undefined || this.methodDone) {
          this.skipDepth = 1; // only the first body element is the call
          return;
        }
        this.startMethod(name);
        return;
      case Level.Param:
        this.startParam(name, attrs, selfClosing);
        return;
      default:
        // Markup inside a string field: hand-written fixtures put qbXML there unescaped.
        if (this.field !== undefined) {
          this.appendField(startTagText(name, attrs, selfClosing));
          this.nestedSelfClosing = selfClosing;
        }
        return;
    }
  }

  endElement(name: string): void {
    if (this.skipDepth > 0) {
      this.skipDepth--;
      this.depth--;
      return;
    }
    if (this.depth === Level.Param && this.field !== undefined) this.endParam();
    else if (this.depth > Level.Param && this.field !== undefined) {
      if (!this.nestedSelfClosing) this.appendField(`</${name}>`);
      this.nestedSelfClosing = false;
    } else if (this.depth === Level.Method && this.method !== undefined) this.methodDone = true;
    else if (this.depth === Level.BodyOrHeader) this.inBody = false;
    this.depth--;
  }

  rawText(raw: string): boolean {
    // A streamed field's own text goes out undecoded: its sink decodes it (or stores it as is).
    if (this.sink === undefined || this.depth !== Level.Param || this.skipDepth > 0) return false;
    this.sink.writeEscaped(raw);
    return true;
  }

  text(text: string): void {
    if (this.field === undefined || this.skipDepth > 0) return;
    // Directly inside the field, text is the string value; inside nested markup it is XML text.
    this.appendField(this.depth > Level.Param ? escapeText(text) : text);
  }

  processingInstruction(target: string, data: string): void {
    if (this.field !== undefined) this.appendField(`<?${target}${data ? ' ' + data : ''}?>`);
  }

  private checkEnvelope(name: string, attrs: Attributes): void {
    if (localName(name) !== 'Envelope') throw new SoapFault('Client', `Expected a SOAP Envelope, found <${shown(name)}>.`);
    const prefix = prefixOf(name);
    const ns = attrs[prefix ? `xmlns:${prefix}` : 'xmlns'];
    if (ns === SOAP12_NAMESPACE) throw new SoapFault('VersionMismatch', 'Only SOAP 1.1 is supported, as QuickBooks Web Connector uses.');
    if (ns !== SOAP11_NAMESPACE) throw new SoapFault('Client', `The Envelope is not in the SOAP 1.1 namespace (${SOAP11_NAMESPACE}).`);
  }

  private startMethod(name: string): void {
    const local = localName(name);
    const method = qbwcMethodNamed(local);
    if (method === undefined) throw new SoapFault('Client', `Unknown method "${shown(local)}".`);
    this.method = method;
    this.spec = QBWC_METHODS[method];
  }

  private startParam(name: string, attrs: Attributes, selfClosing: boolean): void {
    if (this.method === undefined || this.methodDone) {
      this.skipDepth = 1;
      return;
    }
    const local = localName(name);
    const params = (this.spec as MethodSpec).params;
    let i = 0;
    while (i < params.length && (params[i] as ParamSpec).name !== local) i++;
    const spec = params[i];
    if (spec === undefined) {
      this.skipDepth = 1; // tolerate extra fields (some WSDLs give serverVersion a strVersion)
      return;
    }
    if (this.seen & (1 << i)) throw new SoapFault('Client', `${this.method}: the parameter "${local}" appears twice.`);
    this.seen |= 1 << i;
    if (attrs !== NO_ATTRIBUTES && hasXsiType(attrs)) this.style = 'rpc';
    // Keyed by the table's string, not the slice of the body: V8 then finds the property
    // by identity instead of hashing and interning a new string on every call.
    this.field = spec;
    this.fieldText = '';
    this.sink = spec.type === 'string' && !selfClosing ? this.openSink?.(this.method, spec.name, this.params) : undefined;
    if (this.sink) this.openSinks.push(this.sink);
  }

  private appendField(text: string): void {
    if (this.sink) return this.sink.write(text);
    const field = this.field as ParamSpec;
    if (this.fieldText.length + text.length > field.maxChars) {
      throw new SoapFault('Client', `${this.method}: the parameter "${field.name}" is longer than ${field.maxChars} characters.`);
    }
    this.fieldText += text;
  }

  private endParam(): void {
    const spec = this.field as ParamSpec;
    const name = spec.name;
    if (this.sink) {
      this.sink.end();
      this.params[name] = '';
      this.sink = undefined;
    } else if (spec.type === 'int') {
      const trimmed = this.fieldText.trim();
      if (!/^[+-]?\d{1,9}$/.test(trimmed)) {
        throw new SoapFault('Client', `${this.method}: the parameter "${name}" must be an integer.`);
      }
      this.params[name] = Number(trimmed);
    } else {
      this.params[name] = this.fieldText;
    }
    this.field = undefined;
    this.fieldText = '';
  }
}

function hasEncodingStyle(attrs: Attributes): boolean {
  for (const key in attrs) if (localName(key) === 'encodingStyle') return true;
  return false;
}

/** An xsi:type-style attribute (any prefix): RPC/encoded parameters carry one. */
function hasXsiType(attrs: Attributes): boolean {
  for (const key in attrs) if (key.endsWith(':type')) return true;
  return false;
}

function startTagText(name: string, attrs: Attributes, selfClosing: boolean): string {
  let s = '<' + name;
  for (const key in attrs) s += ` ${key}="${escapeAttribute(attrs[key] as string)}"`;
  return s + (selfClosing ? '/>' : '>');
}

function asFault(err: unknown): SoapFault {
  if (err instanceof SoapFault) return err;
  if (err instanceof Error && err.name === 'XmlSyntaxError') {
    return new SoapFault('Client', `The request is not well-formed XML: ${err.message}.`);
  }
  throw err;
}
