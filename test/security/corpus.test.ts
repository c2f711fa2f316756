/**
 * The bad-input corpus (issue 10): every hostile or broken input under test/security/corpus ends with
 * exit 3 (4 for authentication), a short message with the position where there is a file, no stack
 * trace, no secret, nothing written to the organization, and bounded time and memory.
 *
 * - config/NAME.yaml: one configuration file; its first line `# expect: {…}` holds the expectation.
 * - dirs/NAME/: a configuration directory; expectation in dirs/NAME/_expect.json (not a YAML file, so
 *   not read as configuration).
 * - plans/NAME.json: a saved plan file given to `apply`; expectations in plans/_expect.json.
 * - flags/NAME.json: a command line and environment; `{…}` placeholders are filled in below.
 * - Generated inputs (too large to keep in git) are built in a temporary directory by GENERATED.
 *
 * Expectation fields: exit (default 3), at (`line:column`, or `file:line:column` in a directory) of an
 * issue printed on stderr, message (a substring of stderr), argv (default `plan`), env (added).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli, tempDir, type RunResult } from '../support/cli.js';
import { STACK_LINE, writesIn } from './support.js';

const CORPUS = join(import.meta.dirname, 'corpus');
/** Set in the environment of every case; no output may contain it. */
const SECRET = 'corpus-secret-9f8e7d-must-not-leak';

interface Expectation {
  readonly exit?: number;
  readonly at?: string;
  readonly message?: string;
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The command may print on stdout (e.g. the plan it then refuses to apply without approval). */
  readonly stdout?: boolean;
}

interface Case {
  readonly name: string;
  /** The command line, with `{config}`-style placeholders. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly exit: number;
  /** Printed position (`path:line:column`), relative to the case's working directory. */
  readonly position?: string;
  readonly message?: string;
  /** Working directory (default: the corpus directory). */
  readonly cwd?: string;
  readonly allowStdout?: boolean;
}

const listNames = (dir: string, ext: string): string[] =>
  readdirSync(join(CORPUS, dir))
    .filter((f) => f.endsWith(ext) && !f.startsWith('_'))
    .sort();

function configCases(): Case[] {
  return listNames('config', '.yaml').map((file) => {
    const text = readFileSync(join(CORPUS, 'config', file), 'utf8').replace(/^\uFEFF/, '');
    const header = /^# expect: ([^\r\n]*)/.exec(text);
    if (header === null) throw new Error(`config/${file} has no "# expect:" first line`);
    const exp = JSON.parse(header[1] ?? '{}') as Expectation;
    if (exp.at === undefined || exp.message === undefined) throw new Error(`config/${file}: the expectation needs "at" and "message"`);
    const path = `config/${file}`;
    return caseOf(`config/${file}`, [...(exp.argv ?? ['plan']), '-c', path], exp, exp.at === undefined ? undefined : `${path}:${exp.at}`);
  });
}

function dirCases(): Case[] {
  return readdirSync(join(CORPUS, 'dirs'))
    .sort()
    .map((name) => {
      const exp = JSON.parse(readFileSync(join(CORPUS, 'dirs', name, '_expect.json'), 'utf8')) as Expectation;
      const path = `dirs/${name}`;
      return caseOf(path, [...(exp.argv ?? ['plan']), '-c', path], exp, exp.at === undefined ? undefined : `${path}/${exp.at}`);
    });
}

function planCases(): Case[] {
  const expectations = JSON.parse(readFileSync(join(CORPUS, 'plans', '_expect.json'), 'utf8')) as Record<string, Expectation>;
  const files = listNames('plans', '.json');
  expect(Object.keys(expectations).sort()).toEqual(files);
  return files.map((file) => {
    const exp = expectations[file] ?? {};
    return caseOf(`plans/${file}`, [...(exp.argv ?? ['apply', `plans/${file}`, '--auto-approve'])], exp);
  });
}

function flagCases(): Case[] {
  return listNames('flags', '.json').map((file) => {
    const exp = JSON.parse(readFileSync(join(CORPUS, 'flags', file), 'utf8')) as Expectation & { argv: readonly string[] };
    return caseOf(`flags/${file}`, exp.argv, exp);
  });
}

function caseOf(name: string, argv: readonly string[], exp: Expectation, position?: string): Case {
  return {
    name,
    argv,
    env: exp.env ?? {},
    exit: exp.exit ?? 3,
    ...(position ? { position } : {}),
    ...(exp.message ? { message: exp.message } : {}),
    ...(exp.stdout ? { allowStdout: true } : {}),
  };
}

/** Inputs too large for git, written to a temporary directory when the suite starts. */
const GENERATED: readonly { readonly name: string; readonly file: string; readonly text: () => string | Buffer; readonly at: string; readonly message: string }[] = [
  { name: 'over 10 MB of valid-looking YAML', file: 'huge.yaml', text: () => `version: 1\nfields:\n${'  - {name: f, type: STRING}\n'.repeat(400_000)}`, at: '1:1', message: 'over the 10 MB limit' },
  { name: '9.9 MB of one flow list (5 million values)', file: 'values.yaml', text: () => `version: 1\nx: [${'1,'.repeat(4_900_000)}1]\n`, at: '1:1', message: 'YAML values, over the limit' },
  { name: 'a 5 MB scalar as a field name', file: 'long-name.yaml', text: () => `version: 1\nfields:\n  - name: ${'a'.repeat(5_000_000)}\n    type: STRING\n`, at: '3:11', message: 'must match' },
  { name: '100,000 levels of flow nesting', file: 'deep.yaml', text: () => `version: 1\nx: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, at: '2:', message: 'nested too deeply' },
  { name: 'an alias bomb of 20 levels of 20 (10^26 nodes)', file: 'bomb.yaml', text: () => `version: 1\n${bomb(20, 20)}`, at: '3:10', message: 'this looks like an alias bomb' },
  { name: '200 kB of random bytes', file: 'random.yaml', text: () => Buffer.from(pseudoRandomBytes(200_000).map((b) => b || 1)), at: '1:', message: 'not valid UTF-8' },
  { name: '200 kB of YAML punctuation soup', file: 'soup.yaml', text: () => `version: 1\n${Array.from(pseudoRandomBytes(200_000), (b) => SOUP[b % SOUP.length]).join('')}`, at: '3:1', message: 'error' },
  { name: '50,000 duplicate keys (only the first 50 problems are printed)', file: 'dupes.yaml', text: () => `version: 1\n${'fields: []\n'.repeat(50_000)}`, at: '3:1', message: 'the first 50 problems are shown' },
];

const SOUP = ':-[]{}&*!|>\'"%@`#?,~ \n\n\n\tabcxyz01';

function bomb(levels: number, width: number): string {
  let text = `l0: &l0 [${Array(width).fill('lol').join(', ')}]\n`;
  for (let i = 1; i < levels; i++) text += `l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]\n`;
  return text;
}

/** Deterministic bytes (a linear congruential generator). */
function pseudoRandomBytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x >> 16;
  }
  return out;
}

let emulator: EmulatorHandle;
let baseEnv: Record<string, string>;
let generatedDir: string;
/** Peak resident memory of this test process so far, in MB (never goes down). */
const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', randomSeed: 7 });
  baseEnv = {
    COVEO_PLATFORM_URL: emulator.url,
    COVEO_ACCESS_TOKEN: emulator.adminToken,
    COVEO_ORGANIZATION_ID: emulator.organizationId,
    COVEO_CORPUS_SECRET: SECRET,
  };
  generatedDir = tempDir('coveo-sync-corpus-');
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => {
  emulator.state.resetLog();
});

/** Placeholders of flags/*.json. */
function fill(s: string): string {
  return s
    .replaceAll('{url}', emulator.url)
    .replaceAll('{port}', new URL(emulator.url).port)
    .replaceAll('{org}', emulator.organizationId)
    .replaceAll('{token}', emulator.adminToken)
    .replaceAll('{secret}', SECRET);
}

async function run(c: Case): Promise<RunResult> {
  const env = { ...baseEnv, ...Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, fill(v)])) };
  for (const [k, v] of Object.entries(env)) if (v === '{unset}') delete env[k];
  return runCli(c.argv.map(fill), { env, cwd: c.cwd ?? CORPUS });
}

/** What every refusal must look like. */
function expectRefusal(c: Case, r: RunResult): void {
  const shown = `${c.name}: exit ${r.code}\n--- stderr\n${r.stderr.slice(0, 3000)}--- stdout\n${r.stdout.slice(0, 500)}`;
  expect(r.code, shown).toBe(c.exit);
  expect(r.stderr.trim(), shown).not.toBe('');
  // One paragraph: no blank line, a bounded number of lines, no stack trace, never "internal error".
  expect(r.stderr, shown).not.toMatch(/\n\s*\n/);
  expect(r.stderr.split('\n').length, shown).toBeLessThanOrEqual(60);
  expect(r.stderr, shown).not.toMatch(STACK_LINE);
  expect(r.stderr, shown).not.toContain('internal error');
  if (c.allowStdout !== true) expect(r.stdout, shown).toBe('');
  for (const out of [r.stdout, r.stderr]) {
    expect(out, shown).not.toContain(SECRET);
    expect(out, shown).not.toContain(emulator.adminToken);
  }
  if (c.position !== undefined) expect(r.stderr, shown).toContain(c.position);
  if (c.message !== undefined) expect(r.stderr, shown).toContain(fill(c.message));
  expect(writesIn(emulator.state.requestLog()), shown).toEqual([]);
}

const cases = { config: configCases(), dirs: dirCases(), plans: planCases(), flags: flagCases() };
const total = Object.values(cases).reduce((n, list) => n + list.length, 0);

describe('the corpus', () => {
  it(`holds at least 100 inputs as files (${total})`, () => {
    expect(total).toBeGreaterThanOrEqual(100);
  });
});

describe.each(Object.entries(cases))('%s', (_group, list) => {
  it.each(list.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    expectRefusal(c, await run(c));
  });
});

describe('generated', () => {
  it.each(GENERATED.map((g) => [g.name, g] as const))('%s', async (_name, g) => {
    const path = join(generatedDir, g.file);
    if (!existsSync(path)) writeFileSync(path, g.text());
    const c: Case = { name: g.name, argv: ['plan', '-c', g.file], env: {}, exit: 3, cwd: generatedDir, message: g.message, position: `${g.file}:${g.at}` };
    expectRefusal(c, await run(c));
    // Bounded memory: the process never held more than 1 GB (without the loader's caps, the 5-million-value
    // file alone filled a 4 GB heap). The vitest worker itself uses about 200 MB.
    expect(peakRssMb()).toBeLessThan(1024);
  });
});
