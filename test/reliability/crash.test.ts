/**
 * Crashes (issue 10): the built CLI, as a separate process, is killed with SIGKILL right after the n-th
 * write reached the organization (the emulator holds that write's answer, so the state has changed and
 * the CLI has no answer yet), for many n. Then `apply --resume` (or a fresh apply, then `--resume`) must
 * leave the organization as the files say: the next plan is empty, no duplicate, no orphaned or disabled
 * leftover key, every live key's value in the secrets file, and a journal that reads.
 *
 * Scenarios: examples/full.yaml from an empty organization (every create), and a change of it that
 * replaces both API keys (privileges changed), re-points the source that names one, and updates a group
 * and a field. The default run tries 10 chosen kill points; SOAK=1 tries every point of each scenario in
 * each mode (resume; fresh apply then resume; --keep-replaced-keys).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicates, exampleText, lostSecrets, managedKeys, readJournalStrict, snapshotOf, SOAK, startOrg, type Org } from './support.js';

const BIN = join(import.meta.dirname, '../../dist/cli/bin.js');
const FULL = exampleText('full.yaml');
/** full.yaml with both keys' privileges changed (two replaces), a group and a field changed. */
const CHANGED = FULL.replace(
  '      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n    enabled: true',
  '      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n      - { owner: SEARCH_API, targetDomain: IMPERSONATE }\n    enabled: true',
)
  .replace(
    '      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Support cases } }\n    deniedIps',
    '      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Support cases } }\n      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n    deniedIps',
  )
  .replace("      - { owner: PLATFORM, targetDomain: SOURCE, type: VIEW, target: '*' }", "      - { owner: PLATFORM, targetDomain: SOURCE, type: VIEW, target: '*' }\n      - { owner: PLATFORM, targetDomain: FIELD, type: VIEW }")
  .replace('label: Product category', 'label: Product category (v2)');
const KEYS_IN_CONFIG = 2;
const SECRETS = 'secrets.json';
/** Each kill point spawns a CLI (about a second on a small machine); generous, and longer under soak. */
const TIMEOUT = SOAK ? 900_000 : 120_000;

interface Scenario {
  readonly name: string;
  /** Brings a fresh organization to the starting point (nothing, or full.yaml applied). */
  prepare(org: Org): Promise<void>;
  readonly config: string;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'full.yaml from an empty organization', prepare: () => Promise.resolve(), config: FULL },
  {
    name: 'a change that replaces both API keys',
    prepare: async (org) => {
      const r = await org.run(['apply', '--auto-approve', '--secrets-out', SECRETS]);
      if (r.code !== 0) throw new Error(`the starting apply failed: ${r.stderr}`);
      org.writeConfig(CHANGED);
    },
    config: FULL,
  },
];

/** Writes a whole apply of the scenario makes when nothing goes wrong. */
async function writesOf(scenario: Scenario): Promise<number> {
  const org = await startOrg(scenario.config);
  try {
    await scenario.prepare(org);
    const before = org.emu.state.writeCount();
    const r = await org.run(['apply', '--auto-approve', '--secrets-out', SECRETS, '--force']);
    if (r.code !== 0) throw new Error(r.stderr);
    return org.emu.state.writeCount() - before;
  } finally {
    await org.stop();
  }
}

/** Runs the built CLI's apply in its own process and kills it (SIGKILL) once the n-th write was processed. */
async function killAfterWrite(org: Org, n: number, extra: readonly string[]): Promise<'killed' | 'finished'> {
  const held = org.emu.state.holdWrite(n);
  const child = spawn(process.execPath, [BIN, 'apply', '--auto-approve', '--secrets-out', SECRETS, '--force', ...extra, ...org.vars], {
    cwd: org.dir,
    env: { PATH: process.env['PATH'] ?? '', CI: '1', ...org.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const first = await Promise.race([held.then((h) => ({ held: h })), exited.then((code) => ({ code }))]);
  if ('held' in first) {
    child.kill('SIGKILL');
    await exited;
    first.held.release();
    return 'killed';
  }
  org.emu.state.cancelHolds();
  await held.catch(() => undefined);
  if (first.code !== 0) throw new Error(`the apply to kill ended by itself with exit ${String(first.code)}: ${output}`);
  return 'finished';
}

/**
 * Every invariant of a converged organization (see the file comment); returns the problems found. With
 * `--keep-replaced-keys`, replaced keys stay, disabled and without the marker; any other extra key is a
 * problem.
 */
async function problemsAfterRecovery(org: Org, keepReplaced: boolean): Promise<string[]> {
  const problems: string[] = [];
  const plan = await org.run(['plan', '--detailed-exitcode']);
  if (plan.code !== 0) problems.push(`the next plan is not empty (exit ${plan.code}): ${plan.stdout.slice(-400)}${plan.stderr.slice(-400)}`);
  problems.push(...duplicates(org));
  problems.push(...lostSecrets(org, [join(org.dir, SECRETS)]));
  const managed = managedKeys(org);
  if (managed.length !== KEYS_IN_CONFIG) problems.push(`${managed.length} managed API keys live, ${KEYS_IN_CONFIG} declared: ${JSON.stringify(managed.map((k) => k.name))}`);
  const others = snapshotOf(org).apiKeys.filter((k) => !managed.some((m) => m.id === k.id));
  for (const k of others) {
    const retired = keepReplaced && k.doc.enabled === false && /retired-by: coveo-sync name=/.test(k.doc.description ?? '');
    if (!retired) problems.push(`orphaned API key ${k.id} (${k.doc.displayName ?? ''}, enabled: ${String(k.doc.enabled)})`);
  }
  try {
    readJournalStrict(org.dir, true);
  } catch (e) {
    problems.push(String(e));
  }
  return problems;
}

const tried: { scenario: string; mode: string; points: number[] }[] = [];

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does).`);
});
afterAll(() => {
  const total = tried.reduce((n, t) => n + t.points.length, 0);
  // The figure the issue asks for; printed, not asserted.
  console.log(`crash suite: ${total} kill points tried (${tried.map((t) => `${t.scenario} [${t.mode}]: ${t.points.join(',')}`).join('; ')})`);
});

interface Mode {
  readonly name: string;
  /** Extra flags of the killed apply and of the recovery. */
  readonly flags: readonly string[];
  /** A fresh apply (no --resume) before the resume. */
  readonly freshFirst: boolean;
  /**
   * Kill points per scenario in the default run (every point under SOAK). Writes of full.yaml from empty:
   * 1-2 providers, 3 fields, 4-6 sources, 7-10 schedules, 11-12 groups, 13-14 API keys, 15-16 sources'
   * cross-references, 17-19 applyChanges. Of the change: 1 fields, 2 source, 3 group, 4-5 new keys,
   * 6-7 old keys deleted (disabled, then unmarked, with --keep-replaced-keys), then the source re-pointed
   * and applyChanges.
   */
  readonly points: readonly (readonly number[])[];
}

const MODES: readonly Mode[] = [
  { name: 'resume', flags: [], freshFirst: false, points: [[3, 13, 16], [4, 5, 6, 8]] },
  { name: 'fresh apply, then resume', flags: [], freshFirst: true, points: [[14], [5]] },
  { name: 'resume, --keep-replaced-keys', flags: ['--keep-replaced-keys'], freshFirst: false, points: [[], [6]] },
];

/** Runs `fn` over `items`, two at a time (each kill point has its own emulator, folder and process). */
async function eachTwoAtATime<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all([worker(), worker()]);
}

describe.each(SCENARIOS.map((s, i) => [s.name, i] as const))('killed during %s', (_name, index) => {
  const scenario = SCENARIOS[index] as Scenario;
  let total = 0;
  beforeAll(async () => {
    total = await writesOf(scenario);
  }, TIMEOUT);

  it.each(MODES.map((m) => [m.name, m] as const))('converges after a kill at each write point (%s)', async (_mode, mode) => {
    expect(total).toBeGreaterThan(5);
    const points = SOAK ? Array.from({ length: total }, (_, i) => i + 1) : (mode.points[index] ?? []).filter((n) => n <= total);
    if (points.length === 0) return;
    const record = { scenario: scenario.name, mode: mode.name, points: [] as number[] };
    tried.push(record);
    await eachTwoAtATime(points, async (n) => {
      const org = await startOrg(scenario.config);
      try {
        await scenario.prepare(org);
        const outcome = await killAfterWrite(org, n, mode.flags);
        expect(outcome, `kill point ${n} of ${total}`).toBe('killed');
        record.points.push(n);
        if (mode.freshFirst) {
          // A fresh apply never duplicates; it may stop on the two keys an interrupted replace left (exit 3).
          const fresh = await org.run(['apply', '--auto-approve', '--secrets-out', SECRETS, '--force', ...mode.flags]);
          expect([0, 3], `fresh apply after kill ${n}: ${fresh.stderr}`).toContain(fresh.code);
          if (fresh.code === 3) expect(fresh.stderr).toMatch(/live API keys have the identity/);
          expect(duplicates(org).filter((d) => !d.includes('API keys with marker')), `after kill ${n} and a fresh apply`).toEqual([]);
        }
        const resumed = await org.run(['apply', '--resume', '--auto-approve', '--secrets-out', SECRETS, ...mode.flags]);
        expect(resumed.code, `resume after kill ${n}: ${resumed.stderr}`).toBe(0);
        expect(await problemsAfterRecovery(org, mode.flags.includes('--keep-replaced-keys')), `after kill ${n} of ${total}`).toEqual([]);
      } finally {
        await org.stop();
      }
    });
    record.points.sort((a, b) => a - b);
  }, TIMEOUT);
});
