/**
 * Reading every page of an item's effective permissions (seed 003/004, step 2):
 * `GET /indexes/{indexId}/documents/{documentId}/permissions/effective` with the document id URL-encoded
 * twice (Coveo decodes the path once before routing, so an id encoded once has its `/` split the path and
 * answers 404 INVALID_URI), 1,000 entries per page (the largest Coveo allows), every page checked.
 */
import { pathSegment } from '../client/index.js';
import type { ApiClient } from '../client/types.js';
import { SyncError } from '../errors.js';
import type { EffectivePermissions, PermissionEntry, PermissionFilters } from './types.js';

/** Largest `perPage` Coveo accepts for effective permissions. */
export const PERMISSIONS_PAGE_SIZE = 1000;
/** Hard cap on pages, against a listing that never ends. */
const MAX_PAGES = 10_000;

/**
 * The document id as a path segment: URL-encoded twice (seed 004: `42.31537$file://movies/the-shining.txt`
 * → `42.31537%2524file%253A%252F%252Fmovies%252Fthe-shining.txt`). The second encoding turns every `%` into
 * `%25`, so the result holds no `/`, `?`, `#` or space, and an id such as `%2e%2e` becomes `%25252e%25252e`,
 * which no server reads as a dot segment. Only `.` and `..` survive both encodings unchanged; they are
 * refused (the client's rule), as is an empty id.
 */
export function encodeDocumentId(uniqueId: string): string {
  if (uniqueId === '' || uniqueId === '.' || uniqueId === '..') {
    throw new SyncError('unsafe_path_segment', `Refusing to use ${JSON.stringify(uniqueId)} as a document id: it cannot be empty, "." or "..".`, { source: 'remote' });
  }
  return encodeURIComponent(encodeURIComponent(uniqueId));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toEntry(v: unknown): PermissionEntry | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const identity = str(o['identity']);
  if (identity === undefined || typeof o['allowed'] !== 'boolean') return undefined;
  const result = str(o['lastUpdateResult']);
  const detail = str(o['lastUpdateErrorDetail']);
  return {
    allowed: o['allowed'],
    identity,
    identityType: str(o['identityType']) ?? 'UNKNOWN',
    securityProvider: str(o['securityProvider']) ?? '',
    state: str(o['state']) ?? 'UNKNOWN',
    ...(result !== undefined ? { lastUpdateResult: result } : {}),
    ...(detail !== undefined && detail !== '' ? { lastUpdateErrorDetail: detail } : {}),
  };
}

interface Page {
  readonly items: readonly unknown[];
  readonly totalPages: number;
  readonly totalEntries: number | undefined;
  readonly anonymousAllowed: boolean;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Every effective permission of an item, all pages (page 0 first, then the others concurrently; the
 * client bounds them). Throws when the pages disagree (the listing changed while read), so a partial read
 * never passes for a complete one.
 */
export async function readEffectivePermissions(
  client: ApiClient,
  item: { readonly indexId: string; readonly uniqueId: string },
  filters: PermissionFilters = {},
  pageSize = PERMISSIONS_PAGE_SIZE,
): Promise<EffectivePermissions> {
  const path = `/indexes/${pathSegment(item.indexId)}/documents/${encodeDocumentId(item.uniqueId)}/permissions/effective`;
  const where = `the permissions of item ${item.uniqueId}`;
  const fail = (detail: string): SyncError =>
    new SyncError('permissions_inconsistent', `Reading ${where}: ${detail}. Nothing was concluded from them; run verify again.`, { source: 'remote' });
  const fetchPage = async (page: number): Promise<Page> => {
    const body = await client.request<unknown>({
      method: 'GET',
      path,
      query: {
        page,
        perPage: pageSize,
        includeEntities: filters.includeEntities,
        states: filters.states && filters.states.length > 0 ? filters.states.join(',') : undefined,
      },
      label: 'permissions',
    });
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fail(`page ${page} is not a JSON object`);
    const o = body as Record<string, unknown>;
    if (!Array.isArray(o['items'])) throw fail(`page ${page} has no items`);
    if (!isCount(o['totalPages'])) throw fail(`page ${page} has no valid totalPages`);
    return {
      items: o['items'] as unknown[],
      totalPages: o['totalPages'],
      totalEntries: isCount(o['totalEntries']) ? o['totalEntries'] : undefined,
      anonymousAllowed: o['anonymousAllowed'] === true,
    };
  };

  const first = await fetchPage(0);
  if (first.totalPages > MAX_PAGES) throw fail(`it claims ${first.totalPages} pages`);
  const rest = await Promise.all(Array.from({ length: Math.max(0, first.totalPages - 1) }, (_, i) => fetchPage(i + 1)));
  const pages = [first, ...rest];
  pages.forEach((p, i) => {
    if (p.totalPages !== first.totalPages) throw fail(`page ${i} says ${p.totalPages} pages, page 0 said ${first.totalPages}`);
    if (p.anonymousAllowed !== first.anonymousAllowed) throw fail(`page ${i} disagrees with page 0 on anonymous access`);
    // Every page but the last is full; the server may cap pages below what was asked, so page 0 sets the size.
    if (i < pages.length - 1 && (p.items.length === 0 || p.items.length !== first.items.length)) throw fail(`page ${i} has ${p.items.length} entries, page 0 had ${first.items.length}`);
  });
  const raw = pages.flatMap((p) => p.items);
  if (first.totalEntries !== undefined && raw.length !== first.totalEntries) throw fail(`read ${raw.length} entries, Coveo counted ${first.totalEntries}`);
  const items: PermissionEntry[] = [];
  for (const r of raw) {
    const e = toEntry(r);
    if (!e) throw fail('an entry has no identity or no allowed flag');
    items.push(e);
  }
  return { items, anonymousAllowed: first.anonymousAllowed, totalEntries: first.totalEntries ?? items.length, pages: pages.length };
}
