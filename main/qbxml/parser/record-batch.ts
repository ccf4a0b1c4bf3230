/**
 * A batch of parser events as it crosses from the parsing thread to the main thread:
 * every record's JSON encoded as UTF-8 into one buffer that is handed over, not copied.
 *
 * Posting the JSON strings themselves costs a copy on each side, and twice the bytes
 * when a string is stored two bytes per character — which V8 does for a whole record as
 * soon as it holds one character beyond Latin-1 (a “curly quote” in a memo). SQLite
 * stores UTF-8 anyway, so the main thread passes the bytes on without ever making strings.
 */
import type { RecordEvent, ResponseEvent, RsEvent } from './stream';

/** A record whose JSON is bytes [previous record's end, `jsonEnd`) of the batch's buffer. */
export type PackedRecord = Omit<RecordEvent, 'json'> & { jsonEnd: number };

export interface PackedEvents {
  events: (RsEvent | PackedRecord)[];
  json: Uint8Array;
}

const encoder = new TextEncoder();

export function packEvents(events: readonly ResponseEvent[]): PackedEvents {
  let left = 0; // UTF-16 units of JSON still to encode
  for (const e of events) if (e.kind === 'record') left += e.json.length;
  // Sized for nearly-ASCII text; grown when a record doesn't fit. (Sizing for the worst
  // case, three bytes a unit, would triple the memory the batch holds on both threads.)
  let json: Buffer = Buffer.allocUnsafeSlow(Math.ceil(left * 1.1) + 64); // its own ArrayBuffer, not the pool's: transferable
  let end = 0;
  const packed = events.map((e): RsEvent | PackedRecord => {
    if (e.kind !== 'record') return e;
    const text = e.json;
    if (typeof text !== 'string') {
      json = room(json, end, text.length);
      json.set(text, end);
      end += text.length;
    } else {
      let done = encoder.encodeInto(text, json.subarray(end));
      if (done.read < text.length) {
        json = room(json, end, left * 3);
        done = encoder.encodeInto(text, json.subarray(end));
      }
      end += done.written;
    }
    left -= text.length;
    return { kind: 'record', name: e.name, id: e.id, editSequence: e.editSequence, jsonEnd: end };
  });
  return { events: packed, json: json.subarray(0, end) };
}

/** `buf`, or a larger copy of its first `end` bytes, with at least `needed` bytes free after them. */
function room(buf: Buffer, end: number, needed: number): Buffer {
  if (buf.length - end >= needed) return buf;
  const bigger = Buffer.allocUnsafeSlow(end + needed);
  buf.copy(bigger, 0, 0, end);
  return bigger;
}

/** The events again, each record's JSON a view of the batch's bytes. */
export function unpackEvents(batch: PackedEvents): ResponseEvent[] {
  const bytes = Buffer.from(batch.json.buffer, batch.json.byteOffset, batch.json.length);
  let start = 0;
  return batch.events.map((e): ResponseEvent => {
    if (e.kind !== 'record') return e;
    const json = bytes.subarray(start, e.jsonEnd);
    start = e.jsonEnd;
    return { kind: 'record', name: e.name, id: e.id, editSequence: e.editSequence, json };
  });
}
