import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { displayUrl, keepMaskedSecrets, maskSecrets } from '../../main/forward/destination';
import { signatureHeaders } from '../../main/forward/sign';

describe('signatures', () => {
  it('take a whsec_ token as a Standard Webhooks secret, and any token as the intuit-signature key', () => {
    const token = `whsec_${crypto.randomBytes(32).toString('base64')}`;
    const body = '{"eventNotifications":[]}';
    const headers = signatureHeaders(token, 'evt_1', Math.floor(Date.now() / 1000), body);
    expect(new Webhook(token).verify(body, headers)).toEqual({ eventNotifications: [] });
    expect(headers['intuit-signature']).toBe(crypto.createHmac('sha256', token).update(body).digest('base64'));
    // A plain token is the raw key: what the library's "raw" format takes.
    const plain = signatureHeaders('plain token', 'evt_2', Math.floor(Date.now() / 1000), body);
    expect(new Webhook('plain token', { format: 'raw' }).verify(body, plain)).toEqual({ eventNotifications: [] });
    expect(() => new Webhook('other token', { format: 'raw' }).verify(body, plain)).toThrow();
  });
});

describe('secrets in a configuration', () => {
  it('are masked on the way out, and a masked value written back keeps the stored one', () => {
    const stored = { 'event.notification.verifier.token': 's3cret', 'oauth.api.secret': 'x', 'event.objects': 'Customer' };
    const shown = maskSecrets(stored);
    expect(shown).toEqual({ 'event.notification.verifier.token': '********', 'oauth.api.secret': '********', 'event.objects': 'Customer' });
    expect(keepMaskedSecrets({ ...shown, 'event.objects': '' }, stored)).toEqual({ ...stored, 'event.objects': '' });
    expect(keepMaskedSecrets({ 'event.notification.verifier.token': 'new' }, stored)).toEqual({ 'event.notification.verifier.token': 'new' });
  });

  it('URLs are logged without their query', () => {
    expect(displayUrl('https://example.com/hooks?key=abc#x')).toBe('https://example.com/hooks');
  });
});
