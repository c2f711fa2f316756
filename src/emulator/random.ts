/**
 * Seeded randomness for the emulator: ids, API key values and fault decisions come from one generator,
 * so a run started with the same `randomSeed` makes the same ids and the same faults (in request order).
 */
import { randomInt } from 'node:crypto';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** `length` characters of [a-z0-9], like the tails of Coveo ids. */
  alnum(length: number): string;
  /** A version-4-shaped UUID (for API key values, request ids, token ids). */
  uuid(): string;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';

/** mulberry32: small, fast, and good enough for test data. */
export function createRandom(seed?: number): Random {
  let state = (seed ?? randomInt(0, 2 ** 31)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = (alphabet: string, length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[int(alphabet.length)] ?? '0';
    return out;
  };
  return {
    next,
    int,
    alnum: (length) => pick(ALNUM, length),
    uuid: () => `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-${'89ab'[int(4)] ?? '8'}${pick(HEX, 3)}-${pick(HEX, 12)}`,
  };
}
