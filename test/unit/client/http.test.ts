/**
 * The client against a real HTTP server on 127.0.0.1 (our own tiny node:http server, not the emulator):
 * sockets that drop, bodies that lie about their length, servers that hang, and hostile ids.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createApiClient, type RequestInfo } from '../../../src/client/client.js';
import { pathSegment } from '../../../src/client/url.js';
import { ApiError } from '../../../src/errors.js';
import { failureOf, ORG, TOKEN, withServer } from './support.js';

const ORG_PATH = '/rest/organizations/acme%20org';

function clientFor(baseUrl: string, extra: Partial<Parameters<typeof createApiClient>[0]> = {}) {
  const sleeps: number[] = [];
  const log: RequestInfo[] = [];
  const client = createApiClient({
    baseUrl,
    organizationId: ORG,
    token: TOKEN,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    onRequest: (i) => log.push(i),
    ...extra,
  });
  return { client, sleeps, log };
}

describe('over real HTTP', () => {
  it('sends the request the server expects and parses the answer', async () => {
    const seen: { url: string; auth: string | undefined; body: string; method: string }[] = [];
    await withServer(
      (req, res, body) => {
        seen.push({ url: req.url ?? '', auth: req.headers.authorization, body, method: req.method ?? '' });
        if (req.method === 'DELETE') {
          res.writeHead(204).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abc' }).end(JSON.stringify({ ok: true, echo: JSON.parse(body || 'null') }));
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl);
        expect(await client.request({ method: 'PUT', path: '/groups/g1', query: { sendEmailToInvitedUsers: false, ids: ['a', 'b'] }, body: { n: 1 } })).toEqual({ ok: true, echo: { n: 1 } });
        expect(await client.request({ method: 'DELETE', path: '/groups/g1' })).toBeUndefined();
      },
    );
    expect(seen[0]).toEqual({ url: `${ORG_PATH}/groups/g1?sendEmailToInvitedUsers=false&ids=a&ids=b`, auth: `Bearer ${TOKEN}`, body: '{"n":1}', method: 'PUT' });
    expect(seen[1]!.method).toBe('DELETE');
  });

  it('retries 503 then succeeds, and honours Retry-After on a rate-limited POST', async () => {
    const seen: string[] = [];
    await withServer(
      (req, res) => {
        const first = !seen.includes(req.method ?? '');
        seen.push(req.method ?? '');
        if (first && req.method === 'GET') res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"busy"}');
        else if (first) res.writeHead(429, { 'retry-after': '1' }).end();
        else res.writeHead(req.method === 'GET' ? 200 : 201, { 'content-type': 'application/json' }).end(`{"id":"${req.method ?? ''}"}`);
      },
      async (baseUrl) => {
        const { client, sleeps, log } = clientFor(baseUrl);
        expect(await client.request({ method: 'GET', path: '/x' })).toEqual({ id: 'GET' });
        expect(await client.request({ method: 'POST', path: '/groups', body: {} })).toEqual({ id: 'POST' });
        expect(sleeps).toEqual([125, 1000]);
        expect(log.map((l) => [l.method, l.status, l.attempt])).toEqual([
          ['GET', 503, 1],
          ['GET', 200, 2],
          ['POST', 429, 1],
          ['POST', 201, 2],
        ]);
      },
    );
    expect(seen).toEqual(['GET', 'GET', 'POST', 'POST']);
  });

  it('does not retry a POST whose connection dropped, but retries a GET', async () => {
    let count = 0;
    await withServer(
      (req, res) => {
        count++;
        if (count === 1 || count === 2) {
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl);
        const e = await failureOf(client.request({ method: 'POST', path: '/sources/raw', body: { name: 's' } }));
        expect(e).toBeInstanceOf(ApiError);
        expect(e.status).toBe(0);
        expect(e.message).toContain('not retried because this POST may already have reached Coveo');
        expect(count).toBe(1);
        expect(await client.request({ method: 'GET', path: '/sources' })).toEqual([]);
        expect(count).toBe(3);
      },
    );
  });

  it('detects a body cut short mid-response', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"items":[1,2,');
        setTimeout(() => res.destroy(), 5);
      },
      async (baseUrl) => {
        const { client, log } = clientFor(baseUrl, { retries: 2 });
        const e = await failureOf(client.request({ method: 'GET', path: '/x' }));
        expect(e.status).toBe(0);
        expect(e.message).toContain('the connection dropped while reading the response');
        expect(e.message).toContain('gave up after 3 attempts');
        expect(log).toHaveLength(3);
        const post = await failureOf(client.request({ method: 'POST', path: '/x', body: {} }));
        expect(post.message).toContain('not retried');
        expect(log).toHaveLength(4);
      },
    );
  });

  it('explains truncated JSON, HTML pages and wrong content types', async () => {
    await withServer(
      (req, res) => {
        if (req.url?.endsWith('/truncated')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[{"id":"a"},');
        else if (req.url?.endsWith('/html')) res.writeHead(502, { 'content-type': 'text/html' }).end(`<html><h1>Bad Gateway</h1><!-- ${req.headers.authorization ?? ''} --></html>`);
        else res.writeHead(200, { 'content-type': 'text/csv' }).end('a,b\n1,2');
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl, { retries: 1 });
        const t = await failureOf(client.request({ method: 'GET', path: '/truncated' }));
        expect(t.message).toMatch(/200 — response_not_json: the response is not valid JSON \(truncated or corrupted\? 21 bytes, application\/json\): \{"items":\[\{"id":"a"\},$/);
        const h = await failureOf(client.request({ method: 'GET', path: '/html' }));
        expect(h.message).toMatch(/502 — non-JSON response \(text\/html\): Bad Gateway; gave up after 2 attempts/);
        expect(h.message).not.toContain(TOKEN);
        const c = await failureOf(client.request({ method: 'GET', path: '/csv' }));
        expect(c.message).toContain('expected JSON but the response is text/csv: a,b 1,2');
      },
    );
  });

  it('does not follow a redirect (the token would go with it)', async () => {
    let count = 0;
    await withServer(
      (_req, res) => {
        count++;
        res.writeHead(301, { location: 'https://attacker.example/steal?x=1' }).end();
      },
      async (baseUrl) => {
        const e = await failureOf(clientFor(baseUrl).client.request({ method: 'GET', path: '/x' }));
        expect(e.errorCode).toBe('unexpected_redirect');
        expect(e.message).toContain('301 — unexpected_redirect: unexpected redirect to https://attacker.example/steal; check the platform URL or region');
      },
    );
    expect(count).toBe(1);
  });

  it('times out a server that never answers, without hanging', async () => {
    let count = 0;
    await withServer(
      () => {
        count++; // never answer
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl, { timeoutMs: 100, retries: 1 });
        const started = Date.now();
        const e = await failureOf(client.request({ method: 'GET', path: '/hang' }));
        expect(e.errorCode).toBe('timeout');
        expect(e.message).toContain('timed out after 100 ms; gave up after 2 attempts');
        expect(Date.now() - started).toBeLessThan(2000);
        expect(count).toBe(2);
      },
    );
  });

  it('times out a body that trickles forever', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const timer = setInterval(() => res.write('1,'), 10);
        res.on('close', () => clearInterval(timer));
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl, { timeoutMs: 150, retries: 0 });
        const e = await failureOf(client.request({ method: 'GET', path: '/trickle' }));
        expect(e.message).toContain('timed out after 150 ms while reading the response');
      },
    );
  });

  it('reports a refused connection with status 0 and retries it even for a POST', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const { client, sleeps } = clientFor(`http://127.0.0.1:${port}`, { retries: 2 });
    const e = await failureOf(client.request({ method: 'POST', path: '/groups', body: {} }));
    expect(e.status).toBe(0);
    expect(e.message).toContain('network error (ECONNREFUSED)');
    expect(e.message).toContain('gave up after 3 attempts');
    expect(sleeps).toHaveLength(2);
  });

  it('refuses a huge page instead of buffering it', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = `${'1,'.repeat(32 * 1024)}`;
        let sent = 0;
        const pump = (): void => {
          while (sent < 200 && res.write(chunk)) sent++;
          if (sent < 200) res.once('drain', pump);
          else res.end('1]');
        };
        res.write('[');
        pump();
      },
      async (baseUrl) => {
        const { client, log } = clientFor(baseUrl, { maxResponseBytes: 1024 * 1024 });
        const e = await failureOf(client.request({ method: 'GET', path: '/huge' }));
        expect(e.errorCode).toBe('response_too_large');
        expect(log[0]!.bytes).toBe(1024 * 1024);
      },
    );
  });

  it('reads pages concurrently within the limit and keeps page order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await withServer(
      (req, res) => {
        const url = new URL(req.url ?? '', 'http://x');
        const page = Number(url.searchParams.get('page'));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(
          () => {
            inFlight--;
            const items = Array.from({ length: page < 19 ? 50 : 7 }, (_, i) => ({ id: `f${page * 50 + i}` }));
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items, totalEntries: 957, totalPages: 20 }));
          },
          page === 0 ? 1 : 25 - page,
        );
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl, { concurrency: 4 });
        const items = await client.listAll<{ id: string }>({ method: 'GET', path: '/indexes/page/fields', pagingIn: 'query', pageSize: 50, itemsKey: 'items' });
        expect(items.map((i) => i.id)).toEqual(Array.from({ length: 957 }, (_, i) => `f${i}`));
      },
    );
    expect(maxInFlight).toBe(4);
  });

  it('stops a listing whose totalPages keeps growing, and caps bare pages that never end', async () => {
    let requests = 0;
    await withServer(
      (req, res) => {
        requests++;
        const url = new URL(req.url ?? '', 'http://x');
        const page = Number(url.searchParams.get('page'));
        if (url.pathname.endsWith('/grow')) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [page], totalEntries: 3 + requests, totalPages: 3 + requests }));
        } else {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([page]));
        }
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl, { maxPages: 50 });
        const grow = await failureOf(client.listAll({ method: 'GET', path: '/grow', pagingIn: 'query', pageSize: 1, itemsKey: 'items' }));
        expect(grow.errorCode).toBe('inconsistent_pages');
        const endless = await failureOf(client.listAll({ method: 'GET', path: '/endless', pagingIn: 'query', pageSize: 1, itemsKey: '', shape: 'bare' }));
        expect(endless.errorCode).toBe('too_many_pages');
      },
    );
    expect(requests).toBeLessThan(60);
  });

  it('keeps hostile ids from the server inside one path segment', async () => {
    const urls: string[] = [];
    await withServer(
      (req, res) => {
        urls.push(req.url ?? '');
        if (req.url === `${ORG_PATH}/sources`) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'a/b' }, { id: '../../../other-org/sources' }, { id: '..' }, { id: 'x?y#z' }]));
        else res.writeHead(204).end();
      },
      async (baseUrl) => {
        const { client } = clientFor(baseUrl);
        const sources = await client.request<{ id: string }[]>({ method: 'GET', path: '/sources' });
        const refused: string[] = [];
        for (const s of sources) {
          try {
            await client.request({ method: 'DELETE', path: `/sources/${pathSegment(s.id)}` });
          } catch (e) {
            refused.push(`${s.id}: ${(e as Error).message}`);
          }
        }
        expect(refused).toEqual(['..: Refusing to use ".." as a path segment: an id from the server cannot be empty, "." or "..".']);
      },
    );
    expect(urls).toEqual([`${ORG_PATH}/sources`, `${ORG_PATH}/sources/a%2Fb`, `${ORG_PATH}/sources/..%2F..%2F..%2Fother-org%2Fsources`, `${ORG_PATH}/sources/x%3Fy%23z`]);
  });

  it('never puts the token in the request log, even on /privileges/token', async () => {
    await withServer(
      (req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `bad token ${req.url ?? ''} ${req.headers.authorization ?? ''}`, requestID: 'r-1' }));
      },
      async (baseUrl) => {
        const { client, log } = clientFor(baseUrl);
        const e = await failureOf(client.request({ method: 'POST', path: '/privileges/token', query: { accessToken: TOKEN }, idempotent: true }));
        expect(e.status).toBe(401);
        expect(e.requestId).toBe('r-1');
        const text = JSON.stringify({ message: e.message, meta: e.meta, apiMessage: e.apiMessage, path: e.path, log });
        expect(text).not.toContain(TOKEN);
        expect(text).toContain('accessToken=***');
      },
    );
  });
});
