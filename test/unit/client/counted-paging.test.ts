/**
 * Bare-array listings read with a count (`countWith`, issue 9): `GET /sources/raw/all` with the total of
 * `GET /sources/pages` sent beside page 0, then every other page at once. A server that serves smaller
 * pages than asked must be detected, never taken for the end of the list.
 */
import { describe, expect, it } from 'vitest';
import type { PagedRequest } from '../../../src/client/types.js';
import { failureOf, fakeFetch, json, testClient, type Call } from './support.js';

const LISTING: PagedRequest = {
  method: 'GET',
  path: '/sources/raw/all',
  query: { includeMappings: true },
  pagingIn: 'query',
  sizeParam: 'pageSize',
  pageSize: 10,
  itemsKey: '',
  shape: 'bare',
  countWith: { request: { method: 'GET', path: '/sources/pages', query: { page: 0, perPage: 1 } }, totalKey: 'totalEntries' },
  label: 'sources',
};

/** `total` numbered sources, pages of min(asked, cap); the count endpoint answers `count` (default: the real total). */
function server(total: number, options: { cap?: number; count?: unknown; countStatus?: number } = {}) {
  return fakeFetch((call: Call) => {
    if (call.url.pathname.endsWith('/sources/pages')) {
      if (options.countStatus !== undefined) return json({ message: 'no such route', errorCode: 'INVALID_URI' }, options.countStatus);
      return json({ sourceModels: [], totalEntries: 'count' in options ? options.count : total, totalPages: total });
    }
    const page = Number(call.url.searchParams.get('page'));
    const size = Math.min(Number(call.url.searchParams.get('pageSize')), options.cap ?? Infinity);
    const from = page * size;
    return json(Array.from({ length: Math.max(0, Math.min(size, total - from)) }, (_, i) => `s${from + i}`));
  });
}

const pagesAsked = (calls: readonly Call[]): string[] => calls.filter((c) => c.url.pathname.endsWith('/raw/all')).map((c) => `${c.url.searchParams.get('page')}/${c.url.searchParams.get('pageSize')}`);

describe('listAll (bare pages with a count)', () => {
  it('sends the count with page 0 and needs nothing more when page 0 holds everything', async () => {
    const { fetch, calls } = server(7);
    expect(await testClient(fetch).client.listAll(LISTING)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(calls.map((c) => c.url.pathname.split('/').slice(-2).join('/')).sort()).toEqual(['raw/all', 'sources/pages']);
  });

  it('asks for every other page at once after page 0, and returns the items in page order', async () => {
    const { fetch, calls } = server(35);
    const items = await testClient(fetch, { concurrency: 8 }).client.listAll(LISTING);
    expect(items).toEqual(Array.from({ length: 35 }, (_, i) => `s${i}`));
    expect(pagesAsked(calls).sort()).toEqual(['0/10', '1/10', '2/10', '3/10']);
  });

  it('reads a server that serves smaller pages than asked again at its own size, instead of stopping at its first page', async () => {
    const { fetch, calls } = server(23, { cap: 4 });
    const items = await testClient(fetch).client.listAll(LISTING);
    expect(items).toEqual(Array.from({ length: 23 }, (_, i) => `s${i}`));
    expect(pagesAsked(calls).sort()).toEqual(['0/10', '0/4', '1/4', '2/4', '3/4', '4/4', '5/4']);
  });

  it('refuses a listing that does not add up to the count (it changed while it was read)', async () => {
    const more = server(12, { count: 15 });
    const e1 = await failureOf(testClient(more.fetch).client.listAll(LISTING));
    expect(e1.errorCode).toBe('inconsistent_pages');
    expect(e1.message).toContain('page 1 of 2 has 2 items where 5 were expected (count 15)');
    const fewer = server(8, { count: 5 });
    const e2 = await failureOf(testClient(fewer.fetch).client.listAll(LISTING));
    expect(e2.message).toContain('page 0 has 8 items but the count is 5');
    const empty = server(0, { count: 3 });
    expect((await failureOf(testClient(empty.fetch).client.listAll(LISTING))).message).toContain('page 0 is empty but the count is 3');
  });

  it('refuses a count that is not a number', async () => {
    const { fetch } = server(3, { count: 'many' });
    const e = await failureOf(testClient(fetch).client.listAll(LISTING));
    expect(e.errorCode).toBe('invalid_page');
    expect(e.message).toContain('the count has no valid "totalEntries"');
  });

  it('reads in order until a short page when the count endpoint is not served (404)', async () => {
    const { fetch, calls } = server(25, { countStatus: 404 });
    const items = await testClient(fetch).client.listAll(LISTING);
    expect(items).toHaveLength(25);
    expect(pagesAsked(calls)).toEqual(['0/10', '1/10', '2/10']);
  });

  it('fails the listing when the count fails otherwise (an error is never an empty list)', async () => {
    const { fetch } = server(25, { countStatus: 403 });
    const e = await failureOf(testClient(fetch).client.listAll(LISTING));
    expect(e.status).toBe(403);
  });
});
