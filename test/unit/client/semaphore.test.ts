/**
 * The client's shared semaphore with hundreds of waiters (issue 9: one schedule listing per source queues
 * 500 requests behind 8 slots). One abort listener per signal, not per waiter: a listener per waiter
 * printed Node's MaxListenersExceededWarning on the CLI's SIGINT signal during every large plan.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createSemaphore } from '../../../src/client/retry.js';

describe('createSemaphore with many waiters', () => {
  it('serves 500 waiters in order with a single abort listener on their shared signal', async () => {
    const s = createSemaphore(8);
    const signal = new AbortController().signal;
    const order: number[] = [];
    const held = await Promise.all(Array.from({ length: 8 }, () => s.acquire(signal)));
    const waiting = Array.from({ length: 500 }, (_, i) =>
      s.acquire(signal).then((release) => {
        order.push(i);
        release();
      }),
    );
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    for (const release of held) release();
    await Promise.all(waiting);
    expect(order).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(s.active()).toBe(0);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('rejects every waiter of an aborted signal at once and keeps serving the others', async () => {
    const s = createSemaphore(1);
    const first = await s.acquire();
    const stop = new AbortController();
    const doomed = Array.from({ length: 20 }, () => s.acquire(stop.signal));
    const other = s.acquire();
    stop.abort(new Error('interrupted'));
    const outcomes = await Promise.allSettled(doomed);
    expect(outcomes.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'interrupted')).toBe(true);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    first();
    const release = await other;
    expect(s.active()).toBe(1);
    release();
    expect(s.active()).toBe(0);
  });

  it('serves urgent waiters (the later pages of a listing under way) before the others, each in order', async () => {
    const s = createSemaphore(1);
    const held = await s.acquire();
    const order: string[] = [];
    const take = (name: string, urgent: boolean): Promise<void> =>
      s.acquire(undefined, urgent).then((release) => {
        order.push(name);
        release();
      });
    const all = [take('schedules 1', false), take('schedules 2', false), take('fields page 1', true), take('schedules 3', false), take('fields page 2', true)];
    held();
    await Promise.all(all);
    expect(order).toEqual(['fields page 1', 'fields page 2', 'schedules 1', 'schedules 2', 'schedules 3']);
    expect(s.active()).toBe(0);
  });

  it('rejects aborted urgent waiters too', async () => {
    const s = createSemaphore(1);
    const held = await s.acquire();
    const stop = new AbortController();
    const doomed = s.acquire(stop.signal, true);
    stop.abort(new Error('interrupted'));
    await expect(doomed).rejects.toThrow('interrupted');
    held();
    expect(s.active()).toBe(0);
  });
});
