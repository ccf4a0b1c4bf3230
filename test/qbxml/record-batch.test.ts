/**
 * Records crossing from the parsing thread as UTF-8 bytes, and text reaching the parser as
 * bytes: the same records as parsing strings on the calling thread, whatever the text.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateInvoiceQueryRs } from '../../bench/qbxml-fixtures';
import type { ResponseParsing } from '../../main/qbxml/parser/parse-thread';
import { packEvents, unpackEvents } from '../../main/qbxml/parser/record-batch';
import { type RecordEvent, type ResponseEvent, ResponseStreamParser } from '../../main/qbxml/parser/stream';

const record = (json: string, id: string | null = null): RecordEvent => ({ kind: 'record', name: 'CustomerRet', id, editSequence: null, json });
const text = (json: string | Uint8Array) => (typeof json === 'string' ? json : Buffer.from(json).toString('utf8'));

/** Every record's JSON as text, and the rest of each event as it was. */
const normalized = (events: ResponseEvent[]) => events.map((e) => (e.kind === 'record' ? { ...e, json: text(e.json) } : e));

function parseInline(doc: string): ResponseEvent[] {
  const events: ResponseEvent[] = [];
  const parser = new ResponseStreamParser((batch) => events.push(...batch));
  parser.write(doc);
  parser.end();
  return events;
}

describe('packEvents / unpackEvents', () => {
  it('round-trips records of any text, in order, between the …Rs events', () => {
    const unit = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
    fc.assert(
      fc.property(fc.array(fc.oneof(unit.map((s) => record(JSON.stringify({ Name: s }), s.slice(0, 3))), fc.constant(null)), { maxLength: 30 }), (items) => {
        const events: ResponseEvent[] = items.map((r, i) =>
          r ?? { kind: 'rs', rs: { type: 'CustomerQueryRs', index: i, statusCode: 0, statusSeverity: 'Info' } as never },
        );
        const batch = packEvents(events);
        expect(normalized(unpackEvents(batch))).toEqual(events);
        // Records already in bytes pack the same way (a batch passed on again).
        expect(normalized(unpackEvents(packEvents(unpackEvents(batch))))).toEqual(events);
        // Lone surrogates can't be UTF-8: JSON.stringify escapes them, so the bytes stay exact.
        for (const e of unpackEvents(batch)) if (e.kind === 'record') expect(JSON.parse(text(e.json))).toEqual(expect.any(Object));
      }),
    );
  });

  it('grows its buffer when the text is mostly beyond ASCII (three bytes a character)', () => {
    const wide = '“’—'.repeat(5_000);
    const events = [record(JSON.stringify({ Memo: 'plain' })), record(JSON.stringify({ Memo: wide })), record(JSON.stringify({ Memo: `${wide}€` }))];
    const batch = packEvents(events);
    expect(batch.json.length).toBe(events.reduce((n, e) => n + Buffer.byteLength(e.json as string), 0));
    expect(normalized(unpackEvents(batch))).toEqual(events);
  });

  it('hands over a buffer of its own (transferable), never a slice of the shared pool', () => {
    const neighbour = Buffer.from('a neighbour in the shared pool');
    const batch = packEvents([record('{"Name":"A"}')]);
    expect(batch.json.buffer).not.toBe(neighbour.buffer);
    const copy = structuredClone(batch, { transfer: [batch.json.buffer as ArrayBuffer] });
    expect(batch.json.buffer.byteLength).toBe(0); // handed over, not copied
    expect(neighbour.toString()).toBe('a neighbour in the shared pool'); // the pool was not taken with it
    expect(normalized(unpackEvents(copy))).toEqual([record('{"Name":"A"}')]);
    // A batch of only …Rs events has no records, and still a buffer of its own.
    const empty = packEvents([{ kind: 'rs', rs: { type: 'CustomerQueryRs', index: 0, statusCode: 0, statusSeverity: 'Info' } }]);
    expect(() => structuredClone(empty, { transfer: [empty.json.buffer as ArrayBuffer] })).not.toThrow();
    expect(neighbour.toString()).toBe('a neighbour in the shared pool');
  });
});

describe('ResponseStreamParser.writeUtf8', () => {
  const doc = generateInvoiceQueryRs(200_000, { requestId: 'r1', iterator: false });

  it('gives the same records for bytes cut anywhere, ASCII pieces and pieces cut inside “ and é alike', () => {
    const expected = parseInline(doc);
    expect(expected.filter((e) => e.kind === 'record').length).toBeGreaterThan(10);
    const bytes = Buffer.from(doc);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9_000 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        const events: ResponseEvent[] = [];
        const parser = new ResponseStreamParser((batch) => events.push(...batch));
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length] as number;
          parser.writeUtf8(bytes.subarray(at, at + size));
          at += size;
        }
        expect(parser.end()).toEqual({ parseError: null, bytes: bytes.length, blank: false });
        expect(events).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps a byte order mark that is not at the start, even when it begins a piece', () => {
    const withBom = '<?xml version="1.0"?><QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode="0" statusSeverity="Info"><CustomerRet><Name>A\uFEFFB</Name></CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>';
    const bytes = Buffer.from(`\uFEFF${withBom}`);
    const cut = bytes.indexOf(Buffer.from('\uFEFFB'));
    const events: ResponseEvent[] = [];
    const parser = new ResponseStreamParser((batch) => events.push(...batch));
    parser.writeUtf8(bytes.subarray(0, cut - 3)); // ASCII only after the leading BOM's piece
    parser.writeUtf8(bytes.subarray(cut - 3, cut));
    parser.writeUtf8(bytes.subarray(cut));
    expect(parser.end().parseError).toBeNull();
    expect(normalized(events).find((e) => e.kind === 'record')).toMatchObject({ json: '{"Name":"A\uFEFFB"}' });
  });
});

describe('ResponseStreamParser: UTF-8 bytes read one character per byte', () => {
  // Non-ASCII where the tokenizer hands text out: an attribute, text around a reference,
  // a character outside the BMP (four bytes), CDATA, and an element name (not qbXML's).
  const doc =
    '\uFEFF<?xml version="1.0"?><QBXML><QBXMLMsgsRs>' +
    '<CustomerQueryRs statusCode="1" statusSeverity="Info" statusMessage="Aucun « Café » trouvé"></CustomerQueryRs>' +
    '<CustomerQueryRs statusCode="0" statusSeverity="Info"><CustomerRet><ListID>80-1</ListID>' +
    '<Name>Ünïcode “q” \u{1F600} &#233;&amp;é</Name><Notes><![CDATA[ß <raw> ✓]]></Notes></CustomerRet>' +
    '</CustomerQueryRs></QBXMLMsgsRs></QBXML>';
  const bytes = Buffer.from(doc);

  const check = (events: ResponseEvent[]) => {
    const rs = events.filter((e) => e.kind === 'rs').map((e) => e.rs.statusMessage);
    expect(rs).toEqual(['Aucun « Café » trouvé', undefined]);
    const rec = events.find((e): e is RecordEvent => e.kind === 'record');
    expect(JSON.parse(text(rec?.json ?? ''))).toMatchObject({ ListID: '80-1', Name: 'Ünïcode “q” \u{1F600} é&é', Notes: 'ß <raw> ✓' });
  };

  it('decodes text, attributes and CDATA whatever the pieces: one byte at a time, bytes and text mixed', () => {
    const oneByOne: ResponseEvent[] = [];
    const p1 = new ResponseStreamParser((batch) => oneByOne.push(...batch));
    for (let i = 0; i < bytes.length; i++) p1.writeUtf8(bytes.subarray(i, i + 1));
    expect(p1.end()).toEqual({ parseError: null, bytes: bytes.length, blank: false });
    check(oneByOne);

    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        // Text pieces must be whole characters: cut the string, and send every other piece as bytes.
        const events: ResponseEvent[] = [];
        const parser = new ResponseStreamParser((batch) => events.push(...batch));
        const chars = Array.from(doc);
        for (let at = 0, i = 0; at < chars.length; i++) {
          const size = sizes[i % sizes.length] as number;
          const piece = chars.slice(at, at + size).join('');
          if (i % 2 === 0) parser.write(piece);
          else parser.writeUtf8(Buffer.from(piece));
          at += size;
        }
        expect(parser.end()).toMatchObject({ parseError: null, bytes: bytes.length });
        check(events);
      }),
      { numRuns: 50 },
    );
  });

  it('reads a document of only a byte order mark and white space as blank, and names a non-ASCII element decoded', () => {
    const blank = new ResponseStreamParser(() => undefined);
    const bom = Buffer.from('\uFEFF \r\n');
    blank.writeUtf8(bom.subarray(0, 1));
    blank.writeUtf8(bom.subarray(1, 2));
    blank.writeUtf8(bom.subarray(2));
    expect(blank.end()).toEqual({ parseError: null, bytes: bom.length, blank: true });

    const named = new ResponseStreamParser(() => undefined);
    named.writeUtf8(Buffer.from('<QBXML><QBXMLMsgsRs><Façade></Façadé></QBXMLMsgsRs></QBXML>'));
    expect(named.end().parseError).toBe('End tag </Façadé> does not match <Façade>');

    const cut = new ResponseStreamParser(() => undefined);
    cut.writeUtf8(Buffer.from('<QBXML>é').subarray(0, 8)); // the document ends inside "é"
    expect(cut.end().parseError).toMatch(/not closed/);
  });
});

describe('parsing on the worker thread (compiled build)', () => {
  const compiled = path.join(__dirname, '..', '..', 'dist', 'main', 'qbxml', 'parser', 'parse-thread.js');

  it.skipIf(!fs.existsSync(compiled))('delivers the records parsed inline, their JSON as UTF-8 bytes', async () => {
    const { startParsing } = (await import(compiled)) as { startParsing: (on: (e: ResponseEvent[]) => void) => ResponseParsing };
    const doc = generateInvoiceQueryRs(600_000, { requestId: 'r1', iterator: false });
    const events: ResponseEvent[] = [];
    const parsing = startParsing((batch) => events.push(...batch));
    const bytes = Buffer.from(doc);
    for (let at = 0; at < bytes.length; at += 65_521) parsing.writeUtf8(bytes.subarray(at, at + 65_521));
    expect(await parsing.end()).toMatchObject({ parseError: null, bytes: bytes.length });
    const records = events.filter((e): e is RecordEvent => e.kind === 'record');
    expect(records.every((r) => r.json instanceof Uint8Array)).toBe(true);
    expect(normalized(events)).toEqual(parseInline(doc));
  }, 30_000);
});
