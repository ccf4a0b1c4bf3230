/**
 * Parses a large qbXML response off the main thread. Tokenizing, typing and serialising
 * its records cost more CPU than receiving, decoding and storing them; on a worker thread
 * (stream-worker.ts) the two overlap, and the main thread stays free for other Web
 * Connector calls and the REST API meanwhile.
 *
 * Text goes over as UTF-8 bytes in buffers handed across without a copy; events come
 * back in document order through `onEvents`, records' JSON likewise as UTF-8 bytes
 * (record-batch.ts). Where no compiled worker exists (running from TypeScript sources,
 * as under the test runner) the same parser runs inline.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type PackedEvents, unpackEvents } from './record-batch';
import { type ResponseEvent, ResponseStreamParser, type StreamSummary } from './stream';

export type ToWorker = { t: 'start' } | { t: 'text'; text: string } | { t: 'utf8'; data: Uint8Array } | { t: 'end' };
export type FromWorker = { t: 'events'; batch: PackedEvents } | { t: 'ack' } | { t: 'done'; summary: StreamSummary };

export interface ResponseParsing {
  /** The next piece of the response's text. */
  write(text: string): void;
  /** The same as UTF-8 bytes, split anywhere; the array may be reused once this returns. */
  writeUtf8(bytes: Uint8Array): void;
  /** No more input. Resolves once every event has been delivered. */
  end(): Promise<StreamSummary>;
  /** Whether input is piling up faster than it is parsed (the caller should pause its source). */
  readonly congested: boolean;
  /** Calls `fn` once the backlog has cleared (at once if it has). */
  whenDrained(fn: () => void): void;
  /** Stops; no more events. */
  abort(): void;
}

/** Characters (or bytes) per message to the worker: fewer, larger messages are cheaper. */
const POST_SIZE = 256 * 1024;
/** Messages the worker may have outstanding before the source is asked to pause (~4 MB). */
const MAX_BACKLOG = 16;
/**
 * A small young generation: the worker's garbage is short-lived (a record at a time), and
 * V8's default would add tens of MB to the companion's peak memory.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

const WORKER_SCRIPT = path.join(__dirname, 'stream-worker.js');
const threadsAvailable = path.extname(__filename) === '.js';

/**
 * One idle worker is kept for the next large response (a paged sync sends them in a row)
 * and let go after a minute without one; workers never keep the process alive.
 */
let idle: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
const IDLE_MS = 60_000;

function acquire(): Worker {
  clearTimeout(idleTimer);
  const w = idle ?? new Worker(WORKER_SCRIPT, { resourceLimits: WORKER_LIMITS });
  idle = undefined;
  w.removeAllListeners('error');
  w.unref();
  return w;
}

function release(w: Worker): void {
  w.removeAllListeners('message');
  w.removeAllListeners('error');
  if (idle !== undefined) {
    void w.terminate();
    return;
  }
  idle = w;
  // An 'error' without a listener would bring the whole process down.
  w.on('error', () => {
    if (idle === w) idle = undefined;
  });
  idleTimer = setTimeout(() => {
    void idle?.terminate();
    idle = undefined;
  }, IDLE_MS);
  idleTimer.unref();
}

export function startParsing(onEvents: (events: ResponseEvent[]) => void): ResponseParsing {
  return threadsAvailable ? new ThreadParsing(onEvents) : new InlineParsing(onEvents);
}

class ThreadParsing implements ResponseParsing {
  private readonly worker = acquire();
  private pending = '';
  private bytes = new Uint8Array(POST_SIZE);
  private byteCount = 0;
  private backlog = 0;
  private drained: (() => void)[] = [];
  private settle: { resolve: (s: StreamSummary) => void; reject: (e: Error) => void } | undefined;
  private finished = false;
  private failure: Error | undefined;

  constructor(private readonly onEvents: (events: ResponseEvent[]) => void) {
    this.worker.on('message', (m: FromWorker) => this.receive(m));
    this.worker.on('error', (err) => {
      // The worker died (a bug, out of memory): it is not reused.
      this.finished = true;
      this.failure = err;
      this.settle?.reject(err);
      this.releaseWaiters();
      void this.worker.terminate();
    });
    this.send({ t: 'start' });
  }

  get congested(): boolean {
    return this.backlog > MAX_BACKLOG;
  }

  write(text: string): void {
    this.postBytes();
    this.pending += text;
    if (this.pending.length >= POST_SIZE) this.postText();
  }

  writeUtf8(bytes: Uint8Array): void {
    this.postText();
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.bytes.length - this.byteCount);
      this.bytes.set(bytes.subarray(from, from + n), this.byteCount);
      this.byteCount += n;
      from += n;
      if (this.byteCount === this.bytes.length) this.postBytes();
    }
  }

  end(): Promise<StreamSummary> {
    this.postText();
    this.postBytes();
    this.send({ t: 'end' });
    return new Promise((resolve, reject) => {
      if (this.failure) reject(this.failure);
      else this.settle = { resolve, reject };
    });
  }

  whenDrained(fn: () => void): void {
    if (!this.congested || this.finished) fn();
    else this.drained.push(fn);
  }

  abort(): void {
    if (this.finished) return;
    this.finished = true;
    this.releaseWaiters();
    // Its queue may still hold this response's text: not worth reusing.
    void this.worker.terminate();
  }

  private postText(): void {
    if (this.pending.length === 0) return;
    this.backlog++;
    this.send({ t: 'text', text: this.pending });
    this.pending = '';
  }

  private postBytes(): void {
    if (this.byteCount === 0) return;
    const data = this.bytes.subarray(0, this.byteCount);
    this.bytes = new Uint8Array(POST_SIZE);
    this.byteCount = 0;
    this.backlog++;
    // Handed over, not copied: the buffer is the worker's from now on.
    if (!this.failure) this.worker.postMessage({ t: 'utf8', data } satisfies ToWorker, [data.buffer]);
  }

  private send(m: ToWorker): void {
    if (!this.failure) this.worker.postMessage(m);
  }

  private receive(m: FromWorker): void {
    if (this.finished) return;
    switch (m.t) {
      case 'events':
        this.onEvents(unpackEvents(m.batch));
        return;
      case 'ack':
        this.backlog--;
        if (!this.congested) this.releaseWaiters();
        return;
      case 'done':
        this.finished = true;
        release(this.worker);
        this.settle?.resolve(m.summary);
        return;
    }
  }

  private releaseWaiters(): void {
    for (const fn of this.drained.splice(0)) fn();
  }
}

/** The same parser on the calling thread. */
class InlineParsing implements ResponseParsing {
  private readonly parser: ResponseStreamParser;
  readonly congested = false;

  constructor(onEvents: (events: ResponseEvent[]) => void) {
    this.parser = new ResponseStreamParser(onEvents);
  }

  write(text: string): void {
    this.parser.write(text);
  }

  writeUtf8(bytes: Uint8Array): void {
    this.parser.writeUtf8(bytes);
  }

  end(): Promise<StreamSummary> {
    return Promise.resolve(this.parser.end());
  }

  whenDrained(fn: () => void): void {
    fn();
  }

  abort(): void {}
}
