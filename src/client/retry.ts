/**
 * When to try a request again, and how long to wait. Coveo documents no rate limits and no `Retry-After`
 * (reference/coveo-platform-notes.md §0.7, §2.8); we honour it when present and otherwise back off
 * exponentially with full jitter, so many clients retrying at once do not hit the API in lockstep.
 */

/** Statuses that say "try later": rate limited, or a gateway/the service is briefly unavailable. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Network error codes raised before the request could reach the server (DNS, refused, unreachable,
 * connect timeout): a retry cannot duplicate anything, even for a POST.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Why an attempt failed, as far as the retry decision is concerned. */
export type AttemptFailure =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'network'; readonly code: string | undefined; readonly phase: 'connect' | 'response' }
  | { readonly kind: 'timeout' }
  /** A failure no retry can fix: fetch refused its input, or the response itself is unusable. */
  | { readonly kind: 'local' };

/**
 * Whether a failed attempt may be retried. 429 is always safe (the server refused the request); 5xx,
 * timeouts and dropped connections only for idempotent requests, because a POST may already have acted;
 * errors raised before the connection was made are safe for every request.
 */
export function isRetryable(failure: AttemptFailure, isIdempotent: boolean): boolean {
  switch (failure.kind) {
    case 'status':
      if (failure.status === 429) return true;
      if (!isIdempotent) return false;
      return TRANSIENT_STATUSES.has(failure.status) || failure.status === 500;
    case 'network':
      if (failure.code !== undefined && NOT_SENT_CODES.has(failure.code) && failure.phase === 'connect') return true;
      return isIdempotent;
    case 'timeout':
      return isIdempotent;
    case 'local':
      return false;
  }
}

/** The first `code` found along an error's `cause` chain (undici wraps socket errors in `TypeError: fetch failed`). */
export function networkCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (relative to `nowMs`). Returns undefined
 * when absent or unparsable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined; // not a number and not a date (e.g. "-1")
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** Base delay; the cap before jitter doubles on every retry. */
  readonly baseMs: number;
  readonly maxMs: number;
  /** A number in [0, 1). */
  readonly random: () => number;
}

/**
 * Delay before retry number `retry` (1 for the first retry): `Retry-After` when the server gave one
 * (capped at `maxMs`), otherwise full jitter, a uniform draw in [0, min(maxMs, baseMs·2^(retry-1))).
 */
export function computeRetryDelay(retry: number, retryAfterMs: number | undefined, options: BackoffOptions): number {
  if (retryAfterMs !== undefined) return Math.min(options.maxMs, retryAfterMs);
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(options.random() * ceiling);
}

/**
 * A counting semaphore: at most `limit` holders at once, served first come first served, except that
 * urgent waiters (the later pages of a listing under way) are served before the others.
 */
export interface Semaphore {
  /** Resolves with a release function once a slot is free; rejects if `signal` aborts while waiting. */
  acquire(signal?: AbortSignal, urgent?: boolean): Promise<() => void>;
  readonly active: () => number;
}

/**
 * Creates a semaphore shared by every request of one client, so pages and writes together stay bounded.
 * Hundreds of requests may wait at once (a schedule listing per source): the queue is O(1) per step, and
 * each distinct signal gets one abort listener however many waiters share it (one per waiter tripped
 * Node's MaxListenersExceededWarning on the caller's SIGINT signal).
 */
export function createSemaphore(limit: number): Semaphore {
  let active = 0;
  interface Waiter {
    readonly grant: () => void;
    readonly fail: (reason: unknown) => void;
    readonly signal: AbortSignal | undefined;
    done: boolean;
  }
  // Each queue an array and a head index, compacted when half of it has been served.
  const queues = { urgent: { items: [] as Waiter[], head: 0 }, normal: { items: [] as Waiter[], head: 0 } };
  const watched = new Map<AbortSignal, { waiting: number; readonly onAbort: () => void }>();
  const unwatch = (signal: AbortSignal | undefined): void => {
    if (!signal) return;
    const w = watched.get(signal);
    if (!w) return;
    w.waiting--;
    if (w.waiting === 0) {
      signal.removeEventListener('abort', w.onAbort);
      watched.delete(signal);
    }
  };
  const watch = (signal: AbortSignal): void => {
    const w = watched.get(signal);
    if (w) {
      w.waiting++;
      return;
    }
    const onAbort = (): void => {
      watched.delete(signal);
      for (const q of [queues.urgent, queues.normal]) {
        for (let i = q.head; i < q.items.length; i++) {
          const waiter = q.items[i] as Waiter;
          if (waiter.signal === signal && !waiter.done) {
            waiter.done = true;
            waiter.fail(signal.reason);
          }
        }
      }
    };
    watched.set(signal, { waiting: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  };
  const nextOf = (q: { items: Waiter[]; head: number }): Waiter | undefined => {
    while (q.head < q.items.length) {
      const waiter = q.items[q.head++] as Waiter;
      if (q.head > 1024 && q.head * 2 > q.items.length) {
        q.items = q.items.slice(q.head);
        q.head = 0;
      }
      if (!waiter.done) return waiter;
    }
    return undefined;
  };
  const next = (): Waiter | undefined => nextOf(queues.urgent) ?? nextOf(queues.normal);
  const releaseOnce = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const waiter = next();
      if (waiter) {
        waiter.done = true;
        unwatch(waiter.signal);
        waiter.grant();
      } else active--;
    };
  };
  return {
    active: () => active,
    acquire(signal?: AbortSignal, urgent = false): Promise<() => void> {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (active < limit) {
        active++;
        return Promise.resolve(releaseOnce());
      }
      return new Promise((resolve, reject) => {
        // The slot is handed over directly (active stays the same), so no newcomer can jump the queue.
        (urgent ? queues.urgent : queues.normal).items.push({ grant: () => resolve(releaseOnce()), fail: reject, signal, done: false });
        if (signal) watch(signal);
      });
    },
  };
}
