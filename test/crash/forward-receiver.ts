/**
 * The webhook receiver of the store-and-forward crash test: an app's endpoint on 127.0.0.1
 * that records every delivery as it arrives (before it answers), checks both signatures
 * on each one (test/forward/receiver.ts's `verify`: Intuit's HMAC recomputed, Standard
 * Webhooks with the `standardwebhooks` package), and answers as the test says — at once,
 * slowly, 503 with Retry-After, or not at all because the companion was killed meanwhile.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../forward/receiver';

export interface Receipt {
  /** 1-based, in arrival order. */
  n: number;
  /** The webhook-id header: the event id, the receiver's dedupe key. */
  eventId: string;
  body: string;
  /** Why the signatures did not verify; null when both did. */
  signatureProblem: string | null;
  /** The receiver answered 2xx: the app took the event (whether or not the companion heard the answer). */
  accepted: boolean;
}

export interface Reply {
  /** null: no answer at all, the connection is cut (as an app that died with the request). */
  status: number | null;
  headers?: Record<string, string>;
  /** Answer this much later (the attempt is in flight meanwhile). */
  delayMs?: number;
}

export class RecordingReceiver {
  readonly receipts: Receipt[] = [];
  /** Decides each answer; it may kill the companion meanwhile (the answer then reaches no one). */
  reply: (r: Receipt) => Promise<Reply> | Reply = () => ({ status: 200 });
  /** Whatever `reply` threw; a test checks it is empty. */
  readonly errors: unknown[] = [];
  url = '';
  private server: http.Server | undefined;

  constructor(private readonly verifierToken: string) {}

  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => (this.server as http.Server).listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/qbd`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', () => {}); // the companion died while we answered: nobody to tell
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      let signatureProblem: string | null = null;
      try {
        verify({ headers: req.headers, body, path: req.url ?? '' }, this.verifierToken);
      } catch (err) {
        signatureProblem = (err as Error).message;
      }
      const receipt: Receipt = { n: this.receipts.length + 1, eventId: String(req.headers['webhook-id'] ?? ''), body, signatureProblem, accepted: false };
      this.receipts.push(receipt);
      const reply = await this.reply(receipt);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.status === null || res.destroyed) {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, reply.headers).end();
      receipt.accepted = reply.status >= 200 && reply.status < 300;
    } catch (err) {
      this.errors.push(err);
      req.socket.destroy();
    }
  }
}
