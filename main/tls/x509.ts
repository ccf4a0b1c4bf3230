/**
 * @peculiar/x509 on Node's WebCrypto, loaded on first use: only where a certificate is
 * made (it needs the `reflect-metadata` polyfill for its dependency injection and takes
 * ~150 ms to load, which no other command should pay). Reading and checking certificates
 * uses Node's own crypto.X509Certificate.
 */
import { webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loaded: typeof X509 | undefined;

export function x509(): typeof X509 {
  if (!loaded) {
    require('reflect-metadata');
    const lib = require('@peculiar/x509') as typeof X509;
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    loaded = lib;
  }
  return loaded;
}

export { webcrypto };
export type KeyPair = webcrypto.CryptoKeyPair;
