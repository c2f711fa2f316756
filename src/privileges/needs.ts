/**
 * The privileges a run needs, with what only the edge knows: which existing sources a field or security
 * provider change touches (from the live source DTOs, through the kinds' own `touchedSources`), and the
 * live ids of resources by identity.
 */
import type { LiveIndex } from '../apply/apply-plan.js';
import type { ApiClient } from '../client/types.js';
import { callsOfRun, type AfterApplyMode, type RouteCall } from '../core/privileges/required.js';
import { KIND_SINGULAR, type PlanStep, type ResourceKind } from '../core/types.js';
import type { ApplyContext } from '../kinds/ops-types.js';
import { OPS } from '../kinds/registry.js';

export interface RunShape {
  /** Kinds the run reads. */
  readonly kinds?: readonly ResourceKind[];
  /** Steps the run writes. */
  readonly steps?: readonly PlanStep[];
  /** What the live org looks like (for touched sources and ids); without it those are counted as unknown. */
  readonly live?: LiveIndex;
  readonly afterApply?: AfterApplyMode;
  /** Calls besides reading and writing (verify). */
  readonly extraCalls?: readonly RouteCall[];
}

const stringOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A read-only apply context over the live index: enough for `touchedSources`, refuses anything else. */
function readOnlyContext(live: LiveIndex): ApplyContext {
  const refuse = (): never => {
    throw new Error('the privilege preflight only reads');
  };
  return {
    client: { organizationId: '', baseUrl: '', request: refuse, listAll: refuse } satisfies ApiClient,
    idOf: (kind, key) => live.idOf(kind, key),
    defer: () => undefined,
    liveDto: (kind, id) => live.dto(kind, id),
    liveDtos: (kind) => live.dtos(kind),
    fingerprint: refuse,
    matchesFingerprint: refuse,
    replacedKeys: 'delete',
  };
}

/** Existing sources that field and security provider steps touch, named. */
export function touchedSourcesOf(steps: readonly PlanStep[], live: LiveIndex): { id: string; name: string; why: string }[] {
  const ctx = readOnlyContext(live);
  const names = new Map(live.dtos('sources').map((d) => [stringOf(d['id']) ?? '', stringOf(d['name']) ?? stringOf(d['id']) ?? '']));
  const out: { id: string; name: string; why: string }[] = [];
  for (const step of steps) {
    if (step.kind === 'sources') continue; // counted by the pure rules, created ones included
    for (const id of OPS[step.kind].touchedSources?.(step, ctx) ?? []) {
      out.push({ id, name: names.get(id) ?? id, why: `${step.action} of ${KIND_SINGULAR[step.kind]} "${step.id}"` });
    }
  }
  return out;
}

/**
 * A field replace takes its mappings off the sources that map it and puts them back once the field exists
 * again (kinds/fields/replace.ts): a read and two writes of each such source.
 */
export function fieldReplaceCallsOf(steps: readonly PlanStep[], live: LiveIndex): RouteCall[] {
  const replaced = steps.filter((s) => s.kind === 'fields' && s.action === 'replace');
  if (replaced.length === 0) return [];
  const ctx = readOnlyContext(live);
  const names = new Map(live.dtos('sources').map((d) => [stringOf(d['id']) ?? '', stringOf(d['name']) ?? stringOf(d['id']) ?? '']));
  return replaced.flatMap((step) =>
    (OPS.fields.touchedSources?.(step, ctx) ?? []).flatMap((id): RouteCall[] => {
      const target = { kind: 'sources' as const, key: names.get(id) ?? id, id };
      const why = `replace of field "${step.id}" (its mappings are set aside on source "${target.key}" meanwhile)`;
      return [
        { route: 'GET /sources/{sourceId}/raw', target, why },
        { route: 'PUT /sources/{sourceId}/raw', target, why },
      ];
    }),
  );
}

/** Every call of the run, for the privilege check. */
export function callsOf(shape: RunShape): RouteCall[] {
  const steps = shape.steps ?? [];
  const extraCalls = [...(shape.live ? fieldReplaceCallsOf(steps, shape.live) : []), ...(shape.extraCalls ?? [])];
  return callsOfRun({
    read: shape.kinds ?? [],
    steps,
    ...(shape.afterApply ? { afterApply: shape.afterApply } : {}),
    ...(shape.live ? { touchedSources: touchedSourcesOf(steps, shape.live), idOf: (kind: ResourceKind, key: string) => shape.live?.idOf(kind, key) } : {}),
    ...(extraCalls.length > 0 ? { extraCalls } : {}),
  });
}
