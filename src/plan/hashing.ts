/** The hash functions the pure core gets injected (it must not import node:crypto). */
import crypto, { createHash, createHmac, randomBytes } from 'node:crypto';

// `crypto.hash` (Node >= 20.12) hashes a string in one call, without a Hash object: most of the cost of
// the thousands of small etags of a plan (issue 9). The same digest as createHash's.
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** Content fingerprint for plan bases and etags (sha256, hex, 32 chars). */
export function hashText(text: string): string {
  return (oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex')).slice(0, 32);
}

/** `hashText` of a text given in pieces, a few at a time: `digest()` is `hashText(pieces.join(''))`. */
export function textHasher(): { update(piece: string): void; digest(): string } {
  const h = createHash('sha256');
  return {
    update: (piece) => void h.update(piece),
    digest: () => h.digest('hex').slice(0, 32),
  };
}

/** Salted fingerprint of a secret value (HMAC-SHA256 keyed by the salt). */
export function fingerprintSecret(value: string, salt: string): string {
  return createHmac('sha256', salt).update(value).digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}
