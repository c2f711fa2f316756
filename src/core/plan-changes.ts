/**
 * The planner: a pure function from desired and live state to an ordered plan (design §4, style guide §5).
 * For each managed kind it splits by key (create / compare / undeclared), compares under the rules of
 * compare.ts, classifies risk, then applies the policies (ignore, protect, prune, target, mass delete) and
 * lays the steps out in waves.
 */
import type { Issue } from '../errors.js';
import { diffAttrs, isUnderAny, omitPaths, projectLive, toJsonData } from './compare.js';
import { compareStrings, stableStringify, type JsonObject } from './json.js';
import type { KindSpec } from './kind-spec.js';
import {
  addressOf,
  PLAN_VERSION,
  RESOURCE_KINDS,
  type DesiredResource,
  type DesiredState,
  type LiveResource,
  type LiveState,
  type Plan,
  type PlanStep,
  type PlanWarning,
  type ResolvedRef,
  type ResourceAddress,
  type ResourceKey,
  type ResourceKind,
  type Risk,
} from './types.js';

export type SpecTable = { readonly [K in ResourceKind]: KindSpec<K> };

export interface PlanOptions {
  readonly specs: SpecTable;
  readonly organizationId: string;
  /** Kinds the configuration manages (declared in the files); only these get steps. */
  readonly kinds: readonly ResourceKind[];
  /** Delete undeclared live resources of the managed kinds. */
  readonly prune: boolean;
  /** Addresses (`kind/key`) never updated or deleted. */
  readonly protect: readonly string[];
  /** Per kind, regexes on the key of live resources to leave alone entirely. */
  readonly ignore: Partial<Record<ResourceKind, readonly string[]>>;
  /** When set, only steps for these addresses (and what they depend on) are kept. */
  readonly targets?: readonly string[];
  /** Prune may delete more than `massDeleteThreshold` of a kind's live resources only with this. */
  readonly allowMassDelete?: boolean;
  /**
   * Addresses to replace even when they match (an API key whose new value an interrupted apply did not
   * save: replacing it is the only way to get a value, and it retires the orphan).
   */
  readonly forceReplace?: readonly string[];
  /** Fraction of a kind's live resources a prune may delete without `allowMassDelete` (default 0.2). */
  readonly massDeleteThreshold?: number;
  /** Salt of this plan's secret fingerprints (recorded in the basis). */
  readonly salt: string;
  /** Hash used for basis fingerprints (injected: the core does not hash). */
  readonly hash: (text: string) => string;
  /** Salted hash of a secret value, the same function the loader used. */
  readonly fingerprint: (value: string, salt: string) => string;
}

export interface PlanOutcome {
  readonly plan: Plan;
  /** Problems of the input found while planning (references to nothing, duplicates live, mass delete). */
  readonly issues: readonly Issue[];
}

const KIND_INDEX = Object.fromEntries(RESOURCE_KINDS.map((k, i) => [k, i])) as Record<ResourceKind, number>;
const CREATE_WAVES = RESOURCE_KINDS.length;

/** Wave of a step: creates/updates in dependency order, deletes after them in reverse order. */
export function waveOf(kind: ResourceKind, action: PlanStep['action']): number {
  return action === 'delete' ? CREATE_WAVES + (RESOURCE_KINDS.length - 1 - KIND_INDEX[kind]) : KIND_INDEX[kind];
}

const RISK_RANK: Record<Risk, number> = { safe: 0, destructive: 1, security: 2 };
const maxRisk = (a: Risk, b: Risk): Risk => (RISK_RANK[a] >= RISK_RANK[b] ? a : b);

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A step before its wave, dependencies and resolved references are known. */
type Draft = DistributiveOmit<PlanStep, 'wave' | 'dependsOn' | 'refs'> & { readonly origin?: DesiredResource['origin'] };

/**
 * Plans the changes that make `live` match `desired`. Pure and deterministic: the result does not depend
 * on the order of resources in either input.
 */
export function planChanges(desired: DesiredState, live: LiveState, options: PlanOptions): PlanOutcome {
  const issues: Issue[] = [];
  const warnings: PlanWarning[] = [];
  const drafts: Draft[] = [];
  const undeclared: Plan['undeclared'][number][] = [];
  let unchanged = 0;
  const managed = RESOURCE_KINDS.filter((k) => options.kinds.includes(k));
  const protect = new Set(options.protect);

  const ignoreOf = (kind: ResourceKind): RegExp[] => (options.ignore[kind] ?? []).map((r) => new RegExp(r));
  const isIgnored = (kind: ResourceKind, key: string): boolean => ignoreOf(kind).some((r) => r.test(key));

  // Index of every resource that exists or will exist, for reference checks and resolution.
  const liveIndex = new Map<string, LiveResource>();
  for (const kind of RESOURCE_KINDS) for (const l of live[kind] ?? []) liveIndex.set(addressOf(kind, l.key), l);
  const desiredIndex = new Map<string, DesiredResource>();
  for (const kind of RESOURCE_KINDS) for (const d of desired[kind]) desiredIndex.set(addressOf(kind, d.key), d);

  for (const kind of managed) {
    const spec = options.specs[kind] as KindSpec;
    const desiredOfKind = desired[kind].filter((d) => {
      if (!isIgnored(kind, d.key)) return true;
      warnings.push({ code: 'declared_but_ignored', message: `${spec.singular} "${d.key}" is declared but matches settings.ignore; it is left alone.`, address: addressOf(kind, d.key) });
      return false;
    });
    const liveByKey = new Map<ResourceKey, LiveResource>();
    for (const l of live[kind] ?? []) {
      if (isIgnored(kind, l.key)) continue;
      const twin = liveByKey.get(l.key);
      if (twin) {
        issues.push({
          severity: 'error',
          code: 'live_duplicate',
          path: '',
          message: `Two live ${spec.title} have the identity "${l.key}" (ids ${[twin.remoteId, l.remoteId].sort(compareStrings).join(' and ')}); rename or delete one in Coveo, then plan again.`,
        });
        continue;
      }
      liveByKey.set(l.key, l);
    }
    const declared = new Set<string>();
    for (const d of desiredOfKind) {
      declared.add(d.key);
      checkReferences(spec, d, liveIndex, desiredIndex, issues);
      const l = liveByKey.get(d.key);
      if (!l) {
        drafts.push({ kind, id: d.key, action: 'create', after: d.attrs, risk: 'safe', notes: [], ...(d.origin ? { origin: d.origin } : {}) });
        continue;
      }
      const after = omitPaths(d.attrs, spec.writeOnly);
      const before = projectLive(omitPaths(l.attrs, spec.writeOnly), after, spec.subsetPaths);
      const { changes, patch } = diffAttrs(before, after, {
        sensitive: spec.sensitive,
        fingerprint: options.fingerprint,
        ...(l.fingerprints ? { fingerprints: l.fingerprints } : {}),
      });
      const forced = options.forceReplace?.includes(addressOf(kind, d.key)) === true;
      if (changes.length === 0 && !forced) {
        unchanged++;
        continue;
      }
      const replaceChange = changes.find((c) => isUnderAny(c.path.replace(/\[(\d+)\]/g, '.$1').split('.'), spec.replaceOn));
      if (forced) {
        drafts.push({
          kind,
          id: d.key,
          action: 'replace',
          remoteId: l.remoteId,
          before: l.attrs,
          after: d.attrs,
          changes,
          reason: 'an interrupted apply created it but did not save its new value; a new one replaces it',
          risk: 'destructive',
          notes: [],
        });
      } else if (replaceChange) {
        drafts.push({
          kind,
          id: d.key,
          action: 'replace',
          remoteId: l.remoteId,
          before: l.attrs,
          after: d.attrs,
          changes,
          reason: `${replaceChange.path} cannot be changed in place${spec.replaceReason ? `: ${spec.replaceReason}` : ''}`,
          risk: 'destructive',
          notes: [],
        });
      } else {
        drafts.push({ kind, id: d.key, action: 'update', remoteId: l.remoteId, before, after: d.attrs, changes, patch, risk: 'safe', notes: [] });
      }
    }
    for (const l of liveByKey.values()) {
      if (declared.has(l.key) || l.isBuiltIn) continue;
      undeclared.push({ kind, id: l.key, remoteId: l.remoteId });
      if (options.prune) drafts.push({ kind, id: l.key, action: 'delete', remoteId: l.remoteId, before: l.attrs, risk: 'destructive', notes: [] });
    }
  }

  cascadeOwners(drafts, desired, options);
  applyProtect(drafts, protect, warnings);
  guardMassDelete(drafts, live, managed, options, issues);

  // Risk and notes from the specs.
  const classified = drafts.map((s) => classify(s, options.specs[s.kind] as KindSpec));

  const replacedOrCreated = new Set(classified.filter((s) => s.action === 'create' || s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
  const built: PlanStep[] = classified.map((s) => finishStep(s, options, liveIndex, replacedOrCreated));
  const kept = options.targets && options.targets.length > 0 ? selectTargets(built, options.targets) : built;
  kept.sort((a, b) => a.wave - b.wave || KIND_INDEX[a.kind] - KIND_INDEX[b.kind] || compareStrings(a.id, b.id));

  const basisLive: Record<string, string> = {};
  for (const kind of managed) for (const l of live[kind] ?? []) basisLive[addressOf(kind, l.key)] = l.etag;

  const plan: Plan = {
    version: PLAN_VERSION,
    basis: {
      organizationId: options.organizationId,
      config: options.hash(stableStringify(managed.map((k) => [k, [...desired[k]].sort((a, b) => compareStrings(a.key, b.key)).map((d) => [d.key, d.attrs])]))),
      kinds: managed,
      live: sortRecord(basisLive),
      salt: options.salt,
    },
    steps: kept,
    summary: {
      add: kept.filter((s) => s.action === 'create').length,
      change: kept.filter((s) => s.action === 'update').length,
      replace: kept.filter((s) => s.action === 'replace').length,
      destroy: kept.filter((s) => s.action === 'delete').length,
      unchanged,
    },
    warnings,
    undeclared: undeclared.sort((a, b) => KIND_INDEX[a.kind] - KIND_INDEX[b.kind] || compareStrings(a.id, b.id)),
  };
  return { plan, issues };
}

function checkReferences(
  spec: KindSpec,
  d: DesiredResource,
  liveIndex: ReadonlyMap<string, LiveResource>,
  desiredIndex: ReadonlyMap<string, DesiredResource>,
  issues: Issue[],
): void {
  for (const ref of spec.references(d.attrs)) {
    const address = addressOf(ref.kind, ref.key);
    if (desiredIndex.has(address) || liveIndex.has(address)) continue;
    issues.push({
      severity: 'error',
      code: 'reference_unresolved',
      path: ref.path,
      message: `${spec.singular} "${d.key}" refers to ${ref.kind} "${ref.key}", which is neither declared in the files nor present in the organization; declare it or fix the name.`,
      ...(d.origin ? { position: d.origin } : {}),
    });
  }
}

/** A resource inside another (a schedule in its source) must be created when its owner is created anew. */
function cascadeOwners(drafts: Draft[], desired: DesiredState, options: PlanOptions): void {
  const renewed = new Set(drafts.filter((s) => s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
  if (renewed.size === 0) return;
  for (const kind of RESOURCE_KINDS) {
    const spec = options.specs[kind] as KindSpec;
    if (!spec.ownerOf || !options.kinds.includes(kind)) continue;
    for (const d of desired[kind]) {
      const owner = spec.ownerOf(d.attrs);
      if (!owner || !renewed.has(addressOf(owner.kind, owner.key))) continue;
      const i = drafts.findIndex((s) => s.kind === kind && s.id === d.key);
      const create: Draft = { kind, id: d.key, action: 'create', after: d.attrs, risk: 'safe', notes: [`re-created with its ${owner.kind} "${owner.key}"`] };
      if (i >= 0) drafts[i] = create;
      else drafts.push(create);
    }
  }
}

function applyProtect(drafts: Draft[], protect: ReadonlySet<string>, warnings: PlanWarning[]): void {
  for (let i = drafts.length - 1; i >= 0; i--) {
    const s = drafts[i];
    if (!s || s.action === 'create') continue;
    const address = addressOf(s.kind, s.id);
    if (!protect.has(address)) continue;
    warnings.push({ code: 'protected', message: `${address} is protected (settings.protect); its ${s.action} was left out of the plan.`, address });
    drafts.splice(i, 1);
  }
}

function guardMassDelete(drafts: Draft[], live: LiveState, kinds: readonly ResourceKind[], options: PlanOptions, issues: Issue[]): void {
  if (options.allowMassDelete) return;
  const threshold = options.massDeleteThreshold ?? 0.2;
  for (const kind of kinds) {
    const total = (live[kind] ?? []).filter((l) => !l.isBuiltIn).length;
    const deletes = drafts.filter((s) => s.kind === kind && s.action === 'delete').length;
    if (deletes > 0 && deletes > threshold * total) {
      issues.push({
        severity: 'error',
        code: 'mass_delete',
        path: kind,
        message: `Prune would delete ${deletes} of ${total} ${options.specs[kind].title} (more than ${Math.round(threshold * 100)}%). If that is intended, pass --allow-mass-delete; if not, check that the files declare them.`,
      });
    }
  }
}

function classify(s: Draft, spec: KindSpec): Draft {
  let risk: Risk = s.action === 'delete' || s.action === 'replace' ? 'destructive' : 'safe';
  const notes = [...s.notes];
  const before = s.action === 'create' ? undefined : s.before;
  const after = s.action === 'delete' ? undefined : s.after;
  const extra = spec.classify?.(before, after);
  if (extra) {
    risk = maxRisk(risk, extra.risk);
    notes.push(extra.note);
  }
  return { ...s, risk, notes } as Draft;
}

function finishStep(
  s: Draft,
  options: PlanOptions,
  liveIndex: ReadonlyMap<string, LiveResource>,
  replacedOrCreated: ReadonlySet<string>,
): PlanStep {
  const spec = options.specs[s.kind] as KindSpec;
  const wave = waveOf(s.kind, s.action);
  const { origin: _origin, ...rest } = s;
  if (s.action === 'delete') return { ...(rest as PlanStep), wave, dependsOn: [] } as PlanStep;
  const after = s.after;
  const refs: ResolvedRef[] = spec.references(after).map((r) => {
    const address = addressOf(r.kind, r.key);
    const l = liveIndex.get(address);
    return { ...r, remoteId: l && !replacedOrCreated.has(address) ? l.remoteId : null };
  });
  const dependsOn = [...new Set(refs.filter((r) => r.remoteId === null).map((r) => addressOf(r.kind, r.key)))].sort(compareStrings) as ResourceAddress[];
  const redacted = { ...rest, refs };
  if (s.action === 'update' || s.action === 'replace') {
    return { ...redacted, before: toJsonData(s.before) as JsonObject, wave, dependsOn } as unknown as PlanStep;
  }
  return { ...redacted, wave, dependsOn } as unknown as PlanStep;
}

/** Keeps the targeted steps and, transitively, the steps they depend on. */
function selectTargets(steps: readonly PlanStep[], targets: readonly string[]): PlanStep[] {
  const byAddress = new Map(steps.map((s) => [addressOf(s.kind, s.id) as string, s]));
  const keep = new Set<string>();
  const visit = (a: string): void => {
    if (keep.has(a)) return;
    const s = byAddress.get(a);
    if (!s) return;
    keep.add(a);
    s.dependsOn.forEach(visit);
  };
  targets.forEach(visit);
  return steps.filter((s) => keep.has(addressOf(s.kind, s.id)));
}

function sortRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort((a, b) => compareStrings(a[0], b[0])));
}
