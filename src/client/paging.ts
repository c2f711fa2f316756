/**
 * Reading a whole listing. Each Coveo endpoint pages its own way (design §6): wrapped pages
 * `{[itemsKey]: [...], totalEntries, totalPages}` are read page 0 first and then all other pages at once
 * (the client's semaphore bounds them); bare arrays carry no total and are read in order until a short
 * page. Every page is checked, so a listing that changed while it was read, or a server that pages
 * badly, ends in an `ApiError` and never in a silently partial list (an empty read must not become
 * "delete everything", design §4).
 */
import type { ApiError } from '../errors.js';
import { buildApiError } from './errors.js';
import type { PagedRequest, ProgressEvent } from './types.js';

export interface PageReader {
  /** Fetches one page (0-based) and resolves with its parsed body; rejects with ApiError. */
  readonly fetchPage: (page: number, signal: AbortSignal) => Promise<unknown>;
  /** For error messages. */
  readonly method: string;
  readonly path: string;
  /** Hard caps against listings that never end. */
  readonly maxPages: number;
  readonly maxItems: number;
}

interface WrappedPage {
  readonly items: readonly unknown[];
  readonly totalPages: number;
  readonly totalEntries: number | undefined;
}

function pagingError(reader: PageReader, code: 'invalid_page' | 'inconsistent_pages' | 'too_many_pages', detail: string): ApiError {
  const advice =
    code === 'inconsistent_pages'
      ? ' The listing changed while it was read, or the server pages inconsistently; nothing was planned from it. Run again.'
      : code === 'too_many_pages'
        ? ' Refusing to read further: the listing looks endless or is far larger than an organization should be.'
        : ' The response does not have the expected shape; nothing was planned from it.';
  return buildApiError({ method: reader.method, path: reader.path, status: 200, errorCode: code, detail: `${detail}.${advice}` });
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function readWrappedPage(body: unknown, page: number, itemsKey: string, reader: PageReader): WrappedPage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw pagingError(reader, 'invalid_page', `page ${page} is not a JSON object`);
  }
  const record = body as Record<string, unknown>;
  const items = record[itemsKey];
  if (!Array.isArray(items)) throw pagingError(reader, 'invalid_page', `page ${page} has no "${itemsKey}" array`);
  const totalPages = record['totalPages'];
  if (!isCount(totalPages)) throw pagingError(reader, 'invalid_page', `page ${page} has no valid "totalPages" (got ${JSON.stringify(totalPages) ?? 'nothing'})`);
  const totalEntries = record['totalEntries'];
  if (totalEntries !== undefined && totalEntries !== null && !isCount(totalEntries)) {
    throw pagingError(reader, 'invalid_page', `page ${page} has an invalid "totalEntries" (${JSON.stringify(totalEntries)})`);
  }
  return { items: items as unknown[], totalPages, totalEntries: isCount(totalEntries) ? totalEntries : undefined };
}

/**
 * Reads a wrapped listing: page 0, then pages 1…n-1 concurrently, each checked against page 0 (same
 * `totalPages` and `totalEntries`, full pages except the last, item count equal to `totalEntries`).
 * Items come back in page order whatever order the pages arrive in.
 */
export async function readWrappedPages(req: PagedRequest, reader: PageReader, onProgress?: (e: ProgressEvent) => void): Promise<unknown[]> {
  const label = req.label ?? req.path;
  const controller = new AbortController();
  const first = readWrappedPage(await reader.fetchPage(0, controller.signal), 0, req.itemsKey, reader);
  const { totalPages, totalEntries } = first;
  if (totalPages > reader.maxPages) throw pagingError(reader, 'too_many_pages', `the server announces ${totalPages} pages (limit ${reader.maxPages})`);
  if (totalEntries !== undefined && totalEntries > reader.maxItems) {
    throw pagingError(reader, 'too_many_pages', `the server announces ${totalEntries} items (limit ${reader.maxItems})`);
  }
  let done = first.items.length;
  onProgress?.({ label, done, total: totalEntries });

  if (totalPages <= 1) {
    if (totalPages === 0 && first.items.length > 0) {
      throw pagingError(reader, 'inconsistent_pages', `page 0 has ${first.items.length} items but totalPages is 0`);
    }
    if (totalEntries !== undefined && first.items.length !== totalEntries) {
      throw pagingError(reader, 'inconsistent_pages', `the only page has ${first.items.length} items but totalEntries is ${totalEntries}`);
    }
    return [...first.items];
  }

  // The server may cap the page size below what we asked; page 0 tells us the size it really uses.
  const size = first.items.length;
  if (size === 0) throw pagingError(reader, 'inconsistent_pages', `page 0 is empty but totalPages is ${totalPages}`);
  if ((totalPages - 1) * size + 1 > reader.maxItems) {
    throw pagingError(reader, 'too_many_pages', `${totalPages} pages of ${size} items exceed the limit of ${reader.maxItems} items`);
  }

  const check = (body: unknown, page: number): readonly unknown[] => {
    const p = readWrappedPage(body, page, req.itemsKey, reader);
    if (p.totalPages !== totalPages) {
      throw pagingError(reader, 'inconsistent_pages', `totalPages changed from ${totalPages} to ${p.totalPages} at page ${page}`);
    }
    if (p.totalEntries !== totalEntries) {
      throw pagingError(reader, 'inconsistent_pages', `totalEntries changed from ${String(totalEntries)} to ${String(p.totalEntries)} at page ${page}`);
    }
    const isLast = page === totalPages - 1;
    if (!isLast && p.items.length !== size) {
      throw pagingError(reader, 'inconsistent_pages', `page ${page} of ${totalPages} has ${p.items.length} items where ${size} were expected`);
    }
    if (isLast && (p.items.length === 0 || p.items.length > size)) {
      throw pagingError(reader, 'inconsistent_pages', `the last page (${page}) has ${p.items.length} items, expected 1 to ${size}`);
    }
    return p.items;
  };

  const rest = Array.from({ length: totalPages - 1 }, (_, i) => i + 1);
  const pages = await Promise.all(
    rest.map(async (page) => {
      try {
        const items = check(await reader.fetchPage(page, controller.signal), page);
        done += items.length;
        onProgress?.({ label, done, total: totalEntries });
        return items;
      } catch (e) {
        // Stop the pages still queued behind the semaphore: the listing has already failed.
        controller.abort();
        throw e;
      }
    }),
  );

  const all: unknown[] = [...first.items];
  for (const items of pages) for (const item of items) all.push(item);
  if (totalEntries !== undefined && all.length !== totalEntries) {
    throw pagingError(reader, 'inconsistent_pages', `read ${all.length} items but totalEntries is ${totalEntries}`);
  }
  return all;
}

/**
 * Reads a bare-array listing (`GET /sources?page&perPage`): pages in order until one is shorter than
 * `pageSize`. `pageSize` must not exceed what the endpoint serves, or a capped page would look like the
 * last one; a page longer than asked is refused for the same reason. A full page identical to the one
 * before means the server ignores `page`, and is refused instead of looping to the cap.
 */
export async function readBarePages(req: PagedRequest, reader: PageReader, onProgress?: (e: ProgressEvent) => void, firstPage?: unknown): Promise<unknown[]> {
  const label = req.label ?? req.path;
  const controller = new AbortController();
  const all: unknown[] = [];
  let previous: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= reader.maxPages) throw pagingError(reader, 'too_many_pages', `still full after ${page} pages of ${req.pageSize} items (limit ${reader.maxPages} pages)`);
    const body = page === 0 && firstPage !== undefined ? firstPage : await reader.fetchPage(page, controller.signal);
    if (!Array.isArray(body)) throw pagingError(reader, 'invalid_page', `page ${page} is not a JSON array`);
    const items = body as unknown[];
    if (items.length > req.pageSize) {
      throw pagingError(reader, 'invalid_page', `page ${page} has ${items.length} items, more than the ${req.pageSize} asked for, so the pages cannot be followed safely`);
    }
    const isFull = items.length === req.pageSize;
    if (isFull) {
      const text = JSON.stringify(items);
      if (text === previous) throw pagingError(reader, 'inconsistent_pages', `page ${page} repeats page ${page - 1}: the server seems to ignore the page number`);
      previous = text;
    }
    for (const item of items) all.push(item);
    if (all.length > reader.maxItems) throw pagingError(reader, 'too_many_pages', `more than ${reader.maxItems} items`);
    onProgress?.({ label, done: all.length, total: undefined });
    if (!isFull) return all;
  }
}

/** A page reader that asks for another page size (for a server that serves less than was asked). */
export interface SizedPageReader extends PageReader {
  readonly fetchPageOfSize: (page: number, size: number, signal: AbortSignal) => Promise<unknown>;
}

/**
 * Reads a bare-array listing whose size is known from a separate count (`countWith`): page 0 and the
 * count at once, then every other page at once. The items must add up to the count. When page 0 is
 * shorter than asked but the count says there is more, the server serves smaller pages: the listing is
 * read again at that size (pages 0…n-1 at once), since how it numbers pages of another size is unknown.
 * `count` resolves undefined when the count endpoint is not served; the listing is then read in order
 * until a short page, as without a count.
 */
export async function readCountedBarePages(
  req: PagedRequest,
  reader: SizedPageReader,
  count: () => Promise<number | undefined>,
  onProgress?: (e: ProgressEvent) => void,
): Promise<unknown[]> {
  const label = req.label ?? req.path;
  const controller = new AbortController();
  const arrayOf = (body: unknown, page: number, size: number): unknown[] => {
    if (!Array.isArray(body)) throw pagingError(reader, 'invalid_page', `page ${page} is not a JSON array`);
    if (body.length > size) {
      throw pagingError(reader, 'invalid_page', `page ${page} has ${body.length} items, more than the ${size} asked for, so the pages cannot be followed safely`);
    }
    return body as unknown[];
  };
  let first: unknown;
  let total: number | undefined;
  try {
    [total, first] = await Promise.all([count(), reader.fetchPage(0, controller.signal)]);
  } catch (e) {
    controller.abort();
    throw e;
  }
  if (total === undefined) return readBarePages(req, reader, onProgress, first);
  if (total > reader.maxItems) throw pagingError(reader, 'too_many_pages', `the server announces ${total} items (limit ${reader.maxItems})`);
  const page0 = arrayOf(first, 0, req.pageSize);
  onProgress?.({ label, done: page0.length, total });
  if (page0.length === total) return [...page0];
  if (page0.length > total) throw pagingError(reader, 'inconsistent_pages', `page 0 has ${page0.length} items but the count is ${total}`);
  if (page0.length === 0) throw pagingError(reader, 'inconsistent_pages', `page 0 is empty but the count is ${total}`);

  // Page 0 full: the rest at the size asked. Page 0 short: the server's own size, from page 0 again.
  const size = page0.length;
  const isCapped = size < req.pageSize;
  const pages = Math.ceil(total / size);
  if (pages > reader.maxPages) throw pagingError(reader, 'too_many_pages', `${total} items in pages of ${size} take ${pages} pages (limit ${reader.maxPages})`);
  const wanted = Array.from({ length: isCapped ? pages : pages - 1 }, (_, i) => (isCapped ? i : i + 1));
  let done = isCapped ? 0 : size;
  const read = await Promise.all(
    wanted.map(async (page) => {
      try {
        const items = arrayOf(await (isCapped ? reader.fetchPageOfSize(page, size, controller.signal) : reader.fetchPage(page, controller.signal)), page, size);
        const expected = page === pages - 1 ? total - size * (pages - 1) : size;
        if (items.length !== expected) {
          throw pagingError(reader, 'inconsistent_pages', `page ${page} of ${pages} has ${items.length} items where ${expected} were expected (count ${total})`);
        }
        done += items.length;
        onProgress?.({ label, done, total });
        return items;
      } catch (e) {
        controller.abort();
        throw e;
      }
    }),
  );
  const all: unknown[] = isCapped ? [] : [...page0];
  for (const items of read) for (const item of items) all.push(item);
  return all;
}
