/**
 * The applier (design §5, style guide §7): runs a plan's steps wave by wave through the kinds' ops, with
 * bounded concurrency inside a wave and batch endpoints where a kind has them, writes references that
 * needed ids created later in a cross-references pass, then applies the changes of every touched source.
 * Expected failures do not throw: each step ends applied, failed or skipped, and the result says which.
 */
import type { ApiClient } from '../client/types.js';
import { isSyncError } from '../errors.js';
import type { JsonObject } from '../core/json.js';
import { addressOf, type CreateStep, type PlanStep, type RemoteId, type ResourceKind, type StoredFingerprint, type UpdateStep } from '../core/types.js';
import type { ApplyContext, CreateResult, KindOps } from '../kinds/ops-types.js';
import { addressOfStep, type ApplyEventSink } from './events.js';
import type { Journal } from './journal.js';
import { mapLimit } from './limit.js';
import type { SecretsSink } from './secrets-sink.js';

export type AfterApply = 'apply-changes' | 'rebuild' | 'none';

export interface LiveIndex {
  idOf(kind: ResourceKind, key: string): RemoteId | undefined;
  dto(kind: ResourceKind, remoteId: string): JsonObject | undefined;
  dtos(kind: ResourceKind): readonly JsonObject[];
}

export interface ApplyOptions {
  readonly ops: { readonly [K in ResourceKind]: KindOps };
  readonly client: ApiClient;
  readonly live: LiveIndex;
  readonly parallelism: number;
  readonly afterApply: AfterApply;
  readonly replacedKeys: 'delete' | 'disable';
  readonly events: ApplyEventSink;
  /** Required when the plan creates or replaces API keys (checked by the caller before any write). */
  readonly secrets?: SecretsSink;
  readonly journal?: Journal;
  readonly fingerprint: (value: string) => StoredFingerprint;
  readonly matchesFingerprint: (value: string, stored: StoredFingerprint) => boolean;
  readonly now: () => number;
}

export type StepStatus = 'applied' | 'failed' | 'skipped';

export interface StepResult {
  readonly address: string;
  readonly kind: ResourceKind;
  readonly id: string;
  readonly action: PlanStep['action'] | 'cross-references';
  readonly status: StepStatus;
  readonly remoteId?: string;
  readonly error?: string;
  readonly durationMs?: number;
}

export interface ApplyResult {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  readonly summary: { readonly added: number; readonly changed: number; readonly replaced: number; readonly destroyed: number; readonly failed: number; readonly skipped: number };
  /** Sources whose changes were applied (or rebuilt) at the end. */
  readonly afterApply: { readonly mode: AfterApply; readonly sources: readonly string[]; readonly retired: boolean };
  readonly warnings: readonly string[];
  /** API keys whose new value went to the secrets sink. */
  readonly secretsWritten: readonly string[];
}

/** Message of an error, safe to show (ApiError never holds the token). */
function messageOf(e: unknown): string {
  if (isSyncError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

export async function applyPlan(steps: readonly PlanStep[], options: ApplyOptions): Promise<ApplyResult> {
  const { ops, events } = options;
  const created = new Map<string, RemoteId>();
  const deferred = new Map<string, PlanStep>();
  const results = new Map<string, StepResult>();
  const touched = new Set<RemoteId>();
  const warnings: string[] = [];
  const secretsWritten: string[] = [];
  const failedOrSkipped = new Set<string>();
  let failedCount = 0;
  /** Addresses whose new API key value is already in the sink (a replace saves it before retiring the old key). */
  const secretSaved = new Set<string>();

  const ctxFor = (): ApplyContext => ({
    client: options.client,
    idOf: (kind, key) => created.get(addressOf(kind, key)) ?? (isRenewed(kind, key) ? undefined : options.live.idOf(kind, key)),
    defer: (kind, key) => {
      const s = byAddress.get(addressOf(kind, key));
      if (s) deferred.set(addressOf(kind, key), s);
    },
    liveDto: (kind, id) => options.live.dto(kind, id),
    liveDtos: (kind) => options.live.dtos(kind),
    fingerprint: options.fingerprint,
    matchesFingerprint: options.matchesFingerprint,
    replacedKeys: options.replacedKeys,
    created: (s, result) => {
      created.set(addressOfStep(s), result.remoteId);
      if (result.secretValue !== undefined) saveSecret(s, result);
    },
  });
  const byAddress = new Map(steps.map((s) => [addressOfStep(s) as string, s]));
  // A resource being created or replaced has no usable id until its step ran.
  const renewed = new Set(steps.filter((s) => s.action === 'create' || s.action === 'replace').map((s) => addressOfStep(s) as string));
  const isRenewed = (kind: ResourceKind, key: string): boolean => renewed.has(addressOf(kind, key));
  const ctx = ctxFor();

  const waves = groupWaves(steps);
  events({ type: 'plan:start', total: steps.length, waves });

  const record = (s: PlanStep, status: StepStatus, extra: Partial<StepResult> = {}): void => {
    const address = addressOfStep(s);
    const previous = results.get(address);
    if (previous?.status === 'failed') failedCount--;
    results.set(address, { address, kind: s.kind, id: s.id, action: s.action, status, ...extra });
    if (status === 'failed') failedCount++;
    if (status !== 'applied') failedOrSkipped.add(address);
  };

  type JournalRecord = Parameters<Journal['record']>[0];
  /** While set, journal entries are collected here and written together (see `journaled`). */
  let pending: JournalRecord[] | undefined;
  const journal = (entry: JournalRecord): void => {
    if (pending) pending.push(entry);
    else options.journal?.record(entry);
  };
  /**
   * Runs `fn` (synchronous, so no other step can interleave) and writes the journal entries it made in
   * one go: the steps of a batch request share one flush to disk instead of one each.
   */
  const journaled = (fn: () => void): void => {
    const outer = pending;
    pending = [];
    try {
      fn();
    } finally {
      const entries = pending;
      pending = outer;
      if (options.journal?.recordAll) options.journal.recordAll(entries);
      else for (const e of entries) options.journal?.record(e);
    }
  };

  const afterSuccess = (s: PlanStep, result: CreateResult | undefined, started: number): void => {
    const remoteId = result?.remoteId ?? ('remoteId' in s ? s.remoteId : undefined);
    if (result && (s.action === 'create' || s.action === 'replace')) created.set(addressOfStep(s), result.remoteId);
    for (const id of ops[s.kind].touchedSources?.(s, ctx, result?.remoteId) ?? []) touched.add(id);
    journal({ address: addressOfStep(s), action: s.action, phase: 'done', ...(remoteId ? { remoteId } : {}) });
    record(s, 'applied', { ...(remoteId ? { remoteId } : {}), durationMs: options.now() - started });
    events({ type: 'step:done', step: s, durationMs: options.now() - started });
  };

  const fail = (s: PlanStep, e: unknown): void => {
    const message = messageOf(e);
    journal({ address: addressOfStep(s), action: s.action, phase: 'failed', message });
    record(s, 'failed', { error: message });
    events({ type: 'step:failed', step: s, message });
  };

  const blockedBy = (s: PlanStep): string | undefined => {
    const dep = s.dependsOn.find((d) => failedOrSkipped.has(d));
    if (dep) return `depends on ${dep}, which did not apply`;
    // Never delete anything once something failed: the files and the org disagree in a way nobody reviewed.
    if (s.action === 'delete' && failedCount > 0) return 'an earlier step failed; deletes are not run after a failure';
    return undefined;
  };

  const runOne = async (s: PlanStep): Promise<void> => {
    const why = blockedBy(s);
    if (why) {
      record(s, 'skipped', { error: why });
      events({ type: 'step:skipped', step: s, reason: why });
      return;
    }
    const started = options.now();
    events({ type: 'step:start', step: s });
    options.journal?.record({ address: addressOfStep(s), action: s.action, phase: 'intent', ...('remoteId' in s ? { remoteId: s.remoteId } : {}) });
    try {
      const kindOps = ops[s.kind];
      let result: CreateResult | undefined;
      switch (s.action) {
        case 'create':
          result = await kindOps.create(s, ctx);
          break;
        case 'update':
          await kindOps.update(s, ctx);
          break;
        case 'replace':
          result = await kindOps.replace(s, ctx);
          break;
        case 'delete':
          await kindOps.delete(s, ctx);
          break;
      }
      if (result?.secretValue !== undefined && !secretSaved.has(addressOfStep(s))) saveSecret(s, result);
      afterSuccess(s, result, started);
    } catch (e) {
      fail(s, e);
    }
  };

  const saveSecret = (s: PlanStep, result: CreateResult): void => {
    if (!options.secrets || result.secretValue === undefined) throw new Error(`no secrets sink for the new API key ${s.id}`);
    options.secrets.write(s.id, result.remoteId, result.secretValue);
    secretSaved.add(addressOfStep(s));
    secretsWritten.push(s.id);
    options.journal?.record({ address: addressOfStep(s), action: s.action, phase: 'secret-saved', remoteId: result.remoteId });
  };

  const runBatch = async (kind: ResourceKind, action: 'create' | 'update' | 'delete', list: PlanStep[]): Promise<void> => {
    const batch = ops[kind].batch;
    if (!batch) return;
    const ready = list.filter((s) => {
      const why = blockedBy(s);
      if (!why) return true;
      record(s, 'skipped', { error: why });
      events({ type: 'step:skipped', step: s, reason: why });
      return false;
    });
    const size = action === 'delete' ? batch.deleteChunkSize : batch.chunkSize;
    const chunks: PlanStep[][] = [];
    for (let i = 0; i < ready.length; i += size) chunks.push(ready.slice(i, i + size));
    await mapLimit(chunks, options.parallelism, async (chunk) => {
      const started = options.now();
      // Every intent of the chunk is on disk before its request is sent.
      journaled(() => {
        for (const s of chunk) {
          events({ type: 'step:start', step: s });
          journal({ address: addressOfStep(s), action: s.action, phase: 'intent' });
        }
      });
      try {
        if (action === 'create') {
          const res = await batch.create(chunk as CreateStep[], ctx);
          journaled(() => chunk.forEach((s, i) => afterSuccess(s, res[i], started)));
        } else if (action === 'update') {
          await batch.update(chunk as UpdateStep[], ctx);
          journaled(() => chunk.forEach((s) => afterSuccess(s, undefined, started)));
        } else {
          await batch.delete(chunk as Extract<PlanStep, { action: 'delete' }>[], ctx);
          journaled(() => chunk.forEach((s) => afterSuccess(s, undefined, started)));
        }
      } catch (e) {
        journaled(() => chunk.forEach((s) => fail(s, e)));
      }
    });
  };

  for (const [index, wave] of waves.entries()) {
    events({ type: 'wave:start', wave: index, steps: wave });
    const singles: PlanStep[] = [];
    const batched = new Map<string, PlanStep[]>();
    for (const s of wave) {
      if (ops[s.kind].batch && s.action !== 'replace') {
        const k = `${s.kind}\u0000${s.action}`;
        const list = batched.get(k);
        if (list) list.push(s);
        else batched.set(k, [s]);
      } else singles.push(s);
    }
    await Promise.all([
      ...[...batched.entries()].map(([k, list]) => {
        const [kind, action] = k.split('\u0000') as [ResourceKind, 'create' | 'update' | 'delete'];
        return runBatch(kind, action, list);
      }),
      mapLimit(singles, options.parallelism, runOne),
    ]);
    events({ type: 'wave:done', wave: index });
  }

  // Cross-references: references to resources that did not exist when their holder was written.
  const fixups = [...deferred.values()].filter((s) => results.get(addressOfStep(s))?.status === 'applied');
  if (fixups.length > 0) {
    events({ type: 'phase:start', phase: 'cross-references', count: fixups.length });
    deferred.clear();
    await mapLimit(fixups, options.parallelism, async (s) => {
      const remoteId = created.get(addressOfStep(s)) ?? ('remoteId' in s ? s.remoteId : undefined);
      if (remoteId === undefined || s.action === 'delete') return;
      const fix: UpdateStep = { kind: s.kind, id: s.id, action: 'update', remoteId, before: {}, after: s.after, changes: [], patch: [], refs: s.refs, risk: s.risk, wave: s.wave, dependsOn: [], notes: [] };
      try {
        await ops[s.kind].update(fix, ctx);
      } catch (e) {
        const message = messageOf(e);
        results.set(`${addressOfStep(s)}#refs`, { address: addressOfStep(s), kind: s.kind, id: s.id, action: 'cross-references', status: 'failed', error: message });
        events({ type: 'step:failed', step: s, message: `cross-references: ${message}` });
      }
    });
  }

  // A source this apply deleted or replaced is gone under its old id: applying changes there would answer
  // 404 (read as a retired applyChanges). A replaced source gets them under its new id.
  const gone = new Set(steps.filter((s) => s.kind === 'sources' && (s.action === 'delete' || s.action === 'replace') && results.get(addressOfStep(s))?.status !== 'skipped').map((s) => ('remoteId' in s ? s.remoteId : undefined)));
  const after = await runAfterApply([...touched].filter((id) => !gone.has(id)).sort(), options, warnings);
  const all = [...results.values()];
  const count = (a: PlanStep['action']): number => all.filter((r) => r.action === a && r.status === 'applied').length;
  const failed = all.filter((r) => r.status === 'failed').length;
  const result: ApplyResult = {
    ok: failed === 0 && all.every((r) => r.status === 'applied'),
    steps: all,
    summary: { added: count('create'), changed: count('update'), replaced: count('replace'), destroyed: count('delete'), failed, skipped: all.filter((r) => r.status === 'skipped').length },
    afterApply: after,
    warnings,
    secretsWritten,
  };
  events({ type: 'plan:done', ok: result.ok });
  return result;
}

function groupWaves(steps: readonly PlanStep[]): PlanStep[][] {
  const byWave = new Map<number, PlanStep[]>();
  for (const s of steps) {
    const wave = byWave.get(s.wave);
    if (wave) wave.push(s);
    else byWave.set(s.wave, [s]);
  }
  return [...byWave.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

/**
 * `applyChanges` is deprecated by Coveo: when it answers 404/405/410 we warn once and carry on (design §5).
 * A 404 whose error code names a missing resource (not `INVALID_URI`, Coveo's answer for a path it does
 * not serve) is that one source deleted meanwhile: a warning for it, and the others go on.
 */
async function runAfterApply(sources: readonly RemoteId[], options: ApplyOptions, warnings: string[]): Promise<ApplyResult['afterApply']> {
  const mode = options.afterApply;
  if (mode === 'none' || sources.length === 0) return { mode, sources: [], retired: false };
  options.events({ type: 'phase:start', phase: 'after-apply', count: sources.length });
  let retired = false;
  const done: string[] = [];
  await mapLimit(sources, options.parallelism, async (id) => {
    if (retired) return;
    try {
      await options.client.request({ method: 'POST', path: `/sources/${encodeURIComponent(id)}/${mode === 'rebuild' ? 'rebuild' : 'applyChanges'}`, idempotent: true, label: 'sources' });
      done.push(id);
    } catch (e) {
      const { status, errorCode } = e as { status?: unknown; errorCode?: unknown };
      // A 404 that names a missing resource is this source gone (deleted meanwhile), not the route.
      const sourceGone = status === 404 && typeof errorCode === 'string' && errorCode !== 'INVALID_URI';
      if (sourceGone) {
        const msg = `source ${id} no longer exists in Coveo (deleted since the plan was read?); its changes were not applied. Plan again to see the organization as it is.`;
        warnings.push(msg);
        options.events({ type: 'warning', message: msg });
        return;
      }
      if (mode === 'apply-changes' && (status === 404 || status === 405 || status === 410)) {
        if (!retired) {
          retired = true;
          const msg = `Coveo no longer serves applyChanges (HTTP ${String(status)}); the changes are saved and take effect at the next refresh. Use --after-apply rebuild to rebuild now, or --after-apply none to skip this step.`;
          warnings.push(msg);
          options.events({ type: 'warning', message: msg });
        }
        return;
      }
      const msg = `applying changes on source ${id} failed: ${messageOf(e)}`;
      warnings.push(msg);
      options.events({ type: 'warning', message: msg });
    }
  });
  return { mode, sources: done.sort(), retired };
}
