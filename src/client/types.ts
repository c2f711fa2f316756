/**
 * The HTTP edge's contract, used by `src/kinds/<kind>/ops.ts`, the applier and the CLI. Implemented by
 * `createApiClient` (src/client/client.ts). Paths are relative to `/rest/organizations/{organizationId}`
 * unless `isAbsolutePath` is set.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface ApiRequest {
  readonly method: HttpMethod;
  /** e.g. `/sources/raw`; path segments taken from data must already be encoded with `encodeURIComponent`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /**
   * Whether the request may be retried after a failure where the server may have acted (5xx, dropped
   * connection). Defaults to true for GET/PUT/DELETE and false for POST; set true on POSTs that only read
   * (`/indexes/fields/search`, `/privileges/token`).
   */
  readonly idempotent?: boolean;
  /** Path is absolute from the host (e.g. `/rest/search/v2`) instead of org-scoped. */
  readonly isAbsolutePath?: boolean;
  /** A short label for progress and the request log, e.g. `fields`. */
  readonly label?: string;
  /** Extra headers (never Authorization; the client sets it). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** How an endpoint pages (design §6: each endpoint has its own shape). */
export interface PagedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Body for POST listings; when `pagingIn` is `body`, `page`/`perPage` are merged into it. */
  readonly body?: Readonly<Record<string, unknown>>;
  /** Where page and size go. */
  readonly pagingIn: 'query' | 'body';
  /** Name of the page-size parameter (`perPage` almost everywhere; `pageSize` on a few). */
  readonly sizeParam?: 'perPage' | 'pageSize';
  /** Largest page the endpoint allows. */
  readonly pageSize: number;
  /** Property holding the items (`items`, `sourceModels`); ignored for `shape: 'bare'`. */
  readonly itemsKey: string;
  /**
   * `wrapped` (default): `{[itemsKey]: [...], totalEntries, totalPages}`. `bare`: the body is the array
   * itself and there is no total, so pages are read in order until a short page.
   */
  readonly shape?: 'wrapped' | 'bare';
  /**
   * For `shape: 'bare'`: a request whose answer holds the number of items at `totalKey` (e.g. `GET
   * /sources/pages?perPage=1` → `totalEntries`). It is sent with page 0; the other pages then go all at
   * once, and the items read must add up to the count, so a server that serves smaller pages than asked
   * is detected (and read at its size) instead of passing for the end of the list. When the count
   * endpoint answers 404, 405 or 501, pages are read in order until a short page.
   */
  readonly countWith?: { readonly request: ApiRequest; readonly totalKey: string };
  readonly label?: string;
}

export interface ProgressEvent {
  readonly label: string;
  readonly done: number;
  readonly total: number | undefined;
}

export interface ApiClient {
  readonly organizationId: string;
  readonly baseUrl: string;
  /** Sends one request; resolves with the parsed JSON body (or undefined for empty bodies); throws ApiError. */
  request<T = unknown>(req: ApiRequest): Promise<T>;
  /**
   * Reads every page of a paged listing (page 0 first, then the remaining pages concurrently) and
   * returns all items in order. Throws ApiError when any page fails, and when the pages are inconsistent
   * (`totalPages` changes, a page is short before the last one), so a partial read never looks complete.
   */
  listAll<T = unknown>(req: PagedRequest, onProgress?: (e: ProgressEvent) => void): Promise<T[]>;
}
