/**
 * Building the two sides the planner compares: desired state from the loaded files, live state from the
 * DTOs the client read. Pure: the hash function comes in as an argument.
 */
import type { SourcePosition } from '../errors.js';
import { stableStringify, type JsonObject } from './json.js';
import type { LiveContext, NormalizedLive } from './kind-spec.js';
import type { SpecTable } from './plan-changes.js';
import {
  RESOURCE_KINDS,
  type DesiredResource,
  type DesiredState,
  type LiveResource,
  type LiveState,
  type ResourceKey,
  type ResourceKind,
  type UnmanagedLive,
} from './types.js';

export interface WrittenResource {
  readonly written: JsonObject;
  readonly origin?: SourcePosition;
}

/** Normalises every written resource through its kind's spec. */
export function buildDesiredState(written: { readonly [K in ResourceKind]?: readonly WrittenResource[] }, specs: SpecTable): DesiredState {
  const out = {} as Record<ResourceKind, DesiredResource[]>;
  for (const kind of RESOURCE_KINDS) out[kind] = desiredResources(kind, written[kind] ?? [], specs);
  return out;
}

/**
 * The desired resources of one kind, in the order written: `buildDesiredState` of one kind. Each resource
 * is normalised on its own, so a list may be done in slices and the slices joined.
 */
export function desiredResources(kind: ResourceKind, written: readonly WrittenResource[], specs: SpecTable): DesiredResource[] {
  const spec = specs[kind];
  return written.map((r) => ({
    kind,
    key: spec.keyOfWritten(r.written),
    attrs: spec.normalizeDesired(r.written),
    ...(r.origin ? { origin: r.origin } : {}),
  }));
}

export interface BuiltLiveState {
  readonly live: LiveState;
  readonly unmanaged: readonly UnmanagedLive[];
}

/**
 * Normalises the DTOs read for each kind. Ids inside live objects (privilege targets, schedules' source,
 * `groupsThatCanEdit`) are turned back into identities through an index of every kind that was read.
 */
export function buildLiveState(dtos: { readonly [K in ResourceKind]?: readonly unknown[] }, specs: SpecTable, hash: (text: string) => string): BuiltLiveState {
  const kinds = RESOURCE_KINDS.filter((k) => dtos[k] !== undefined);
  const builder = liveStateBuilder(kinds, specs, hash);
  for (const kind of kinds) builder.add(kind, dtos[kind] ?? []);
  return builder.finish();
}

/**
 * `buildLiveState` one kind at a time, for a caller that reads kinds one after the other (plan builds the
 * live state of what was read while the rest is still being read). `add` each of the `kinds` once, in any
 * order; `advance` does some of the work that the kinds added so far allow; `finish` does the rest once
 * every kind was added. The result is the same as `buildLiveState`'s, whatever the order and the budgets.
 */
export interface LiveStateBuilder {
  add(kind: ResourceKind, dtos: readonly unknown[]): void;
  /**
   * Normalises about `budget` DTOs (at least one when any can be) and returns whether more can be done
   * before another kind is added.
   */
  advance(budget: number): boolean;
  /** A kind's live resources once they are final (as `finish` gives them), else undefined. */
  liveOf(kind: ResourceKind): readonly LiveResource[] | undefined;
  finish(): BuiltLiveState;
}

/** How far one kind is: `first` = normalisations of pass 1 done (in list order), `second` = of pass 2. */
interface KindProgress {
  readonly kind: ResourceKind;
  readonly dtos: readonly unknown[];
  /** remote id → key of its managed objects, filled by pass 1. */
  readonly ids: Map<string, ResourceKey>;
  /** Pass 1 results that are final (every identity they got was final), else undefined until pass 2 makes them. */
  readonly results: (NormalizedLive | undefined)[];
  readonly etags: (string | undefined)[];
  /** Indexes of the objects whose normalisation got an identity that may change, redone in pass 2. */
  readonly again: number[];
  /** Kinds pass 1 asked about: pass 2 is tried once their pass 1 is done. */
  readonly asked: Set<ResourceKind>;
  first: number;
  second: number;
}

const KIND_ORDER = Object.fromEntries(RESOURCE_KINDS.map((k, i) => [k, i])) as Record<ResourceKind, number>;

/**
 * The two passes of `buildLiveState`, kind by kind. Pass 1 of a kind sees what the all-at-once build sees
 * at that point: the kinds before it in RESOURCE_KINDS order (complete) and its own objects before the one
 * normalised; a kind after it reads as unknown. Pass 2 sees every kind. When a normalisation asks about a
 * kind it must see but that is not complete yet, its result is thrown away and it is made again later (it
 * is pure): the kind waits there. Pass 1 of a kind can so run before that of an earlier kind it never asks
 * about (groups and API keys before schedules).
 */
export function liveStateBuilder(kinds: readonly ResourceKind[], specs: SpecTable, hash: (text: string) => string): LiveStateBuilder {
  const expected = RESOURCE_KINDS.filter((k) => kinds.includes(k));
  const progress = new Map<ResourceKind, KindProgress>();
  const isComplete = (k: ResourceKind): boolean => {
    const p = progress.get(k);
    return p !== undefined && p.first === p.dtos.length;
  };
  const expectedSet = new Set(expected);
  const isExpected = (k: ResourceKind): boolean => expectedSet.has(k);

  // The normalisation running now: its kind, which pass, whether an answer it got may still change (its
  // own kind or a later one: pass 2 makes it again, as the all-at-once build does for any that asks),
  // and whether it asked about a kind it may not see yet (then its result is discarded). An answer from
  // a complete kind is final, so a normalisation that got only such answers is final after pass 1: pass
  // 2 would ask the same, get the same and make the same (specs are pure).
  let current: KindProgress | undefined;
  let inPass1 = false;
  let provisional = false;
  let blocked = false;
  const ctx: LiveContext = {
    keyOf: (kind, id) => {
      if (inPass1 && current) {
        current.asked.add(kind);
        if (kind === current.kind) provisional = true;
        else if (KIND_ORDER[kind] > KIND_ORDER[current.kind]) {
          provisional = true;
          return undefined;
        } else if (isExpected(kind) && !isComplete(kind)) blocked = true;
      } else if (isExpected(kind) && !isComplete(kind)) {
        blocked = true;
      }
      return blocked ? undefined : progress.get(kind)?.ids.get(id);
    },
  };
  const normalize = (p: KindProgress, i: number, pass1: boolean): NormalizedLive | undefined => {
    current = p;
    inPass1 = pass1;
    provisional = false;
    blocked = false;
    const n = specs[p.kind].normalizeLive(p.dtos[i], ctx);
    current = undefined;
    return blocked ? undefined : n;
  };
  const settle = (p: KindProgress, i: number, n: NormalizedLive): void => {
    p.results[i] = n;
    if (n.managed) p.etags[i] = hash(stableStringify(p.dtos[i]));
  };

  /** Does up to `budget` normalisations of one kind; returns how many (0 when it cannot go on now). */
  const step = (p: KindProgress, budget: number): number => {
    let done = 0;
    while (done < budget && p.first < p.dtos.length) {
      const i = p.first;
      const n = normalize(p, i, true);
      done++;
      if (n === undefined) return done - 1;
      if (n.managed) p.ids.set(n.remoteId, n.key);
      if (provisional) p.again.push(i);
      else settle(p, i, n);
      p.first++;
    }
    if (p.first < p.dtos.length) return done;
    if (p.second < p.again.length && ![...p.asked].every((k) => !isExpected(k) || isComplete(k))) return done;
    while (done < budget && p.second < p.again.length) {
      const i = p.again[p.second] as number;
      const n = normalize(p, i, false);
      done++;
      if (n === undefined) return done - 1;
      settle(p, i, n);
      p.second++;
    }
    return done;
  };
  const isFinal = (p: KindProgress): boolean => p.first === p.dtos.length && p.second === p.again.length;

  const advance = (budget: number): boolean => {
    let left = Math.max(1, budget);
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const kind of expected) {
        const p = progress.get(kind);
        if (!p || isFinal(p)) continue;
        const done = step(p, left);
        if (done > 0) progressed = true;
        left -= done;
        if (left <= 0) return expected.some((k) => { const q = progress.get(k); return q !== undefined && !isFinal(q); });
      }
    }
    return false;
  };

  const made = new Map<ResourceKind, readonly LiveResource[]>();
  const liveOf = (p: KindProgress): readonly LiveResource[] => {
    let out = made.get(p.kind);
    if (out) return out;
    if (!isFinal(p)) throw new Error(`liveStateBuilder: ${p.kind} is not done`);
    const list: LiveResource[] = [];
    p.results.forEach((n, i) => {
      if (n === undefined) throw new Error(`liveStateBuilder: ${p.kind} ${i} not normalised`);
      if (!n.managed) return;
      const { managed: _m, ...rest } = n;
      list.push({ kind: p.kind, ...rest, etag: p.etags[i] as string });
    });
    made.set(p.kind, (out = list));
    return out;
  };

  return {
    liveOf(kind) {
      const p = progress.get(kind);
      return p && isFinal(p) ? liveOf(p) : undefined;
    },
    add(kind, dtos) {
      if (!isExpected(kind) || progress.has(kind)) throw new Error(`liveStateBuilder: ${kind} is not expected or was added twice`);
      progress.set(kind, { kind, dtos, ids: new Map(), results: new Array<NormalizedLive | undefined>(dtos.length), etags: new Array<string | undefined>(dtos.length), again: [], asked: new Set(), first: 0, second: 0 });
    },
    advance,
    finish() {
      const missing = expected.filter((k) => !progress.has(k));
      if (missing.length > 0) throw new Error(`liveStateBuilder: ${missing.join(', ')} not added`);
      advance(Infinity);
      const live: Partial<Record<ResourceKind, readonly LiveResource[]>> = {};
      const unmanaged: UnmanagedLive[] = [];
      for (const kind of expected) {
        const p = progress.get(kind) as KindProgress;
        live[kind] = liveOf(p);
        p.results.forEach((n) => {
          if (n !== undefined && !n.managed) unmanaged.push({ kind, remoteId: n.remoteId, label: n.label, reason: n.reason });
        });
      }
      return { live, unmanaged };
    },
  };
}
