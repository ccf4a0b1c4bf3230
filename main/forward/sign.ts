/**
 * Every webhook is signed twice with the destination's verifier token (cloud.md §2.1, §5.1):
 *
 * - `intuit-signature`: base64 HMAC-SHA256 of the raw body, keyed with the token's UTF-8
 *   bytes, as QBO signs.
 * - Standard Webhooks: `webhook-id` (the event id), `webhook-timestamp` (Unix seconds of this
 *   attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The
 *   key is the token's UTF-8 bytes too — which a Standard Webhooks verifier takes as the
 *   secret `whsec_` + base64(token) — unless the token is itself a `whsec_…` secret, whose
 *   base64 part is then decoded, as the spec says.
 */
import crypto from 'node:crypto';

const hmac = (key: Buffer | string, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest('base64');

export function standardWebhooksKey(verifierToken: string): Buffer {
  return verifierToken.startsWith('whsec_') ? Buffer.from(verifierToken.slice('whsec_'.length), 'base64') : Buffer.from(verifierToken, 'utf8');
}

export function signatureHeaders(verifierToken: string, eventId: string, timestampSeconds: number, body: string): Record<string, string> {
  return {
    'intuit-signature': hmac(Buffer.from(verifierToken, 'utf8'), body),
    'webhook-id': eventId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${hmac(standardWebhooksKey(verifierToken), `${eventId}.${timestampSeconds}.${body}`)}`,
  };
}
