/**
 * What the access token may do: its privileges from Coveo (`POST /privileges/token`, seed 002), and
 * whether it is an API key.
 */
import type { ApiClient } from '../client/types.js';
import { parseHeldPrivileges, type HeldPrivilege } from '../core/privileges/required.js';
import { ApiError, SyncError } from '../errors.js';

export type TokenKind = 'apiKey' | 'oauth';

/**
 * Coveo API key values are `xx` followed by a UUID (the API key in seed 002's sample request is
 * `xx590a182c-5045-4914-a00b-1f4099581b3e`); OAuth access tokens are bare UUIDs and search tokens are JWTs.
 */
const API_KEY_VALUE = /^xx[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether the token is an API key. Rule: a token holding any `API_KEY` privilege is not an API key (an API
 * key can never view or edit API keys, seed 001), whatever it looks like; otherwise a value of the API key
 * form (`xx` + UUID) is one. The privileges answer carries no kind, so the form is the deciding signal.
 *
 * @example detectTokenKind('xx590a182c-5045-4914-a00b-1f4099581b3e') // 'apiKey'
 */
export function detectTokenKind(token: string, held?: readonly HeldPrivilege[]): TokenKind {
  if (held?.some((p) => p.owner === 'PLATFORM' && p.targetDomain === 'API_KEY')) return 'oauth';
  return API_KEY_VALUE.test(token.trim()) ? 'apiKey' : 'oauth';
}

/**
 * The privileges of `token` in the client's organization. The token goes in the query string because
 * Coveo's API takes it there (seed 002); the client masks `accessToken` in request logs and scrubs the
 * token from every error, and this function never prints it. 401/403 stay `ApiError` (exit 4); an
 * endpoint Coveo does not serve becomes `preflight_unavailable`.
 */
export async function fetchTokenPrivileges(client: ApiClient, token: string): Promise<HeldPrivilege[]> {
  let body: unknown;
  try {
    body = await client.request({ method: 'POST', path: '/privileges/token', query: { accessToken: token }, body: {}, idempotent: true, label: 'privileges' });
  } catch (e) {
    if (e instanceof ApiError && [404, 405, 410, 501].includes(e.status)) {
      throw new SyncError(
        'preflight_unavailable',
        `Coveo did not answer the privileges of the token (POST /privileges/token: ${e.status}), so the privilege preflight cannot run. Pass --skip-preflight to run without it.`,
        { source: 'remote', meta: { status: e.status } },
      );
    }
    throw e;
  }
  if (!Array.isArray(body)) {
    throw new SyncError('preflight_unavailable', 'Coveo answered the privileges of the token with something other than a list; pass --skip-preflight to run without the privilege preflight.', {
      source: 'remote',
    });
  }
  return parseHeldPrivileges(body);
}
