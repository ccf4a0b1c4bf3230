/** A webhook receiver on 127.0.0.1 for the forwarding tests: records what came, answers as told. */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  path: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
}

export class Receiver {
  readonly received: Received[] = [];
  answer: (r: Received) => Answer = () => ({ status: 200 });
  private server: http.Server | null = null;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/qbd`;
  }

  /** Listens (again, on the same port once it has one). */
  async up(): Promise<this> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' };
        this.received.push(r);
        const a = this.answer(r);
        res.writeHead(a.status, a.headers).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening: attempts meet a refused connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Checks both signatures as a receiver would; returns the parsed body. Throws when either is wrong. */
export function verify(r: Received, verifierToken: string): unknown {
  const intuit = crypto.createHmac('sha256', verifierToken).update(r.body).digest('base64');
  if (r.headers['intuit-signature'] !== intuit) throw new Error('intuit-signature does not match');
  // The Standard Webhooks secret: a whsec_ token as it is; for a plain one, whsec_ + base64 of its UTF-8 bytes.
  const wh = new Webhook(verifierToken.startsWith('whsec_') ? verifierToken : `whsec_${Buffer.from(verifierToken, 'utf8').toString('base64')}`);
  return wh.verify(r.body, {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  });
}
