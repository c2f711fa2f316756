/**
 * Pure helpers shared by the kind specs: reading validated YAML, privileges, and lists of references.
 */
import { sortedSet } from '../core/compare.js';
import { isPlainObject, stableStringify, type JsonObject, type JsonValue } from '../core/json.js';
import type { LiveContext } from '../core/kind-spec.js';
import { toResourceKey, type ResourceKind, type ResourceRef, type Risk } from '../core/types.js';

export const asObject = (v: unknown): JsonObject => (isPlainObject(v) ? (v as JsonObject) : {});
export const asArray = (v: unknown): readonly JsonValue[] => (Array.isArray(v) ? (v as JsonValue[]) : []);
export const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const asBool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);

/** Copies the listed keys that are set (not undefined/null). */
export function pick(src: JsonObject, keys: readonly string[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const k of keys) {
    const v = src[k];
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

/** Drops keys whose value is undefined, so attrs never carry `undefined`. */
export function compact(o: Record<string, JsonValue | undefined>): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

export const sortedStrings = (v: unknown): string[] =>
  [...new Set(asArray(v).filter((x): x is string => typeof x === 'string'))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Privilege target domains whose `targetId` names a resource of one of our kinds. */
export const TARGET_KIND: Readonly<Record<string, { readonly kind: ResourceKind; readonly prop: string }>> = {
  SOURCE: { kind: 'sources', prop: 'source' },
  GROUP: { kind: 'groups', prop: 'group' },
  API_KEY: { kind: 'apiKeys', prop: 'apiKey' },
  SECURITY_PROVIDER: { kind: 'securityProviders', prop: 'securityProvider' },
};
const PROP_KIND: Readonly<Record<string, ResourceKind>> = Object.fromEntries(Object.values(TARGET_KIND).map((t) => [t.prop, t.kind]));

/** A privilege as written (`target: '*'` and no target mean the same: all). */
export function normalizePrivilege(p: JsonObject): JsonObject {
  const target = p['target'];
  return compact({
    owner: asString(p['owner']),
    targetDomain: asString(p['targetDomain']),
    type: asString(p['type']),
    target: target === '*' || target === undefined || target === null ? undefined : asObject(target),
  });
}

/**
 * A privilege as Coveo returns it, with its target id turned back into an identity. Both the
 * `targetId` form and the legacy `targetIds[]`/`global` form (seed 001) are understood; the legacy form
 * can hold several ids, so it may give several privileges.
 */
export function normalizeLivePrivileges(p: JsonObject, ctx: LiveContext): JsonObject[] {
  const base = { owner: asString(p['owner']), targetDomain: asString(p['targetDomain']), type: asString(p['type']) };
  const ids: string[] = [];
  const single = asString(p['targetId']);
  if (single !== undefined) ids.push(single);
  for (const id of asArray(p['targetIds'])) if (typeof id === 'string') ids.push(id);
  const specific = ids.filter((id) => id !== '*' && id !== '');
  if (specific.length === 0 || p['global'] === true) return [compact(base)];
  return specific.map((id) => compact({ ...base, target: liveTarget(base.targetDomain, id, ctx) }));
}

function liveTarget(domain: string | undefined, id: string, ctx: LiveContext): JsonObject {
  const t = domain === undefined ? undefined : TARGET_KIND[domain];
  if (!t) return { id };
  const key = t.kind === 'securityProviders' ? id : ctx.keyOf(t.kind, id);
  return key === undefined ? { id } : { [t.prop]: key };
}

export const sortPrivileges = (ps: readonly JsonObject[]): JsonObject[] => sortedSet(ps, stableStringify);

export function normalizeWrittenPrivileges(v: unknown): JsonObject[] {
  return sortPrivileges(asArray(v).map((p) => normalizePrivilege(asObject(p))));
}

export function liveNormalizePrivileges(v: unknown, ctx: LiveContext): JsonObject[] {
  return sortPrivileges(asArray(v).flatMap((p) => normalizeLivePrivileges(asObject(p), ctx)));
}

/** References made by privilege targets. */
export function privilegeRefs(privileges: unknown, base = 'privileges'): ResourceRef[] {
  const refs: ResourceRef[] = [];
  asArray(privileges).forEach((p, i) => {
    const target = asObject(asObject(p)['target']);
    for (const [prop, kind] of Object.entries(PROP_KIND)) {
      const key = asString(target[prop]);
      if (key !== undefined) refs.push({ kind, key: toResourceKey(key), path: `${base}[${i}].target.${prop}` });
    }
  });
  return refs;
}

/** References made by a list of identities (`securityProviders: [id]`, `groupsThatCanEdit: [name]`). */
export function listRefs(list: unknown, kind: ResourceKind, path: string): ResourceRef[] {
  return asArray(list).flatMap((v, i) => (typeof v === 'string' ? [{ kind, key: toResourceKey(v), path: `${path}[${i}]` }] : []));
}

/** `[{id, displayName}]` from Coveo → sorted identities (falling back to the display name, then the id). */
export function liveIdList(v: unknown, kind: ResourceKind, ctx: LiveContext): string[] {
  return sortedStrings(
    asArray(v).map((x) => {
      const o = asObject(x);
      const id = asString(o['id']) ?? '';
      return ctx.keyOf(kind, id) ?? asString(o['displayName']) ?? id;
    }),
  );
}

/**
 * Privilege broadening is a security change (design §4): a create that grants privileges, or an update
 * that adds any.
 */
export function classifyPrivileges(before: JsonObject | undefined, after: JsonObject | undefined, what: string): { risk: Risk; note: string } | undefined {
  if (!after) return undefined;
  const had = new Set(asArray(before?.['privileges']).map(stableStringify));
  const added = asArray(after['privileges']).filter((p) => !had.has(stableStringify(p)));
  if (added.length === 0) return undefined;
  const list = added.map((p) => describePrivilege(asObject(p))).join(', ');
  return { risk: 'security', note: before ? `broadens the ${what}'s privileges: adds ${list}` : `grants ${list}` };
}

export function describePrivilege(p: JsonObject): string {
  const target = asObject(p['target']);
  const t = Object.entries(target).map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)[0];
  return [asString(p['owner']), asString(p['targetDomain']), asString(p['type'])].filter(Boolean).join(' / ') + (t ? ` on ${t}` : '');
}
