/**
 * The part of a plan that can be made while the organization is still being read (issue 9): the desired
 * state and its fingerprint need only the files, each kind's live state only that kind and the kinds it
 * names, and each kind's comparisons only its live state and that of the kinds it refers to (schedules,
 * read last and by far the longest, are named by nobody). The pure steps run here in slices between the
 * answers, so what is left after the last answer is the schedules and the end of the planner.
 *
 * Nothing here changes a result: the same pure functions run on the same data, only earlier. When any of
 * them fails, or the reads did not give what was expected, `finish` gives up and the caller makes
 * everything after the reads, in the usual order, where it meets the same error.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { configBasisPieces, createPlanner, type PlanOptions, type PlanOutcome, type Planner } from '../core/plan-changes.js';
import { desiredResources, liveStateBuilder, type BuiltLiveState, type LiveStateBuilder } from '../core/state.js';
import { RESOURCE_KINDS, type DesiredResource, type DesiredState, type ResourceKind } from '../core/types.js';
import { SPECS } from '../kinds/registry.js';
import { applyAdoptions, findAdoptions, type AdoptionResult } from '../export/adopt.js';
import { hashText, textHasher } from './hashing.js';
import type { LiveDtos } from './read-live.js';
import type { PlanInput } from './get-plan.js';

/** Slice sizes: each takes a few milliseconds, so the answers that come meanwhile wait little. */
const DESIRED_SLICE = 1000;
const LIVE_SLICE = 200;
const BASIS_SLICE = 200;
const PLAN_SLICE = 300;

/** The kinds `findAdoptions` reads (it needs no schedules). */
const ADOPTION_READS: readonly ResourceKind[] = ['sources', 'groups', 'apiKeys'];

export interface MadeWhileReading {
  readonly desired: DesiredState;
  readonly adoptions: AdoptionResult | undefined;
  readonly dtos: LiveDtos;
  readonly built: BuiltLiveState;
  /** `planChanges(desired, built.live, options)` (before the adoption steps). */
  readonly planned: PlanOutcome;
}

export interface WhileReading {
  /** For `readLive`'s `onRead`: a kind's list was read. */
  readonly read: (kind: ResourceKind, list: readonly unknown[]) => void;
  /** Stops the work between answers (the reads are over, or failed). */
  stop(): void;
  /** After the reads: the rest of the work, done now; undefined when the caller must do it all itself. */
  finish(read: LiveDtos): MadeWhileReading | undefined;
}

export function whileReading(input: Pick<PlanInput, 'resources'>, managedKinds: readonly ResourceKind[], toRead: readonly ResourceKind[], options: PlanOptions): WhileReading {
  const adopting = managedKinds.includes('apiKeys');
  const partial: Partial<Record<ResourceKind, readonly unknown[]>> = {};
  const builder: LiveStateBuilder = liveStateBuilder(toRead, SPECS, hashText);

  // Desired state, kind by kind and slice by slice.
  const desiredLists = {} as Record<ResourceKind, DesiredResource[]>;
  let desiredKind = 0;
  let desiredAt = 0;
  let desired: DesiredState | undefined;
  const desiredSlice = (): void => {
    const kind = RESOURCE_KINDS[desiredKind] as ResourceKind;
    const written = input.resources[kind] ?? [];
    const list = (desiredLists[kind] ??= []);
    for (const d of desiredResources(kind, written.slice(desiredAt, desiredAt + DESIRED_SLICE), SPECS)) list.push(d);
    desiredAt += DESIRED_SLICE;
    if (desiredAt >= written.length) {
      desiredKind++;
      desiredAt = 0;
      if (desiredKind === RESOURCE_KINDS.length) desired = desiredLists;
    }
  };

  let adoptions: AdoptionResult | undefined;
  /** The API key DTOs with the adopted keys marked, made once for the live state and the plan's DTOs. */
  let adoptedApiKeys: readonly unknown[] | undefined;
  let adopted = !adopting;
  const canAdopt = (): boolean => !adopted && desired !== undefined && ADOPTION_READS.every((k) => !toRead.includes(k) || partial[k] !== undefined);
  const adopt = (d: DesiredState): void => {
    const reads: Partial<Record<ResourceKind, readonly unknown[]>> = {};
    for (const k of ADOPTION_READS) if (partial[k] !== undefined) reads[k] = partial[k];
    adoptions = findAdoptions(d, reads, SPECS, hashText);
    adopted = true;
    if (partial.apiKeys === undefined) return;
    adoptedApiKeys = applyAdoptions(reads, adoptions.adoptions).apiKeys ?? [];
    add('apiKeys', adoptedApiKeys);
  };

  let liveToDo = false;
  const add = (kind: ResourceKind, list: readonly unknown[]): void => {
    builder.add(kind, list);
    liveToDo = true;
  };

  // The configuration fingerprint, a few resources at a time once the desired state is known.
  let pieces: Iterator<string, void> | undefined;
  const hasher = textHasher();
  let configFingerprint: string | undefined;
  const basisSlice = (d: DesiredState, size: number): void => {
    pieces ??= configBasisPieces(d, managedKinds)[Symbol.iterator]();
    let text = '';
    for (let n = 0; n < size; n++) {
      const next = pieces.next();
      if (next.done === true) {
        hasher.update(text);
        configFingerprint = hasher.digest();
        return;
      }
      text += next.value;
    }
    hasher.update(text);
  };

  // Each kind's comparisons, once its live state and that of the kinds it refers to are made.
  let planner: Planner | undefined;
  const planned = new Set<ResourceKind>();
  let planToDo = false;
  const feedPlanner = (p: Planner): boolean => {
    let fed = false;
    for (const kind of toRead) {
      if (planned.has(kind)) continue;
      const list = builder.liveOf(kind);
      if (list === undefined) continue;
      p.addLive(kind, list);
      planned.add(kind);
      fed = true;
    }
    return fed;
  };

  /** One slice of whatever can be done now; false when nothing can until another kind is read. */
  const step = (finishing: boolean): boolean => {
    if (desired === undefined) {
      desiredSlice();
      return true;
    }
    if (canAdopt()) {
      adopt(desired);
      return true;
    }
    if (liveToDo) {
      liveToDo = builder.advance(finishing ? Infinity : LIVE_SLICE);
      return true;
    }
    planner ??= createPlanner(desired, toRead, options);
    if (feedPlanner(planner)) {
      planToDo = true;
      if (!finishing) return true;
    }
    if (planToDo) {
      planToDo = planner.advance(finishing ? Infinity : PLAN_SLICE);
      return true;
    }
    if (configFingerprint === undefined) {
      basisSlice(desired, finishing ? Infinity : BASIS_SLICE);
      return true;
    }
    return false;
  };

  let failed = false;
  let stopped = false;
  let running = false;
  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      // Let the requests just started go out before the first slice.
      await nextTurn();
      while (!stopped && !failed && step(false)) await nextTurn();
    } catch {
      failed = true;
    } finally {
      running = false;
    }
  };
  void pump();

  return {
    read: (kind, list) => {
      if (failed || stopped) return;
      partial[kind] = list;
      try {
        if (!(adopting && kind === 'apiKeys')) add(kind, list);
      } catch {
        failed = true;
        return;
      }
      void pump();
    },
    stop() {
      stopped = true;
    },
    finish(read) {
      stopped = true;
      if (failed) return undefined;
      // Exactly the lists this work was given, and no other.
      const kinds = Object.keys(read) as ResourceKind[];
      if (kinds.length !== toRead.length || !toRead.every((k) => read[k] !== undefined && read[k] === partial[k])) return undefined;
      try {
        while (step(true));
        if (desired === undefined || configFingerprint === undefined || planner === undefined) return undefined;
        const built = builder.finish();
        return {
          desired,
          adoptions: adopting ? adoptions : undefined,
          dtos: adopting && adoptedApiKeys !== undefined && adoptedApiKeys !== read.apiKeys ? { ...read, apiKeys: adoptedApiKeys } : read,
          built,
          planned: planner.finish(configFingerprint),
        };
      } catch {
        return undefined;
      }
    },
  };
}
