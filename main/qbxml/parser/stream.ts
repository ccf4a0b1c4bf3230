/**
 * A qbXML response as a stream of text (or UTF-8 bytes) in, events out — each …Rs as it
 * starts, each record as JSON text — in batches, so that a large response's records can
 * be stored as it streams in.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { XmlTokenizer } from '../../xml/tokenizer';
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

const stringField = (value: unknown, field: string): string | null => {
  const v = (value as Record<string, unknown> | null)?.[field];
  return typeof v === 'string' ? v : null;
};

/** Whether `bytes` ends at a UTF-8 character boundary (false when unsure). */
function endsWithWholeCharacter(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const b = bytes[i] as number;
    if (b < 0x80) return i === n - 1;
    if (b >= 0xc0) return n - i === (b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf8 ? 4 : -1);
  }
  return false;
}

export class ResponseStreamParser<B = ResponseEvent[]> implements RecordSink {
  // Its input was checked on the way in: by the SOAP tokenizer or the escaped-bytes decoder.
  private readonly tokenizer = new XmlTokenizer(new QbxmlResponseParser(this), { charactersChecked: true });
  /** Set while text is arriving as UTF-8 bytes (it may hold part of a character). */
  private utf8: TextDecoder | null = null;
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
    if (this.utf8 !== null) {
      const rest = this.utf8.decode(); // its bytes were counted as they came
      this.utf8 = null;
      this.parse(rest);
    }
    this.bytes += Buffer.byteLength(text);
    this.parse(text);
  }

  /** The same as UTF-8 bytes, split anywhere. */
  writeUtf8(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    // Most of a qbXML response is ASCII, which decoding as Latin-1 (a copy) turns into a
    // string about ten times faster than a UTF-8 decoder does.
    if (this.utf8 === null && isAscii(bytes)) {
      this.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'));
      return;
    }
    // A leading byte order mark is the tokenizer's to drop; one further on is text.
    this.utf8 ??= new TextDecoder('utf-8', { ignoreBOM: true });
    this.parse(this.utf8.decode(bytes, { stream: true }));
    if (endsWithWholeCharacter(bytes)) this.utf8 = null; // it holds nothing back
  }

  private parse(text: string): void {
    if (text.length === 0) return;
    if (this.blank && text.trim() !== '') this.blank = false;
    if (this.parseError !== null || this.blank) return;
    try {
      this.tokenizer.write(text);
    } catch (err) {
      this.parseError = (err as Error).message;
    }
    if (this.collector.size >= this.batchSize) this.flush();
  }

  end(): StreamSummary {
    this.write('');
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
