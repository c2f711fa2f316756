/**
 * Drift: the plan read the other way round, as "what changed in Coveo outside the files" (design §3,
 * issue 5). Built once from the plan and the live state, then laid out by the text, markdown and JSON
 * renderers.
 */
import { compareStrings } from '../core/json.js';
import {
  RESOURCE_KINDS,
  addressOf,
  type CreateStep,
  type LiveState,
  type Plan,
  type RemoteId,
  type ReplaceStep,
  type ResourceKey,
  type ResourceKind,
  type UnmanagedLive,
  type UpdateStep,
} from '../core/types.js';

/** A status Coveo reports on a live resource that needs someone's attention (an expired API key, …). */
export interface StatusProblem {
  readonly kind: ResourceKind;
  readonly id: ResourceKey;
  readonly remoteId: RemoteId;
  /** Coveo's status, e.g. `EXPIRED`, `DISABLED_EXPOSED`. */
  readonly status: string;
  /** What it means and what to do. */
  readonly message: string;
}

/** What the drift renderers need beside the plan; the CLI passes what it read. */
export interface DriftInput {
  /** Live state as read: resources carrying a `status` become status problems. */
  readonly live?: LiveState;
  /** Live objects of managed kinds the tool never touches (API keys without the marker). */
  readonly unmanaged?: readonly UnmanagedLive[];
}

export interface DriftReport {
  readonly organizationId: string;
  /** Resources whose live attributes differ from the files. */
  readonly changed: readonly (UpdateStep | ReplaceStep)[];
  /** Resources the files declare that Coveo does not have. */
  readonly missing: readonly CreateStep[];
  /** Live resources of the managed kinds the files do not declare. */
  readonly undeclared: Plan['undeclared'];
  /** Addresses among `undeclared` that this plan deletes (prune is on). */
  readonly pruned: ReadonlySet<string>;
  readonly statusProblems: readonly StatusProblem[];
  readonly unmanaged: readonly UnmanagedLive[];
  readonly warnings: Plan['warnings'];
  /** Whether anything differs (the `drift` command exits 2 when it does). */
  readonly hasDrift: boolean;
}

const STATUS_MESSAGES: Readonly<Record<string, string>> = {
  EXPIRED: 'the key has expired and every request made with it fails; replace it and update what uses it',
  SOON_TO_BE_EXPIRED: 'the key expires soon; plan its replacement before requests start failing',
  DISABLED: 'the key is disabled in Coveo, so requests made with it fail; enable it or remove it from the files',
  DISABLED_FOR_INACTIVITY: 'Coveo disabled the key because it was not used; enable it or remove it from the files',
  SOON_TO_BE_DISABLED: 'Coveo will soon disable the key for inactivity',
  DISABLED_EXPOSED: 'Coveo disabled the key because its value was exposed publicly; replace it and rotate the value wherever it is used',
};

/** The meaning of a status Coveo reports, for people. */
export function describeStatus(status: string): string {
  return STATUS_MESSAGES[status] ?? `Coveo reports the status ${status}`;
}

/** Every live resource that carries a status, in kind then identity order. */
export function collectStatusProblems(live: LiveState | undefined): StatusProblem[] {
  const out: StatusProblem[] = [];
  if (!live) return out;
  for (const kind of RESOURCE_KINDS) {
    const of = [...(live[kind] ?? [])].filter((l) => l.status !== undefined).sort((a, b) => compareStrings(a.key, b.key));
    for (const l of of) out.push({ kind, id: l.key, remoteId: l.remoteId, status: l.status ?? '', message: describeStatus(l.status ?? '') });
  }
  return out;
}

/** Reads a plan as drift. */
export function collectDrift(plan: Plan, input: DriftInput = {}): DriftReport {
  const changed: (UpdateStep | ReplaceStep)[] = [];
  const missing: CreateStep[] = [];
  const pruned = new Set<string>();
  for (const s of plan.steps) {
    if (s.action === 'update' || s.action === 'replace') changed.push(s);
    else if (s.action === 'create') missing.push(s);
    else pruned.add(addressOf(s.kind, s.id));
  }
  const statusProblems = collectStatusProblems(input.live);
  const unmanaged = [...(input.unmanaged ?? [])].sort(
    (a, b) => RESOURCE_KINDS.indexOf(a.kind) - RESOURCE_KINDS.indexOf(b.kind) || compareStrings(a.label, b.label) || compareStrings(a.remoteId, b.remoteId),
  );
  return {
    organizationId: plan.basis.organizationId,
    changed,
    missing,
    undeclared: plan.undeclared,
    pruned,
    statusProblems,
    unmanaged,
    warnings: plan.warnings,
    hasDrift: plan.steps.length > 0 || plan.undeclared.length > 0 || statusProblems.length > 0,
  };
}

/** `Drift: 2 changed, 1 missing, 3 not in the files, 1 status problem.` */
export function driftSummaryLine(d: DriftReport): string {
  if (!d.hasDrift) return 'No drift. The organization matches the configuration.';
  const n = d.statusProblems.length;
  return `Drift: ${d.changed.length} changed, ${d.missing.length} missing, ${d.undeclared.length} not in the files, ${n} status problem${n === 1 ? '' : 's'}.`;
}
