/**
 * Where requests go: region hosts, the https-only rule (loopback excepted), safe path segments and query
 * strings. Nothing here reads the environment; the CLI passes flags and variables in.
 */
import { SyncError, UsageError } from '../errors.js';
import { hasWhitespaceOrControl } from './token.js';
import type { QueryValue } from './types.js';

export type Region = 'us' | 'eu' | 'au' | 'ca';

/** Coveo Platform hosts per data-residency region (docs.coveo.com/en/2976). */
export const REGION_URLS: Readonly<Record<Region, string>> = {
  us: 'https://platform.cloud.coveo.com',
  eu: 'https://platform-eu.cloud.coveo.com',
  au: 'https://platform-au.cloud.coveo.com',
  ca: 'https://platform-ca.cloud.coveo.com',
};

function isRegion(value: string): value is Region {
  return Object.hasOwn(REGION_URLS, value);
}

/** True for 127.0.0.0/8, `localhost` and `::1`: the only hosts plain http is allowed to reach. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  // WHATWG URL has already normalised IPv4 forms such as `127.1` or `0x7f.1` to dotted decimal.
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m[1] === '127' && m.slice(2).every((p) => Number(p) <= 255);
}

/**
 * The platform base URL (scheme, host, optional path prefix; no trailing slash). An explicit
 * `platformUrl` wins over `region`; neither means `us`.
 *
 * Throws `UsageError` (exit 3) for an unknown region, an unparsable URL, `http://` to a host that is not
 * loopback (the token would travel in clear), and URLs carrying credentials, a query or a fragment. The
 * URL itself is never echoed, since a pasted URL can hold a secret.
 *
 * @example resolvePlatformUrl({ region: 'eu' }) // 'https://platform-eu.cloud.coveo.com'
 * @example resolvePlatformUrl({ platformUrl: 'http://127.0.0.1:8080/' }) // 'http://127.0.0.1:8080'
 */
export function resolvePlatformUrl(options: { readonly region?: string | undefined; readonly platformUrl?: string | undefined }): string {
  const { region, platformUrl } = options;
  if (platformUrl === undefined || platformUrl.trim() === '') {
    if (region === undefined) return REGION_URLS.us;
    if (!isRegion(region)) {
      throw new UsageError(`Unknown region "${region}"; use one of ${Object.keys(REGION_URLS).join(', ')}, or --platform-url.`, 'region_invalid');
    }
    return REGION_URLS[region];
  }
  const raw = platformUrl.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('The platform URL (--platform-url or COVEO_PLATFORM_URL) is not a valid URL; expected e.g. https://platform.cloud.coveo.com.', 'platform_url_invalid');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The platform URL must use https:// (got ${url.protocol}//).`, 'platform_url_invalid');
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError('The platform URL must not contain a user name or password; the token comes from COVEO_ACCESS_TOKEN.', 'platform_url_invalid');
  }
  if (raw.includes('?') || raw.includes('#')) {
    throw new UsageError('The platform URL must not contain a query string or a fragment; give only the scheme, host and optional path.', 'platform_url_invalid');
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `Refusing plain http:// to ${url.hostname}: the access token would travel unencrypted. Use https://, or http:// only for a loopback address such as the emulator (127.0.0.1, localhost, ::1).`,
      'platform_url_insecure',
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A segment `.`/`..` in any spelling the URL parser would treat as a dot segment. */
function isDotSegment(segment: string): boolean {
  return /^(\.|%2e){1,2}$/i.test(segment);
}

/**
 * One path segment from data (an id or a name, possibly from the server): percent-encoded, and `.`/`..`
 * refused, so an id like `../../other-org` can never change which resource a later request reaches.
 *
 * @example `/sources/${pathSegment(id)}/schedules`
 */
export function pathSegment(id: string): string {
  if (id === '' || isDotSegment(id)) {
    throw new SyncError('unsafe_path_segment', `Refusing to use ${JSON.stringify(id)} as a path segment: an id from the server cannot be empty, "." or "..".`, {
      source: 'remote',
    });
  }
  return encodeURIComponent(id);
}

/**
 * Checks a request path built by a caller: it must start with `/`, carry no query or fragment, and hold no
 * dot segment (which `new URL` would resolve, escaping the organization's scope).
 */
export function assertSafePath(path: string): void {
  const problem = !path.startsWith('/')
    ? 'must start with "/"'
    : /[?#]/.test(path)
      ? 'must not contain "?" or "#" (use `query`)'
      : path.split('/').some(isDotSegment)
        ? 'must not contain "." or ".." segments (encode ids with pathSegment)'
        : hasWhitespaceOrControl(path)
          ? 'must not contain spaces or control characters (encode ids with pathSegment)'
          : undefined;
  if (problem !== undefined) {
    throw new SyncError('unsafe_path', `Refusing request path ${JSON.stringify(path.slice(0, 200))}: it ${problem}.`, { source: 'internal' });
  }
}

/**
 * A query string (`?a=1&b=x&b=y`, or `''`): `undefined` values are left out, arrays repeat the key,
 * and every key and value is percent-encoded (spaces as `%20`).
 */
export function buildQueryString(query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  const add = (key: string, value: string | number | boolean): void => {
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly (string | number)[]) add(key, v);
    else add(key, value as string | number | boolean);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Query keys whose values are never shown in logs or errors. */
const SECRET_QUERY_KEY = /token|secret|password|passwd|apikey|api_key|credential|signature|^key$/i;

/**
 * The query string as it may appear in a debug log: values of secret-looking keys (`accessToken`, …)
 * become `***`, and long strings are cut (a batch delete names hundreds of fields).
 */
export function describeQuery(query: Readonly<Record<string, QueryValue>> | undefined, maxLength = 200): string {
  if (query === undefined) return '';
  const shown: Record<string, QueryValue> = {};
  for (const [key, value] of Object.entries(query)) {
    shown[key] = value === undefined ? undefined : SECRET_QUERY_KEY.test(key) ? '***' : value;
  }
  const text = buildQueryString(shown);
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
