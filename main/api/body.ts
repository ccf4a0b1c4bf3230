/**
 * Reading a JSON request body — only once the request has been let in (Host, Origin,
 * token), and never more of it than the operation accepts: a declared length over the
 * limit is refused before a byte is read, a streamed body as soon as it passes it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../errors';

/** The client went away before its body arrived: there is no one to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client closed the connection before sending the whole body.');
    this.name = 'ClientGoneError';
  }
}

const CONTINUE = Symbol('qbwc-companion.expectsContinue');

/** Marks a request whose client waits for "100 Continue" before sending its body (see server.ts). */
export function markExpectsContinue(req: IncomingMessage): void {
  (req as IncomingMessage & { [CONTINUE]?: boolean })[CONTINUE] = true;
}

/** Tells a client waiting for "100 Continue" to send its body: it has been let in. */
export function sendContinue(req: IncomingMessage, res: ServerResponse): void {
  const r = req as IncomingMessage & { [CONTINUE]?: boolean };
  if (r[CONTINUE] && !res.headersSent) {
    r[CONTINUE] = false;
    res.writeContinue();
  }
}

export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${+(n / (1024 * 1024)).toFixed(1)} MB` : n >= 1024 ? `${+(n / 1024).toFixed(1)} KB` : `${n} bytes`;

const tooLarge = (limit: number) =>
  new ApiError(413, 'body_too_large', `The body is larger than the ${formatBytes(limit)} this operation accepts.`, 'body', [
    { field: 'body', rule: 'max_size', message: `The body is larger than the ${formatBytes(limit)} this operation accepts.` },
  ]);

/**
 * Whether the request has a body the server has not taken in (then an answer that does
 * not read it closes the connection). `complete` alone can't tell: it only turns true
 * after the handler first runs, even for a request without a body.
 */
export const bodyPending = (req: IncomingMessage): boolean =>
  !req.complete && (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0);

/** How long a refused request's connection stays open after its answer, unread. */
export const LINGER_MS = 2000;
const lingering = new WeakSet<Socket>();

/**
 * Ends a request's connection once its answer (which must say `Connection: close`) has
 * gone out, without reading any more of its body. Node would read and discard the rest,
 * then close the socket at once: with body bytes still arriving, that close is a TCP reset,
 * which may reach the client before it has read the answer (it then sees EPIPE or
 * ECONNRESET instead of a 401). Instead the answer is followed by a FIN, reading stops —
 * what the client still sends waits in the kernel's buffers until it stops, as
 * `Connection: close` asks — and the socket is closed LINGER_MS later.
 */
export function closeWithoutReading(req: IncomingMessage): void {
  const socket = req.socket as Socket & { _paused?: boolean };
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Node's HTTP server calls destroySoon() on a Connection: close answer's socket once the answer is written.
  socket.destroySoon = function lingerThenDestroy(this: Socket & { _paused?: boolean }) {
    if (this.writable) this.end();
    // The HTTP server's own flag for a socket it must not resume (it would, to discard the body).
    this._paused = true;
    this.pause();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}

/**
 * The request's body parsed as JSON, `undefined` when it is empty. Throws an ApiError
 * (413 over `limit`, 415 for a charset or content coding other than UTF-8 / identity,
 * 400 for text that is not JSON) or ClientGoneError.
 */
export async function readJsonBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') {
    throw new ApiError(415, 'unsupported_media_type', 'Send the body uncompressed (without Content-Encoding).', 'Content-Encoding');
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new ApiError(415, 'unsupported_media_type', `Send the body as UTF-8 JSON (got charset ${charset.slice(0, 40)}).`, 'Content-Type');
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  sendContinue(req, res);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (err: Error | null, value?: Buffer) => {
      if (settled) return;
      settled = true;
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onClose);
      if (err) reject(err);
      else resolve(value as Buffer);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading: the answer closes the connection, the rest is never taken in.
        req.pause();
        chunks.length = 0;
        return finish(tooLarge(limit));
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    const onGone = () => finish(new ClientGoneError());
    const onClose = () => {
      if (!req.complete) onGone();
    };
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onClose);
  });
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = bytes.toString('utf8');
  } catch {
    throw tooLarge(limit); // longer than a JavaScript string can be
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `The body is not valid JSON: ${(err as Error).message}`, 'body', [
      { field: 'body', rule: 'json', message: `The body is not valid JSON: ${(err as Error).message}` },
    ]);
  }
}
