/**
 * A batch of parser events as it crosses from the parsing thread to the main thread:
 * every record's JSON encoded as UTF-8 into one buffer that is handed over, not copied.
 *
 * Posting the JSON strings themselves costs a copy on each side, and twice the bytes
 * when a string is stored two bytes per character — which V8 does for a whole record as
 * soon as it holds one character beyond Latin-1 (a “curly quote” in a memo). SQLite
 * stores UTF-8 anyway, so the main thread passes the bytes on without ever making strings.
 *
 * The parsing thread packs each record as it is parsed (BatchPacker is the parser's
 * collector), so its JSON string is garbage at once rather than a survivor the young
 * generation copies until the batch is posted.
 */
import type { EventCollector, RecordEvent, RecordMeta, ResponseEvent, RsEvent } from './stream';

/** A record whose JSON is bytes [previous record's end, `jsonEnd`) of the batch's buffer. */
export type PackedRecord = RecordMeta & { jsonEnd: number };

export interface PackedEvents {
  events: (RsEvent | PackedRecord)[];
  json: Uint8Array;
}

const encoder = new TextEncoder();
const MIN_BUFFER = 64 * 1024;

export class BatchPacker implements EventCollector<PackedEvents> {
  private events: (RsEvent | PackedRecord)[] = [];
  private json: Buffer | null = null;
  private end = 0;
  /** The last batch's size: the next buffer starts there, so it rarely has to grow. */
  private lastSize = MIN_BUFFER;

  get size(): number {
    return this.events.length;
  }

  responseStart(e: RsEvent): void {
    this.events.push(e);
  }

  record(meta: RecordMeta, json: string | Uint8Array): void {
    if (typeof json !== 'string') {
      this.room(json.length).set(json, this.end);
      this.end += json.length;
    } else {
      // Sized for nearly-ASCII text, redone with room for the worst case (three bytes a
      // unit) when it doesn't fit: sizing for that always would triple the memory held.
      let done = encoder.encodeInto(json, this.room(json.length + (json.length >> 3) + 16).subarray(this.end));
      if (done.read < json.length) done = encoder.encodeInto(json, this.room(json.length * 3).subarray(this.end));
      this.end += done.written;
    }
    this.events.push({ kind: 'record', name: meta.name, id: meta.id, editSequence: meta.editSequence, jsonEnd: this.end });
  }

  take(): PackedEvents {
    const batch = { events: this.events, json: (this.json ?? Buffer.allocUnsafeSlow(0)).subarray(0, this.end) };
    this.lastSize = Math.max(MIN_BUFFER, this.end + (this.end >> 2));
    this.events = [];
    this.json = null; // handed over with the batch
    this.end = 0;
    return batch;
  }

  /** The batch's buffer, with at least `needed` bytes free after `end`. */
  private room(needed: number): Buffer {
    const json = this.json;
    if (json !== null && json.length - this.end >= needed) return json;
    // Its own ArrayBuffer, not the pool's: it must be transferable.
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.lastSize, 2 * (json?.length ?? 0), this.end + needed));
    json?.copy(bigger, 0, 0, this.end);
    this.json = bigger;
    return bigger;
  }
}

/** Events as they were collected elsewhere, packed the same way. */
export function packEvents(events: readonly ResponseEvent[]): PackedEvents {
  const packer = new BatchPacker();
  for (const e of events) {
    if (e.kind === 'rs') packer.responseStart(e);
    else packer.record({ kind: 'record', name: e.name, id: e.id, editSequence: e.editSequence }, e.json);
  }
  return packer.take();
}

/** The events again, each record's JSON a view of the batch's bytes. */
export function unpackEvents(batch: PackedEvents): ResponseEvent[] {
  const bytes = Buffer.from(batch.json.buffer, batch.json.byteOffset, batch.json.length);
  let start = 0;
  return batch.events.map((e): ResponseEvent => {
    if (e.kind !== 'record') return e;
    const json = bytes.subarray(start, e.jsonEnd);
    start = e.jsonEnd;
    return { kind: 'record', name: e.name, id: e.id, editSequence: e.editSequence, json } satisfies RecordEvent;
  });
}
