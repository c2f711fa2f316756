/** Checking the files' assertions against the org: find each item, read its permissions, judge. */
import type { ApiClient } from '../client/types.js';
import type { LoadedAssertion } from '../config/index.js';
import type { RouteCall } from '../core/privileges/required.js';
import { isSecret } from '../core/secret.js';
import { ApiError, isSyncError } from '../errors.js';
import { erroredAssertion, evaluateAssertion } from './evaluate.js';
import { findItem } from './find-item.js';
import { readEffectivePermissions } from './permissions.js';
import type { AssertionResult, PermissionFilters, VerifyAssertion } from './types.js';

/** A value from the files: interpolated values are secrets, revealed only to query Coveo. */
const plain = (v: unknown): string | undefined => (typeof v === 'string' ? v : isSecret(v) ? v.reveal() : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? (v as unknown[]).map(plain).filter((x): x is string => x !== undefined) : []);

/** The loaded `assertions:` entries as checks. */
export function toVerifyAssertions(loaded: readonly LoadedAssertion[]): VerifyAssertion[] {
  return loaded.map((a, index) => {
    const doc = (typeof a['document'] === 'object' && a['document'] !== null ? a['document'] : {}) as Record<string, unknown>;
    const description = plain(a['description']);
    const anonymous = a['anonymous'];
    return {
      index,
      ...(description !== undefined ? { description } : {}),
      source: plain(doc['source']) ?? '',
      uri: plain(doc['uri']) ?? '',
      allowed: list(a['allowed']),
      denied: list(a['denied']),
      ...(typeof anonymous === 'boolean' ? { anonymous } : {}),
      origin: a.origin,
    };
  });
}

/** The calls verify makes per assertion, for the privilege preflight. */
export const VERIFY_CALLS: readonly RouteCall[] = [
  { route: 'POST /rest/search/v2', why: 'find each asserted document (its index and uniqueId)' },
  { route: 'GET /indexes/{indexId}/documents/{documentId}/permissions/effective', why: 'read the effective permissions of each asserted document' },
];

export interface VerifyOptions {
  readonly filters?: PermissionFilters;
  /** Entries per page (default 1,000, Coveo's largest); tests lower it to walk many pages. */
  readonly pageSize?: number;
  /** Called after each assertion (progress). */
  readonly onResult?: (r: AssertionResult) => void;
}

/**
 * Checks every assertion, one after the other. An item that cannot be found, or whose permissions
 * cannot be read consistently, makes its assertion `error`; authentication and privilege failures (401,
 * 403) stop the run (exit 4), since every other assertion would fail the same way.
 */
export async function verifyAssertions(client: ApiClient, assertions: readonly VerifyAssertion[], options: VerifyOptions = {}): Promise<AssertionResult[]> {
  const filters = options.filters ?? {};
  const out: AssertionResult[] = [];
  for (const a of assertions) {
    let result: AssertionResult;
    try {
      const item = await findItem(client, a.source, a.uri);
      if (!item) {
        result = erroredAssertion(a, `no item with this URI in source "${a.source}" was found by the Search API (is it indexed, and may the token's searches see it?)`);
      } else {
        const perms = await readEffectivePermissions(client, item, filters, options.pageSize);
        result = evaluateAssertion(a, item, perms, filters);
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) throw e;
      if (!isSyncError(e)) throw e;
      result = erroredAssertion(a, e.message);
    }
    out.push(result);
    options.onResult?.(result);
  }
  return out;
}
