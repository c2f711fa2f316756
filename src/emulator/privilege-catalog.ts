/**
 * The privileges an emulated organization knows: owner, targetDomain, the types each domain has, and
 * whether a privilege can name one resource (the "Custom" access level). API keys may hold every one of
 * them except the API_KEY domain (docs.coveo.com/en/60: "an API key can't have the privilege to edit or
 * view other API keys").
 */
import type { Doc } from './state.js';

export interface DomainInfo {
  readonly owner: string;
  readonly targetDomain: string;
  /** Empty for domains without a type (SEARCH_API:EXECUTE_QUERY). */
  readonly types: readonly string[];
  /** Whether a privilege of this domain can target one resource (`targetId` other than `*`). */
  readonly custom: boolean;
  /** Whether API keys may hold it. */
  readonly assignableToApiKeys: boolean;
}

const d = (owner: string, targetDomain: string, types: readonly string[], custom = false, assignableToApiKeys = true): DomainInfo => ({
  owner,
  targetDomain,
  types,
  custom,
  assignableToApiKeys,
});
const CVE = ['VIEW', 'EDIT', 'CREATE'];
const VE = ['VIEW', 'EDIT'];

/** Every privilege domain an emulated organization knows. */
export const PRIVILEGE_DOMAINS: readonly DomainInfo[] = [
  d('PLATFORM', 'ORGANIZATION', VE),
  d('PLATFORM', 'SOURCE', CVE, true),
  d('PLATFORM', 'FIELD', CVE),
  d('PLATFORM', 'GROUP', CVE, true),
  d('PLATFORM', 'API_KEY', CVE, true, false),
  d('PLATFORM', 'SECURITY_PROVIDER', CVE, true),
  d('PLATFORM', 'SECURITY_CACHE', VE),
  d('PLATFORM', 'SOURCE_METADATA', ['VIEW']),
  d('PLATFORM', 'INDEXING_PIPELINE_EXTENSION', CVE, true),
  d('PLATFORM', 'CRAWLING_MODULE', VE),
  d('PLATFORM', 'ON_PREMISE_ADMINISTRATION', ['EDIT']),
  d('PLATFORM', 'SNAPSHOTS', CVE),
  d('PLATFORM', 'VAULT_ENTRY', CVE),
  d('PLATFORM', 'ACTIVITIES', ['VIEW']),
  d('SEARCH_API', 'EXECUTE_QUERY', []),
  d('SEARCH_API', 'AUTHENTICATION_EDITOR', []),
  d('SEARCH_API', 'VIEW_ALL_CONTENT', []),
  d('SEARCH_API', 'IMPERSONATE', []),
  d('SEARCH_API', 'QUERY_PIPELINE', VE),
  d('USAGE_ANALYTICS', 'ANALYTICS_DATA', VE),
  d('USAGE_ANALYTICS', 'REPORTS', VE),
  d('USAGE_ANALYTICS', 'DIMENSIONS', VE),
  d('COVEO_ML', 'MODELS', VE),
  d('COMMERCE', 'CATALOG', VE),
  d('COMMERCE', 'MERCHANDISING_HUB', VE),
];

const byKey = new Map(PRIVILEGE_DOMAINS.map((x) => [`${x.owner}:${x.targetDomain}`, x]));

/** The domain of an owner and targetDomain, if the emulator knows it. */
export function domainOf(owner: string, targetDomain: string): DomainInfo | undefined {
  return byKey.get(`${owner}:${targetDomain}`);
}

/** A privilege as stored: `{owner, targetDomain, type?, targetId?}`. */
export interface Privilege {
  readonly owner: string;
  readonly targetDomain: string;
  readonly type?: string;
  readonly targetId?: string;
}

/** Every privilege of every domain on every resource: what the admin token holds. */
export function allPrivileges(includeApiKeyDomain = true): Privilege[] {
  const out: Privilege[] = [];
  for (const dom of PRIVILEGE_DOMAINS) {
    if (!includeApiKeyDomain && !dom.assignableToApiKeys) continue;
    if (dom.types.length === 0) out.push({ owner: dom.owner, targetDomain: dom.targetDomain, targetId: '*' });
    for (const type of dom.types) out.push({ owner: dom.owner, targetDomain: dom.targetDomain, type, targetId: '*' });
  }
  return out;
}

/**
 * A privilege as Coveo lists it: the current `targetId` (`*` = all) together with the legacy
 * `targetIds[]`/`global` form that the docs samples show (seeds 001 and 002), so clients of either form
 * read it right. `targetIds` is empty when the privilege covers every resource.
 */
export function toListedPrivilege(p: Privilege): Doc {
  const targetId = p.targetId === undefined || p.targetId === '' ? '*' : p.targetId;
  return {
    ...(p.type !== undefined ? { type: p.type } : {}),
    targetDomain: p.targetDomain,
    targetIds: targetId === '*' ? [] : [targetId],
    owner: p.owner,
    global: false,
    targetId,
  };
}

/** Reads a privilege from a request body; returns a message when it is malformed. */
export function parsePrivilege(v: unknown): Privilege | string {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'a privilege must be an object {owner, targetDomain, type, targetId}';
  const o = v as Doc;
  const { owner, targetDomain, type, targetId } = o;
  if (typeof owner !== 'string' || owner === '') return "a privilege needs 'owner'";
  if (typeof targetDomain !== 'string' || targetDomain === '') return `the privilege of owner ${owner} needs 'targetDomain'`;
  if (type !== undefined && type !== null && typeof type !== 'string') return `'type' of ${owner}:${targetDomain} must be a string`;
  if (targetId !== undefined && targetId !== null && typeof targetId !== 'string') return `'targetId' of ${owner}:${targetDomain} must be a string`;
  return {
    owner,
    targetDomain,
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof targetId === 'string' ? { targetId } : {}),
  };
}

/** Checks a privilege an API key is to hold; returns a message when it cannot. */
export function checkAssignableToApiKey(p: Privilege): string | undefined {
  const name = `${p.owner}:${p.targetDomain}${p.type ? `:${p.type}` : ''}`;
  const dom = domainOf(p.owner, p.targetDomain);
  if (!dom) return `The privilege ${name} does not exist (see GET /privileges/apikeys).`;
  if (!dom.assignableToApiKeys) return `An API key can't hold ${name}: API keys can't view or manage API keys.`;
  if (dom.types.length === 0 && p.type !== undefined) return `The privilege ${p.owner}:${p.targetDomain} has no type (got ${p.type}).`;
  if (dom.types.length > 0 && (p.type === undefined || !dom.types.includes(p.type))) {
    return `The privilege ${p.owner}:${p.targetDomain} needs a type among ${dom.types.join(', ')} (got ${p.type ?? 'none'}).`;
  }
  if (p.targetId !== undefined && p.targetId !== '*' && !dom.custom) return `The privilege ${name} cannot target one resource (targetId must be "*").`;
  return undefined;
}
