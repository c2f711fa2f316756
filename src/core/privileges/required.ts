/**
 * The privileges a run needs, computed from the plan and the route table (pure): which routes each step of
 * each kind calls (the same routes `src/kinds/<kind>/ops.ts` and the applier call; a test records the ops
 * and checks they agree), and which privileges the contract requires for each route
 * (`route-privileges.ts`). Also the other half of the preflight: reading a token's privileges in either
 * wire form and finding what it lacks.
 *
 * A per-resource privilege (`targetParam`) is bound to the resource's id when it is known at plan time.
 * When the resource is created by the same apply its id does not exist yet, so only the privilege on every
 * resource of the domain can cover the call; the `why` says so.
 */
import { compareStrings } from '../json.js';
import { KIND_PLURAL, KIND_SINGULAR, type PlanStep, type ResourceKind } from '../types.js';
import { ROUTE_PRIVILEGES, type RouteMethod, type RoutePrivileges } from './route-privileges.js';

/** A privilege as Coveo names it; no `targetId` means every resource of the domain (as does `*`). */
export interface PrivilegeRef {
  readonly owner: string;
  readonly targetDomain: string;
  readonly type?: string;
  readonly targetId?: string;
}

/** One privilege a run needs, with the reasons, for messages a person can act on. */
export interface NeededPrivilege extends PrivilegeRef {
  /** The resource `targetId` names, for people: `source Product docs`. */
  readonly targetLabel?: string;
  /** What needs it: `update source "Product docs"`, `read sources`, … (unique, in first-seen order). */
  readonly why: readonly string[];
  /** Other privileges that would do instead (routes whose mode is `any`). */
  readonly alternatives?: readonly PrivilegeRef[];
}

/** What the applier does on every source an apply touched (design §5). */
export type AfterApplyMode = 'apply-changes' | 'rebuild' | 'none';

/** `METHOD path-template`, e.g. `PUT /sources/{sourceId}/raw`: must be a route of `ROUTE_PRIVILEGES`. */
export type RouteKey = `${RouteMethod} /${string}`;

/** The resource a route's per-resource privilege is checked against. */
export interface CallTarget {
  readonly kind: ResourceKind;
  /** Its identity (for people). */
  readonly key: string;
  /** Its Coveo id; `null` when it is created by this apply (no id yet), `undefined` when not known. */
  readonly id: string | null | undefined;
}

/** One API call a run makes: the route, the resource its privilege is checked on, and why. */
export interface RouteCall {
  readonly route: RouteKey;
  readonly target?: CallTarget;
  readonly why: string;
}

/** What `requiredPrivileges` works from. */
export interface RequiredInput {
  /** Kinds the run reads (listing routes). */
  readonly read: readonly ResourceKind[];
  /** Steps the run will write (none for `plan`). */
  readonly steps?: readonly PlanStep[];
  /** Default `apply-changes`, as `apply`. */
  readonly afterApply?: AfterApplyMode;
  /**
   * Existing sources touched by field and security-provider steps (they map the field or use the
   * provider). Only the edge knows them (they come from the live source DTOs); without them those
   * sources' EDIT privileges are not counted.
   */
  readonly touchedSources?: readonly { readonly id: string; readonly name: string; readonly why: string }[];
  /** Live ids by identity (a deleted schedule's source); without it such ids count as unknown. */
  readonly idOf?: (kind: ResourceKind, key: string) => string | undefined;
  /** Calls the run makes besides reading and applying (verify: search, effective permissions). */
  readonly extraCalls?: readonly RouteCall[];
}

const SINGULAR = KIND_SINGULAR;
const PLURAL = KIND_PLURAL;
/** The kind whose resources a per-resource target domain names. */
const DOMAIN_KIND: Readonly<Record<string, ResourceKind>> = {
  SOURCE: 'sources',
  GROUP: 'groups',
  API_KEY: 'apiKeys',
  SECURITY_PROVIDER: 'securityProviders',
};

/** How a kind's steps reach Coveo. Mirrors `src/kinds/<kind>/ops.ts` (checked by a test that records them). */
interface KindRoutes {
  /** Routes that list the kind. */
  readonly list: readonly RouteKey[];
  /** Calls of one step (and of the cross-references pass when it writes the resource again). */
  calls(step: PlanStep, ctx: CallContext): RouteCall[];
}

interface CallContext {
  /** The resource itself: live id, or `null` for one this apply creates or replaces. */
  selfAfter(step: PlanStep): CallTarget;
  /** The existing resource (update/delete/replace): its live id. */
  selfBefore(step: PlanStep): CallTarget;
  /** The source a schedule belongs to, before or after the step. */
  scheduleSource(step: PlanStep, side: 'before' | 'after'): CallTarget;
  /** Whether the applier will write this resource again in the cross-references pass. */
  hasDeferredRefs(step: PlanStep): boolean;
}

const what = (step: PlanStep): string => `${SINGULAR[step.kind]} "${step.id}"`;

/**
 * Every route a kind's ops call, per action. The applier writes a resource a second time (an update on its
 * own id) when it references something created later in the same apply: the cross-references pass.
 */
export const KIND_ROUTES: { readonly [K in ResourceKind]: KindRoutes } = {
  securityProviders: {
    list: ['GET /securityproviders'],
    calls(step, ctx) {
      // PUT is an upsert and needs the domain-wide CREATE even to update (contract).
      if (step.action === 'delete') return [{ route: 'DELETE /securityproviders/{securityProviderId}', target: ctx.selfBefore(step), why: `delete ${what(step)}` }];
      return [{ route: 'PUT /securityproviders/{securityProviderId}', why: `${step.action} ${what(step)}` }];
    },
  },
  fields: {
    list: ['POST /indexes/fields/search'],
    calls(step) {
      // The applier sends creates, updates and deletes through the batch endpoints; a replace is one field.
      switch (step.action) {
        case 'create':
          return [{ route: 'POST /indexes/fields/batch/create', why: `create ${what(step)}` }];
        case 'update':
          return [{ route: 'PUT /indexes/fields/batch/update', why: `update ${what(step)}` }];
        case 'replace':
          return [
            { route: 'DELETE /indexes/fields/{fieldId}', why: `replace ${what(step)} (delete the old one)` },
            { route: 'POST /indexes/fields', why: `replace ${what(step)} (create the new one)` },
          ];
        case 'delete':
          return [{ route: 'DELETE /indexes/fields/batch/delete', why: `delete ${what(step)}` }];
      }
    },
  },
  sources: {
    // The raw listing and the count that goes with its first page (client `countWith`).
    list: ['GET /sources/raw/all', 'GET /sources/pages'],
    calls(step, ctx) {
      const refs = (): RouteCall[] =>
        ctx.hasDeferredRefs(step) ? [{ route: 'PUT /sources/{sourceId}/raw', target: ctx.selfAfter(step), why: `write the references of ${what(step)} once their targets exist` }] : [];
      switch (step.action) {
        case 'create':
          return [{ route: 'POST /sources/raw', why: `create ${what(step)}` }, ...refs()];
        case 'update':
          return [{ route: 'PUT /sources/{sourceId}/raw', target: ctx.selfBefore(step), why: `update ${what(step)}` }, ...refs()];
        case 'replace':
          return [
            { route: 'DELETE /sources/{sourceId}', target: ctx.selfBefore(step), why: `replace ${what(step)} (delete the old one)` },
            { route: 'POST /sources/raw', why: `replace ${what(step)} (create the new one)` },
            ...refs(),
          ];
        case 'delete':
          return [{ route: 'DELETE /sources/{sourceId}', target: ctx.selfBefore(step), why: `delete ${what(step)}` }];
      }
    },
  },
  schedules: {
    // One listing per source (GET /sources/{id}/schedules); its VIEW is the domain-wide one.
    list: ['GET /sources/{sourceId}/schedules'],
    calls(step, ctx) {
      switch (step.action) {
        case 'create':
          return [{ route: 'POST /sources/{sourceId}/schedules', target: ctx.scheduleSource(step, 'after'), why: `create ${what(step)}` }];
        case 'update':
          return [{ route: 'PUT /sources/{sourceId}/schedules/{scheduleId}', target: ctx.scheduleSource(step, 'after'), why: `update ${what(step)}` }];
        case 'replace':
          return [
            { route: 'DELETE /sources/{sourceId}/schedules/{scheduleId}', target: ctx.scheduleSource(step, 'before'), why: `replace ${what(step)} (delete the old one)` },
            { route: 'POST /sources/{sourceId}/schedules', target: ctx.scheduleSource(step, 'after'), why: `replace ${what(step)} (create the new one)` },
          ];
        case 'delete':
          return [{ route: 'DELETE /sources/{sourceId}/schedules/{scheduleId}', target: ctx.scheduleSource(step, 'before'), why: `delete ${what(step)}` }];
      }
    },
  },
  groups: {
    list: ['GET /groups'],
    calls(step, ctx) {
      const refs = (): RouteCall[] =>
        ctx.hasDeferredRefs(step) ? [{ route: 'PUT /groups/{groupId}', target: ctx.selfAfter(step), why: `write the references of ${what(step)} once their targets exist` }] : [];
      switch (step.action) {
        case 'create':
          return [{ route: 'POST /groups', why: `create ${what(step)}` }, ...refs()];
        case 'update':
          return [{ route: 'PUT /groups/{groupId}', target: ctx.selfBefore(step), why: `update ${what(step)}` }, ...refs()];
        case 'replace':
          return [
            { route: 'DELETE /groups/{groupId}', target: ctx.selfBefore(step), why: `replace ${what(step)} (delete the old one)` },
            { route: 'POST /groups', why: `replace ${what(step)} (create the new one)` },
            ...refs(),
          ];
        case 'delete':
          return [{ route: 'DELETE /groups/{groupId}', target: ctx.selfBefore(step), why: `delete ${what(step)}` }];
      }
    },
  },
  apiKeys: {
    list: ['GET /apikeys'],
    calls(step, ctx) {
      const refs = (): RouteCall[] =>
        ctx.hasDeferredRefs(step) ? [{ route: 'PUT /apikeys/{apiKeyId}', target: ctx.selfAfter(step), why: `write the references of ${what(step)} once their targets exist` }] : [];
      switch (step.action) {
        case 'create':
          return [{ route: 'POST /apikeys', why: `create ${what(step)}` }, ...refs()];
        case 'update': {
          const before = step.before['enabled'] ?? true;
          const after = step.after['enabled'];
          const toggle: RouteCall[] =
            typeof after === 'boolean' && after !== before
              ? [{ route: after ? 'PUT /apikeys/{apiKeyId}/activate' : 'PUT /apikeys/{apiKeyId}/disable', target: ctx.selfBefore(step), why: `${after ? 'enable' : 'disable'} ${what(step)}` }]
              : [];
          return [{ route: 'PUT /apikeys/{apiKeyId}', target: ctx.selfBefore(step), why: `update ${what(step)}` }, ...toggle, ...refs()];
        }
        case 'replace':
          // New key first; the old one is then deleted (or disabled with --keep-replaced-keys: the same EDIT).
          return [
            { route: 'POST /apikeys', why: `replace ${what(step)} (create the new key)` },
            { route: 'DELETE /apikeys/{apiKeyId}', target: ctx.selfBefore(step), why: `replace ${what(step)} (retire the old key)` },
            ...refs(),
          ];
        case 'delete':
          return [{ route: 'DELETE /apikeys/{apiKeyId}', target: ctx.selfBefore(step), why: `delete ${what(step)}` }];
      }
    },
  },
};

/** The route the applier calls on every touched source at the end, per `--after-apply`. */
export function afterApplyRoute(mode: AfterApplyMode): RouteKey | undefined {
  return mode === 'none' ? undefined : mode === 'rebuild' ? 'POST /sources/{sourceId}/rebuild' : 'POST /sources/{sourceId}/applyChanges';
}

const ROUTES_BY_KEY: ReadonlyMap<string, RoutePrivileges> = new Map(ROUTE_PRIVILEGES.map((r) => [`${r.method} ${r.path}`, r]));

/** The route table entry of a route key; throws for a route the table lacks (a bug: the table must be complete). */
export function routeEntry(route: RouteKey): RoutePrivileges {
  const entry = ROUTES_BY_KEY.get(route);
  if (!entry) throw new Error(`The route table (route-privileges.ts) has no entry for ${route}.`);
  return entry;
}

function kindWave(steps: readonly PlanStep[]): ReadonlyMap<string, number> {
  return new Map(steps.map((s) => [`${s.kind}/${s.id}`, s.wave]));
}

/**
 * Every API call of a run: listings of the kinds read, the calls of each step (cross-references pass
 * included), the after-apply call on each touched source, and the extra calls.
 */
export function callsOfRun(input: RequiredInput): RouteCall[] {
  const steps = input.steps ?? [];
  const waves = kindWave(steps);
  const renewed = new Set(steps.filter((s) => s.action === 'create' || s.action === 'replace').map((s) => `${s.kind}/${s.id}`));
  const liveId = (kind: ResourceKind, key: string): string | undefined => input.idOf?.(kind, key);
  const ctx: CallContext = {
    selfAfter: (s) => ({ kind: s.kind, key: s.id, id: s.action === 'create' || s.action === 'replace' ? null : s.remoteId }),
    selfBefore: (s) => ({ kind: s.kind, key: s.id, id: s.action === 'create' ? null : s.remoteId }),
    scheduleSource: (s, side) => {
      const attrs = side === 'after' ? (s.action === 'delete' ? undefined : s.after) : s.action === 'create' ? undefined : s.before;
      const name = typeof attrs?.['source'] === 'string' ? attrs['source'] : '';
      if (side === 'after' && s.action !== 'delete') {
        const ref = s.refs.find((r) => r.kind === 'sources' && r.key === name);
        if (ref) return { kind: 'sources', key: name, id: ref.remoteId };
      }
      // A source replaced by this apply gets a new id: the old schedule is deleted under the old one.
      const id = liveId('sources', name);
      return { kind: 'sources', key: name, id: id ?? (side === 'after' && renewed.has(`sources/${name}`) ? null : undefined) };
    },
    hasDeferredRefs: (s) => {
      if (s.action === 'delete' || s.kind === 'securityProviders') return false;
      // A reference is written later when its target has no id yet at the time the holder is written:
      // the target is created or replaced in the same wave or a later one. Security provider references
      // are by id (chosen by us), never deferred.
      return s.refs.some((r) => r.remoteId === null && r.kind !== 'securityProviders' && (waves.get(`${r.kind}/${r.key}`) ?? Number.POSITIVE_INFINITY) >= s.wave);
    },
  };

  const calls: RouteCall[] = [];
  for (const kind of input.read) for (const route of KIND_ROUTES[kind].list) calls.push({ route, why: `read ${PLURAL[kind]}` });
  for (const step of steps) calls.push(...KIND_ROUTES[step.kind].calls(step, ctx));

  const after = afterApplyRoute(input.afterApply ?? 'apply-changes');
  if (after !== undefined) {
    const verb = after.endsWith('/rebuild') ? 'rebuild' : 'apply the changes of';
    const seen = new Set<string>();
    for (const step of steps) {
      if (step.kind !== 'sources' || step.action === 'delete') continue;
      const target = ctx.selfAfter(step);
      calls.push({ route: after, target, why: `${verb} ${what(step)} after the apply` });
      if (typeof target.id === 'string') seen.add(target.id);
    }
    for (const t of input.touchedSources ?? []) {
      if (seen.has(t.id)) continue;
      seen.add(t.id);
      calls.push({ route: after, target: { kind: 'sources', key: t.name, id: t.id }, why: `${verb} source "${t.name}" after the apply (${t.why})` });
    }
  }
  calls.push(...(input.extraCalls ?? []));
  return calls;
}

const keyOf = (p: PrivilegeRef): string => [p.owner, p.targetDomain, p.type ?? '', p.targetId ?? '*'].join('\u0000');

/** The privileges of calls: per-resource where the route allows it and the id is known, merged and sorted. */
export function privilegesOfCalls(calls: readonly RouteCall[]): NeededPrivilege[] {
  const byKey = new Map<string, { p: PrivilegeRef; label?: string; why: string[]; alternatives?: readonly PrivilegeRef[] }>();
  const add = (p: PrivilegeRef, why: string, label?: string, alternatives?: readonly PrivilegeRef[]): void => {
    const k = keyOf(p);
    const hit = byKey.get(k);
    if (hit) {
      if (!hit.why.includes(why)) hit.why.push(why);
      return;
    }
    byKey.set(k, { p, why: [why], ...(label !== undefined ? { label } : {}), ...(alternatives ? { alternatives } : {}) });
  };
  for (const call of calls) {
    const entry = routeEntry(call.route);
    const bound = entry.privileges.map((req) => {
      const base: PrivilegeRef = { owner: req.owner, targetDomain: req.targetDomain, ...(req.type !== undefined ? { type: req.type } : {}) };
      if (req.targetParam === undefined || call.target === undefined) return { p: base, why: call.why };
      const t = call.target;
      if (typeof t.id === 'string') return { p: { ...base, targetId: t.id }, why: call.why, label: `${SINGULAR[t.kind]} ${t.key}` };
      const reason =
        t.id === null
          ? `${SINGULAR[t.kind]} "${t.key}" is created by this apply, so its id is not known yet and only the privilege on every ${SINGULAR[t.kind]} covers it`
          : `the id of ${SINGULAR[t.kind]} "${t.key}" is not known`;
      return { p: base, why: `${call.why} (${reason})` };
    });
    if (entry.mode === 'any' && bound.length > 1) {
      const [first, ...rest] = bound;
      if (first) add(first.p, first.why, first.label, rest.map((b) => b.p));
    } else for (const b of bound) add(b.p, b.why, b.label);
  }
  // A privilege on every resource of a domain covers the per-resource ones: keep the broader one only.
  for (const [k, e] of byKey) {
    if (e.p.targetId === undefined) continue;
    const { targetId: _t, ...rest } = e.p;
    const wide = byKey.get(keyOf(rest));
    if (!wide) continue;
    for (const why of e.why) if (!wide.why.includes(why)) wide.why.push(why);
    byKey.delete(k);
  }
  const out: NeededPrivilege[] = [...byKey.values()].map((e) => ({
    ...e.p,
    ...(e.label !== undefined ? { targetLabel: e.label } : {}),
    why: e.why,
    ...(e.alternatives ? { alternatives: e.alternatives } : {}),
  }));
  return out.sort(comparePrivileges);
}

/**
 * The exact set of privileges a run needs: VIEW on each kind read, CREATE/EDIT per step (EDIT on the
 * resource's id where the route allows a per-resource privilege), and EDIT on every source the apply
 * touched for the after-apply call.
 *
 * @example
 * requiredPrivileges({ read: ['sources'], steps: plan.steps, afterApply: 'apply-changes' })
 * // → [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'acme-x1', targetLabel: 'source Product docs', why: [...] }, …]
 */
export function requiredPrivileges(input: RequiredInput): NeededPrivilege[] {
  return privilegesOfCalls(callsOfRun(input));
}

export function comparePrivileges(a: PrivilegeRef, b: PrivilegeRef): number {
  return (
    compareStrings(a.owner, b.owner) ||
    compareStrings(a.targetDomain, b.targetDomain) ||
    compareStrings(a.type ?? '', b.type ?? '') ||
    compareStrings(a.targetId ?? '', b.targetId ?? '')
  );
}

/** A privilege a token (or an org's offer) holds: on every resource (`*`) or on the listed ids. */
export interface HeldPrivilege {
  readonly owner: string;
  readonly targetDomain: string;
  readonly type?: string;
  readonly targets: '*' | readonly string[];
  /** `level` of GlobalPrivilegeModel, when given. */
  readonly level?: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/**
 * Reads privileges as Coveo returns them, in either form: `{owner, targetDomain, type?, targetId?}`
 * (`targetId` `*` or absent = every resource) and the legacy `{…, targetIds: [], global}` of the docs
 * samples (seeds 001/002), where an empty `targetIds`, a `*` in it, or `global: true` mean every resource.
 * Entries without an owner or a domain are dropped.
 */
export function parseHeldPrivileges(raw: unknown): HeldPrivilege[] {
  if (!Array.isArray(raw)) return [];
  const out: HeldPrivilege[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    const owner = text(o['owner']);
    const targetDomain = text(o['targetDomain']);
    if (owner === undefined || targetDomain === undefined) continue;
    const type = text(o['type']);
    const level = text(o['level']);
    const ids: string[] = [];
    const single = o['targetId'];
    if (typeof single === 'string') ids.push(single);
    if (Array.isArray(o['targetIds'])) for (const id of o['targetIds'] as unknown[]) if (typeof id === 'string') ids.push(id);
    const specific = ids.filter((id) => id !== '' && id !== '*');
    const isWide = o['global'] === true || ids.includes('*') || specific.length === 0;
    out.push({ owner, targetDomain, ...(type !== undefined ? { type } : {}), targets: isWide ? '*' : [...new Set(specific)], ...(level !== undefined ? { level } : {}) });
  }
  return out;
}

/** Whether a held privilege covers a needed one: same owner, domain and type, and every id or that id. */
export function covers(held: HeldPrivilege, needed: PrivilegeRef): boolean {
  if (held.owner !== needed.owner || held.targetDomain !== needed.targetDomain) return false;
  // A requirement without a type (SEARCH_API EXECUTE_QUERY) is met by the domain at any level.
  if (needed.type !== undefined && held.type !== needed.type) return false;
  if (held.targets === '*') return true;
  return needed.targetId !== undefined && needed.targetId !== '*' && held.targets.includes(needed.targetId);
}

/** The needed privileges that no held privilege covers (an alternative held counts). */
export function findMissing(needed: readonly NeededPrivilege[], held: readonly HeldPrivilege[]): NeededPrivilege[] {
  const isHeld = (p: PrivilegeRef): boolean => held.some((h) => covers(h, p));
  return needed.filter((n) => !isHeld(n) && !(n.alternatives ?? []).some(isHeld));
}

/**
 * A privilege for people: `PLATFORM / SOURCE / EDIT on source Product docs`, `PLATFORM / SOURCE / EDIT on
 * every source`, `PLATFORM / FIELD / CREATE`.
 */
export function describeNeeded(p: PrivilegeRef & { readonly targetLabel?: string }): string {
  const head = [p.owner, p.targetDomain, p.type].filter((x) => x !== undefined).join(' / ');
  if (p.targetId !== undefined && p.targetId !== '*') return `${head} on ${p.targetLabel ?? `id ${p.targetId}`}`;
  const kind = DOMAIN_KIND[p.targetDomain];
  // CREATE has no target; a per-resource domain otherwise needs it on every resource.
  return kind !== undefined && p.type !== 'CREATE' ? `${head} on every ${SINGULAR[kind]}` : head;
}

/** Whether calls of the run reach routes that an API key can never call (API keys, their privileges). */
export function callsRefusingApiKeys(calls: readonly RouteCall[]): RouteCall[] {
  return calls.filter((c) => routeEntry(c.route).refusesApiKeys === true);
}
