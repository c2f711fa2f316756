/**
 * The privilege preflight against the emulator over real HTTP (issue 8, "Done when"): a token lacking
 * one needed privilege is refused before any write, with that privilege named; an API key built from the
 * computed set applies the plan; each privilege of that set is really needed; an API key token is refused
 * up front for API key work; the token never shows in logs or messages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestInfo } from '../../../src/client/index.js';
import { describeNeeded, type NeededPrivilege } from '../../../src/core/privileges/required.js';
import type { EmulatorHandle } from '../../../src/emulator/index.js';
import { AuthError, EXIT, exitCodeOf } from '../../../src/errors.js';
import { getPlan, managedKindsOf } from '../../../src/plan/get-plan.js';
import { kindsToRead } from '../../../src/plan/read-live.js';
import { planInputOf } from '../../../src/cli/inputs.js';
import { callsOf, checkPlanPrivileges, fetchTokenPrivileges, runPreflight } from '../../../src/privileges/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_PRIVILEGES } from '../../../src/core/privileges/route-privileges.js';
import { loadInputs } from '../../../src/cli/inputs.js';
import { applyLikeCli, clientFor, createKeyWith, loadYaml, SALT, startTestEmulator, writesOf } from './support.js';

/** The org before the pipeline runs: a source with a schedule, a field, a group. */
const BASE = `
version: 1
fields:
  - { name: productcategory, type: STRING }
sources:
  - name: Product docs
    sourceType: WEB2
    sourceVisibility: SHARED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
  - name: Other docs
    sourceType: WEB2
    configuration: { startingAddresses: ['https://other.example.com/'] }
groups:
  - displayName: Search editors
    privileges:
      - { owner: PLATFORM, targetDomain: FIELD, type: VIEW }
`;

/** What the CI pipeline applies: updates an existing source and group, adds a field and a schedule. No API keys. */
const CHANGE = `
version: 1
fields:
  - { name: productcategory, type: STRING, facet: true }
  - { name: productversion, type: STRING }
sources:
  - name: Product docs
    sourceType: WEB2
    sourceVisibility: SECURED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
schedules:
  - source: Product docs
    refreshType: INCREMENTAL_REFRESH
    frequency: { type: DAILY, hourMinute: { hour: 2, minute: 30 } }
groups:
  - displayName: Search editors
    privileges:
      - { owner: PLATFORM, targetDomain: FIELD, type: VIEW }
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Product docs } }
`;

let emu: EmulatorHandle;

/** The privileges the CHANGE apply needs, computed the way the preflight does (admin reads the org). */
async function neededForChange(): Promise<NeededPrivilege[]> {
  const admin = clientFor(emu, emu.adminToken);
  const { loaded } = await loadYaml(CHANGE);
  const input = planInputOf(loaded, emu.organizationId, {}, SALT, { canReadApiKeys: false });
  const kinds = kindsToRead(managedKindsOf(input), { canReadApiKeys: false });
  const ctx = await getPlan(admin, input);
  const held = await fetchTokenPrivileges(admin, emu.adminToken);
  return checkPlanPrivileges({ token: 'xx00000000-0000-4000-8000-000000000000', held, kinds, plan: ctx.outcome.plan, live: ctx.liveIndex, afterApply: 'apply-changes' }).needed;
}

async function setUp(options: Parameters<typeof startTestEmulator>[0] = {}): Promise<void> {
  emu = await startTestEmulator(options);
  const admin = clientFor(emu, emu.adminToken);
  const { loaded } = await loadYaml(BASE);
  const base = await applyLikeCli(admin, emu.adminToken, loaded);
  expect(base.result.ok).toBe(true);
  emu.state.resetLog();
}

describe('privilege preflight against the emulator', () => {
  beforeEach(() => setUp());
  afterEach(() => emu.stop());

  it('computes a least-privilege set: per-resource EDIT on the sources and groups it changes', async () => {
    const needed = await neededForChange();
    expect(needed.map(describeNeeded)).toEqual([
      'PLATFORM / FIELD / CREATE',
      'PLATFORM / FIELD / EDIT',
      'PLATFORM / FIELD / VIEW',
      'PLATFORM / GROUP / EDIT on group Search editors',
      'PLATFORM / GROUP / VIEW on every group',
      // A source names its security providers, so they are read to check those references.
      'PLATFORM / SECURITY_PROVIDER / VIEW on every security provider',
      'PLATFORM / SOURCE / EDIT on source Product docs',
      'PLATFORM / SOURCE / VIEW on every source',
    ]);
  });

  it('an API key built from exactly the computed set applies the plan, and the next plan is empty', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, await neededForChange());
    expect(key).toMatch(/^xx/);
    const { loaded } = await loadYaml(CHANGE);
    emu.state.resetLog();
    const run = await applyLikeCli(clientFor(emu, key), key, loaded);
    expect(run.result.ok, JSON.stringify(run.result.steps)).toBe(true);
    expect(run.result.warnings).toEqual([]);
    expect(run.result.afterApply.sources).toHaveLength(1);
    expect(emu.state.requestLog().filter((e) => e.status === 401 || e.status === 403)).toEqual([]);
    const again = await getPlan(admin, planInputOf(loaded, emu.organizationId, {}, SALT));
    expect(again.outcome.plan.steps).toEqual([]);
  });

  it('every privilege of the computed set is needed: without it the key fails at Coveo (preflight skipped)', async () => {
    const needed = await neededForChange();
    await emu.stop();
    for (const dropped of needed) {
      await setUp();
      const admin = clientFor(emu, emu.adminToken);
      const key = await createKeyWith(admin, needed.filter((n) => n !== dropped));
      const { loaded } = await loadYaml(CHANGE);
      emu.state.resetLog();
      let refused: boolean;
      try {
        const run = await applyLikeCli(clientFor(emu, key), key, loaded, { skipPreflight: true });
        refused = !run.result.ok || run.result.warnings.some((w) => /403/.test(w));
      } catch (e) {
        refused = exitCodeOf(e) === EXIT.auth;
      }
      expect(refused, `without ${describeNeeded(dropped)}`).toBe(true);
      expect(emu.state.requestLog().some((e) => e.status === 403), describeNeeded(dropped)).toBe(true);
      await emu.stop();
    }
    await setUp();
  }, 60_000);

  it.each([
    ['PLATFORM / FIELD / CREATE', (n: NeededPrivilege) => n.targetDomain === 'FIELD' && n.type === 'CREATE'],
    ['PLATFORM / SOURCE / EDIT on source Product docs', (n: NeededPrivilege) => n.targetDomain === 'SOURCE' && n.type === 'EDIT'],
    ['PLATFORM / GROUP / EDIT on group Search editors', (n: NeededPrivilege) => n.targetDomain === 'GROUP' && n.type === 'EDIT'],
  ])('a key lacking %s is refused before any write, with that privilege named (exit 4)', async (name, pick) => {
    const admin = clientFor(emu, emu.adminToken);
    const needed = await neededForChange();
    const key = await createKeyWith(admin, needed.filter((n) => !pick(n)));
    const { loaded } = await loadYaml(CHANGE);
    emu.state.resetLog();
    const error = await applyLikeCli(clientFor(emu, key), key, loaded).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(exitCodeOf(error)).toBe(EXIT.auth);
    const message = (error as AuthError).message;
    expect(message).toContain(`needs ${name}: add it to the API key or use a token of a group that has it`);
    expect(message).toMatch(/lacks 1 privilege this apply needs; nothing was changed/);
    expect(message).not.toContain(key);
    expect(writesOf(emu)).toEqual([]);
    expect(emu.state.requestLog().some((e) => e.status === 403)).toBe(false);
  });

  it('a token that cannot even read is refused before plan reads anything', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }]);
    emu.state.resetLog();
    const error = await runPreflight({ client: clientFor(emu, key), token: key, command: 'plan', kinds: ['fields', 'sources', 'schedules', 'groups'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain('needs PLATFORM / SOURCE / VIEW on every source: add it to the API key');
    expect((error as Error).message).toContain('needs PLATFORM / GROUP / VIEW on every group');
    expect((error as Error).message).toMatch(/nothing was read/);
    expect(emu.state.requestLog().map((e) => e.route)).toEqual(['POST /privileges/token']);
  });

  it('a plan that manages API keys with an API key token is refused up front', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, [{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW' }]);
    const { loaded } = await loadYaml(`${CHANGE}apiKeys:\n  - { name: storefront, displayName: Storefront, privileges: [{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }] }\n`);
    emu.state.resetLog();
    const error = await applyLikeCli(clientFor(emu, key), key, loaded).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).meta['code']).toBe('api_key_token_refused');
    expect((error as Error).message).toMatch(/manages API keys, and the access token is an API key: an API key can never view or edit API keys/);
    expect(emu.state.requestLog().map((e) => e.route)).toEqual(['POST /privileges/token']);
  });

  it('an OAuth token with the privileges passes; a skipped preflight asks nothing', async () => {
    const admin = clientFor(emu, emu.adminToken);
    emu.state.resetLog();
    const ok = await runPreflight({ client: admin, token: emu.adminToken, kinds: ['apiKeys', 'sources'] });
    expect(ok.tokenKind).toBe('oauth');
    expect(ok.missing).toEqual([]);
    const skipped = await runPreflight({ client: admin, token: emu.adminToken, kinds: ['apiKeys'], skip: true });
    expect(skipped.skipped).toBe(true);
    expect(emu.state.requestLog()).toHaveLength(1);
  });

  it('the token travels only in the privileges query, masked in the request log', async () => {
    const infos: RequestInfo[] = [];
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }]);
    await runPreflight({ client: clientFor(emu, key, (i) => infos.push(i)), token: key, kinds: ['sources'] });
    expect(infos).toHaveLength(1);
    expect(infos[0]!.query).toBe('?accessToken=***');
    expect(JSON.stringify(infos)).not.toContain(key);
  });

  it('an OAuth user token also reads API keys (to name references): it needs API_KEY VIEW, and passes with it', async () => {
    const needed = await neededForChange();
    const wire = needed.map((n) => ({ owner: n.owner, targetDomain: n.targetDomain, ...(n.type ? { type: n.type } : {}), targetId: n.targetId ?? '*' }));
    const { loaded } = await loadYaml(CHANGE);
    const without = emu.state.createToken({ username: 'ci@example.com', organizationId: emu.organizationId, privileges: wire });
    emu.state.resetLog();
    const error = await applyLikeCli(clientFor(emu, without), without, loaded).catch((e: unknown) => e);
    expect(exitCodeOf(error)).toBe(EXIT.auth);
    expect((error as Error).message).toContain("needs PLATFORM / API_KEY / VIEW on every API key: add it to a group of the token's user or use a token of a group that has it — to read API keys");
    expect(writesOf(emu)).toEqual([]);
    const member = emu.state.createToken({ username: 'ci2@example.com', organizationId: emu.organizationId, privileges: [...wire, { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: '*' }] });
    const run = await applyLikeCli(clientFor(emu, member), member, loaded);
    expect(run.result.ok).toBe(true);
  });
});

describe('every route an apply calls is in the route table and in the prediction', () => {
  it('examples/full.yaml applied to an empty org: the emulator request log against the table', async () => {
    const emulator = await startTestEmulator();
    try {
      const path = join(import.meta.dirname, '../../../examples/full.yaml');
      const text = readFileSync(path, 'utf8');
      const env = Object.fromEntries([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, `value-${m[1]!}`]));
      const io = { stdout: { write: () => true }, stderr: { write: () => true }, env, cwd: import.meta.dirname, stdinIsTTY: false };
      const loaded = await loadInputs({ config: [path], var: ['ENVIRONMENT=test'] }, io, SALT);
      const admin = clientFor(emulator, emulator.adminToken);
      emulator.state.resetLog();
      const run = await applyLikeCli(admin, emulator.adminToken, loaded);
      expect(run.result.ok, JSON.stringify(run.result.steps.filter((s) => s.status !== 'applied'))).toBe(true);
      const log = emulator.state.requestLog();
      expect(log.filter((e) => e.route === undefined)).toEqual([]);
      const table = new Set(ROUTE_PRIVILEGES.map((r) => `${r.method} ${r.path}`));
      const routes = new Set(log.map((e) => e.route!));
      for (const r of routes) expect(table.has(r), r).toBe(true);
      const input = planInputOf(loaded, emulator.organizationId, {}, SALT);
      const predicted = new Set(
        callsOf({ kinds: kindsToRead(managedKindsOf(input), { canReadApiKeys: true }), steps: run.plan.steps, live: run.ctx.liveIndex, afterApply: 'apply-changes' }).map((c) => c.route),
      );
      routes.delete('POST /privileges/token');
      expect([...routes].filter((r) => !predicted.has(r as never))).toEqual([]);
      expect(routes.size).toBeGreaterThan(10);
    } finally {
      await emulator.stop();
    }
  });
});
