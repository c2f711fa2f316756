/**
 * The main quality bar (design §4): for every example, plan against an empty org shows only creates,
 * apply converges, the next plan is empty; an edited config applies and plans empty again.
 * End to end: the CLI in-process, the emulator over real HTTP.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../src/emulator/index.js';
import { runCli, tempDir } from '../../support/cli.js';

const EXAMPLES = join(import.meta.dirname, '../../../examples');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

/** Values for every ${env:…} and ${var:…} an example uses. */
function inputsFor(text: string): { env: Record<string, string>; vars: string[] } {
  const env = Object.fromEntries([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [m[1]!, `value-of-${m[1]!.toLowerCase()}`]));
  const vars = [...new Set([...text.matchAll(/\$\{var:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!))].map((v) => `--var=${v}=test`);
  return { env, vars };
}

describe.each(examples)('example %s', (file) => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let env: Record<string, string>;
  let dir: string;
  let vars: string[];
  const text = readFileSync(join(EXAMPLES, file), 'utf8');

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
    const inputs = inputsFor(text);
    vars = inputs.vars;
    env = { ...inputs.env, COVEO_PLATFORM_URL: emulator.url, COVEO_ACCESS_TOKEN: emulator.adminToken, COVEO_ORGANIZATION_ID: emulator.organizationId };
    // full.yaml names its organization through ${env:…}; point it at the emulator's.
    for (const k of Object.keys(env)) if (k.endsWith('ORGANIZATION_ID')) env[k] = emulator.organizationId;
    dir = tempDir();
    writeFileSync(join(dir, 'coveo-sync.yaml'), text);
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('validates', async () => {
    const r = await runCli(['validate', ...vars], { env, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('plans only creates against an empty org, applies, then plans empty', async () => {
    const plan = await runCli(['plan', '--format', 'json', '--detailed-exitcode', ...vars], { env, cwd: dir });
    expect(plan.code, plan.stderr).toBe(2);
    const parsed = JSON.parse(plan.stdout) as { plan: { steps: { action: string }[] } };
    expect(parsed.plan.steps.length).toBeGreaterThan(0);
    expect(new Set(parsed.plan.steps.map((s) => s.action))).toEqual(new Set(['create']));

    const apply = await runCli(['apply', '--auto-approve', '--secrets-out', 'secrets.json', ...vars], { env, cwd: dir });
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    expect(apply.stdout).toMatch(/Apply complete: \d+ added, 0 changed, 0 replaced, 0 destroyed\./);

    const again = await runCli(['plan', '--detailed-exitcode', ...vars], { env, cwd: dir });
    expect(again.stdout + again.stderr).toContain('No changes');
    expect(again.code).toBe(0);
  });

  it('applies an edited configuration and plans empty again', async () => {
    // Flip every boolean that is written as true to false where the schema allows it, on fields only.
    const edited = text.replace(/^(\s+)facet: true$/m, '$1facet: false').replace(/^(\s+)label: (.+)$/m, '$1label: $2 (edited)');
    writeFileSync(join(dir, 'coveo-sync.yaml'), edited);
    const plan = await runCli(['plan', '--detailed-exitcode', ...vars], { env, cwd: dir });
    if (edited === text) {
      expect(plan.code).toBe(0);
      return;
    }
    expect(plan.code, plan.stderr).toBe(2);
    const apply = await runCli(['apply', '--auto-approve', '--secrets-out', 'secrets2.json', ...vars], { env, cwd: dir });
    expect(apply.code, apply.stderr + apply.stdout).toBe(0);
    const again = await runCli(['plan', '--detailed-exitcode', ...vars], { env, cwd: dir });
    expect(again.code, again.stdout).toBe(0);
  });
});
