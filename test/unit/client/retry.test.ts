import { describe, expect, it } from 'vitest';
import { computeRetryDelay, createSemaphore, isRetryable, networkCodeOf, parseRetryAfter, type AttemptFailure } from '../../../src/client/retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unparsable values', () => {
    for (const v of [null, undefined, '', '-1', 'soon', '1e3']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});

describe('computeRetryDelay', () => {
  const opts = { baseMs: 100, maxMs: 1000, random: () => 0.5 };
  it('uses full jitter under an exponential ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => computeRetryDelay(r, undefined, opts))).toEqual([50, 100, 200, 400, 500, 500]);
    expect(computeRetryDelay(3, undefined, { ...opts, random: () => 0 })).toBe(0);
    expect(computeRetryDelay(3, undefined, { ...opts, random: () => 0.999 })).toBe(399);
  });
  it('honours Retry-After, capped', () => {
    expect(computeRetryDelay(1, 700, opts)).toBe(700);
    expect(computeRetryDelay(1, 3_600_000, opts)).toBe(1000);
  });
});

describe('isRetryable', () => {
  const cases: [AttemptFailure, boolean, boolean][] = [
    [{ kind: 'status', status: 429 }, true, true],
    [{ kind: 'status', status: 503 }, true, false],
    [{ kind: 'status', status: 502 }, true, false],
    [{ kind: 'status', status: 504 }, true, false],
    [{ kind: 'status', status: 500 }, true, false],
    [{ kind: 'status', status: 501 }, false, false],
    [{ kind: 'status', status: 404 }, false, false],
    [{ kind: 'status', status: 401 }, false, false],
    [{ kind: 'timeout' }, true, false],
    [{ kind: 'network', code: 'ECONNRESET', phase: 'connect' }, true, false],
    [{ kind: 'network', code: 'ECONNREFUSED', phase: 'connect' }, true, true],
    [{ kind: 'network', code: 'ENOTFOUND', phase: 'connect' }, true, true],
    [{ kind: 'network', code: 'ECONNREFUSED', phase: 'response' }, true, false],
    [{ kind: 'network', code: undefined, phase: 'response' }, true, false],
    [{ kind: 'local' }, false, false],
  ];
  it.each(cases)('%j → idempotent %s, POST %s', (failure, idempotent, post) => {
    expect(isRetryable(failure, true)).toBe(idempotent);
    expect(isRetryable(failure, false)).toBe(post);
  });

  it('finds the code along the cause chain', () => {
    const e = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(networkCodeOf(e)).toBe('ECONNREFUSED');
    expect(networkCodeOf(new Error('x'))).toBeUndefined();
  });
});

describe('createSemaphore', () => {
  it('bounds holders and serves waiters in order', async () => {
    const s = createSemaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const p3 = s.acquire().then((r) => (order.push(3), r));
    const p4 = s.acquire().then((r) => (order.push(4), r));
    expect(s.active()).toBe(2);
    r1();
    r1(); // a second release of the same slot is ignored
    const r3 = await p3;
    expect(order).toEqual([3]);
    r2();
    const r4 = await p4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(s.active()).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const s = createSemaphore(1);
    const r1 = await s.acquire();
    const ctrl = new AbortController();
    const waiting = s.acquire(ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    r1();
    expect(s.active()).toBe(0);
    const again = await s.acquire();
    expect(s.active()).toBe(1);
    again();
  });
});
