/** The hash functions the pure core gets injected (it must not import node:crypto). */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Content fingerprint for plan bases and etags (sha256, hex, 32 chars). */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Salted fingerprint of a secret value (HMAC-SHA256 keyed by the salt). */
export function fingerprintSecret(value: string, salt: string): string {
  return createHmac('sha256', salt).update(value).digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}
