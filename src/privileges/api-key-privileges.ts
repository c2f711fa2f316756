/**
 * API key privileges checked against what the organization offers (`GET /privileges/apikeys`, seed 001):
 * a privilege the org does not offer is an input error with its file position and a "did you mean".
 */
import type { ApiClient } from '../client/types.js';
import type { LoadedConfig } from '../config/index.js';
import { suggestClosest } from '../config/index.js';
import { parseHeldPrivileges, type HeldPrivilege } from '../core/privileges/required.js';
import { compareStrings } from '../core/json.js';
import { ApiError, type Issue, type SourcePosition } from '../errors.js';

export interface ApiKeyPrivilegeCheckOptions {
  /**
   * What to do when the token may not list the assignable privileges (401/403: an API key, or no
   * ORGANIZATION VIEW): `warn` (default) returns a warning issue; `throw` rethrows the ApiError (exit 4),
   * for `validate --online`, whose whole point is this check.
   */
  readonly onForbidden?: 'warn' | 'throw';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const uniqueSorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort(compareStrings);

/** The assignable privileges the organization offers, from `GET /privileges/apikeys` (both wire forms). */
export async function fetchAssignablePrivileges(client: ApiClient): Promise<HeldPrivilege[]> {
  const body = await client.request<unknown>({ method: 'GET', path: '/privileges/apikeys', label: 'privileges' });
  if (!Array.isArray(body)) throw new ApiError({ method: 'GET', path: '/privileges/apikeys', status: 200, apiMessage: 'the answer is not a list of privileges' });
  return parseHeldPrivileges(body);
}

interface Finding {
  readonly field: 'owner' | 'targetDomain' | 'type';
  readonly message: string;
  readonly hint?: string;
}

/** Why a declared privilege is not offered, naming the first part that does not match. */
function whyNotOffered(owner: string, domain: string, type: string | undefined, offered: readonly HeldPrivilege[]): Finding | undefined {
  const sameOwner = offered.filter((o) => o.owner === owner);
  if (sameOwner.length === 0) {
    const s = suggestClosest(owner, uniqueSorted(offered.map((o) => o.owner)));
    return { field: 'owner', message: `The organization offers no API key privilege with owner ${owner}.`, ...(s ? { hint: `did you mean \`${s}\`?` } : {}) };
  }
  const sameDomain = sameOwner.filter((o) => o.targetDomain === domain);
  if (sameDomain.length === 0) {
    const s = suggestClosest(domain, uniqueSorted(sameOwner.map((o) => o.targetDomain)));
    const elsewhere = uniqueSorted(offered.filter((o) => o.targetDomain === domain).map((o) => o.owner));
    const hint = s ? `did you mean \`${s}\`?` : elsewhere.length > 0 ? `${domain} is offered with owner ${elsewhere.join(', ')}` : undefined;
    return { field: 'targetDomain', message: `The organization offers no API key privilege ${owner} / ${domain}.`, ...(hint ? { hint } : {}) };
  }
  if (sameDomain.some((o) => o.type === type)) return undefined;
  const types = uniqueSorted(sameDomain.flatMap((o) => (o.type === undefined ? [] : [o.type])));
  if (type === undefined) {
    return { field: 'targetDomain', message: `${owner} / ${domain} needs a type: the organization offers it as ${types.join(', ')}.`, hint: `add \`type: ${types[0] ?? 'VIEW'}\`` };
  }
  if (types.length === 0) {
    return { field: 'type', message: `${owner} / ${domain} has no type in this organization (it is granted as a whole), not ${type}.`, hint: 'remove `type`' };
  }
  const s = suggestClosest(type, types);
  return { field: 'type', message: `The organization offers ${owner} / ${domain} as ${types.join(', ')}, not ${type}.`, ...(s ? { hint: `did you mean \`${s}\`?` } : {}) };
}

/**
 * Checks every privilege declared on an API key against the privileges the organization lets API keys
 * hold. Returns issues (severity error, code `privilege_not_offered`, with the position of the privilege's
 * wrong part); the caller throws `ConfigError` (exit 3) when there are errors. With a token that may not
 * list them it returns one warning (or throws, see `onForbidden`).
 *
 * @example
 * const issues = await checkApiKeyPrivileges(client, loaded);
 * if (issues.some((i) => i.severity === 'error')) throw new ConfigError(issues);
 */
export async function checkApiKeyPrivileges(
  client: ApiClient,
  config: Pick<LoadedConfig, 'resources' | 'positionOf'>,
  options: ApiKeyPrivilegeCheckOptions = {},
): Promise<Issue[]> {
  const keys = config.resources.apiKeys;
  if (keys.length === 0) return [];
  let offered: HeldPrivilege[];
  try {
    offered = await fetchAssignablePrivileges(client);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403) && options.onForbidden !== 'throw') {
      const first = keys[0];
      const position = first ? config.positionOf('apiKeys', 0, ['privileges']) : undefined;
      return [
        {
          severity: 'warning',
          code: 'privileges_not_checked',
          message: `The API key privileges were not checked against the organization: the token may not list them (GET /privileges/apikeys answered ${e.status}; it needs PLATFORM / ORGANIZATION / VIEW and a token that is not an API key).`,
          path: first ? `apiKeys[${first.index}].privileges` : 'apiKeys',
          ...(position ? { position } : {}),
        },
      ];
    }
    throw e;
  }
  const issues: Issue[] = [];
  keys.forEach((key, k) => {
    const privileges = Array.isArray(key.written['privileges']) ? (key.written['privileges'] as unknown[]) : [];
    privileges.forEach((raw, i) => {
      if (typeof raw !== 'object' || raw === null) return;
      const p = raw as Record<string, unknown>;
      const owner = str(p['owner']);
      const domain = str(p['targetDomain']);
      // Interpolated values are secrets: never compared, never printed.
      if (owner === undefined || domain === undefined || (p['type'] !== undefined && str(p['type']) === undefined)) return;
      const finding = whyNotOffered(owner, domain, str(p['type']), offered);
      if (!finding) return;
      const position: SourcePosition | undefined =
        config.positionOf('apiKeys', k, ['privileges', i, finding.field]) ?? config.positionOf('apiKeys', k, ['privileges', i]);
      issues.push({
        severity: 'error',
        code: 'privilege_not_offered',
        message: `API key "${str(key.written['name']) ?? k}": ${finding.message}`,
        path: `apiKeys[${key.index}].privileges[${i}]${p[finding.field] === undefined ? '' : `.${finding.field}`}`,
        ...(position ? { position } : {}),
        ...(finding.hint ? { hint: finding.hint } : {}),
      });
    });
  });
  return issues;
}
