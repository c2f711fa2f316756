/** The HTTP edge's public surface: the client, URL and path helpers, and the interface it implements. */
export { createApiClient, type ApiClientOptions, type RequestInfo } from './client.js';
export { REGION_URLS, buildQueryString, isLoopbackHost, pathSegment, resolvePlatformUrl, type Region } from './url.js';
export { createRedactor, validateToken } from './token.js';
export { parseRetryAfter } from './retry.js';
export type { ApiClient, ApiRequest, HttpMethod, PagedRequest, ProgressEvent, QueryValue } from './types.js';
