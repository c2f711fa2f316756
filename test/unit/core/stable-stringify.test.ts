/**
 * `stableStringify` writes its text directly (issue 9: it runs on every live object of every plan). It
 * must give exactly the text of the former definition, JSON.stringify of a copy with keys sorted at
 * every level, since plan bases and etags are compared across runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStrings, isPlainObject, stableStringify } from '../../../src/core/json.js';
import { Secret } from '../../../src/core/secret.js';

/** The former definition, kept here as the reference. */
function reference(value: unknown): string {
  const sortKeysDeep = (v: unknown): unknown => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return sortKeysDeep((v as { toJSON: () => unknown }).toJSON());
    if (Array.isArray(v)) return v.map(sortKeysDeep);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort(compareStrings)) {
        const x = v[k];
        if (x !== undefined) out[k] = sortKeysDeep(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sortKeysDeep(value));
}

// Keys include integer-like ones ("10", "9", "0"), which every object enumerates first, in numeric order.
const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '9', '10', '01', '-1', '4294967294', '4294967295', 'a', 'B', 'é'));
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined)),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(key, tie('node'), { maxKeys: 6 })),
})).node;

describe('stableStringify', () => {
  it('gives the same text as JSON.stringify of a deeply key-sorted copy', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(stableStringify(v)).toBe(reference(v));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees for many objects of recurring and of thousands of distinct shapes (keys sorted once per shape)', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pool = ['id', 'name', 'type', '0', '10', '2', 'z', 'a', 'é', 'B', '__x', 'value'];
    const objects: unknown[] = [];
    for (let i = 0; i < 6000; i++) {
      const keys = pool.filter(() => random() < 0.5);
      // Now and then the same keys in another order, or a key of its own (a shape seen once).
      if (random() < 0.3) keys.reverse();
      if (random() < 0.4) keys.unshift(random() < 0.5 ? `k${i}` : 'id');
      objects.push(Object.fromEntries(keys.map((k, j) => [k, j % 3 === 0 ? { [k]: j, id: [k] } : j % 3 === 1 ? undefined : k])));
    }
    for (const o of objects) expect(stableStringify(o)).toBe(reference(o));
    expect(stableStringify(objects)).toBe(reference(objects));
  });

  it('agrees on the edge cases: secrets (toJSON), undefined in arrays and objects, non-finite numbers, class instances', () => {
    class Box {
      z = 1;
      a = { y: 2, b: 3 };
    }
    const cases: unknown[] = [
      { b: 1, a: [undefined, () => 1, Symbol('s'), NaN, -0, Infinity], c: undefined, d: () => 1 },
      { s: new Secret('env:X', 'hunter2', 'fp') },
      { '10': 'x', '9': 'y', b: 'z', a: 'w', '01': 'v' },
      new Box(),
      { nested: new Box() },
      { date: new Date(0) },
      [],
      {},
      'text',
      null,
    ];
    for (const c of cases) expect(stableStringify(c)).toBe(reference(c));
    expect(stableStringify({ s: new Secret('env:X', 'hunter2', 'fp') })).not.toContain('hunter2');
  });
});
