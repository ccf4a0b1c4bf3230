/**
 * Raw qbXML submitted by a caller: either a whole document
 * (`<?qbxml …?><QBXML><QBXMLMsgsRq onError="…">…</QBXMLMsgsRq></QBXML>`) or just the
 * request elements. We keep only the `…Rq` elements, re-serialised canonically (comments
 * dropped, CDATA escaped, non-ASCII as character references since QuickBooks reads
 * ISO-8859-1), without any requestID: the companion sets the version, `onError` and its
 * own requestIDs when it sends.
 */
import { escapeAttribute } from '../xml/escape';
import { type Attributes, type XmlHandler, XmlSyntaxError, XmlTokenizer } from '../xml/tokenizer';
import { escapeQbxmlText } from './escape';

export const ON_ERROR_VALUES = ['stopOnError', 'continueOnError', 'rollbackOnError'] as const;
/**
 * Request elements one queued message set may hold. QuickBooks answers a message set in one
 * response, which QBWC posts whole; and each element costs the queue bookkeeping (its type,
 * its offset), so millions of them in a 50 MB body would cost gigabytes to queue.
 */
export const MAX_REQUESTS = 1000;
export type OnError = (typeof ON_ERROR_VALUES)[number];

export interface RequestDocument {
  onError: OnError | null;
  /** Names of the request elements, in order (e.g. "CustomerAddRq"). */
  types: string[];
  /** The request elements, concatenated. */
  body: string;
  /** For each request element, the index just after its name in `body`: where requestID goes. */
  rqOffsets: number[];
}

export class QbxmlRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QbxmlRequestError';
  }
}

/** Read-only requests; anything else (Add, Mod, Del, Void, …) may change the company file. */
export function isQueryType(type: string): boolean {
  return /Query(Rq)?$/.test(type);
}

class RequestCollector implements XmlHandler {
  onError: OnError | null = null;
  readonly types: string[] = [];
  readonly rqOffsets: number[] = [];
  body = '';
  private depth = 0;
  /** Depth of the current …Rq element, 0 when outside one. */
  private rqDepth = 0;
  private wrapper: 'none' | 'QBXML' | 'QBXMLMsgsRq' = 'none';

  /** The tokenizer reports `<a/>` as start+end; the end must not write `</a>`. */
  private selfClosed = false;

  startElement(name: string, attrs: Attributes, selfClosing: boolean): void {
    this.depth++;
    this.selfClosed = selfClosing;
    if (this.rqDepth > 0) {
      this.body += tag(name, attrs, selfClosing);
      return;
    }
    if (name === 'QBXML' && this.depth === 1) {
      this.wrapper = 'QBXML';
      return;
    }
    if (name === 'QBXMLMsgsRq' && (this.depth === 1 || (this.depth === 2 && this.wrapper === 'QBXML'))) {
      this.setOnError(attrs);
      return;
    }
    if (!name.endsWith('Rq') || name === 'QBXMLMsgsRq') {
      throw new QbxmlRequestError(`<${name}> is not a qbXML request element (request elements end in "Rq", e.g. <CustomerQueryRq>).`);
    }
    if (this.types.length === MAX_REQUESTS) {
      throw new QbxmlRequestError(`A message set may hold at most ${MAX_REQUESTS} requests; queue more as separate requests.`);
    }
    this.rqDepth = this.depth;
    this.types.push(name);
    this.rqOffsets.push(this.body.length + 1 + name.length);
    const { requestID: _ignored, ...rest } = attrs;
    this.body += tag(name, rest, selfClosing);
  }

  endElement(name: string): void {
    if (this.rqDepth > 0) {
      if (!this.selfClosed) this.body += `</${name}>`;
      if (this.depth === this.rqDepth) this.rqDepth = 0;
    }
    this.selfClosed = false;
    this.depth--;
  }

  text(text: string): void {
    if (this.rqDepth > 0) this.body += escapeQbxmlText(text);
    else if (text.trim() !== '') throw new QbxmlRequestError('Text is only allowed inside request elements.');
  }

  private setOnError(attrs: Attributes): void {
    const value = attrs.onError;
    if (value === undefined) return;
    if (!(ON_ERROR_VALUES as readonly string[]).includes(value)) {
      throw new QbxmlRequestError(`onError must be one of ${ON_ERROR_VALUES.join(', ')}.`);
    }
    this.onError = value as OnError;
  }
}

function tag(name: string, attrs: Attributes, selfClosing: boolean): string {
  let s = '<' + name;
  for (const key in attrs) s += ` ${key}="${escapeQbxmlAttribute(attrs[key] as string)}"`;
  return s + (selfClosing ? '/>' : '>');
}

function escapeQbxmlAttribute(value: string): string {
  return escapeQbxmlText(escapeAttribute(value), true);
}

export function parseRequestDocument(qbxml: string): RequestDocument {
  const collector = new RequestCollector();
  const tokenizer = new XmlTokenizer(collector, { fragment: true });
  try {
    tokenizer.write(qbxml);
    tokenizer.end();
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new QbxmlRequestError(`The qbXML is not well-formed: ${err.message}.`);
    throw err;
  }
  if (collector.types.length === 0) {
    throw new QbxmlRequestError('The qbXML contains no request element (for example <CustomerQueryRq>).');
  }
  return { onError: collector.onError, types: collector.types, body: collector.body, rqOffsets: collector.rqOffsets };
}
