import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashText, textHasher } from '../../../src/plan/hashing.js';

describe('hashText', () => {
  it('is the first 32 hex digits of the SHA-256 of the UTF-8 text', () => {
    for (const text of ['', 'abc', 'Ünïcode ✓ 𝄞', 'x'.repeat(100_000)]) expect(hashText(text)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 32));
  });

  it('of a text given in pieces is hashText of the pieces joined', () => {
    const pieces = ['[["fields",[', '["alpha",{"type":"STRING"}]', ',["Ünïcode 𝄞",{}]', ']]]'];
    const h = textHasher();
    for (const p of pieces) h.update(p);
    expect(h.digest()).toBe(hashText(pieces.join('')));
    const empty = textHasher();
    empty.update('');
    expect(empty.digest()).toBe(hashText(''));
  });
});
