/**
 * Worker-thread side of parse-thread.ts: runs a ResponseStreamParser over the text it is
 * sent and posts the events back. One response at a time; reused.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './parse-thread';
import { BatchPacker, type PackedEvents } from './record-batch';
import { ResponseStreamParser } from './stream';

const port = parentPort;
if (!port) throw new Error('stream-worker.ts runs only as a worker thread');

let parser: ResponseStreamParser<PackedEvents> | undefined;

const post = (message: FromWorker) => port.postMessage(message);

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'start':
      parser = new ResponseStreamParser(
        (batch) => port.postMessage({ t: 'events', batch } satisfies FromWorker, [batch.json.buffer as ArrayBuffer]),
        100,
        new BatchPacker(),
      );
      return;
    case 'text':
      parser?.write(m.text);
      post({ t: 'ack' });
      return;
    case 'utf8':
      parser?.writeUtf8(m.data);
      post({ t: 'ack' });
      return;
    case 'end':
      post({ t: 'done', summary: (parser as ResponseStreamParser<PackedEvents>).end() });
      parser = undefined;
      return;
  }
});
