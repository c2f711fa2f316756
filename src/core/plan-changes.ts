/**
 * The planner: a pure function from desired and live state to an ordered plan (design §4, style guide §5).
 * For each managed kind it splits by key (create / compare / undeclared), compares under the rules of
 * compare.ts, classifies risk, then applies the policies (ignore, protect, prune, target, mass delete) and
 * lays the steps out in waves.
 */
import type { Issue } from '../errors.js';
import { diffAttrs, equalsLive, isUnderAny, omitPaths, projectLive, redactSensitive, redactValues, secretsIn, segmentsOf } from './compare.js';
import { compareStrings, stableStringify, type JsonObject } from './json.js';
import type { KindSpec } from './kind-spec.js';
import {
  addressOf,
  PLAN_VERSION,
  RESOURCE_KINDS,
  type DesiredResource,
  type DesiredState,
  type FieldChange,
  type PatchOperation,
  type LiveResource,
  type LiveState,
  type Plan,
  type PlanStep,
  type PlanWarning,
  type ResolvedRef,
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
  /**
   * The plan basis' configuration fingerprint, when the caller has it already: `hash` of the joined
   * `configBasisPieces(desired, kinds)` of the same desired state and kinds (get-plan hashes them while
   * the reads are in flight). Computed here when absent.
   */
  readonly configFingerprint?: string;
}

export interface PlanOutcome {
  readonly plan: Plan;
  /** Problems of the input found while planning (references to nothing, duplicates live, mass delete). */
  readonly issues: readonly Issue[];
}

/**
 * Resources by address, kept per kind and keyed by the key itself: the planner looks up every resource
 * and every reference, and a lookup by `kind/key` would build (and hash) a new string each time.
 */
interface ByAddress<V> {
  get(kind: ResourceKind, key: string): V | undefined;
  has(kind: ResourceKind, key: string): boolean;
}

function byAddress<V>(): ByAddress<V> & { set(kind: ResourceKind, key: string, value: V): void } {
  const maps = new Map<ResourceKind, Map<string, V>>();
  return {
    get: (kind, key) => maps.get(kind)?.get(key),
    has: (kind, key) => maps.get(kind)?.has(key) === true,
    set: (kind, key, value) => {
      let map = maps.get(kind);
      if (!map) maps.set(kind, (map = new Map<string, V>()));
      map.set(key, value);
    },
  };
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
  const read = RESOURCE_KINDS.filter((k) => live[k] !== undefined);
  const planner = createPlanner(desired, read, options);
  for (const kind of read) planner.addLive(kind, live[kind] ?? []);
  return planner.finish();
}

/**
 * `planChanges` with the live state given one kind at a time, for a caller that reads kinds one after the
 * other (plan compares each kind while the rest is still being read). `readKinds` are the kinds that will
 * be added (the kinds of the live state); `addLive` each of them once, in any order; `advance` compares
 * some of the declared resources whose kind, and every kind they refer to, was added; `finish` does the
 * rest once every kind was added. The result is `planChanges`'s, whatever the order and the budgets.
 */
export interface Planner {
  addLive(kind: ResourceKind, resources: readonly LiveResource[]): void;
  /** Compares about `budget` declared resources; returns whether more can be done before another kind is added. */
  advance(budget: number): boolean;
  /** The outcome, once every kind was added; `configFingerprint` as in PlanOptions (this one wins). */
  finish(configFingerprint?: string): PlanOutcome;
}

/** The comparisons of one managed kind, kept apart so they join the plan in kind order whenever they are made. */
interface KindPlan {
  readonly kind: ResourceKind;
  readonly spec: KindSpec;
  /** The kinds this one's comparisons look at: itself and those its declared resources refer to (found when first asked). */
  needs: readonly ResourceKind[] | undefined;
  readonly issues: Issue[];
  readonly warnings: PlanWarning[];
  readonly drafts: Draft[];
  readonly undeclared: Plan['undeclared'][number][];
  readonly declared: Set<string>;
  desiredOfKind: readonly DesiredResource[] | undefined;
  liveOfKind: LiveResource[];
  /** Declared resources compared so far (of desiredOfKind). */
  next: number;
  done: boolean;
}

export function createPlanner(desired: DesiredState, readKinds: readonly ResourceKind[], options: PlanOptions): Planner {
  /** Addresses of declared resources that match their live twin; a cascade or re-point may still take them. */
  const unchanged = new Set<string>();
  const managed = RESOURCE_KINDS.filter((k) => options.kinds.includes(k));
  const read = RESOURCE_KINDS.filter((k) => readKinds.includes(k));
  const protect = new Set(options.protect);

  const ignoreRes = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, (options.ignore[k] ?? []).map((r) => new RegExp(r))])) as Record<ResourceKind, RegExp[]>;
  const isIgnored = (kind: ResourceKind, key: string): boolean => ignoreRes[kind].some((r) => r.test(key));

  const live: Partial<Record<ResourceKind, readonly LiveResource[]>> = {};
  // Live resources by address. Of two with one identity (an error, reported below) the one with the
  // smallest id is kept, so the plan never depends on the order Coveo listed them in.
  const liveIndex = byAddress<LiveResource>();
  const liveTwins = new Map<string, LiveResource[]>();
  const indexLive = (kind: ResourceKind, list: readonly LiveResource[]): void => {
    for (const l of list) {
      const kept = liveIndex.get(kind, l.key);
      if (kept === undefined) {
        liveIndex.set(kind, l.key, l);
        continue;
      }
      // Twins are rare: the one with the smallest id is kept, the others listed in id order.
      const address = addressOf(kind, l.key);
      const [first, ...others] = [kept, l, ...(liveTwins.get(address) ?? [])].sort((a, b) => compareStrings(a.remoteId, b.remoteId)) as [LiveResource, ...LiveResource[]];
      liveIndex.set(kind, l.key, first);
      liveTwins.set(address, others);
    }
  };
  const desiredIndex = byAddress<DesiredResource>();
  for (const kind of RESOURCE_KINDS) for (const d of desired[kind]) desiredIndex.set(kind, d.key, d);

  // The plan basis' etags by address, in code-unit order: each managed kind's entries are sorted when
  // the kind is added. Kind names are no prefix of one another, so all addresses of a kind sort together
  // and the kinds' runs, in name order, are already in order; otherwise they are sorted again at the end.
  const basisKinds = managed.filter((k) => read.includes(k)).sort(compareStrings);
  const basisGrouped = basisKinds.every((a) => basisKinds.every((b) => a === b || !b.startsWith(a)));
  const basisOf = new Map<ResourceKind, [string, string][]>();
  const addBasis = (kind: ResourceKind, list: readonly LiveResource[]): void => {
    if (!basisKinds.includes(kind)) return;
    const entries: [string, string][] = [];
    for (const l of list) if (liveIndex.get(kind, l.key) === l) entries.push([addressOf(kind, l.key), l.etag]);
    basisOf.set(kind, entries.sort((a, b) => compareStrings(a[0], b[0])));
  };
  const basisLive = (): Record<string, string> => {
    const entries = basisKinds.flatMap((k) => basisOf.get(k) ?? []);
    return Object.fromEntries(basisGrouped ? entries : entries.sort((a, b) => compareStrings(a[0], b[0])));
  };

  /** Comparisons of declared resources with their live twin, kept for the re-point pass. */
  const compared = new Map<string, Compared>();
  const references: ReferenceIndex = { read, liveIndex, desiredIndex, specs: options.specs };

  const plans = managed.map((kind): KindPlan => {
    const spec = options.specs[kind] as KindSpec;
    return { kind, spec, needs: undefined, issues: [], warnings: [], drafts: [], undeclared: [], declared: new Set(), desiredOfKind: undefined, liveOfKind: [], next: 0, done: false };
  });
  /** Whether every kind this one looks at is known: added, or never to be read (then known to be absent). */
  const isKnown = (k: ResourceKind): boolean => live[k] !== undefined || !read.includes(k);
  const isReady = (p: KindPlan): boolean => {
    // Every kind there (planChanges adds them all first): no need to find what this one looks at.
    if (read.every(isKnown)) return true;
    if (p.needs === undefined) {
      const needs = new Set<ResourceKind>([p.kind]);
      for (const d of desired[p.kind]) for (const ref of p.spec.references(d.attrs)) needs.add(ref.kind);
      p.needs = [...needs];
    }
    return p.needs.every(isKnown);
  };

  const start = (p: KindPlan): readonly DesiredResource[] => {
    const { kind, spec } = p;
    const desiredOfKind = desired[kind].filter((d) => {
      if (!isIgnored(kind, d.key)) return true;
      p.warnings.push({ code: 'declared_but_ignored', message: `${spec.singular} "${d.key}" is declared but matches settings.ignore; it is left alone.`, address: addressOf(kind, d.key) });
      return false;
    });
    for (const l of live[kind] ?? []) {
      if (isIgnored(kind, l.key) || liveIndex.get(kind, l.key) !== l) continue;
      p.liveOfKind.push(l);
      const twins = liveTwins.size === 0 ? undefined : liveTwins.get(addressOf(kind, l.key));
      if (twins) {
        p.issues.push({
          severity: 'error',
          code: 'live_duplicate',
          path: '',
          message: `${twins.length + 1} live ${spec.title} have the identity "${l.key}" (ids ${[l, ...twins].map((t) => t.remoteId).join(', ')}); rename or delete all but one in Coveo, then plan again.`,
        });
      }
    }
    p.desiredOfKind = desiredOfKind;
    return desiredOfKind;
  };

  const compareOne = (p: KindPlan, d: DesiredResource): void => {
    const { kind, spec, issues, warnings, drafts } = p;
    const address = addressOf(kind, d.key);
    p.declared.add(d.key);
    checkReferences(spec, d, references, issues, warnings);
    const l = liveIndex.get(kind, d.key);
    if (!l) {
      drafts.push({ kind, id: d.key, action: 'create', after: d.attrs, risk: 'safe', notes: [], ...(d.origin ? { origin: d.origin } : {}) });
      return;
    }
    const forced = options.forceReplace?.includes(address) === true;
    if (!forced && equalsLive(d.attrs, l.attrs, spec)) {
      unchanged.add(address);
      return;
    }
    const c = compareResource(spec, d, l, options);
    if (c.changes.length === 0 && !forced) {
      // Not kept: the re-point pass compares again the few it needs (the same pure comparison).
      unchanged.add(address);
      return;
    }
    // A protected one is left alone anyway (with its warning): nothing to refuse.
    const frozen = l.isBuiltIn === true && spec.builtInReadOnly && !protect.has(address) ? c.changes.filter((ch) => isUnderAny(segmentsOf(ch.path), spec.builtInReadOnly ?? [])) : [];
    if (frozen.length > 0) {
      issues.push({
        severity: 'error',
        code: 'built_in_read_only',
        path: '',
        ...(d.origin ? { position: d.origin } : {}),
        message: `${spec.singular} "${d.key}" is built into Coveo, which refuses changes to its ${frozen.map((ch) => ch.path).join(', ')}; declare it as Coveo has it, or remove it from the files.`,
      });
      return;
    }
    compared.set(address, c);
    const replaceChange = c.changes.find((ch) => isUnderAny(segmentsOf(ch.path), spec.replaceOn));
    if (forced || replaceChange) {
      const reason = forced
        ? 'an interrupted apply created it but did not save its new value; a new one replaces it'
        : `${replaceChange?.path ?? ''} cannot be changed in place${spec.replaceReason ? `: ${spec.replaceReason}` : ''}`;
      drafts.push(replaceDraft(spec, d, l, c, reason, []));
    } else {
      drafts.push(updateDraft(d, l, c, []));
    }
  };

  const end = (p: KindPlan): void => {
    for (const l of p.liveOfKind) {
      if (p.declared.has(l.key) || l.isBuiltIn) continue;
      p.undeclared.push({ kind: p.kind, id: l.key, remoteId: l.remoteId });
      if (options.prune) p.drafts.push({ kind: p.kind, id: l.key, action: 'delete', remoteId: l.remoteId, before: showLive(p.spec, l, undefined), risk: 'destructive', notes: [] });
    }
    p.done = true;
  };

  /** Compares up to `budget` declared resources of one kind; returns how many. */
  const step = (p: KindPlan, budget: number): number => {
    const list = p.desiredOfKind ?? start(p);
    let n = 0;
    for (; n < budget && p.next < list.length; n++) compareOne(p, list[p.next++] as DesiredResource);
    if (p.next === list.length) end(p);
    return Math.max(n, 1);
  };

  const advance = (budget: number): boolean => {
    let left = Math.max(1, budget);
    for (const p of plans) {
      while (!p.done && isReady(p) && left > 0) left -= step(p, left);
      if (left <= 0) return plans.some((q) => !q.done && isReady(q));
    }
    return false;
  };

  return {
    addLive(kind, resources) {
      if (!read.includes(kind) || live[kind] !== undefined) throw new Error(`planner: ${kind} was not to be read, or was added twice`);
      live[kind] = resources;
      indexLive(kind, resources);
      addBasis(kind, resources);
    },
    advance,
    finish(configFingerprint) {
      const missing = read.filter((k) => live[k] === undefined);
      if (missing.length > 0) throw new Error(`planner: ${missing.join(', ')} not added`);
      advance(Infinity);
      const issues = plans.flatMap((p) => p.issues);
      const warnings = plans.flatMap((p) => p.warnings);
      const drafts = plans.flatMap((p) => p.drafts);
      const undeclared = plans.flatMap((p) => p.undeclared);
      return finishPlan(desired, live, configFingerprint === undefined ? options : { ...options, configFingerprint }, { managed, basisLive: basisLive(), protect, isIgnored, liveIndex, compared, unchanged, issues, warnings, drafts, undeclared });
    },
  };
}

interface MadeComparisons {
  readonly managed: readonly ResourceKind[];
  /** `kind/key` → etag of the live resources of the managed kinds (the kept one of twins), by address. */
  readonly basisLive: Readonly<Record<string, string>>;
  readonly protect: ReadonlySet<string>;
  readonly isIgnored: (kind: ResourceKind, key: string) => boolean;
  readonly liveIndex: ByAddress<LiveResource>;
  readonly compared: ReadonlyMap<string, Compared>;
  readonly unchanged: Set<string>;
  readonly issues: Issue[];
  readonly warnings: PlanWarning[];
  readonly drafts: Draft[];
  readonly undeclared: Plan['undeclared'][number][];
}

/** The policies, the cascades and re-points, and the plan itself, once every kind is compared. */
function finishPlan(desired: DesiredState, live: LiveState, options: PlanOptions, made: MadeComparisons): PlanOutcome {
  const { managed, protect, isIgnored, liveIndex, compared, unchanged, issues, warnings, drafts, undeclared } = made;
  // Protect first: a replace it removes must not take its owned resources or referrers along.
  applyProtect(drafts, protect, warnings);
  cascadeOwners(drafts, desired, live, options, isIgnored, unchanged);
  repointReferrers(drafts, desired, liveIndex, compared, managed, options, isIgnored, unchanged);
  applyProtect(drafts, protect, warnings);

  // Risk and notes from the specs.
  const classified = drafts.map((s) => classify(s, options.specs[s.kind] as KindSpec));

  const replacedOrCreated = new Set(classified.filter((s) => s.action === 'create' || s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
  const built: PlanStep[] = classified.map((s) => finishStep(s, options, liveIndex, replacedOrCreated));
  const kept = options.targets && options.targets.length > 0 ? selectTargets(built, options.targets) : built;
  kept.sort((a, b) => a.wave - b.wave || KIND_INDEX[a.kind] - KIND_INDEX[b.kind] || compareStrings(a.id, b.id));

  guardMassDelete(kept, live, managed, options, issues);
  checkDeletedReferences(kept, desired, options, isIgnored, issues);


  const plan: Plan = {
    version: PLAN_VERSION,
    basis: {
      organizationId: options.organizationId,
      config: options.configFingerprint ?? options.hash([...configBasisPieces(desired, options.kinds)].join('')),
      kinds: managed,
      live: made.basisLive,
      salt: options.salt,
    },
    steps: kept,
    summary: {
      add: kept.filter((s) => s.action === 'create').length,
      change: kept.filter((s) => s.action === 'update').length,
      replace: kept.filter((s) => s.action === 'replace').length,
      destroy: kept.filter((s) => s.action === 'delete').length,
      unchanged: unchanged.size,
    },
    warnings: uniqueWarnings(warnings).sort((a, b) => compareStrings(a.address ?? '', b.address ?? '') || compareStrings(a.code, b.code) || compareStrings(a.message, b.message)),
    undeclared: undeclared.sort((a, b) => KIND_INDEX[a.kind] - KIND_INDEX[b.kind] || compareStrings(a.id, b.id)),
  };
  return { plan, issues: issues.sort((a, b) => compareStrings(a.code, b.code) || compareStrings(a.path, b.path) || compareStrings(a.message, b.message)) };
}

/**
 * The text the plan basis fingerprints the configuration by, in pieces (one per resource): the
 * `stableStringify` of `[[kind, [[key, attrs], …]], …]` for the managed kinds in RESOURCE_KINDS order,
 * resources sorted by key, without building that array. Joined, the pieces are that text, so a caller
 * can hash them a few at a time.
 */
export function* configBasisPieces(desired: DesiredState, kinds: readonly ResourceKind[]): Generator<string, void, undefined> {
  const managed = RESOURCE_KINDS.filter((k) => kinds.includes(k));
  let text = '[';
  for (let i = 0; i < managed.length; i++) {
    const kind = managed[i] as ResourceKind;
    text += `${i === 0 ? '' : ','}[${stableStringify(kind)},[`;
    const sorted = [...desired[kind]].sort((a, b) => compareStrings(a.key, b.key));
    for (let j = 0; j < sorted.length; j++) {
      const d = sorted[j] as DesiredResource;
      yield `${text}${j === 0 ? '' : ','}${stableStringify([d.key, d.attrs])}`;
      text = '';
    }
    text += ']]';
  }
  yield `${text}]`;
}

interface Compared {
  readonly changes: readonly FieldChange[];
  readonly patch: readonly PatchOperation[];
  /** Projected live attrs, redacted for showing. */
  readonly before: JsonObject;
}

/** Compares a declared resource with its live twin under the rules of compare.ts. */
function compareResource(spec: KindSpec, d: DesiredResource, l: LiveResource, options: PlanOptions): Compared {
  const after = omitPaths(d.attrs, spec.writeOnly);
  const projected = projectLive(omitPaths(l.attrs, spec.writeOnly), after, spec.subsetPaths);
  return diffAttrs(projected, after, {
    sensitive: spec.sensitive,
    fingerprint: options.fingerprint,
    ...(l.fingerprints ? { fingerprints: l.fingerprints } : {}),
  });
}

function replaceDraft(spec: KindSpec, d: DesiredResource, l: LiveResource, c: Compared, reason: string, notes: readonly string[]): Draft {
  return { kind: d.kind, id: d.key, action: 'replace', remoteId: l.remoteId, before: showLive(spec, l, d), after: d.attrs, changes: c.changes, reason, risk: 'destructive', notes };
}

function updateDraft(d: DesiredResource, l: LiveResource, c: Compared, notes: readonly string[]): Draft {
  return { kind: d.kind, id: d.key, action: 'update', remoteId: l.remoteId, before: c.before, after: d.attrs, changes: c.changes, patch: c.patch, risk: 'safe', notes };
}

/** The whole live object as a step may show it: sensitive paths and live copies of the files' secrets redacted. */
function showLive(spec: KindSpec, l: LiveResource, d: DesiredResource | undefined): JsonObject {
  const secrets = new Set(secretsIn(d?.attrs).map((s) => s.reveal()));
  return redactValues(redactSensitive(l.attrs, spec.sensitive), secrets) as JsonObject;
}

interface ReferenceIndex {
  /** The kinds of the live state (read from Coveo). */
  readonly read: readonly ResourceKind[];
  readonly liveIndex: ByAddress<LiveResource>;
  readonly desiredIndex: ByAddress<DesiredResource>;
  readonly specs: SpecTable;
}

/** A declared reference must name something declared or live; one into a kind that was not read is only warned about. */
function checkReferences(spec: KindSpec, d: DesiredResource, index: ReferenceIndex, issues: Issue[], warnings: PlanWarning[]): void {
  const { read, liveIndex, desiredIndex } = index;
  for (const ref of spec.references(d.attrs)) {
    if (desiredIndex.has(ref.kind, ref.key) || liveIndex.has(ref.kind, ref.key)) continue;
    if (!read.includes(ref.kind)) {
      // The kind was not read (e.g. API keys with an API-key token): nothing proves the reference wrong.
      warnings.push({
        code: 'reference_unchecked',
        message: `${spec.singular} "${d.key}" refers to ${ref.kind} "${ref.key}", which is not declared; ${index.specs[ref.kind].title} were not read, so it could not be checked.`,
        address: addressOf(d.kind, d.key),
      });
      continue;
    }
    issues.push({
      severity: 'error',
      code: 'reference_unresolved',
      path: ref.path,
      message: `${spec.singular} "${d.key}" refers to ${ref.kind} "${ref.key}", which is neither declared in the files nor present in the organization; declare it or fix the name.`,
      ...(d.origin ? { position: d.origin } : {}),
    });
  }
}

/**
 * A resource inside another (a schedule in its source) goes with its owner when the owner is replaced:
 * Coveo deletes it with the old owner. A declared one is created again; an undeclared one is not deleted
 * by a step of its own (it would be gone already), and the owner's replace says it goes.
 */
function cascadeOwners(
  drafts: Draft[],
  desired: DesiredState,
  live: LiveState,
  options: PlanOptions,
  isIgnored: (kind: ResourceKind, key: string) => boolean,
  unchanged: Set<string>,
): void {
  const renewed = new Set(drafts.filter((s) => s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
  if (renewed.size === 0) return;
  for (const kind of RESOURCE_KINDS) {
    const spec = options.specs[kind] as KindSpec;
    if (!spec.ownerOf) continue;
    const declared = new Set(desired[kind].map((d) => d.key as string));
    for (const l of [...(live[kind] ?? [])].sort((a, b) => compareStrings(a.key, b.key))) {
      const owner = spec.ownerOf(l.attrs);
      if (!owner || declared.has(l.key) || !renewed.has(addressOf(owner.kind, owner.key))) continue;
      const i = drafts.findIndex((s) => s.kind === kind && s.id === l.key && s.action === 'delete');
      if (i >= 0) drafts.splice(i, 1);
      const j = drafts.findIndex((s) => s.kind === owner.kind && s.id === owner.key && s.action === 'replace');
      const ownerStep = drafts[j];
      if (ownerStep) drafts[j] = { ...ownerStep, notes: [...ownerStep.notes, `also deletes its ${spec.singular} "${l.key}", which the files do not declare`] };
    }
    if (!options.kinds.includes(kind)) continue;
    for (const d of desired[kind]) {
      if (isIgnored(kind, d.key)) continue;
      const owner = spec.ownerOf(d.attrs);
      if (!owner || !renewed.has(addressOf(owner.kind, owner.key))) continue;
      const i = drafts.findIndex((s) => s.kind === kind && s.id === d.key);
      const create: Draft = { kind, id: d.key, action: 'create', after: d.attrs, risk: 'safe', notes: [`re-created with its ${options.specs[owner.kind].singular} "${owner.key}", which is replaced`] };
      if (i >= 0) drafts[i] = create;
      else drafts.push(create);
      unchanged.delete(addressOf(kind, d.key));
    }
  }
}

/**
 * A replaced resource gets a new id, and the resources that refer to it hold the old one. Each declared
 * referrer that the plan would leave alone gets an update that writes the new id (or a replace when the
 * reference sits under a `replaceOn` path, as API key privileges do); an update already planned becomes a
 * replace for the same reason. Repeats until nothing more is renewed, since a replace renews an id too.
 * Without this, the plan after a successful apply would not be empty (design §4).
 */
function repointReferrers(
  drafts: Draft[],
  desired: DesiredState,
  liveIndex: ByAddress<LiveResource>,
  compared: ReadonlyMap<string, Compared>,
  managed: readonly ResourceKind[],
  options: PlanOptions,
  isIgnored: (kind: ResourceKind, key: string) => boolean,
  unchanged: Set<string>,
): void {
  const done = new Set<string>();
  for (;;) {
    const renewed = new Set(drafts.filter((s) => s.action === 'replace').map((s) => addressOf(s.kind, s.id)));
    const fresh = [...renewed].filter((a) => !done.has(a));
    if (fresh.length === 0) return;
    fresh.forEach((a) => done.add(a));
    for (const kind of managed) {
      const spec = options.specs[kind] as KindSpec;
      for (const d of [...desired[kind]].sort((a, b) => compareStrings(a.key, b.key))) {
        const address = addressOf(kind, d.key);
        const l = liveIndex.get(kind, d.key);
        if (!l || isIgnored(kind, d.key)) continue;
        const hits = spec.references(d.attrs).filter((r) => fresh.includes(addressOf(r.kind, r.key)));
        if (hits.length === 0) continue;
        const i = drafts.findIndex((s) => s.kind === kind && s.id === d.key);
        const existing = drafts[i];
        if (existing && existing.action !== 'update') continue;
        const targets = [...new Set(hits.map((r) => addressOf(r.kind, r.key)))].sort(compareStrings);
        const note = `writes the new id of ${targets.join(', ')}, which ${targets.length === 1 ? 'is' : 'are'} replaced`;
        const forcing = hits.find((r) => isUnderAny(segmentsOf(r.path), spec.replaceOn));
        const c = compared.get(address) ?? compareResource(spec, d, l, options);
        if (forcing) {
          const reason = `${forcing.path} refers to ${addressOf(forcing.kind, forcing.key)}, which this plan replaces (new id)${spec.replaceReason ? `: ${spec.replaceReason}` : ''}`;
          const replace = replaceDraft(spec, d, l, c, reason, [...(existing?.notes ?? []), note]);
          if (existing) drafts[i] = replace;
          else drafts.push(replace);
        } else if (existing) {
          drafts[i] = { ...existing, notes: [...existing.notes, note] };
        } else {
          drafts.push(updateDraft(d, l, c, [note]));
        }
        unchanged.delete(address);
      }
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

/** Prune may delete at most a fraction of a kind's live resources unless mass deletes are allowed. */
function guardMassDelete(steps: readonly PlanStep[], live: LiveState, kinds: readonly ResourceKind[], options: PlanOptions, issues: Issue[]): void {
  if (options.allowMassDelete) return;
  const threshold = options.massDeleteThreshold ?? 0.2;
  for (const kind of kinds) {
    const total = (live[kind] ?? []).filter((l) => !l.isBuiltIn).length;
    const deletes = steps.filter((s) => s.kind === kind && s.action === 'delete').length;
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

/** A declared reference to a resource that prune deletes would point at nothing after apply. */
function checkDeletedReferences(steps: readonly PlanStep[], desired: DesiredState, options: PlanOptions, isIgnored: (kind: ResourceKind, key: string) => boolean, issues: Issue[]): void {
  const deleted = new Set(steps.filter((s) => s.action === 'delete').map((s) => addressOf(s.kind, s.id) as string));
  if (deleted.size === 0) return;
  for (const kind of RESOURCE_KINDS) {
    const spec = options.specs[kind] as KindSpec;
    for (const d of desired[kind]) {
      if (isIgnored(kind, d.key)) continue;
      for (const ref of spec.references(d.attrs)) {
        if (!deleted.has(addressOf(ref.kind, ref.key))) continue;
        issues.push({
          severity: 'error',
          code: 'reference_unresolved',
          path: ref.path,
          message: `${spec.singular} "${d.key}" refers to ${ref.kind} "${ref.key}", which the files do not declare, so prune deletes it; declare it, protect it, or remove the reference.`,
          ...(d.origin ? { position: d.origin } : {}),
        });
      }
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
  return { ...s, risk, notes };
}

function finishStep(
  s: Draft,
  options: PlanOptions,
  liveIndex: ByAddress<LiveResource>,
  replacedOrCreated: ReadonlySet<string>,
): PlanStep {
  const spec = options.specs[s.kind] as KindSpec;
  const wave = waveOf(s.kind, s.action);
  const { origin: _origin, ...rest } = s;
  if (s.action === 'delete') return { ...(rest as PlanStep), wave, dependsOn: [] };
  const after = s.after;
  const refs: ResolvedRef[] = spec.references(after).map((r) => {
    const address = addressOf(r.kind, r.key);
    const l = liveIndex.get(r.kind, r.key);
    return { ...r, remoteId: l && !replacedOrCreated.has(address) ? l.remoteId : null };
  });
  // Only steps of this plan can be waited for: a reference to something that exists and stays is resolved.
  const dependsOn = [...new Set(refs.map((r) => addressOf(r.kind, r.key)).filter((a) => replacedOrCreated.has(a) && a !== addressOf(s.kind, s.id)))].sort(compareStrings);
  return { ...rest, refs, wave, dependsOn } as unknown as PlanStep;
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

/** A policy can meet the same step twice (protect runs before and after the re-point pass). */
function uniqueWarnings(warnings: readonly PlanWarning[]): PlanWarning[] {
  const seen = new Map<string, PlanWarning>();
  for (const w of warnings) seen.set(`${w.code}\u0000${w.address ?? ''}\u0000${w.message}`, w);
  return [...seen.values()];
}
