/**
 * Least-privilege lint (pure): warnings for API key grants broader than the key's purpose needs. They
 * never block; the CLI prints them with the plan (and `validate` with their file positions). Broadening
 * itself is already marked `security` by the planner (src/kinds/common.ts `classifyPrivileges`).
 *
 * Rules:
 * - `privilege_every_resource`: EDIT on every source, group or API key, where Coveo lets a key hold EDIT on
 *   one resource (`target: { source: … }`).
 * - `privilege_edit_on_search_key`: EDIT on a key whose other privileges are those of a search key
 *   (SEARCH_API, plus sending analytics events), which never needs to edit anything.
 * - `privilege_organization_edit`: ORGANIZATION EDIT on a key lets it change or delete the organization.
 */
import { compareStrings, type JsonObject, type JsonValue } from '../json.js';
import type { Plan, PlanWarning, ResourceKind } from '../types.js';

/** One privilege as written or normalised: `target` absent or `*` = every resource of the domain. */
export interface LintPrivilege {
  readonly owner?: JsonValue | undefined;
  readonly targetDomain?: JsonValue | undefined;
  readonly type?: JsonValue | undefined;
  readonly target?: JsonValue | undefined;
}

/** A resource holding privileges: an API key as written (or as a plan step's `after`). */
export interface LintSubject {
  readonly kind: Extract<ResourceKind, 'apiKeys'>;
  /** Identity (the key's `name`). */
  readonly key: string;
  /** Index in the merged list of its kind, for file positions. */
  readonly index?: number;
  readonly privileges: readonly LintPrivilege[];
}

export interface PrivilegeLintWarning extends PlanWarning {
  readonly severity: 'warning';
  readonly kind: 'apiKeys';
  readonly key: string;
  readonly index?: number;
  /** Index of the privilege inside `privileges`. */
  readonly privilegeIndex: number;
  /** JSON path inside the resource, e.g. `privileges[2]`. */
  readonly path: string;
  readonly hint: string;
}

/** Domains where a key can hold EDIT on one resource instead of all of them (docs.coveo.com/en/159). */
const PER_RESOURCE_DOMAINS: Readonly<Record<string, string>> = { SOURCE: 'source', GROUP: 'group', API_KEY: 'apiKey' };
/** Owners of a search key's privileges. */
const SEARCH_OWNERS = new Set(['SEARCH_API']);
/** Privileges a search key legitimately holds besides SEARCH_API ones: sending usage analytics events. */
const SEARCH_COMPANIONS = new Set(['USAGE_ANALYTICS:ANALYTICS_DATA:EDIT', 'USAGE_ANALYTICS:ANALYTICS_DATA:VIEW']);

const str = (v: JsonValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const isEveryResource = (p: LintPrivilege): boolean => p.target === undefined || p.target === null || p.target === '*';
const label = (p: LintPrivilege): string => [str(p.owner), str(p.targetDomain), str(p.type)].filter((x) => x !== undefined).join(' / ');
const tag = (p: LintPrivilege): string => [str(p.owner), str(p.targetDomain), str(p.type) ?? ''].join(':');

/** Whether a key's privileges, apart from EDITs, are those of a search key. */
function isSearchPurpose(privileges: readonly LintPrivilege[]): boolean {
  const others = privileges.filter((p) => str(p.type) !== 'EDIT' || SEARCH_COMPANIONS.has(tag(p)));
  return others.some((p) => SEARCH_OWNERS.has(str(p.owner) ?? '')) && others.every((p) => SEARCH_OWNERS.has(str(p.owner) ?? '') || SEARCH_COMPANIONS.has(tag(p)));
}

/**
 * Least-privilege warnings for API keys, sorted by key then privilege.
 *
 * @example
 * lintPrivileges([{ kind: 'apiKeys', key: 'ci', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT' }] }])
 * // → [{ code: 'privilege_every_resource', message: 'API key "ci" holds PLATFORM / SOURCE / EDIT on every source…', … }]
 */
export function lintPrivileges(subjects: readonly LintSubject[]): PrivilegeLintWarning[] {
  const out: PrivilegeLintWarning[] = [];
  for (const s of subjects) {
    const isSearch = isSearchPurpose(s.privileges);
    s.privileges.forEach((p, i) => {
      const push = (code: string, message: string, hint: string): void => {
        out.push({
          severity: 'warning',
          code,
          message,
          hint,
          address: `${s.kind}/${s.key}`,
          kind: s.kind,
          key: s.key,
          ...(s.index !== undefined ? { index: s.index } : {}),
          privilegeIndex: i,
          path: `privileges[${i}]`,
        });
      };
      const domain = str(p.targetDomain) ?? '';
      const type = str(p.type);
      if (type !== 'EDIT') return;
      if (domain === 'ORGANIZATION') {
        push(
          'privilege_organization_edit',
          `API key "${s.key}" holds ${label(p)}: it can change or delete the organization itself.`,
          'Remove it unless the key administers the organization; no coveo-sync command needs it.',
        );
        return;
      }
      if (isSearch && !SEARCH_COMPANIONS.has(tag(p))) {
        push(
          'privilege_edit_on_search_key',
          `API key "${s.key}" looks like a search key (its other privileges are search privileges) but holds ${label(p)}.`,
          'A search key only queries and sends analytics events; remove the EDIT privilege or use VIEW if it only reads.',
        );
        return;
      }
      const prop = PER_RESOURCE_DOMAINS[domain];
      if (prop !== undefined && isEveryResource(p)) {
        push(
          'privilege_every_resource',
          `API key "${s.key}" holds ${label(p)} on every ${prop === 'apiKey' ? 'API key' : prop}.`,
          `Grant it on the resources the key edits only, e.g. target: { ${prop}: NAME }.`,
        );
      }
    });
  }
  return out.sort((a, b) => compareStrings(a.key, b.key) || a.privilegeIndex - b.privilegeIndex);
}

const privilegesOf = (attrs: JsonObject): LintPrivilege[] =>
  Array.isArray(attrs['privileges']) ? (attrs['privileges'] as JsonValue[]).filter((p): p is JsonObject => typeof p === 'object' && p !== null && !Array.isArray(p)) : [];

/** Lint warnings for the API keys a plan creates, replaces or updates (their privileges after the apply). */
export function lintPlanPrivileges(plan: Pick<Plan, 'steps'>): PrivilegeLintWarning[] {
  return lintPrivileges(
    plan.steps.flatMap((s) => (s.kind === 'apiKeys' && s.action !== 'delete' ? [{ kind: 'apiKeys' as const, key: s.id, privileges: privilegesOf(s.after) }] : [])),
  );
}
