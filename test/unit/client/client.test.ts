import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../../src/client/client.js';
import { ApiError, exitCodeOf } from '../../../src/errors.js';
import { failureOf, fakeFetch, json, ORG, testClient, TOKEN } from './support.js';

const ORG_PATH = '/rest/organizations/acme%20org';

describe('requests', () => {
  it('sends auth, accept, user agent and a JSON body to the org-scoped path', async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: 'f1' }, 201));
    const { client } = testClient(fetch);
    const res = await client.request<{ id: string }>({ method: 'POST', path: '/indexes/fields', body: { name: 'x' }, headers: { Authorization: 'Bearer evil', Accept: 'text/xml', 'x-extra': '1' } });
    expect(res).toEqual({ id: 'f1' });
    const call = calls[0]!;
    expect(call.url.href).toBe(`https://platform.cloud.coveo.com${ORG_PATH}/indexes/fields`);
    expect(call.method).toBe('POST');
    expect(call.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(call.headers.get('accept')).toBe('application/json');
    expect(call.headers.get('content-type')).toBe('application/json');
    expect(call.headers.get('user-agent')).toMatch(/^coveo-sync\//);
    expect(call.headers.get('x-extra')).toBe('1');
    expect(call.body).toBe('{"name":"x"}');
  });

  it('encodes the query with repeated keys and supports absolute paths', async () => {
    const { fetch, calls } = fakeFetch(() => json([]));
    const { client } = testClient(fetch);
    await client.request({ method: 'DELETE', path: '/indexes/fields/batch/delete', query: { fields: ['a', 'b c'], rebuild: false, none: undefined } });
    await client.request({ method: 'GET', path: '/rest/search/v2', isAbsolutePath: true });
    expect(calls[0]!.url.pathname + calls[0]!.url.search).toBe(`${ORG_PATH}/indexes/fields/batch/delete?fields=a&fields=b%20c&rebuild=false`);
    expect(calls[0]!.url.searchParams.getAll('fields')).toEqual(['a', 'b c']);
    expect(calls[1]!.url.pathname).toBe('/rest/search/v2');
    expect(calls[0]!.headers.get('content-type')).toBeNull();
  });

  it('returns undefined for 204 and for empty 200/201 bodies', async () => {
    const answers = [new Response(null, { status: 204 }), new Response('', { status: 200, headers: { 'content-length': '0', 'content-type': 'application/json' } }), new Response('', { status: 201 })];
    const { fetch } = fakeFetch((_c, i) => answers[i]!);
    const { client } = testClient(fetch);
    for (let i = 0; i < answers.length; i++) expect(await client.request({ method: 'PUT', path: '/x' })).toBeUndefined();
  });

  it('accepts JSON without a content type and vendor +json types', async () => {
    const answers = [new Response(new TextEncoder().encode('{"a":1}'), { status: 200 }), new Response('[1]', { headers: { 'content-type': 'application/vnd.coveo+json; charset=utf-8' } })];
    const { fetch } = fakeFetch((_c, i) => answers[i]!);
    const { client } = testClient(fetch);
    expect(await client.request({ method: 'GET', path: '/x' })).toEqual({ a: 1 });
    expect(await client.request({ method: 'GET', path: '/x' })).toEqual([1]);
  });

  it('refuses unsafe paths before sending', async () => {
    const { fetch, calls } = fakeFetch(() => json({}));
    const { client } = testClient(fetch);
    await expect(client.request({ method: 'GET', path: '/sources/../../other' })).rejects.toThrow(/Refusing request path/);
    expect(calls).toHaveLength(0);
  });

  it('validates options before anything is sent', () => {
    const base = { organizationId: ORG, token: TOKEN };
    expect(() => createApiClient({ ...base, token: 'abc\n' })).toThrow(/COVEO_ACCESS_TOKEN/);
    expect(() => createApiClient({ ...base, baseUrl: 'http://example.com' })).toThrow(/Refusing plain http/);
    expect(() => createApiClient({ ...base, organizationId: ' ' })).toThrow(/organization/);
    expect(() => createApiClient({ ...base, concurrency: 0 })).toThrow(/concurrency/);
    expect(createApiClient({ ...base, region: 'au' }).baseUrl).toBe('https://platform-au.cloud.coveo.com');
    expect(createApiClient({ ...base, region: 'au', baseUrl: 'http://localhost:1/' }).baseUrl).toBe('http://localhost:1');
  });
});

describe('retries', () => {
  it('retries 429 honouring Retry-After in seconds and as a date', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const answers = [
      json({ message: 'slow down' }, 429, { 'retry-after': '2' }),
      json({}, 429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }),
      json({}, 429, { 'retry-after': '3600' }),
      json({ ok: true }),
    ];
    const { fetch, calls } = fakeFetch((_c, i) => answers[i]!);
    const { client, sleeps, log } = testClient(fetch, { now: () => now, maxRetryDelayMs: 10_000 });
    expect(await client.request({ method: 'GET', path: '/x' })).toEqual({ ok: true });
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([2000, 3000, 10_000]);
    expect(log.map((l) => [l.status, l.attempt])).toEqual([[429, 1], [429, 2], [429, 3], [200, 4]]);
  });

  it('backs off exponentially with full jitter on 503 then succeeds', async () => {
    const answers = [json({}, 503), new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }), json({}, 504), json('done')];
    const { fetch } = fakeFetch((_c, i) => answers[i]!);
    const { client, sleeps } = testClient(fetch, { retryBaseMs: 100 });
    expect(await client.request({ method: 'GET', path: '/x' })).toBe('done');
    expect(sleeps).toEqual([50, 100, 200]); // random() = 0.5 of 100, 200, 400
  });

  it('retries 500 for idempotent requests only', async () => {
    const get = fakeFetch((_c, i) => (i === 0 ? json({}, 500) : json(1)));
    expect(await testClient(get.fetch).client.request({ method: 'PUT', path: '/x', body: {} })).toBe(1);
    expect(get.calls).toHaveLength(2);

    const post = fakeFetch(() => json({ message: 'boom', errorCode: 'UNEXPECTED' }, 500));
    const e = await failureOf(testClient(post.fetch).client.request({ method: 'POST', path: '/sources/raw', body: {} }));
    expect(post.calls).toHaveLength(1);
    expect(e.message).toContain('not retried because this POST may already have reached Coveo');
  });

  it('never retries a POST on 502/503/504 or a dropped connection, but does on 429', async () => {
    for (const status of [502, 503, 504]) {
      const f = fakeFetch(() => json({}, status));
      await expect(testClient(f.fetch).client.request({ method: 'POST', path: '/groups', body: {} })).rejects.toBeInstanceOf(ApiError);
      expect(f.calls).toHaveLength(1);
    }
    const reset = fakeFetch(() => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) })));
    const e = await failureOf(testClient(reset.fetch).client.request({ method: 'POST', path: '/groups', body: {} }));
    expect(reset.calls).toHaveLength(1);
    expect(e.status).toBe(0);
    expect(e.message).toMatch(/ECONNRESET/);

    const limited = fakeFetch((_c, i) => (i < 2 ? json({}, 429) : json({ id: 'g1' }, 201)));
    expect(await testClient(limited.fetch).client.request({ method: 'POST', path: '/groups', body: {} })).toEqual({ id: 'g1' });
    expect(limited.calls).toHaveLength(3);
  });

  it('retries a POST that was refused before connecting, and POSTs marked idempotent', async () => {
    const refused = fakeFetch((_c, i) =>
      i === 0 ? Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })) : json({ id: 1 }),
    );
    expect(await testClient(refused.fetch).client.request({ method: 'POST', path: '/groups', body: {} })).toEqual({ id: 1 });
    const search = fakeFetch((_c, i) => (i === 0 ? json({}, 503) : json({ items: [] })));
    expect(await testClient(search.fetch).client.request({ method: 'POST', path: '/indexes/fields/search', body: {}, idempotent: true })).toEqual({ items: [] });
    expect(search.calls).toHaveLength(2);
  });

  it('says how many attempts were made when the budget runs out', async () => {
    const { fetch, calls } = fakeFetch(() => json({ message: 'Service Unavailable', requestID: 'r-9' }, 503));
    const { client, sleeps } = testClient(fetch, { retries: 3 });
    const e = await failureOf(client.request({ method: 'GET', path: '/sources/raw/all' }));
    expect(calls).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe(`[GET] ${ORG_PATH}/sources/raw/all: 503 — Service Unavailable (request id r-9); gave up after 4 attempts`);
    expect(e.status).toBe(503);
    expect(exitCodeOf(e)).toBe(1);
  });

  it('does not retry 4xx other than 429', async () => {
    const { fetch, calls } = fakeFetch(() => json({ message: 'nope', errorCode: 'INVALID' }, 400));
    await expect(testClient(fetch).client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/400 — INVALID: nope/);
    expect(calls).toHaveLength(1);
  });
});

describe('timeouts, network errors and aborts', () => {
  /** A fetch that never answers until its signal aborts, like a hung server. */
  const hang = (_c: unknown, _i: number, signal: AbortSignal | undefined): Promise<Response> =>
    new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error)));

  it('times out each attempt and retries idempotent requests', async () => {
    const { fetch, calls } = fakeFetch(hang);
    const { client, log } = testClient(fetch, { timeoutMs: 20, retries: 2 });
    const e = await failureOf(client.request({ method: 'GET', path: '/slow' }));
    expect(calls).toHaveLength(3);
    expect(e.status).toBe(0);
    expect(e.errorCode).toBe('timeout');
    expect(e.message).toContain('timed out after 20 ms');
    expect(e.message).toContain('gave up after 3 attempts');
    expect(log.every((l) => l.error === 'timeout' && l.status === 0)).toBe(true);
  });

  it('does not retry a timed-out POST', async () => {
    const { fetch, calls } = fakeFetch(hang);
    const e = await failureOf(testClient(fetch, { timeoutMs: 20 }).client.request({ method: 'POST', path: '/sources/raw', body: {} }));
    expect(calls).toHaveLength(1);
    expect(e.message).toMatch(/timed out.*not retried/);
  });

  it('reports network errors with status 0 and the socket reason', async () => {
    const { fetch, calls } = fakeFetch(() =>
      Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND platform.example'), { code: 'ENOTFOUND' }) })),
    );
    const e = await failureOf(testClient(fetch, { retries: 1 }).client.request({ method: 'GET', path: '/x' }));
    expect(calls).toHaveLength(2);
    expect(e.status).toBe(0);
    expect(e.message).toContain('network error (ENOTFOUND): getaddrinfo ENOTFOUND platform.example');
  });

  it('does not retry fetch refusing its own input', async () => {
    const { fetch, calls } = fakeFetch(() => Promise.reject(new TypeError('Invalid URL')));
    await expect(testClient(fetch).client.request({ method: 'GET', path: '/x' })).rejects.toThrow(/Invalid URL/);
    expect(calls).toHaveLength(1);
  });

  it('stops on the caller signal with AbortError (exit 130)', async () => {
    const ctrl = new AbortController();
    const { fetch } = fakeFetch(hang);
    const { client } = testClient(fetch, { signal: ctrl.signal });
    const p = client.request({ method: 'GET', path: '/x' });
    setTimeout(() => ctrl.abort(), 5);
    const e = await failureOf(p);
    expect(e.name).toBe('AbortError');
    expect(exitCodeOf(e)).toBe(130);
  });
});

describe('unreadable responses', () => {
  it.each([
    ['an HTML page with 200', new Response('<html><body>Welcome to the captive portal</body></html>', { headers: { 'content-type': 'text/html' } }), /expected JSON but the response is text\/html: Welcome/],
    ['JSON sent as text/plain', new Response('{"a":1}', { headers: { 'content-type': 'text/plain' } }), /expected JSON but the response is text\/plain/],
    ['a truncated JSON body', new Response('{"items":[{"name":"a"},{"na', { headers: { 'content-type': 'application/json' } }), /not valid JSON \(truncated or corrupted\? 27 bytes, application\/json\)/],
    ['garbage without content type', new Response(new TextEncoder().encode('\u0000\u0001binary')), /not valid JSON/],
  ])('turns %s into an ApiError, never a SyntaxError', async (_name, response, pattern) => {
    const { fetch } = fakeFetch(() => response);
    const e = await failureOf(testClient(fetch).client.request({ method: 'GET', path: '/x' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.name).toBe('ApiError');
    expect(e.errorCode).toBe('response_not_json');
    expect(e.message).toMatch(pattern);
  });

  it('describes an HTML error page and keeps the snippet short and redacted', async () => {
    const page = `<html><title>502 Bad Gateway</title><body>${'x'.repeat(500)} Authorization: Bearer ${TOKEN}</body></html>`;
    const { fetch } = fakeFetch(() => new Response(page, { status: 502, headers: { 'content-type': 'text/html; charset=utf-8' } }));
    const e = await failureOf(testClient(fetch, { retries: 0 }).client.request({ method: 'GET', path: '/x' }));
    expect(e.message).toMatch(/502 — non-JSON response \(text\/html\): 502 Bad Gateway x+/);
    expect(e.message).not.toMatch(/<title>|<body>/);
    expect((e.apiMessage as string).length).toBeLessThan(260);
  });

  it('refuses bodies above the size limit, by header or while reading', async () => {
    const big = 'x'.repeat(5000);
    const answers = [
      new Response(big, { headers: { 'content-type': 'application/json', 'content-length': '5000' } }),
      new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(`[${'1,'.repeat(3000)}1]`)), c.close()) }), { headers: { 'content-type': 'application/json' } }),
    ];
    const { fetch } = fakeFetch((_c, i) => answers[i]!);
    const { client } = testClient(fetch, { maxResponseBytes: 1024 });
    for (let i = 0; i < 2; i++) {
      const e = await failureOf(client.request({ method: 'GET', path: '/x' }));
      expect(e.errorCode).toBe('response_too_large');
      expect(e.message).toContain('larger than 1024 bytes');
    }
  });

  it('refuses redirects instead of following them with the token', async () => {
    const { fetch, calls } = fakeFetch(() => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/login?token=abc' } }));
    const e = await failureOf(testClient(fetch).client.request({ method: 'GET', path: '/x' }));
    expect(calls).toHaveLength(1);
    expect(e.errorCode).toBe('unexpected_redirect');
    expect(e.message).toContain('https://elsewhere.example/login');
    expect(e.message).not.toContain('abc');
  });
});

describe('ApiError contents', () => {
  it.each([
    ['body requestId', json({ message: 'm', requestId: 'b-1' }, 404, { 'x-request-id': 'h-1' }), 'b-1'],
    ['body requestID', json({ message: 'm', requestID: 'b-2' }, 404), 'b-2'],
    ['header only', json({ message: 'm' }, 404, { 'X-Request-ID': 'h-3' }), 'h-3'],
    ['header on an empty body', new Response(null, { status: 404, headers: { 'x-request-id': 'h-4' } }), 'h-4'],
  ])('takes the request id from the %s', async (_n, response, id) => {
    const { fetch } = fakeFetch(() => response);
    const e = await failureOf(testClient(fetch).client.request({ method: 'GET', path: '/sources/s1' }));
    expect(e.requestId).toBe(id);
    expect(e.method).toBe('GET');
    expect(e.path).toBe(`${ORG_PATH}/sources/s1`);
    expect(e.status).toBe(404);
    expect(e.message).toContain(`(request id ${id})`);
  });

  it('names the missing privilege on 403 and maps 401/403 to exit 4', async () => {
    const { fetch } = fakeFetch((_c, i) =>
      i === 0
        ? json({ message: 'Access denied: missing privilege PLATFORM:SOURCE:VIEW', errorCode: 'ACCESS_DENIED', requestId: 'r1' }, 403)
        : i === 1
          ? json({ message: 'Forbidden', requiredPrivileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT', targetId: '*' }] }, 403)
          : json({ message: 'Invalid token' }, 401),
    );
    const { client } = testClient(fetch);
    const e1 = await failureOf(client.request({ method: 'GET', path: '/sources' }));
    expect(e1.message).toContain('403 — ACCESS_DENIED: Access denied: missing privilege PLATFORM:SOURCE:VIEW (request id r1)');
    expect(e1.message).toContain('lacks the privilege PLATFORM:SOURCE:VIEW');
    expect(exitCodeOf(e1)).toBe(4);
    const e2 = await failureOf(client.request({ method: 'GET', path: '/apikeys' }));
    expect(e2.message).toContain('lacks the privilege PLATFORM:API_KEY:EDIT');
    const e3 = await failureOf(client.request({ method: 'GET', path: '/apikeys' }));
    expect(e3.message).toContain('401 — Invalid token');
    expect(e3.message).toContain('COVEO_ACCESS_TOKEN was refused');
    expect(exitCodeOf(e3)).toBe(4);
  });

  it('never lets the token into errors, meta or the request log', async () => {
    const echo = `token ${TOKEN} is invalid; ${encodeURIComponent(TOKEN)}`;
    const answers = [
      () => json({ message: echo, errorCode: TOKEN, requestId: TOKEN }, 401),
      () => new Response(`<html>${echo}</html>`, { status: 200, headers: { 'content-type': 'text/html' } }),
      () => new Response(`{"oops": "${TOKEN}`, { status: 200, headers: { 'content-type': 'application/json' } }),
      () => Promise.reject(new TypeError('fetch failed', { cause: new Error(`socket for Bearer ${TOKEN} closed`) })),
    ];
    const { fetch } = fakeFetch((_c, i) => answers[i]!());
    const { client, log } = testClient(fetch, { retries: 0 });
    const errors = [
      await failureOf(client.request({ method: 'GET', path: '/privileges/token', query: { accessToken: TOKEN } })),
      await failureOf(client.request({ method: 'GET', path: '/x' })),
      await failureOf(client.request({ method: 'GET', path: '/x' })),
      await failureOf(client.request({ method: 'GET', path: '/x' })),
    ];
    const everything = JSON.stringify([errors.map((e) => ({ ...e, message: e.message, meta: e.meta, stack: e.stack })), log]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(encodeURIComponent(TOKEN));
    expect(errors[0]!.path).toBe(`${ORG_PATH}/privileges/token`);
    expect(log[0]!.query).toBe('?accessToken=***');
  });

  it('reports every attempt to onRequest without secrets, and survives a throwing logger', async () => {
    const { fetch } = fakeFetch((_c, i) => (i === 0 ? json({}, 503) : json({ a: 1 })));
    const seen: unknown[] = [];
    const client = createApiClient({
      baseUrl: 'https://platform.cloud.coveo.com',
      organizationId: ORG,
      token: TOKEN,
      fetch,
      sleep: () => Promise.resolve(),
      onRequest: (info) => {
        seen.push(info);
        throw new Error('logger broke');
      },
    });
    expect(await client.request({ method: 'GET', path: '/x', query: { page: 2 }, label: 'fields' })).toEqual({ a: 1 });
    expect(seen).toEqual([
      expect.objectContaining({ method: 'GET', path: `${ORG_PATH}/x`, query: '?page=2', label: 'fields', status: 503, attempt: 1, bytes: 2 }),
      expect.objectContaining({ status: 200, attempt: 2, bytes: 7 }),
    ]);
  });
});
