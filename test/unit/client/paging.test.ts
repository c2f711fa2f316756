import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../src/client/types.js';
import { ApiError } from '../../../src/errors.js';
import { failureOf, fakeFetch, json, testClient, type Call } from './support.js';

/** A wrapped listing of `total` numbered items served `size` per page, optionally tampered with. */
function pagedServer(total: number, size: number, tamper?: (page: number, body: Record<string, unknown>) => Record<string, unknown>) {
  let inFlight = 0;
  let maxInFlight = 0;
  const pagesSeen: number[] = [];
  const pageOf = (call: Call): number => Number(call.url.searchParams.get('page') ?? (JSON.parse(call.body ?? '{}') as { page: number }).page);
  const { fetch, calls } = fakeFetch(async (call) => {
    const page = pageOf(call);
    pagesSeen.push(page);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Later pages answer sooner, so arrival order differs from page order.
    await new Promise((r) => setTimeout(r, Math.max(0, 12 - page)));
    inFlight--;
    const items = Array.from({ length: Math.max(0, Math.min(size, total - page * size)) }, (_, i) => ({ n: page * size + i }));
    const body = { items, totalEntries: total, totalPages: Math.ceil(total / size) };
    return json(tamper ? tamper(page, body) : body);
  });
  return { fetch, calls, pagesSeen, maxInFlight: () => maxInFlight };
}

describe('listAll (wrapped pages)', () => {
  it('reads page 0, then the rest concurrently within the shared limit, in page order', async () => {
    const server = pagedServer(1234, 100, undefined);
    const { client } = testClient(server.fetch, { concurrency: 3 });
    const progress: ProgressEvent[] = [];
    const items = await client.listAll<{ n: number }>(
      { method: 'GET', path: '/securityproviders/page', query: { filter: 'x' }, pagingIn: 'query', pageSize: 100, itemsKey: 'items', label: 'providers' },
      (e) => progress.push(e),
    );
    expect(items.map((i) => i.n)).toEqual(Array.from({ length: 1234 }, (_, i) => i));
    expect(server.pagesSeen[0]).toBe(0);
    expect(server.calls).toHaveLength(13);
    expect(server.maxInFlight()).toBe(3);
    expect(server.calls[1]!.url.search).toMatch(/^\?filter=x&page=\d+&perPage=100$/);
    expect(progress[0]).toEqual({ label: 'providers', done: 100, total: 1234 });
    expect(progress.at(-1)).toEqual({ label: 'providers', done: 1234, total: 1234 });
  });

  it('sends the later pages of a listing under way before requests queued after it began', async () => {
    const { fetch, calls } = fakeFetch(async (call) => {
      await new Promise((r) => setTimeout(r, 2));
      if (call.url.pathname.endsWith('/fields')) return json({ items: [Number(call.url.searchParams.get('page'))], totalEntries: 3, totalPages: 3 });
      return json([]);
    });
    const { client } = testClient(fetch, { concurrency: 1 });
    const listing = client.listAll({ method: 'GET', path: '/fields', pagingIn: 'query', pageSize: 1, itemsKey: 'items' });
    // Queued while page 0 is out, like the schedule listings queued behind the fields' first page.
    const others = Array.from({ length: 3 }, (_, i) => client.request({ method: 'GET', path: `/sources/s${i}/schedules` }));
    expect(await listing).toEqual([0, 1, 2]);
    await Promise.all(others);
    const order = calls.map((c) => `${c.url.pathname.split('/').slice(4).join('/')}${c.url.searchParams.has('page') ? `#${c.url.searchParams.get('page')}` : ''}`);
    expect(order).toEqual(['fields#0', 'sources/s0/schedules', 'fields#1', 'fields#2', 'sources/s1/schedules', 'sources/s2/schedules']);
  });

  it('pages in the body for POST listings, with pageSize when asked, as an idempotent read', async () => {
    let n = 0;
    const { fetch, calls } = fakeFetch((call) => {
      n++;
      // The first attempt of page 1 fails with 503: the listing POST is retried because it only reads.
      if (n === 2) return json({}, 503);
      const page = (JSON.parse(call.body!) as { page: number }).page;
      return json({ sourceModels: page === 0 ? [1, 2] : [3], totalEntries: 3, totalPages: 2 });
    });
    const { client } = testClient(fetch);
    const items = await client.listAll({ method: 'POST', path: '/indexes/fields/search', body: { sortBy: 'name' }, pagingIn: 'body', sizeParam: 'pageSize', pageSize: 2, itemsKey: 'sourceModels' });
    expect(items).toEqual([1, 2, 3]);
    expect(JSON.parse(calls[0]!.body!)).toEqual({ sortBy: 'name', page: 0, pageSize: 2 });
    expect(calls[0]!.url.search).toBe('');
  });

  it('handles an empty listing and a single page', async () => {
    const empty = fakeFetch(() => json({ items: [], totalEntries: 0, totalPages: 0 }));
    expect(await testClient(empty.fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 10, itemsKey: 'items' })).toEqual([]);
    const one = fakeFetch(() => json({ items: ['a'], totalEntries: 1, totalPages: 1 }));
    expect(await testClient(one.fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 10, itemsKey: 'items' })).toEqual(['a']);
    expect(one.calls).toHaveLength(1);
  });

  it('follows a server that caps the page size below the one asked for', async () => {
    const server = pagedServer(250, 100);
    const items = await testClient(server.fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 1000, itemsKey: 'items' });
    expect(items).toHaveLength(250);
  });

  const inconsistent: [string, (page: number, body: Record<string, unknown>) => Record<string, unknown>, RegExp][] = [
    ['totalPages growing', (p, b) => ({ ...b, totalPages: 5 + p }), /totalPages changed from 5 to \d+ at page [1-4]/],
    ['totalEntries changing', (p, b) => (p === 3 ? { ...b, totalEntries: 499 } : b), /totalEntries changed from 450 to 499 at page 3/],
    ['a short page before the last', (p, b) => (p === 2 ? { ...b, items: (b['items'] as unknown[]).slice(1) } : b), /page 2 of 5 has 99 items where 100 were expected/],
    ['an empty last page', (p, b) => (p === 4 ? { ...b, items: [] } : b), /the last page \(4\) has 0 items/],
    ['totalEntries not matching the items', (_p, b) => ({ ...b, totalEntries: 460 }), /read 450 items but totalEntries is 460/],
    ['items on a listing with zero pages', (_p, b) => ({ ...b, totalPages: 0 }), /page 0 has 100 items but totalPages is 0/],
  ];
  it.each(inconsistent)('refuses %s with inconsistent_pages', async (_name, tamper, message) => {
    const server = pagedServer(450, 100, tamper);
    const e = await failureOf(testClient(server.fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 100, itemsKey: 'items' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.errorCode).toBe('inconsistent_pages');
    expect(e.message).toMatch(message);
    expect(e.message).toContain('Run again');
  });

  it.each([
    ['no items array', { totalPages: 1, totalEntries: 0 }, /page 0 has no "items" array/],
    ['items under another key', { sourceModels: [], totalPages: 1 }, /no "items" array/],
    ['a fractional totalPages', { items: [], totalPages: 1.5 }, /no valid "totalPages" \(got 1.5\)/],
    ['a string totalPages', { items: [], totalPages: '2' }, /no valid "totalPages" \(got "2"\)/],
    ['a negative totalEntries', { items: [], totalPages: 1, totalEntries: -1 }, /invalid "totalEntries"/],
    ['an array body', [], /page 0 is not a JSON object/],
  ])('refuses a page with %s', async (_name, body, message) => {
    const { fetch } = fakeFetch(() => json(body));
    const e = await failureOf(testClient(fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 100, itemsKey: 'items' }));
    expect(e.errorCode).toBe('invalid_page');
    expect(e.message).toMatch(message);
  });

  it('caps listings that announce too many pages or items before reading them', async () => {
    const pages = fakeFetch(() => json({ items: [1], totalEntries: 50_000, totalPages: 50_000 }));
    const e1 = await failureOf(testClient(pages.fetch).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 1, itemsKey: 'items' }));
    expect(e1.errorCode).toBe('too_many_pages');
    expect(e1.message).toContain('announces 50000 pages (limit 10000)');
    expect(pages.calls).toHaveLength(1);
    const items = fakeFetch(() => json({ items: [1, 2], totalPages: 3 }));
    const e2 = await failureOf(testClient(items.fetch, { maxItems: 4 }).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 2, itemsKey: 'items' }));
    expect(e2.errorCode).toBe('too_many_pages');
    expect(items.calls).toHaveLength(1);
  });

  it('fails the whole listing when a page fails, naming the page, and stops queued pages', async () => {
    const { fetch, calls } = fakeFetch((call) => {
      const page = Number(call.url.searchParams.get('page'));
      if (page === 2) return json({ message: 'nope' }, 404);
      return json({ items: [page], totalEntries: 40, totalPages: 40 });
    });
    const e = await failureOf(testClient(fetch, { concurrency: 2 }).client.listAll({ method: 'GET', path: '/x', pagingIn: 'query', pageSize: 1, itemsKey: 'items' }));
    expect(e.message).toMatch(/\[GET\] \/rest\/organizations\/acme%20org\/x \(page 2\): 404 — nope/);
    expect(calls.length).toBeLessThan(10);
  });
});

describe('listAll (bare arrays)', () => {
  it('reads pages in order until a short one', async () => {
    const { fetch, calls } = fakeFetch((call) => {
      const page = Number(call.url.searchParams.get('page'));
      const size = Number(call.url.searchParams.get('pageSize'));
      return json(Array.from({ length: page < 2 ? size : 1 }, (_, i) => `s${page * size + i}`));
    });
    const progress: ProgressEvent[] = [];
    const items = await testClient(fetch).client.listAll(
      { method: 'GET', path: '/sources/raw/all', query: { includeMappings: true }, pagingIn: 'query', sizeParam: 'pageSize', pageSize: 3, itemsKey: '', shape: 'bare', label: 'sources' },
      (e) => progress.push(e),
    );
    expect(items).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(calls.map((c) => c.url.search)).toEqual([
      '?includeMappings=true&page=0&pageSize=3',
      '?includeMappings=true&page=1&pageSize=3',
      '?includeMappings=true&page=2&pageSize=3',
    ]);
    expect(progress.map((p) => p.done)).toEqual([3, 6, 7]);
    expect(progress.every((p) => p.total === undefined)).toBe(true);
  });

  it('asks for one more page after an exactly full last page', async () => {
    const { fetch, calls } = fakeFetch((call) => json(call.url.searchParams.get('page') === '0' ? ['a', 'b'] : []));
    expect(await testClient(fetch).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 2, itemsKey: '', shape: 'bare' })).toEqual(['a', 'b']);
    expect(calls).toHaveLength(2);
  });

  it('caps pages that never end', async () => {
    const { fetch, calls } = fakeFetch((call) => json([call.url.searchParams.get('page')]));
    const e = await failureOf(testClient(fetch, { maxPages: 25 }).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 1, itemsKey: '', shape: 'bare' }));
    expect(e.errorCode).toBe('too_many_pages');
    expect(calls).toHaveLength(25);
  });

  it('refuses a server that ignores the page number or the page size, and non-arrays', async () => {
    const same = fakeFetch(() => json(['a', 'b']));
    const e1 = await failureOf(testClient(same.fetch).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 2, itemsKey: '', shape: 'bare' }));
    expect(e1.message).toContain('page 1 repeats page 0');
    expect(same.calls).toHaveLength(2);
    const long = fakeFetch(() => json(['a', 'b', 'c']));
    const e2 = await failureOf(testClient(long.fetch).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 2, itemsKey: '', shape: 'bare' }));
    expect(e2.message).toContain('page 0 has 3 items, more than the 2 asked for');
    const wrapped = fakeFetch(() => json({ items: [] }));
    const e3 = await failureOf(testClient(wrapped.fetch).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 2, itemsKey: '', shape: 'bare' }));
    expect(e3.errorCode).toBe('invalid_page');
  });

  it('refuses a page size below 1', async () => {
    const { fetch } = fakeFetch(() => json([]));
    await expect(testClient(fetch).client.listAll({ method: 'GET', path: '/sources', pagingIn: 'query', pageSize: 0, itemsKey: '', shape: 'bare' })).rejects.toThrow(/pageSize/);
  });
});
