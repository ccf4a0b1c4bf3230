/**
 * A qbXML response as a stream of text (or UTF-8 bytes) in, events out — each …Rs as it
 * starts, each record as JSON text — in batches, so that a large response's records can
 * be stored as it streams in.
 */
import { isAscii } from 'node:buffer';
import { UTF8_BOM, XmlTokenizer } from '../../xml/tokenizer';
import { QbxmlResponseParser, type RecordSink, type RsInfo } from './response';

/** A …Rs began. */
export interface RsEvent {
  kind: 'rs';
  rs: RsInfo;
}

/** A record (InvoiceRet, CustomerRet, …) of the …Rs that began last. */
export interface RecordEvent {
  kind: 'record';
  name: string;
  /** TxnID or ListID, when the record has one. */
  id: string | null;
  editSequence: string | null;
  /** The record as JSON text, or its UTF-8 bytes once it has crossed from the parsing thread (record-batch.ts). */
  json: string | Uint8Array;
}

export type ResponseEvent = RsEvent | RecordEvent;

/** A record's event without its JSON, which a collector stores its own way. */
export type RecordMeta = Omit<RecordEvent, 'json'>;

/**
 * Gathers events into batches: as plain events (the default), or packed for another
 * thread as they come (record-batch.ts), so a record's JSON string dies at once instead
 * of surviving, and being copied by, the collections until its batch is posted.
 */
export interface EventCollector<B> {
  readonly size: number;
  responseStart(e: RsEvent): void;
  record(meta: RecordMeta, json: string): void;
  take(): B;
}

class EventList implements EventCollector<ResponseEvent[]> {
  private events: ResponseEvent[] = [];
  get size(): number {
    return this.events.length;
  }
  responseStart(e: RsEvent): void {
    this.events.push(e);
  }
  record(meta: RecordMeta, json: string): void {
    this.events.push({ kind: 'record', name: meta.name, id: meta.id, editSequence: meta.editSequence, json });
  }
  take(): ResponseEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}

export interface StreamSummary {
  /** Why the text could not be read as a qbXML response, if it could not. */
  parseError: string | null;
  /** UTF-8 bytes of the decoded text. */
  bytes: number;
  /** True when the text was only whitespace (QuickBooks sent nothing). */
  blank: boolean;
}

/** Any character but XML white space. */
const NOT_XML_SPACE = /[^ \t\r\n]/;

const stringField = (value: unknown, field: string): string | null => {
  const v = (value as Record<string, unknown> | null)?.[field];
  return typeof v === 'string' ? v : null;
};

export class ResponseStreamParser<B = ResponseEvent[]> implements RecordSink {
  // Its input was checked on the way in: by the SOAP tokenizer or the escaped-bytes decoder.
  // It reads UTF-8 bytes as Latin-1 characters (see XmlTokenizer's utf8Bytes), text included.
  private readonly tokenizer = new XmlTokenizer(new QbxmlResponseParser(this), { charactersChecked: true, utf8Bytes: true });
  /** Until the first bytes are known not to be a byte order mark split across writes: what came so far. */
  private head: string | null = '';
  private parseError: string | null = null;
  private bytes = 0;
  private blank = true;

  constructor(
    private readonly emit: (batch: B) => void,
    private readonly batchSize = 100,
    private readonly collector: EventCollector<B> = new EventList() as unknown as EventCollector<B>,
  ) {}

  /** The next piece of the response's (decoded) text. */
  write(text: string): void {
    const size = Buffer.byteLength(text);
    this.bytes += size;
    // ASCII text is its own UTF-8; anything else becomes the tokenizer's one character per byte.
    if (size === text.length) this.parse(text, true);
    else this.parse(Buffer.from(text, 'utf8').toString('latin1'), false);
  }

  /** The same as UTF-8 bytes, split anywhere. */
  writeUtf8(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    // Latin-1 decoding (a copy) is several times faster than UTF-8 decoding; the tokenizer
    // decodes what it hands out, and only where the bytes are not all ASCII.
    this.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'), isAscii(bytes));
  }

  private parse(text: string, ascii: boolean): void {
    if (this.head !== null) {
      // A byte order mark split across writes is put back together, for the tokenizer to drop whole.
      text = this.head + text;
      if (text.length < UTF8_BOM.length && UTF8_BOM.startsWith(text)) {
        this.head = text;
        return;
      }
      ascii &&= this.head === '';
      this.head = null;
      if (this.blank && text.startsWith(UTF8_BOM) && !NOT_XML_SPACE.test(text.slice(UTF8_BOM.length))) return;
    }
    if (text.length === 0) return;
    if (this.blank) {
      if (!NOT_XML_SPACE.test(text)) return; // QuickBooks sent nothing, so far
      this.blank = false;
    }
    if (this.parseError !== null) return;
    try {
      this.tokenizer.write(text, ascii);
    } catch (err) {
      this.parseError = (err as Error).message;
    }
    if (this.collector.size >= this.batchSize) this.flush();
  }

  end(): StreamSummary {
    if (this.head !== null && this.head !== '') {
      // One or two bytes that began like a byte order mark and were all there was.
      const head = this.head;
      this.head = null;
      this.parse(head, false);
    }
    if (this.parseError === null && !this.blank) {
      try {
        this.tokenizer.end();
      } catch (err) {
        this.parseError = (err as Error).message;
      }
    }
    this.flush();
    return { parseError: this.parseError, bytes: this.bytes, blank: this.blank };
  }

  responseStart(rs: RsInfo): void {
    this.collector.responseStart({ kind: 'rs', rs });
  }

  record(_rs: RsInfo, name: string, value: unknown): void {
    const meta: RecordMeta = {
      kind: 'record',
      name,
      id: stringField(value, 'TxnID') ?? stringField(value, 'ListID'),
      editSequence: stringField(value, 'EditSequence'),
    };
    this.collector.record(meta, JSON.stringify(value));
  }

  private flush(): void {
    if (this.collector.size > 0) this.emit(this.collector.take());
  }
}
