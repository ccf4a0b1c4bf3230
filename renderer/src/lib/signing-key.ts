/**
 * A new signing key for a cloud app: a Standard Webhooks secret ("whsec_" and 32 random
 * bytes in base64), which the companion also uses as the key of intuit-signature — so
 * libraries for either check it as it is.
 */
export function newSigningKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}
