/**
 * The client against a hostile server (issue 10): a small node:http server on 127.0.0.1 answers with
 * bodies that are not JSON, HTML error pages, truncated bodies, wrong content types, huge and endless
 * pages, listings that never end, slow answers, and ids holding `/` or `..`. Every case must end in a
 * typed error with a short, clean message (no token, no control characters, no HTML flood), never hang,
 * and never let an id from the server move a later request out of the organization's path.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApiClient, type ApiClientOptions } from '../../src/client/client.js';
import { isNestedDeeperThan } from '../../src/client/json-depth.js';
import type { ApiClient } from '../../src/client/types.js';
import { toRemoteId, type DeleteStep } from '../../src/core/types.js';
import { ApiError, exitCodeOf, isSyncError } from '../../src/errors.js';
import { OPS } from '../../src/kinds/registry.js';
import type { ApplyContext } from '../../src/kinds/ops-types.js';
import { readLive } from '../../src/plan/read-live.js';

const TOKEN = 'xx5c1e-hostile-TOKEN-0b9d';
const ORG = 'acme';
const PREFIX = `/rest/organizations/${ORG}`;

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

interface Server {
  readonly url: string;
  /** Every request target as received (raw, before any normalisation). */
  readonly seen: string[];
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<Server> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    req.resume();
    req.on('end', () => {
      try {
        handler(req, res, new URL(req.url ?? '/', 'http://x'));
      } catch {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function clientFor(server: Server, extra: Partial<ApiClientOptions> = {}): ApiClient {
  return createApiClient({
    baseUrl: server.url,
    organizationId: ORG,
    token: TOKEN,
    retries: 1,
    sleep: () => Promise.resolve(),
    timeoutMs: 2_000,
    maxResponseBytes: 1024 * 1024,
    ...extra,
  });
}

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

/** What every error from a hostile answer must look like. */
function expectCleanError(e: unknown, code: string | RegExp): ApiError {
  expect(isSyncError(e), String(e)).toBe(true);
  expect(e).toBeInstanceOf(ApiError);
  const error = e as ApiError;
  const text = `${error.message} ${JSON.stringify(error.meta)}`;
  if (typeof code === 'string') expect(error.errorCode, error.message).toBe(code);
  else expect(error.message).toMatch(code);
  expect(error.message.length, error.message).toBeLessThan(1_200);
  expect(text).not.toContain(TOKEN);
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  expect(error.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  expect(error.message).not.toMatch(/<script|<\/html>/i);
  expect([1, 4]).toContain(exitCodeOf(error));
  return error;
}

const json = (res: ServerResponse, body: unknown, status = 200, type = 'application/json'): void => {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
};

const HTML_PAGE = `<!DOCTYPE html><html><head><title>502</title><script>alert(1)</script></head><body>${'<p>Bad gateway</p>'.repeat(2000)}</body></html>`;

describe('answers that are not what they claim', () => {
  const cases: [string, Handler, string | RegExp][] = [
    ['plain text with a 200', (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK, done'), 'response_not_json'],
    ['an HTML page with a 200', (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(HTML_PAGE), 'response_not_json'],
    ['an HTML error page with a 502 (a proxy)', (_q, res) => res.writeHead(502, { 'content-type': 'text/html' }).end(HTML_PAGE), /502/],
    ['an HTML login page with a 401', (_q, res) => res.writeHead(401, { 'content-type': 'text/html' }).end('<html><body>Please log in</body></html>'), /401/],
    ['JSON labelled text/html', (_q, res) => json(res, { ok: true }, 200, 'text/html'), 'response_not_json'],
    ['HTML labelled application/json', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(HTML_PAGE), 'response_not_json'],
    ['JSON cut short (Content-Length says more)', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"items": [1, 2, 3');
      setTimeout(() => res.destroy(), 20);
    }, /dropped|not valid JSON|network/],
    ['JSON cut short (the connection closes early, chunked)', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items": [');
      setTimeout(() => res.destroy(), 20);
    }, /dropped|not valid JSON|network/],
    ['a body of 5 MB (limit 1 MB)', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`[${'"xxxxxxxx",'.repeat(500_000)}"x"]`), 'response_too_large'],
    ['a Content-Length of 10 GB', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 ** 3) });
      res.write('[');
    }, 'response_too_large'],
    ['a body that never ends', (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => {
        if (!res.write(`${'1,'.repeat(50_000)}`)) return;
      }, 1);
      res.on('close', () => clearInterval(timer));
    }, 'response_too_large'],
    ['a redirect to another host (the token would follow)', (_q, res) => res.writeHead(302, { location: 'https://attacker.example/steal' }).end(), 'unexpected_redirect'],
    ['an error message full of terminal escapes', (_q, res) => json(res, { message: '\u001b[2J\u001b[1;1HAll good, nothing to see\u0007\u0000', errorCode: 'X\u001b[31m' }, 400), /400/],
    ['an error message that echoes the token', (req, res) => json(res, { message: `bad token ${req.headers.authorization ?? ''} ${encodeURIComponent(TOKEN)}`, errorCode: 'INVALID' }, 400), /400/],
    ['an error message of 1 MB', (_q, res) => json(res, { message: 'x'.repeat(1024 * 1024), errorCode: 'BIG' }, 400), /400/],
    ['an error body that is a JSON string of HTML', (_q, res) => json(res, HTML_PAGE, 500), /500/],
    ['JSON nested 50,000 levels deep', (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`${'['.repeat(50_000)}${']'.repeat(50_000)}`), 'response_too_deep'],
  ];
  it.each(cases)('%s', async (_name, handler, code) => {
    const server = await serve(handler);
    try {
      expectCleanError(await failureOf(clientFor(server).request({ method: 'GET', path: '/things' })), code);
    } finally {
      await server.close();
    }
  });
});

describe('deeply nested answers', () => {
  it('a source listing nested 20,000 levels deep ends the read with an ApiError (was: a stack overflow, "internal error")', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const server = await serve((_q, res, url) => {
      if (url.pathname.endsWith('/sources/pages')) return json(res, { sourceModels: [], totalEntries: 1, totalPages: 1 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(url.searchParams.get('page') === '0' ? `[{"id":"s1","name":"Docs","sourceType":"WEB","configuration":${deep}}]` : '[]');
    });
    try {
      expectCleanError(await failureOf(readLive(clientFor(server), OPS, ['sources'])), 'response_too_deep');
    } finally {
      await server.close();
    }
  });

  it('the depth scan agrees with the parsed value, brackets and escapes inside strings included', () => {
    const depthOf = (v: unknown): number => (Array.isArray(v) ? 1 + Math.max(0, ...v.map(depthOf)) : v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);
    const tricky = fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom('[', ']', '{', '}', '\\', '\\"', '"[', '\\\\'));
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), tricky, fc.nat({ max: 8 }), (value, extra, max) => {
        const text = JSON.stringify([value, extra]);
        expect(isNestedDeeperThan(text, max)).toBe(depthOf([value, extra]) > max);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe('slow servers', () => {
  it('a server that never answers times out (each attempt), without hanging', async () => {
    const server = await serve(() => undefined);
    try {
      const e = expectCleanError(await failureOf(clientFor(server, { timeoutMs: 150 }).request({ method: 'GET', path: '/things' })), /timed out/);
      expect(e.status).toBe(0);
      expect(server.seen).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('a body that trickles a byte at a time times out', async () => {
    const server = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 10);
      res.on('close', () => clearInterval(timer));
    });
    try {
      expectCleanError(await failureOf(clientFor(server, { timeoutMs: 150 }).request({ method: 'GET', path: '/things' })), /timed out/);
    } finally {
      await server.close();
    }
  });
});

describe('listings that never end or lie', () => {
  it('totalPages that grows on every page', async () => {
    let calls = 0;
    const server = await serve((_q, res) => {
      calls++;
      json(res, { items: [calls], totalPages: calls + 1, totalEntries: calls + 1 });
    });
    try {
      const e = await failureOf(clientFor(server).listAll({ method: 'GET', path: '/things', pagingIn: 'query', pageSize: 1, itemsKey: 'items' }));
      expectCleanError(e, 'inconsistent_pages');
      expect(calls).toBeLessThan(10);
    } finally {
      await server.close();
    }
  });

  it('a bare listing whose pages are always full stops at the page cap', async () => {
    const server = await serve((_q, res, url) => json(res, [`item-${url.searchParams.get('page') ?? ''}`]));
    try {
      const e = await failureOf(clientFor(server, { maxPages: 25 }).listAll({ method: 'GET', path: '/things', pagingIn: 'query', pageSize: 1, itemsKey: '', shape: 'bare' }));
      expectCleanError(e, 'too_many_pages');
      expect(server.seen.length).toBeLessThanOrEqual(26);
    } finally {
      await server.close();
    }
  });

  it('a listing that announces a billion pages is refused before reading them', async () => {
    const server = await serve((_q, res) => json(res, { items: [1], totalPages: 1_000_000_000, totalEntries: 1_000_000_000 }));
    try {
      expectCleanError(await failureOf(clientFor(server).listAll({ method: 'GET', path: '/things', pagingIn: 'query', pageSize: 1, itemsKey: 'items' })), 'too_many_pages');
      expect(server.seen).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it.each([
    ['items missing', { totalPages: 1 }],
    ['items not a list', { items: 'all of them', totalPages: 1 }],
    ['totalPages as text', { items: [], totalPages: 'one' }],
    ['totalPages negative', { items: [], totalPages: -1 }],
    ['totalPages as an exponent too large for a number', '{"items": [], "totalPages": 1e999}'],
    ['an empty page that claims more', { items: [], totalPages: 3, totalEntries: 9 }],
  ])('a page with %s', async (_name, body) => {
    const server = await serve((_q, res) => (typeof body === 'string' ? res.writeHead(200, { 'content-type': 'application/json' }).end(body) : json(res, body)));
    try {
      expectCleanError(await failureOf(clientFor(server).listAll({ method: 'GET', path: '/things', pagingIn: 'query', pageSize: 10, itemsKey: 'items' })), /invalid_page|inconsistent_pages|totalPages|has no/);
    } finally {
      await server.close();
    }
  });
});

describe('listings answered with something that is not a list', () => {
  it.each([
    ['groups', { message: 'You are not allowed', errorCode: 'ACCESS_DENIED' }],
    ['apiKeys', null],
    ['securityProviders', { items: [] }],
  ] as const)('%s answered %j with a 200: an ApiError, never an empty list', async (kind, body) => {
    const server = await serve((_q, res) => json(res, body));
    try {
      const e = await failureOf(readLive(clientFor(server), OPS, [kind]));
      expectCleanError(e, /not the list|invalid_page|did not give a list/);
    } finally {
      await server.close();
    }
  });

  it('schedules of a source answered with an object: an ApiError', async () => {
    const server = await serve((_q, res, url) => {
      if (url.pathname.endsWith('/sources/pages')) return json(res, { sourceModels: [], totalEntries: 1, totalPages: 1 });
      if (url.pathname.endsWith('/sources/raw/all')) return json(res, url.searchParams.get('page') === '0' ? [{ id: 's1', name: 'Docs', sourceType: 'WEB' }] : []);
      return json(res, { schedules: [] });
    });
    try {
      expectCleanError(await failureOf(readLive(clientFor(server), OPS, ['sources', 'schedules'])), 'invalid_page');
    } finally {
      await server.close();
    }
  });
});

/** The path of a request target after a URL parser resolves dot segments, as a server or proxy would. */
const resolvedPath = (target: string): string => new URL(target, 'http://x').pathname;

describe('ids from the server never steer later requests', () => {
  const HOSTILE_IDS = ['a/b', '../../other-org/sources/x', 'x?admin=true#frag', 'sp ace', '..%2f..%2fetc', 'é\u202e'];
  /** Ids that would be dot segments once decoded: refused before anything is sent. */
  const REFUSED_IDS = ['..', '.', '', '%2e', '%2e%2e', '.%2E'];

  /** A source listing holding `ids`, and empty schedule listings for each. */
  const sourcesServer = (ids: readonly string[]): Handler => (_q, res, url) => {
    if (url.pathname.endsWith('/sources/pages')) return json(res, { sourceModels: [], totalEntries: ids.length, totalPages: 1 });
    if (url.pathname.endsWith('/sources/raw/all')) return json(res, url.searchParams.get('page') === '0' ? ids.map((id) => ({ id, name: `source ${id}`, sourceType: 'WEB' })) : []);
    if (/\/sources\/[^/]+\/schedules$/.test(url.pathname)) return json(res, []);
    return json(res, { message: 'unexpected', errorCode: 'NOT_FOUND' }, 404);
  };

  it('reading schedules of sources with hostile ids: each id is one encoded segment inside the org', async () => {
    const server = await serve(sourcesServer(HOSTILE_IDS));
    try {
      const read = await readLive(clientFor(server), OPS, ['sources', 'schedules']);
      expect(read.sources).toHaveLength(HOSTILE_IDS.length);
      const scheduleCalls = server.seen.filter((t) => t.endsWith('/schedules'));
      expect(scheduleCalls.sort()).toEqual(HOSTILE_IDS.map((id) => `${PREFIX}/sources/${encodeURIComponent(id)}/schedules`).sort());
      for (const target of server.seen) {
        expect(resolvedPath(target).startsWith(`${PREFIX}/`), target).toBe(true);
        expect(target).not.toMatch(/[?#].*[?#]|\/\.\.?\//);
      }
    } finally {
      await server.close();
    }
  });

  it.each(REFUSED_IDS)('an id %j ends the read with a typed error, and no request is sent with it', async (id) => {
    const server = await serve(sourcesServer(['fine', id]));
    try {
      const e = await failureOf(readLive(clientFor(server), OPS, ['sources', 'schedules']));
      expect(isSyncError(e), String(e)).toBe(true);
      for (const target of server.seen) expect(resolvedPath(target).startsWith(`${PREFIX}/`), target).toBe(true);
      expect(server.seen.some((t) => t === `${PREFIX}/sources//schedules` || t.includes('/sources/../') || t.includes('/sources/./'))).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('deleting resources whose server ids are hostile sends one encoded segment, or nothing', async () => {
    const server = await serve((_q, res) => res.writeHead(204).end());
    const ctx = { client: clientFor(server) } as unknown as ApplyContext;
    const del = (kind: DeleteStep['kind'], remoteId: string): DeleteStep => ({
      kind, id: 'x', action: 'delete', risk: 'destructive', wave: 7, dependsOn: [], notes: [], remoteId: toRemoteId(remoteId), before: {},
    }) as unknown as DeleteStep;
    try {
      for (const kind of ['groups', 'apiKeys', 'sources', 'securityProviders'] as const) {
        for (const id of HOSTILE_IDS) await OPS[kind].delete(del(kind, id), ctx);
        for (const id of REFUSED_IDS) expect(isSyncError(await failureOf(OPS[kind].delete(del(kind, id), ctx)))).toBe(true);
      }
      expect(server.seen.length).toBeGreaterThan(0);
      for (const target of server.seen) {
        const path = resolvedPath(target);
        expect(path.startsWith(`${PREFIX}/`), target).toBe(true);
        // /groups/{id}, /apikeys/{id}, /sources/{id}, /securityproviders/{id}: the id is exactly one segment.
        expect(path.split('/')).toHaveLength(6);
      }
    } finally {
      await server.close();
    }
  });
});
