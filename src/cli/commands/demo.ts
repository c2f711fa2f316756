/**
 * `coveo-sync demo`: the whole loop against an in-process emulator, with a line of explanation before
 * each step — validate, plan, apply, plan again (empty), a change made behind the tool's back, drift.
 * It exits 0 only when every step did what it should.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../../emulator/index.js';
import { EXIT, type ExitCode } from '../../errors.js';
import type { CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/acme.yaml', import.meta.url));

export async function runDemo(g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  const { main } = await import('../main.js');
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(join(tmpdir(), 'coveo-sync-demo-'));
  const say = (text: string): void => {
    io.stdout.write(`\n\u2500\u2500 ${text}\n`);
  };
  try {
    const config = readFileSync(EXAMPLE, 'utf8');
    writeFileSync(join(dir, 'coveo-sync.yaml'), config);
    // The example reads its secrets from the environment; the demo makes up values for them.
    const secretEnv = Object.fromEntries([...config.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m): [string, string] => [m[1] ?? '', `demo-${(m[1] ?? '').toLowerCase()}`]));
    const env = {
      ...io.env,
      ...secretEnv,
      COVEO_PLATFORM_URL: emulator.url,
      COVEO_ORGANIZATION_ID: emulator.organizationId,
      COVEO_ACCESS_TOKEN: emulator.adminToken,
    };
    const sub: CliIo = { ...io, env, cwd: dir, stdinIsTTY: false };
    const flags = [...(g.color === false ? ['--no-color'] : [])];
    const run = async (argv: string[], expected: number, why: string): Promise<boolean> => {
      say(why);
      io.stdout.write(`$ coveo-sync ${argv.join(' ')}\n`);
      const code = await main([...argv, ...flags], sub);
      if (code !== expected) io.stderr.write(`demo: expected exit ${expected} from \`coveo-sync ${argv.join(' ')}\`, got ${code}\n`);
      return code === expected;
    };
    io.stdout.write(`coveo-sync demo: an emulated Coveo organization ${emulator.organizationId} is running at ${emulator.url}.\n`);
    io.stdout.write(`The configuration is examples/acme.yaml: fields, a secured source with its security provider, schedules, groups and an API key.\n`);
    const steps: [string[], number, string][] = [
      [['validate'], 0, '1. Validate the files offline: schema, references, secrets from the environment. Nothing is sent.'],
      [['plan', '--detailed-exitcode'], 2, '2. Plan against the (empty) organization: everything is to be created. Exit 2 means "changes".'],
      [['apply', '--auto-approve', '--secrets-out', 'secrets.json'], 0, '3. Apply: ordered waves, safe flags (rebuild=false, no e-mails), the new API key value goes to secrets.json (0600).'],
      [['plan', '--detailed-exitcode'], 0, '4. Plan again: the organization now matches the files, so the plan is empty (exit 0).'],
    ];
    for (const [argv, expected, why] of steps) if (!(await run(argv, expected, why))) return EXIT.failure;

    say('5. Someone changes the organization by hand: the field "productfamily" loses its facet in the admin console (simulated through the API).');
    await behindTheBack(emulator.url, emulator.organizationId, emulator.adminToken);
    if (!(await run(['drift'], 2, '6. Drift shows what changed in Coveo outside the files (exit 2).'))) return EXIT.failure;
    say('Done. Run `coveo-sync apply` again to put the organization back, or read README.md for CI recipes.');
    return EXIT.ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/** A change made directly through the Platform API, as a person in the admin console would. */
async function behindTheBack(url: string, org: string, token: string): Promise<void> {
  const base = `${url}/rest/organizations/${encodeURIComponent(org)}`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
  const res = await fetch(`${base}/indexes/fields/productfamily`, { headers });
  if (!res.ok) throw new Error(`demo: reading the field productfamily failed (${res.status})`);
  const field = (await res.json()) as Record<string, unknown>;
  const put = await fetch(`${base}/indexes/fields/productfamily`, { method: 'PUT', headers, body: JSON.stringify({ ...field, facet: false, multiValueFacet: false }) });
  if (!put.ok) throw new Error(`demo: changing the field productfamily failed (${put.status})`);
}
