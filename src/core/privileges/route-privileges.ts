/**
 * The privileges each Coveo Platform API route needs, as data: one entry per route the emulator serves.
 * The emulator checks every request against this table, and the tool's privilege preflight reads the same
 * table, so the two cannot disagree.
 *
 * Source of truth: `reference/coveo-api-contract.json` (`operations[].privileges`, from Coveo's OpenAPI
 * `x-required-privileges`). Where Coveo's docs page "Privileges and API Calls" (`reference/000_*.txt`) says
 * otherwise, the contract wins and `note` records the difference (design §6).
 *
 * Paths are relative to `/rest/organizations/{organizationId}` unless `absolute` is set. Pure data and pure
 * functions only (style guide §2).
 */

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type PrivilegeType = 'VIEW' | 'EDIT' | 'CREATE';
/** Path parameters that name the resource a per-resource privilege is checked against. */
export type TargetParam = 'sourceId' | 'groupId' | 'apiKeyId' | 'securityProviderId';

/** One privilege a route needs. Without `targetParam` the wildcard (`targetId` `*` or absent) is needed. */
export interface RequiredPrivilege {
  readonly owner: string;
  readonly targetDomain: string;
  /** Absent for domains that have no type (e.g. `SEARCH_API:EXECUTE_QUERY`). */
  readonly type?: PrivilegeType;
  /** The privilege may be held for the one resource this path parameter names. */
  readonly targetParam?: TargetParam;
}

export interface RoutePrivileges {
  readonly method: RouteMethod;
  /** Template such as `/sources/{sourceId}/raw`. */
  readonly path: string;
  /** The path is from the host (e.g. `/rest/search/v2`), not under an organization. */
  readonly absolute?: true;
  /** Empty when the route needs only a valid token. */
  readonly privileges: readonly RequiredPrivilege[];
  /** `all`: every privilege is needed; `any`: one of them is enough. */
  readonly mode: 'all' | 'any';
  /** An API key can never call this route, whatever its privileges (docs.coveo.com/en/60, seed 001). */
  readonly refusesApiKeys?: true;
  /** How the contract differs from the docs page, or why the entry is what it is. */
  readonly note?: string;
}

const SOURCE_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' };
const SOURCE_EDIT: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetParam: 'sourceId' };
const SOURCE_CREATE: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'CREATE' };
const FIELD_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' };
const FIELD_EDIT: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT' };
const FIELD_CREATE: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'CREATE' };
const GROUP_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' };
const GROUP_EDIT: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT', targetParam: 'groupId' };
const GROUP_CREATE: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'CREATE' };
const KEY_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW' };
const KEY_EDIT: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT', targetParam: 'apiKeyId' };
const KEY_CREATE: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'CREATE' };
const PROVIDER_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'VIEW' };
const PROVIDER_EDIT: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'EDIT', targetParam: 'securityProviderId' };
const PROVIDER_CREATE: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'CREATE' };
const ORGANIZATION_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW' };
const SECURITY_CACHE_VIEW: RequiredPrivilege = { owner: 'PLATFORM', targetDomain: 'SECURITY_CACHE', type: 'VIEW' };

const WILDCARD_READ = 'docs: per source (targetId: sourceId); contract: the wildcard VIEW';
const CREATE_NOT_EDIT = 'docs: EDIT; contract: CREATE';
const FIELD_DOMAIN = 'docs: SOURCE domain ("Sources - View/Edit"); contract: FIELD domain';

/** Every route the emulator serves, with the privileges the contract declares for it. */
export const ROUTE_PRIVILEGES: readonly RoutePrivileges[] = [
  // Sources
  { method: 'GET', path: '/sources', privileges: [SOURCE_VIEW], mode: 'all' },
  { method: 'GET', path: '/sources/pages', privileges: [SOURCE_VIEW], mode: 'all', note: 'not on the docs page' },
  { method: 'GET', path: '/sources/raw/all', privileges: [SOURCE_VIEW], mode: 'all', note: 'not on the docs page' },
  { method: 'POST', path: '/sources', privileges: [SOURCE_CREATE], mode: 'all', note: CREATE_NOT_EDIT },
  { method: 'POST', path: '/sources/raw', privileges: [SOURCE_CREATE], mode: 'all', note: CREATE_NOT_EDIT },
  { method: 'GET', path: '/sources/{sourceId}', privileges: [SOURCE_VIEW], mode: 'all', note: WILDCARD_READ },
  { method: 'PUT', path: '/sources/{sourceId}', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'DELETE', path: '/sources/{sourceId}', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'GET', path: '/sources/{sourceId}/raw', privileges: [SOURCE_VIEW], mode: 'all', note: WILDCARD_READ },
  { method: 'PUT', path: '/sources/{sourceId}/raw', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'POST', path: '/sources/{sourceId}/applyChanges', privileges: [SOURCE_EDIT], mode: 'all', note: 'deprecated by Coveo (removed from platform-client v69)' },
  { method: 'POST', path: '/sources/{sourceId}/rebuild', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'POST', path: '/sources/{sourceId}/fullRefresh', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'POST', path: '/sources/{sourceId}/incrementalRefresh', privileges: [SOURCE_EDIT], mode: 'all' },
  // Source schedules
  { method: 'GET', path: '/sources/{sourceId}/schedules', privileges: [SOURCE_VIEW], mode: 'all', note: WILDCARD_READ },
  { method: 'POST', path: '/sources/{sourceId}/schedules', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'GET', path: '/sources/{sourceId}/schedules/{scheduleId}', privileges: [SOURCE_VIEW], mode: 'all', note: 'not on the docs page' },
  { method: 'PUT', path: '/sources/{sourceId}/schedules/{scheduleId}', privileges: [SOURCE_EDIT], mode: 'all' },
  { method: 'DELETE', path: '/sources/{sourceId}/schedules/{scheduleId}', privileges: [SOURCE_EDIT], mode: 'all' },
  // Fields
  { method: 'POST', path: '/indexes/fields/search', privileges: [FIELD_VIEW], mode: 'all', note: 'not on the docs page' },
  {
    method: 'GET',
    path: '/indexes/page/fields',
    privileges: [FIELD_VIEW],
    mode: 'all',
    note: `${FIELD_DOMAIN}; not in the OpenAPI specs (legacy listing), privilege assumed the same as POST /indexes/fields/search`,
  },
  { method: 'POST', path: '/indexes/fields', privileges: [FIELD_CREATE], mode: 'all', note: `${FIELD_DOMAIN}; ${CREATE_NOT_EDIT}` },
  { method: 'GET', path: '/indexes/fields/{fieldId}', privileges: [FIELD_VIEW], mode: 'all', note: FIELD_DOMAIN },
  { method: 'PUT', path: '/indexes/fields/{fieldId}', privileges: [FIELD_EDIT], mode: 'all', note: FIELD_DOMAIN },
  { method: 'DELETE', path: '/indexes/fields/{fieldId}', privileges: [FIELD_EDIT], mode: 'all', note: FIELD_DOMAIN },
  { method: 'POST', path: '/indexes/fields/batch/create', privileges: [FIELD_CREATE], mode: 'all', note: `${FIELD_DOMAIN}; ${CREATE_NOT_EDIT}` },
  { method: 'PUT', path: '/indexes/fields/batch/update', privileges: [FIELD_EDIT], mode: 'all', note: FIELD_DOMAIN },
  { method: 'DELETE', path: '/indexes/fields/batch/delete', privileges: [FIELD_EDIT], mode: 'all', note: FIELD_DOMAIN },
  // Groups
  { method: 'GET', path: '/groups', privileges: [GROUP_VIEW], mode: 'all' },
  { method: 'POST', path: '/groups', privileges: [GROUP_CREATE], mode: 'all', note: CREATE_NOT_EDIT },
  { method: 'GET', path: '/groups/{groupId}', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group (targetId: groupId); contract: the wildcard VIEW' },
  { method: 'PUT', path: '/groups/{groupId}', privileges: [GROUP_EDIT], mode: 'all', note: 'docs list "POST /groups/{groupId}"; the contract has PUT' },
  { method: 'DELETE', path: '/groups/{groupId}', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'GET', path: '/groups/{groupId}/members', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group; contract: the wildcard VIEW' },
  { method: 'POST', path: '/groups/{groupId}/members', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'GET', path: '/groups/{groupId}/members/{username}', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group; contract: the wildcard VIEW' },
  { method: 'DELETE', path: '/groups/{groupId}/members/{username}', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'GET', path: '/groups/{groupId}/invites', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group; contract: the wildcard VIEW' },
  { method: 'POST', path: '/groups/{groupId}/invites', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'DELETE', path: '/groups/{groupId}/invites/{usernameOrEmail}', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'GET', path: '/groups/{groupId}/realms', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group; contract: the wildcard VIEW' },
  { method: 'POST', path: '/groups/{groupId}/realms', privileges: [GROUP_EDIT], mode: 'all' },
  { method: 'GET', path: '/groups/{groupId}/realms/{realmId}', privileges: [GROUP_VIEW], mode: 'all', note: 'docs: per group; contract: the wildcard VIEW' },
  { method: 'DELETE', path: '/groups/{groupId}/realms/{realmId}', privileges: [GROUP_EDIT], mode: 'all' },
  // API keys: never reachable with an API key.
  { method: 'GET', path: '/apikeys', privileges: [KEY_VIEW], mode: 'all', refusesApiKeys: true },
  { method: 'POST', path: '/apikeys', privileges: [KEY_CREATE], mode: 'all', refusesApiKeys: true, note: CREATE_NOT_EDIT },
  { method: 'GET', path: '/apikeys/{apiKeyId}', privileges: [KEY_VIEW], mode: 'all', refusesApiKeys: true },
  { method: 'PUT', path: '/apikeys/{apiKeyId}', privileges: [KEY_EDIT], mode: 'all', refusesApiKeys: true },
  { method: 'DELETE', path: '/apikeys/{apiKeyId}', privileges: [KEY_EDIT], mode: 'all', refusesApiKeys: true },
  { method: 'PUT', path: '/apikeys/{apiKeyId}/activate', privileges: [KEY_EDIT], mode: 'all', refusesApiKeys: true },
  { method: 'PUT', path: '/apikeys/{apiKeyId}/disable', privileges: [KEY_EDIT], mode: 'all', refusesApiKeys: true },
  // Security identity providers
  { method: 'GET', path: '/securityproviders', privileges: [PROVIDER_VIEW], mode: 'all' },
  { method: 'POST', path: '/securityproviders', privileges: [PROVIDER_CREATE], mode: 'all', note: 'not on the docs page (docs list POST /securityproviders/{name} under EDIT)' },
  { method: 'GET', path: '/securityproviders/page', privileges: [PROVIDER_VIEW], mode: 'all', note: 'not on the docs page' },
  { method: 'GET', path: '/securityproviders/{securityProviderId}', privileges: [PROVIDER_VIEW], mode: 'all' },
  {
    method: 'PUT',
    path: '/securityproviders/{securityProviderId}',
    privileges: [PROVIDER_CREATE],
    mode: 'all',
    note: 'create-or-update: the contract needs the wildcard CREATE even to update; the docs page has no PUT (it lists POST under EDIT)',
  },
  { method: 'DELETE', path: '/securityproviders/{securityProviderId}', privileges: [PROVIDER_EDIT], mode: 'all' },
  { method: 'GET', path: '/securityproviders/{securityProviderId}/raw', privileges: [PROVIDER_VIEW], mode: 'all' },
  { method: 'PUT', path: '/securityproviders/{securityProviderId}/raw', privileges: [PROVIDER_CREATE], mode: 'all', note: CREATE_NOT_EDIT },
  // Privileges
  { method: 'GET', path: '/privileges', privileges: [ORGANIZATION_VIEW], mode: 'all', note: 'docs: Groups - View; contract: ORGANIZATION:VIEW' },
  {
    method: 'GET',
    path: '/privileges/apikeys',
    privileges: [ORGANIZATION_VIEW],
    mode: 'all',
    refusesApiKeys: true,
    note: 'docs: API Keys - View, and "you can\'t authenticate this call using an API key"; contract: ORGANIZATION:VIEW',
  },
  { method: 'GET', path: '/privileges/me', privileges: [], mode: 'all', note: 'no privilege declared: any valid token' },
  { method: 'GET', path: '/privileges/token', privileges: [], mode: 'all', note: 'no privilege declared: any valid token' },
  { method: 'POST', path: '/privileges/token', privileges: [], mode: 'all', note: 'no privilege declared; docs: the calling token needs no privilege in the organization' },
  // Item permissions (Index API; absent from the OpenAPI specs)
  {
    method: 'GET',
    path: '/indexes/{indexId}/documents/{documentId}/permissions',
    privileges: [SECURITY_CACHE_VIEW],
    mode: 'all',
    note: 'docs: Content - Security identities - View; domain name SECURITY_CACHE taken from the security-cache spec',
  },
  {
    method: 'GET',
    path: '/indexes/{indexId}/documents/{documentId}/permissions/effective',
    privileges: [SECURITY_CACHE_VIEW],
    mode: 'all',
    note: 'docs: Content - Security identities - View; domain name SECURITY_CACHE taken from the security-cache spec',
  },
  // Search API (outside the contract; only what finding an item's index and uniqueId needs, seed 004)
  {
    method: 'POST',
    path: '/rest/search/v2',
    absolute: true,
    privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }],
    mode: 'all',
    note: 'Search API; not in the Platform contract',
  },
];

/** A route found for a request, with its path parameters decoded once (as the server routes them). */
export interface RouteMatch {
  readonly route: RoutePrivileges;
  readonly params: Readonly<Record<string, string>>;
}

interface CompiledRoute {
  readonly route: RoutePrivileges;
  readonly segments: readonly string[];
  readonly literals: number;
}

const compiled: readonly CompiledRoute[] = ROUTE_PRIVILEGES.map((route) => {
  const segments = route.path.split('/').slice(1);
  return { route, segments, literals: segments.filter((s) => !s.startsWith('{')).length };
});

/**
 * Splits a request path the way Coveo routes it: the whole path is percent-decoded once and then split on
 * `/`, so an encoded slash (`%2F`) becomes a separator. That is why a document id must be encoded twice
 * (seed 004): encoded once, its slashes split the path and no route matches. Undefined for malformed
 * percent-encoding.
 */
export function splitRoutePath(path: string): readonly string[] | undefined {
  const bare = path.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(bare);
  } catch {
    return undefined;
  }
  return decoded.split('/').slice(1);
}

function bindParams(entry: CompiledRoute, segments: readonly string[]): Record<string, string> | undefined {
  if (entry.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const template = entry.segments[i] ?? '';
    const actual = segments[i] ?? '';
    if (template.startsWith('{')) {
      if (actual === '') return undefined;
      params[template.slice(1, -1)] = actual;
    } else if (template !== actual) return undefined;
  }
  return params;
}

function candidates(path: string): { entry: CompiledRoute; params: Record<string, string> }[] {
  const segments = splitRoutePath(path);
  if (segments === undefined) return [];
  const absolute = path.startsWith('/rest/');
  const out: { entry: CompiledRoute; params: Record<string, string> }[] = [];
  for (const entry of compiled) {
    if ((entry.route.absolute === true) !== absolute) continue;
    const params = bindParams(entry, segments);
    if (params) out.push({ entry, params });
  }
  return out;
}

/**
 * The route a request reaches: `path` is the wire path (percent-encoded, query allowed), relative to
 * `/rest/organizations/{organizationId}`, or from the host for absolute routes (`/rest/search/v2`). When
 * several templates fit, the one with the most literal segments wins (`/sources/pages` over
 * `/sources/{sourceId}`). Undefined when no route of that method fits.
 *
 * @example matchRoute('PUT', '/sources/acme-x1/raw?rebuild=false') → { route: {…}, params: { sourceId: 'acme-x1' } }
 */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  let best: { entry: CompiledRoute; params: Record<string, string> } | undefined;
  for (const c of candidates(path)) {
    if (c.entry.route.method !== method) continue;
    if (!best || c.entry.literals > best.entry.literals) best = c;
  }
  return best ? { route: best.entry.route, params: best.params } : undefined;
}

/** The methods some route serves at this path (for a 405 answer); empty when no route fits at all. */
export function allowedMethods(path: string): readonly RouteMethod[] {
  return [...new Set(candidates(path).map((c) => c.entry.route.method))];
}
