/**
 * Joins the pure planner and the edges (style guide: A1's `get-*-plan`): desired state from the loaded
 * files, live state from the client, then `planChanges`. Used by plan, drift, apply and the benchmark.
 */
import type { ApiClient, ProgressEvent } from '../client/types.js';
import { ConfigError, type Issue, type SourcePosition } from '../errors.js';
import type { JsonObject } from '../core/json.js';
import { planChanges, type PlanOptions, type PlanOutcome } from '../core/plan-changes.js';
import { buildDesiredState, buildLiveState } from '../core/state.js';
import { RESOURCE_KINDS, type LiveState, type ResourceKind, type UnmanagedLive } from '../core/types.js';
import type { LiveIndex } from '../apply/apply-plan.js';
import { OPS, SPECS } from '../kinds/registry.js';
import { addAdoptionSteps, applyAdoptions, findAdoptions } from '../export/adopt.js';
import { fingerprintSecret, hashText } from './hashing.js';
import { indexLive, kindsToRead, readLive, type LiveDtos } from './read-live.js';
import { whileReading, type MadeWhileReading } from './while-reading.js';

export interface PlanInput {
  readonly organizationId: string;
  readonly resources: { readonly [K in ResourceKind]: readonly { readonly written: JsonObject; readonly origin?: SourcePosition }[] };
  readonly settings: { readonly prune: boolean; readonly protect: readonly string[]; readonly ignore: Partial<Record<ResourceKind, readonly string[]>> };
  /** `--prune` (or settings.prune). */
  readonly prune: boolean;
  readonly targets?: readonly string[];
  readonly allowMassDelete?: boolean;
  readonly forceReplace?: readonly string[];
  readonly salt: string;
  /** Whether the token can read API keys (false for API-key tokens: an API key can never view keys). */
  readonly canReadApiKeys?: boolean;
}

export interface PlanContext {
  readonly outcome: PlanOutcome;
  readonly dtos: LiveDtos;
  readonly live: LiveState;
  readonly liveIndex: LiveIndex;
  readonly unmanaged: readonly UnmanagedLive[];
  readonly managedKinds: readonly ResourceKind[];
}

/**
 * The kinds a configuration manages: those with at least one resource declared. A kind whose list is
 * empty or absent is never read for deletes, so an emptied list can never plan "delete everything".
 */
export function managedKindsOf(input: Pick<PlanInput, 'resources' | 'targets'>): ResourceKind[] {
  const declared = RESOURCE_KINDS.filter((k) => input.resources[k].length > 0);
  if (!input.targets || input.targets.length === 0) return declared;
  const targeted = new Set(input.targets.map((t) => t.split('/')[0]));
  return declared.filter((k) => targeted.has(k));
}

/** Reads what the plan needs and plans. Throws ConfigError for input problems found against live. */
export async function getPlan(client: ApiClient, input: PlanInput, onProgress?: (e: ProgressEvent) => void): Promise<PlanContext> {
  const managedKinds = managedKindsOf(input);
  const toRead = kindsToRead(managedKinds, { canReadApiKeys: input.canReadApiKeys ?? true });
  const options: PlanOptions = {
    specs: SPECS,
    organizationId: input.organizationId,
    kinds: managedKinds,
    prune: input.prune,
    protect: input.settings.protect,
    ignore: input.settings.ignore,
    ...(input.targets ? { targets: input.targets } : {}),
    ...(input.allowMassDelete ? { allowMassDelete: true } : {}),
    ...(input.forceReplace ? { forceReplace: input.forceReplace } : {}),
    salt: input.salt,
    hash: hashText,
    fingerprint: fingerprintSecret,
  };
  // The desired state, its fingerprint, each kind's live state and its comparisons are made while the
  // rest is read.
  const early = whileReading(input, managedKinds, toRead, options);
  let read: LiveDtos;
  try {
    read = await readLive(client, OPS, toRead, onProgress, early.read);
  } finally {
    early.stop();
  }
  const { desired, adoptions, dtos, built, planned } = early.finish(read) ?? afterReading(input, managedKinds, read, options);
  const { live, unmanaged } = built;
  const outcome = adoptions ? addAdoptionSteps(planned, adoptions, desired, live, options) : planned;
  const errors: Issue[] = outcome.issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new ConfigError(outcome.issues, `The plan cannot be made: ${errors.length} problem${errors.length === 1 ? '' : 's'} in the configuration against the organization.`);
  return { outcome, dtos, live, liveIndex: indexLive(dtos, live, SPECS), unmanaged, managedKinds };
}

/** Everything after the reads, one step after the other: what `whileReading` does, when it could not. */
function afterReading(input: PlanInput, managedKinds: readonly ResourceKind[], read: LiveDtos, options: PlanOptions): MadeWhileReading {
  const desired = buildDesiredState(input.resources, SPECS);
  // Declared API keys without a live key of their name may adopt an unmarked key made by hand (issue 7).
  const adoptions = managedKinds.includes('apiKeys') ? findAdoptions(desired, read, SPECS, hashText) : undefined;
  const dtos = adoptions ? applyAdoptions(read, adoptions.adoptions) : read;
  const built = buildLiveState(dtos, SPECS, hashText);
  return { desired, adoptions, dtos, built, planned: planChanges(desired, built.live, options) };
}
