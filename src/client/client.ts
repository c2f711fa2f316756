/**
 * The HTTP edge (style guide §6, model: unjs/ofetch `createFetch`): one client per organization over an
 * injected `fetch`, with a shared concurrency limit, per-attempt timeouts, retries that never repeat a
 * write that may have reached Coveo, paging, and one error type (`ApiError`) that never holds the token.
 */
import { AbortError, InternalError, isSyncError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { buildApiError, isJsonContentType, parseErrorBody, snippetOf, type ApiFailure, type ErrorBodyFacts } from './errors.js';
import { isNestedDeeperThan, MAX_RESPONSE_DEPTH } from './json-depth.js';
import { readBarePages, readCountedBarePages, readWrappedPages, type SizedPageReader } from './paging.js';
import { computeRetryDelay, createSemaphore, isRetryable, networkCodeOf, parseRetryAfter, type AttemptFailure } from './retry.js';
import { createRedactor, validateToken } from './token.js';
import type { ApiClient, ApiRequest, PagedRequest, ProgressEvent, QueryValue } from './types.js';
import { assertSafePath, buildQueryString, describeQuery, pathSegment, resolvePlatformUrl, type Region } from './url.js';

/** One attempt of one request, reported to `onRequest` (debug logs, the benchmark). Holds no secret. */
export interface RequestInfo {
  readonly method: string;
  /** Path from the host, without the query string, e.g. `/rest/organizations/acme/sources/raw`. */
  readonly path: string;
  /** The query string with secret-looking values (`accessToken`, …) replaced by `***`, cut at 200 chars. */
  readonly query: string;
  readonly label: string | undefined;
  /** HTTP status, or 0 when no response arrived (network error, timeout, abort). */
  readonly status: number;
  readonly durationMs: number;
  /** 1 for the first try. */
  readonly attempt: number;
  /** Bytes of response body read. */
  readonly bytes: number;
  /** Short reason when the attempt failed without a status: `timeout`, `aborted`, or a network code. */
  readonly error?: string;
}

export interface ApiClientOptions {
  /** Platform URL (`--platform-url`); wins over `region`. Checked by `resolvePlatformUrl`. */
  readonly baseUrl?: string;
  /** Used when `baseUrl` is not given; `us` when neither is. */
  readonly region?: Region;
  readonly organizationId: string;
  /** OAuth access token or API key, sent as `Authorization: Bearer`. */
  readonly token: string;
  /** Defaults to `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Requests in flight at once, over everything this client sends (default 8). */
  readonly concurrency?: number;
  /** Retries after the first attempt (default 5, so at most 6 attempts). */
  readonly retries?: number;
  /** First backoff ceiling; doubles per retry (default 250 ms). */
  readonly retryBaseMs?: number;
  /** Cap on any one wait, `Retry-After` included (default 20 s). */
  readonly maxRetryDelayMs?: number;
  /** Per attempt, body included (default 60 s). */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  readonly onRequest?: (info: RequestInfo) => void;
  /** Injected for tests; defaults to a timer that an abort cuts short. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); defaults to Math.random. */
  readonly random?: () => number;
  /** Epoch ms; defaults to Date.now. Used for durations and HTTP-date `Retry-After`. */
  readonly now?: () => number;
  /** Largest response body accepted (default 64 MiB). */
  readonly maxResponseBytes?: number;
  /** Hard caps for `listAll` (defaults 10,000 pages and 1,000,000 items). */
  readonly maxPages?: number;
  readonly maxItems?: number;
  /** Aborts everything in flight or waiting (SIGINT); requests then reject with `AbortError`. */
  readonly signal?: AbortSignal;
}

const DEFAULTS = {
  concurrency: 8,
  retries: 5,
  retryBaseMs: 250,
  maxRetryDelayMs: 20_000,
  timeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
  maxPages: 10_000,
  maxItems: 1_000_000,
} as const;

/** How much of an error body is read: enough for any real error message. */
const ERROR_BODY_BYTES = 64 * 1024;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function checkCount(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${name} must be a whole number ≥ ${min} (got ${String(value)}).`, 'option_invalid');
  }
  return value;
}

interface BodyRead {
  readonly text: string;
  readonly bytes: number;
  /** False when the body was longer than the limit and reading stopped. */
  readonly isComplete: boolean;
}

/** Reads a body up to `limit` bytes, refusing by `Content-Length` before reading when it says too much. */
async function readBody(res: Response, limit: number): Promise<BodyRead> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel().catch(() => undefined);
    return { text: '', bytes: 0, isComplete: false };
  }
  if (res.body === null) return { text: '', bytes: 0, isComplete: true };
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes + value.byteLength > limit) {
      chunks.push(value.subarray(0, limit - bytes));
      bytes = limit;
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).toString('utf8'), bytes, isComplete: false };
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes, isComplete: true };
}

/** Why a thrown abort happened: our timeout, or the caller's signal. */
const TIMEOUT = Symbol('timeout');

type AttemptResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly failure: AttemptFailure;
      readonly failureOf: (extra: Partial<ApiFailure>) => ApiFailure;
      readonly retryAfterMs: number | undefined;
    };

/** Internal per-request extras (paging passes its own abort signal and a page note). */
interface SendContext {
  readonly signal?: AbortSignal | undefined;
  /** Appended to error messages, e.g. `page 3`. */
  readonly note?: string | undefined;
  /**
   * Served before the requests waiting for a slot: the later pages of a listing already under way, so
   * a listing is not left waiting behind hundreds of requests queued after it began (a plan's 500
   * schedule listings behind the fields' pages 2 to 5).
   */
  readonly urgent?: boolean;
}

/**
 * Creates the client for one organization. Throws `UsageError` (exit 3) for a bad platform URL, token,
 * organization id or numeric option, before anything is sent.
 *
 * @example
 * const client = createApiClient({ region: 'eu', organizationId: 'acme', token: process.env.COVEO_ACCESS_TOKEN ?? '' });
 * const fields = await client.listAll({ method: 'POST', path: '/indexes/fields/search', body: {}, pagingIn: 'body', pageSize: 1000, itemsKey: 'items' });
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = resolvePlatformUrl({ region: options.region, platformUrl: options.baseUrl });
  validateToken(options.token);
  if (options.organizationId.trim() === '') {
    throw new UsageError('No organization id: pass --org or set COVEO_ORGANIZATION_ID.', 'organization_missing');
  }
  const organizationId = options.organizationId;
  const orgPrefix = `/rest/organizations/${pathSegment(organizationId)}`;
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const token = options.token;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const concurrency = checkCount('concurrency', options.concurrency, DEFAULTS.concurrency, 1);
  const retries = checkCount('retries', options.retries, DEFAULTS.retries, 0);
  const retryBaseMs = checkCount('retryBaseMs', options.retryBaseMs, DEFAULTS.retryBaseMs, 0);
  const maxRetryDelayMs = checkCount('maxRetryDelayMs', options.maxRetryDelayMs, DEFAULTS.maxRetryDelayMs, 0);
  const timeoutMs = checkCount('timeoutMs', options.timeoutMs, DEFAULTS.timeoutMs, 1);
  const maxResponseBytes = checkCount('maxResponseBytes', options.maxResponseBytes, DEFAULTS.maxResponseBytes, 1);
  const maxPages = checkCount('maxPages', options.maxPages, DEFAULTS.maxPages, 1);
  const maxItems = checkCount('maxItems', options.maxItems, DEFAULTS.maxItems, 1);
  const userAgent = options.userAgent ?? `coveo-sync/${VERSION}`;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const redact = createRedactor([token]);
  const semaphore = createSemaphore(concurrency);

  /** The caller's signal and an internal one (paging), as one. */
  const joinSignals = (inner: AbortSignal | undefined): AbortSignal | undefined => {
    const list = [options.signal, inner].filter((s): s is AbortSignal => s !== undefined);
    return list.length === 0 ? undefined : list.length === 1 ? list[0] : AbortSignal.any(list);
  };

  const abortedError = (method: string, path: string): AbortError => new AbortError(`Aborted while waiting for [${method}] ${path}; nothing more was sent.`);

  async function attemptOnce(
    init: { url: string; method: string; path: string; query: string; label: string | undefined; headers: Record<string, string>; body: string | undefined },
    attempt: number,
    outer: AbortSignal | undefined,
    urgent: boolean,
  ): Promise<AttemptResult> {
    let release: () => void;
    try {
      release = await semaphore.acquire(outer, urgent);
    } catch {
      throw abortedError(init.method, init.path);
    }
    const started = now();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(TIMEOUT), timeoutMs);
    const signal = outer ? AbortSignal.any([timeout.signal, outer]) : timeout.signal;
    let status = 0;
    let bytes = 0;
    let errorNote: string | undefined;
    const base = { method: init.method, path: init.path };
    const interrupted = (e: unknown, phase: 'connect' | 'response'): AttemptResult => {
      if (timeout.signal.aborted) {
        errorNote = 'timeout';
        const where = phase === 'connect' ? '' : ' while reading the response';
        return { ok: false, failure: { kind: 'timeout' }, retryAfterMs: undefined, failureOf: (x) => ({ ...base, status: 0, detail: `timed out after ${timeoutMs} ms${where}`, errorCode: 'timeout', ...x }) };
      }
      if (outer?.aborted) {
        errorNote = 'aborted';
        throw abortedError(init.method, init.path);
      }
      const code = networkCodeOf(e);
      const hasCause = typeof e === 'object' && e !== null && 'cause' in e && (e as { cause?: unknown }).cause !== undefined;
      errorNote = code ?? 'network';
      const reason = redact(messageOfDeepest(e));
      const detail = phase === 'connect' ? `network error${code ? ` (${code})` : ''}: ${reason}` : `the connection dropped while reading the response${code ? ` (${code})` : ''}: ${reason}`;
      // A TypeError without a cause is fetch refusing its input (bad URL or header): retrying cannot help.
      const failure: AttemptFailure = phase === 'connect' && e instanceof TypeError && !hasCause ? { kind: 'local' } : { kind: 'network', code, phase };
      return { ok: false, failure, retryAfterMs: undefined, failureOf: (x) => ({ ...base, status: 0, detail, errorCode: 'network_error', ...x }) };
    };
    try {
      let res: Response;
      try {
        res = await fetchFn(init.url, { method: init.method, headers: init.headers, body: init.body ?? null, signal, redirect: 'manual' });
      } catch (e) {
        return interrupted(e, 'connect');
      }
      status = res.status;
      const contentType = res.headers.get('content-type');
      const headerRequestId = res.headers.get('x-request-id');
      const isSuccess = status >= 200 && status < 300;
      let read: BodyRead;
      try {
        read = await readBody(res, isSuccess ? maxResponseBytes : ERROR_BODY_BYTES);
      } catch (e) {
        return interrupted(e, 'response');
      }
      bytes = read.bytes;
      const facts = (): ErrorBodyFacts => parseErrorBody(read.text, contentType, headerRequestId, redact);
      const final = (x: Partial<ApiFailure>): AttemptResult => ({ ok: false, failure: { kind: 'local' }, retryAfterMs: undefined, failureOf: (y) => ({ ...base, status, ...x, ...y }) });
      if (isSuccess) {
        const requestIdOnly: ErrorBodyFacts = { apiMessage: undefined, errorCode: undefined, requestId: headerRequestId === null ? undefined : redact(headerRequestId), privileges: [] };
        if (!read.isComplete) {
          return final({ facts: requestIdOnly, errorCode: 'response_too_large', detail: `the response is larger than ${maxResponseBytes} bytes; refusing to read it` });
        }
        if (status === 204 || read.text.trim() === '') return { ok: true, value: undefined };
        const kind = contentType === null ? 'no content type' : redact(contentType.split(';')[0]?.trim() ?? contentType);
        if (contentType !== null && !isJsonContentType(contentType)) {
          return final({ facts: requestIdOnly, errorCode: 'response_not_json', detail: `expected JSON but the response is ${kind}: ${snippetOf(read.text, redact)}` });
        }
        if (isNestedDeeperThan(read.text, MAX_RESPONSE_DEPTH)) {
          return final({ facts: requestIdOnly, errorCode: 'response_too_deep', detail: `the response nests more than ${MAX_RESPONSE_DEPTH} levels deep; refusing to read it` });
        }
        try {
          return { ok: true, value: JSON.parse(read.text) as unknown };
        } catch {
          return final({
            facts: requestIdOnly,
            errorCode: 'response_not_json',
            detail: `the response is not valid JSON (truncated or corrupted? ${read.bytes} bytes, ${kind}): ${snippetOf(read.text, redact)}`,
          });
        }
      }
      if (status >= 300 && status < 400) {
        const location = res.headers.get('location');
        const where = location === null ? '' : ` to ${redact(location.split(/[?#]/)[0] ?? '')}`;
        return final({ facts: facts(), errorCode: 'unexpected_redirect', detail: `unexpected redirect${where}; check the platform URL or region` });
      }
      return {
        ok: false,
        failure: { kind: 'status', status },
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now()),
        failureOf: (x) => ({ ...base, status, statusText: res.statusText, facts: facts(), ...x }),
      };
    } finally {
      clearTimeout(timer);
      release();
      reportAttempt({
        method: init.method,
        path: init.path,
        query: init.query,
        label: init.label,
        status,
        durationMs: Math.max(0, now() - started),
        attempt,
        bytes,
        ...(errorNote !== undefined ? { error: errorNote } : {}),
      });
    }
  }

  /** A throwing logger must not turn a good response into a failure. */
  function reportAttempt(info: RequestInfo): void {
    try {
      options.onRequest?.(info);
    } catch {
      // ignored on purpose
    }
  }

  async function send(req: ApiRequest, context: SendContext = {}): Promise<unknown> {
    assertSafePath(req.path);
    const method = req.method;
    const path = `${req.isAbsolutePath === true ? '' : orgPrefix}${req.path}`;
    const url = `${baseUrl}${path}${buildQueryString(req.query)}`;
    const isIdempotent = req.idempotent ?? method !== 'POST';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      // The client alone sets credentials and framing.
      if (!/^(authorization|cookie|host|content-length)$/i.test(name)) headers[name.toLowerCase()] = value;
    }
    headers['accept'] = 'application/json';
    headers['user-agent'] = userAgent;
    headers['authorization'] = `Bearer ${token}`;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const init = { url, method, path: `${basePath}${path}`, query: describeQuery(req.query), label: req.label, headers, body };
    const outer = joinSignals(context.signal);

    /** Whether an attempt so far may have reached the server and acted (then lost its answer). */
    let mayHaveActed = false;
    for (let attempt = 1; ; attempt++) {
      if (outer?.aborted) throw abortedError(method, init.path);
      const result = await attemptOnce(init, attempt, outer, context.urgent === true);
      if (result.ok) return result.value;
      const { failure } = result;
      // A DELETE retried after an attempt that may have acted, and now answered 404: the earlier attempt
      // deleted it, and "gone" is what a DELETE asks for.
      if (method === 'DELETE' && mayHaveActed && failure.kind === 'status' && failure.status === 404) return undefined;
      if (!(failure.kind === 'status' && failure.status === 429) && failure.kind !== 'local') mayHaveActed = true;
      const note = context.note === undefined ? {} : { note: context.note };
      if (isRetryable(failure, isIdempotent) && attempt <= retries) {
        const delay = computeRetryDelay(attempt, failure.kind === 'status' ? result.retryAfterMs : undefined, { baseMs: retryBaseMs, maxMs: maxRetryDelayMs, random });
        try {
          await sleep(delay, outer);
        } catch {
          throw abortedError(method, init.path);
        }
        continue;
      }
      const wouldRetryIfIdempotent = !isIdempotent && isRetryable(failure, true);
      throw buildApiError(
        result.failureOf({
          attempts: attempt,
          ...note,
          ...(wouldRetryIfIdempotent
            ? { notRetried: `not retried because this ${method} may already have reached Coveo; check whether it took effect before running again` }
            : {}),
        }),
      );
    }
  }

  function pageReader(req: PagedRequest): SizedPageReader {
    const sizeParam = req.sizeParam ?? 'perPage';
    const fetchPageOfSize = (page: number, size: number, signal: AbortSignal): Promise<unknown> => {
      const paging: Record<string, QueryValue> = { page, [sizeParam]: size };
      const pageReq: ApiRequest =
        req.pagingIn === 'query'
          ? { method: req.method, path: req.path, query: { ...req.query, ...paging }, ...(req.body !== undefined ? { body: req.body } : {}), idempotent: true }
          : { method: req.method, path: req.path, ...(req.query !== undefined ? { query: req.query } : {}), body: { ...req.body, ...paging }, idempotent: true };
      return send({ ...pageReq, ...(req.label !== undefined ? { label: req.label } : {}) }, { signal, note: `page ${page}`, urgent: page > 0 });
    };
    return {
      method: req.method,
      path: `${basePath}${orgPrefix}${req.path}`,
      maxPages,
      maxItems,
      fetchPage: (page, signal) => fetchPageOfSize(page, req.pageSize, signal),
      fetchPageOfSize,
    };
  }

  /** The item count of a `countWith` request; undefined when the endpoint is not served (404, 405, 501). */
  async function countOf(req: PagedRequest, countWith: NonNullable<PagedRequest['countWith']>): Promise<number | undefined> {
    let body: unknown;
    try {
      body = await send({ ...countWith.request, idempotent: true, ...(req.label !== undefined ? { label: req.label } : {}) }, { note: 'count' });
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      if (isSyncError(e) && (status === 404 || status === 405 || status === 501)) return undefined;
      throw e;
    }
    const total = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[countWith.totalKey] : undefined;
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0) {
      throw buildApiError({
        method: countWith.request.method,
        path: `${basePath}${orgPrefix}${countWith.request.path}`,
        status: 200,
        errorCode: 'invalid_page',
        detail: `the count has no valid "${countWith.totalKey}" (got ${JSON.stringify(total) ?? 'nothing'}). The response does not have the expected shape; nothing was planned from it.`,
      });
    }
    return total;
  }

  return {
    organizationId,
    baseUrl,
    async request<T = unknown>(req: ApiRequest): Promise<T> {
      return (await send(req)) as T;
    },
    async listAll<T = unknown>(req: PagedRequest, onProgress?: (e: ProgressEvent) => void): Promise<T[]> {
      if (!Number.isSafeInteger(req.pageSize) || req.pageSize < 1) throw new InternalError(`listAll(${req.path}): pageSize must be a whole number ≥ 1 (got ${String(req.pageSize)}).`);
      const reader = pageReader(req);
      const countWith = req.countWith;
      const items =
        req.shape !== 'bare'
          ? await readWrappedPages(req, reader, onProgress)
          : countWith !== undefined
            ? await readCountedBarePages(req, reader, () => countOf(req, countWith), onProgress)
            : await readBarePages(req, reader, onProgress);
      return items as T[];
    },
  };
}

/** The most specific message along a `cause` chain (`fetch failed` → `connect ECONNREFUSED …`). */
function messageOfDeepest(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = typeof current === 'object' && current !== null ? (current as { cause?: unknown }).cause : undefined;
    if (cause instanceof Error && cause.message !== '') message = cause.message;
    if (cause === undefined) break;
    current = cause;
  }
  return message.slice(0, 300);
}
