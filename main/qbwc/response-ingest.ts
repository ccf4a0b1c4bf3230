/**
 * Receives the `response` field of receiveResponseXML as it is decoded from the SOAP
 * body: stores the raw qbXML in chunks and scans it as it goes, so a 100 MB response is
 * never held whole. Nothing becomes visible until `commit`, which runs inside the
 * handler's transaction; an aborted or crashed upload leaves only an incomplete row
 * that is purged at start.
 */
import type { Store } from '../store';
import type { ResponseResult } from '../store/types';
import { ResponseScanner } from '../qbxml/response-scan';
import { type XmlHandler, XmlTokenizer } from '../xml/tokenizer';
import type { TextSink } from './soap/decode';

/** Characters buffered before a chunk is written to SQLite. */
const FLUSH_AT = 1 << 20;

export class ResponseIngest implements TextSink {
  private pending = '';
  private responseId: number | null = null;
  private seq = 0;
  private bytes = 0;
  private readonly scanner = new ResponseScanner();
  private readonly tokenizer: XmlTokenizer;
  private error: string | null = null;
  private blank = true;

  constructor(
    private readonly store: Store,
    private readonly sessionId: string | null,
    private readonly now: () => number,
    records?: XmlHandler,
  ) {
    this.tokenizer = new XmlTokenizer(records ? fanOut(this.scanner, records) : this.scanner);
  }

  get size(): number {
    return this.bytes + Buffer.byteLength(this.pending);
  }

  /** True when QuickBooks sent no response text (as with an HRESULT failure). */
  get isEmpty(): boolean {
    return this.blank;
  }

  get results(): readonly ResponseResult[] {
    return this.scanner.results;
  }

  /** Why QuickBooks' response could not be read as qbXML, if it could not. */
  get parseError(): string | null {
    return this.error;
  }

  write(text: string): void {
    if (this.blank && text.trim() !== '') this.blank = false;
    this.pending += text;
    if (this.pending.length >= FLUSH_AT) this.flush();
    if (this.error === null) {
      try {
        this.tokenizer.write(text);
      } catch (err) {
        this.error = (err as Error).message;
      }
    }
  }

  end(): void {
    if (this.error !== null || this.blank) return;
    try {
      this.tokenizer.end();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  abort(): void {
    if (this.responseId !== null) this.store.responses.discard(this.responseId);
    this.responseId = null;
    this.pending = '';
  }

  /** Stores what is left and marks the response complete; returns its id (null if empty). */
  commit(requestId: string | null): number | null {
    if (this.blank) {
      this.abort();
      return null;
    }
    this.flush();
    const id = this.responseId as number;
    this.store.responses.finish(id, requestId, this.bytes, this.error);
    return id;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.responseId ??= this.store.responses.create(this.sessionId, this.now());
    this.store.responses.appendChunk(this.responseId, this.seq++, this.pending);
    this.bytes += Buffer.byteLength(this.pending);
    this.pending = '';
  }
}

function fanOut(a: XmlHandler, b: XmlHandler): XmlHandler {
  return {
    startElement(name, attrs, selfClosing) {
      a.startElement(name, attrs, selfClosing);
      b.startElement(name, attrs, selfClosing);
    },
    endElement(name) {
      a.endElement(name);
      b.endElement(name);
    },
    text(text) {
      a.text(text);
      b.text(text);
    },
  };
}
