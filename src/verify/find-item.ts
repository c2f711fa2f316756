/**
 * Finding an indexed item's index and uniqueId (seed 003/004, step 1): a Search API query with
 * `maximumAge: 0`, so the answer names the real index rather than `cache`, restricted to the document's
 * URI and source. The results are then matched exactly on the client side, so query-syntax quirks can only
 * make the item "not found", never pick another one.
 */
import type { ApiClient } from '../client/types.js';
import { SyncError } from '../errors.js';

export interface FoundItem {
  readonly indexId: string;
  readonly uniqueId: string;
}

/** Quotes a value for Coveo's query syntax (`@uri=="…"`). */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The item with this URI in this source, or undefined when the search does not return it. Throws
 * `ApiError` on API failures (401/403: the token needs SEARCH_API EXECUTE_QUERY, and to see secured items
 * a search token that may see everything, e.g. SEARCH_API VIEW_ALL_CONTENT).
 */
export async function findItem(client: ApiClient, source: string, uri: string): Promise<FoundItem | undefined> {
  const body = await client.request<unknown>({
    method: 'POST',
    path: '/rest/search/v2',
    isAbsolutePath: true,
    query: { organizationId: client.organizationId },
    body: {
      q: '',
      aq: `@uri==${quote(uri)}`,
      cq: `@source==${quote(source)}`,
      maximumAge: 0,
      numberOfResults: 100,
      fieldsToInclude: ['source', 'uri'],
    },
    // A search only reads.
    idempotent: true,
    label: 'search',
  });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SyncError('search_invalid', 'The Search API answered with something other than a JSON object; cannot find the item.', { source: 'remote' });
  }
  const answer = body as Record<string, unknown>;
  const results = Array.isArray(answer['results']) ? (answer['results'] as unknown[]) : [];
  const match = results.find((r) => {
    if (typeof r !== 'object' || r === null) return false;
    const o = r as Record<string, unknown>;
    const raw = (typeof o['raw'] === 'object' && o['raw'] !== null ? o['raw'] : {}) as Record<string, unknown>;
    const sameUri = o['uri'] === uri || o['clickUri'] === uri || raw['uri'] === uri;
    const itemSource = text(raw['source']) ?? text(o['source']);
    return sameUri && (itemSource === undefined || itemSource === source);
  }) as Record<string, unknown> | undefined;
  if (!match) return undefined;
  const uniqueId = text(match['uniqueId']);
  const indexId = text(match['index']) ?? text(answer['index']);
  if (uniqueId === undefined) throw new SyncError('search_invalid', `The Search API returned ${uri} without a uniqueId; cannot read its permissions.`, { source: 'remote' });
  if (indexId === undefined || indexId === 'cache') {
    throw new SyncError('search_invalid', `The Search API did not name the index that holds ${uri} (got ${indexId ?? 'nothing'} despite maximumAge 0); cannot read its permissions.`, { source: 'remote' });
  }
  return { indexId, uniqueId };
}
