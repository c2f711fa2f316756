/**
 * Shared by the privilege and verify integration tests: an emulator, clients for tokens, loading YAML, and
 * the preflight → plan → preflight → apply sequence that `coveo-sync apply` runs (so it is tested here
 * as a library flow, independent of the CLI wiring).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan, type AfterApply, type ApplyResult } from '../../../src/apply/apply-plan.js';
import { createApiClient, type RequestInfo } from '../../../src/client/index.js';
import type { ApiClient } from '../../../src/client/types.js';
import { loadInputs, planInputOf } from '../../../src/cli/inputs.js';
import type { LoadedConfig } from '../../../src/config/index.js';
import type { Plan } from '../../../src/core/types.js';
import { startEmulator, type EmulatorHandle } from '../../../src/emulator/index.js';
import { OPS } from '../../../src/kinds/registry.js';
import { getPlan, managedKindsOf, type PlanContext } from '../../../src/plan/get-plan.js';
import { kindsToRead } from '../../../src/plan/read-live.js';
import { detectTokenKind, runPreflight } from '../../../src/privileges/index.js';

export const SALT = 'test-salt';

export async function startTestEmulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<EmulatorHandle> {
  return startEmulator({ randomSeed: 42, ...options });
}

export function clientFor(emu: EmulatorHandle, token: string, onRequest?: (i: RequestInfo) => void): ApiClient {
  return createApiClient({ baseUrl: emu.url, organizationId: emu.organizationId, token, retries: 0, ...(onRequest ? { onRequest } : {}) });
}

/** Writes the YAML in a fresh folder and loads it as the CLI does. */
export async function loadYaml(yaml: string, file = 'coveo-sync.yaml'): Promise<{ loaded: LoadedConfig; dir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'coveo-sync-priv-'));
  const path = join(dir, file);
  writeFileSync(path, yaml);
  const loaded = await loadInputs({ config: [path] }, { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: dir, stdinIsTTY: false }, SALT);
  return { loaded, dir, path };
}

/** Writes served since the last reset: every request that is not a read (search-like POSTs are reads). */
export function writesOf(emu: EmulatorHandle): string[] {
  const reads = new Set(['POST /indexes/fields/search', 'POST /privileges/token', 'POST /rest/search/v2']);
  return emu.state
    .requestLog()
    .filter((e) => e.method !== 'GET' && !reads.has(e.route ?? ''))
    .map((e) => `${e.method} ${e.path}`);
}

export interface CliLikeApply {
  readonly plan: Plan;
  readonly ctx: PlanContext;
  readonly result: ApplyResult;
}

/** What `coveo-sync apply --auto-approve` does, with the preflight before reading and before writing. */
export async function applyLikeCli(client: ApiClient, token: string, loaded: LoadedConfig, options: { afterApply?: AfterApply; skipPreflight?: boolean } = {}): Promise<CliLikeApply> {
  const canReadApiKeys = detectTokenKind(token) !== 'apiKey';
  const input = planInputOf(loaded, client.organizationId, {}, SALT, { canReadApiKeys });
  const kinds = kindsToRead(managedKindsOf(input), { canReadApiKeys });
  const skip = options.skipPreflight === true;
  const afterApply = options.afterApply ?? 'apply-changes';
  const pre = await runPreflight({ client, token, command: 'apply', kinds, managesApiKeys: loaded.resources.apiKeys.length > 0, skip });
  const ctx = await getPlan(client, input);
  await runPreflight({ client, token, command: 'apply', kinds, plan: ctx.outcome.plan, live: ctx.liveIndex, afterApply, held: pre.held, skip });
  const result = await applyPlan(ctx.outcome.plan.steps, {
    ops: OPS,
    client,
    live: ctx.liveIndex,
    parallelism: 4,
    afterApply,
    replacedKeys: 'delete',
    events: () => undefined,
    secrets: { description: 'memory', write: () => undefined },
    fingerprint: () => ({ salt: 's', hash: 'h' }),
    matchesFingerprint: () => false,
    now: () => 0,
  });
  return { plan: ctx.outcome.plan, ctx, result };
}

/** Creates an API key with exactly these privileges (admin token) and returns its value. */
export async function createKeyWith(admin: ApiClient, privileges: readonly { owner: string; targetDomain: string; type?: string; targetId?: string }[], name = 'ci'): Promise<string> {
  const res = await admin.request<{ value: string }>({ method: 'POST', path: '/apikeys', body: { displayName: name, enabled: true, privileges: privileges.map((p) => ({ ...p, targetId: p.targetId ?? '*' })) } });
  return res.value;
}
