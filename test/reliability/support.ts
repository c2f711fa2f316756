/**
 * Helpers of the reliability suite: an emulated organization per test, the inputs each example needs, and
 * the invariants every run must leave true, read from the emulator's own state (not through the tool):
 * no duplicate resource, every live managed API key's value in a secrets file, a readable journal.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarker } from '../../src/kinds/api-keys/spec.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../src/emulator/index.js';
import { afterEach } from 'vitest';
import { runCli, tempDir, type RunResult } from '../support/cli.js';

export const SOAK = process.env['SOAK'] === '1';
export const EXAMPLES_DIR = join(import.meta.dirname, '../../examples');
export const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();
export const exampleText = (file: string): string => readFileSync(join(EXAMPLES_DIR, file), 'utf8');

/** Values for every ${env:…} and ${var:…} a configuration uses (secrets get recognisable dummy values). */
export function inputsFor(text: string, organizationId: string): { env: Record<string, string>; vars: string[] } {
  const env = Object.fromEntries([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1] ?? '', m[1]?.endsWith('ORGANIZATION_ID') ? organizationId : `value-of-${(m[1] ?? '').toLowerCase()}`]));
  const vars = [...new Set([...text.matchAll(/\$\{var:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? ''))].map((v) => `--var=${v}=test`);
  return { env, vars };
}

export interface Org {
  readonly emu: EmulatorHandle;
  readonly organizationId: string;
  /** Connection variables plus the example's inputs. */
  readonly env: Record<string, string>;
  readonly vars: readonly string[];
  /** A folder holding `coveo-sync.yaml`, the cwd of the runs. */
  readonly dir: string;
  /** Runs the CLI in-process in `dir` (or `cwd`) with `env`. */
  run(argv: readonly string[], cwd?: string): Promise<RunResult>;
  /**
   * Runs the CLI in-process as on a terminal: `ask` answers the confirmation prompt whenever it likes
   * (a test holds an apply at its prompt, after it planned, before it writes).
   */
  runAsking(argv: readonly string[], ask: (question: string) => Promise<string>, cwd?: string): Promise<RunResult>;
  /** Writes `coveo-sync.yaml` in `dir` (or `cwd`). */
  writeConfig(text: string, cwd?: string): void;
  stop(): Promise<void>;
}

/** An emulator with an empty organization, and a folder with `config` as `coveo-sync.yaml`. */
/**
 * For a test file: `start(config)` starts an organization (startOrg) that is stopped after each test.
 * Call once at the top level of the file.
 */
export function orgPerTest(defaultConfig: string): (config?: string) => Promise<Org> {
  const orgs: Org[] = [];
  afterEach(async () => {
    await Promise.all(orgs.splice(0).map((o) => o.stop()));
  });
  return async (config = defaultConfig) => {
    const org = await startOrg(config);
    orgs.push(org);
    return org;
  };
}

export async function startOrg(config: string, options: EmulatorOptions = {}): Promise<Org> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', ...options });
  const inputs = inputsFor(config, emu.organizationId);
  // Each organization gets its own machine-wide lock folder, so tests never see each other's locks.
  const lockDir = tempDir('coveo-sync-locks-');
  const env = { ...inputs.env, COVEO_PLATFORM_URL: emu.url, COVEO_ACCESS_TOKEN: emu.adminToken, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_SYNC_LOCK_DIR: lockDir };
  const dir = tempDir('coveo-sync-rel-');
  const org: Org = {
    emu,
    organizationId: emu.organizationId,
    env,
    vars: inputs.vars,
    dir,
    run: (argv, cwd) => runCli([...argv, ...inputs.vars], { env, cwd: cwd ?? dir }),
    runAsking: async (argv, ask, cwd) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = {
        stdout: { write: (t: string) => (stdout += t), isTTY: false },
        stderr: { write: (t: string) => (stderr += t), isTTY: false },
        env: { CI: 'true', ...env },
        cwd: cwd ?? dir,
        stdinIsTTY: true,
        ask,
      };
      const code = await main([...argv, ...inputs.vars], io);
      return { code, stdout, stderr };
    },
    writeConfig: (text, cwd) => writeFileSync(join(cwd ?? dir, 'coveo-sync.yaml'), text),
    stop: () => emu.stop(),
  };
  org.writeConfig(config);
  return org;
}

type Snapshot = {
  fields: { name: string }[];
  sources: { id: string; raw: { name: string }; schedules: { id: string; doc: { refreshType: string } }[] }[];
  groups: { id: string; displayName: string }[];
  apiKeys: { id: string; doc: { description?: string; enabled?: boolean; displayName?: string }; value: string }[];
  providers: { id: string }[];
};

export const snapshotOf = (org: Org): Snapshot => org.emu.state.snapshot(org.organizationId) as unknown as Snapshot;

/** Live API keys that carry the coveo-sync marker: `{name, id, value, enabled}`. */
export function managedKeys(org: Org): { name: string; id: string; value: string; enabled: boolean }[] {
  return snapshotOf(org).apiKeys.flatMap((k) => {
    const name = parseMarker(k.doc.description).name;
    return name === undefined ? [] : [{ name, id: k.id, value: k.value, enabled: k.doc.enabled !== false }];
  });
}

const dupes = (what: string, keys: readonly string[]): string[] => {
  const seen = new Map<string, number>();
  for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
  return [...seen.entries()].filter(([, n]) => n > 1).map(([k, n]) => `${n} ${what} "${k}"`);
};

/** Resources that exist twice in the organization, by each kind's identity (empty when none). */
export function duplicates(org: Org): string[] {
  const s = snapshotOf(org);
  return [
    ...dupes('fields', s.fields.map((f) => f.name)),
    ...dupes('security providers', s.providers.map((p) => p.id)),
    ...dupes('sources', s.sources.map((x) => x.raw.name)),
    ...dupes('schedules', s.sources.flatMap((x) => x.schedules.map((sc) => `${x.raw.name}/${sc.doc.refreshType}`))),
    ...dupes('groups', s.groups.map((g) => g.displayName)),
    ...dupes('API keys with marker', managedKeys(org).map((k) => k.name)),
  ];
}

/** The JSON secrets files' entries, later files winning: name → {id, value}. */
export function readSecrets(paths: readonly string[]): Map<string, { id: string; value: string }> {
  const out = new Map<string, { id: string; value: string }>();
  for (const p of paths) {
    if (!existsSync(p)) continue;
    for (const [name, entry] of Object.entries(JSON.parse(readFileSync(p, 'utf8')) as Record<string, { id: string; value: string }>)) out.set(name, entry);
  }
  return out;
}

/**
 * Managed live keys whose value is not in the secrets files (a lost secret), described; empty when every
 * live managed key's id and value are there.
 */
export function lostSecrets(org: Org, secretFiles: readonly string[]): string[] {
  const saved = readSecrets(secretFiles);
  return managedKeys(org)
    .filter((k) => k.enabled)
    .filter((k) => saved.get(k.name)?.id !== k.id || saved.get(k.name)?.value !== k.value)
    .map((k) => `API key ${k.name} (${k.id}) has no saved value`);
}

export interface JournalLine {
  readonly run: string;
  readonly org: string;
  readonly address: string;
  readonly action: string;
  readonly phase: string;
  readonly remoteId?: string;
  readonly message?: string;
}

/**
 * Reads `.coveo-sync/journal.jsonl` of `dir`: every line must be JSON, except a last line torn by a kill
 * (`allowTornTail`). Throws otherwise.
 */
export function readJournalStrict(dir: string, allowTornTail = false): JournalLine[] {
  const path = join(dir, '.coveo-sync', 'journal.jsonl');
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const out: JournalLine[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      out.push(JSON.parse(line) as JournalLine);
    } catch {
      if (!(allowTornTail && i === lines.length - 1)) throw new Error(`journal line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  });
  return out;
}

/** Steps of finished runs that have an intent but no outcome (done or failed) in the same run. */
export function unfinishedSteps(entries: readonly JournalLine[], runs: ReadonlySet<string>): string[] {
  const open = new Map<string, string>();
  for (const e of entries) {
    if (!runs.has(e.run)) continue;
    const k = `${e.run} ${e.address} ${e.action}`;
    if (e.phase === 'intent') open.set(k, e.address);
    if (e.phase === 'done' || e.phase === 'failed') open.delete(k);
  }
  return [...open.values()];
}

/** Writes (non-GET, searches excluded) in the request log, as `METHOD path`. */
export function writesIn(org: Org): string[] {
  return org.emu.state
    .requestLog()
    .filter((e) => e.method !== 'GET' && !/\/indexes\/fields\/search$|\/privileges\/token$|\/rest\/search\/v2$/.test(e.path))
    .map((e) => `${e.method} ${e.path}`);
}
