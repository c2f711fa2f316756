/** `coveo-sync verify` through the command line: its flags reach the checks (the checks themselves: test/integration/verify). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../../src/emulator/index.js';
import { runCli, tempDir } from '../../support/cli.js';

const URI = 'https://docs.example.com/internal/roadmap.html';
const CONFIG = `version: 1
sources:
  - name: Product docs
    sourceType: WEB2
    sourceVisibility: SECURED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
assertions:
  - document: { source: Product docs, uri: '${URI}' }
    allowed: [alice@example.com]
    denied: [contractor@example.com]
`;

let emu: EmulatorHandle;
let dir: string;
const run = (...argv: string[]): ReturnType<typeof runCli> =>
  runCli(['verify', ...argv], { cwd: dir, env: { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken } });

beforeAll(async () => {
  emu = await startEmulator({ randomSeed: 11 });
  dir = tempDir();
  writeFileSync(join(dir, 'coveo-sync.yaml'), CONFIG);
  const applied = await runCli(['apply', '--auto-approve'], { cwd: dir, env: { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken } });
  expect(applied.code, applied.stderr).toBe(0);
  emu.state.loadDocuments(emu.organizationId, [
    {
      uri: URI,
      source: 'Product docs',
      permissions: [
        { identity: 'alice@example.com', allowed: true },
        { identity: 'contractor@example.com', allowed: false },
        { identity: 'bob@example.com', allowed: true, state: 'OUT_OF_DATE' },
      ],
    },
  ]);
});
afterAll(() => emu.stop());

it('passes with exit 0 and a JSON report holding both halves', async () => {
  const r = await run('--format', 'json');
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { status: string; assertions: unknown[]; privileges?: { missing: unknown[] } };
  expect(report.status).toBe('pass');
  expect(report.assertions).toHaveLength(1);
  expect(report.privileges?.missing).toEqual([]);
});

it('--only assertions leaves the privilege report out; --only privileges the assertions', async () => {
  const a = JSON.parse((await run('--format', 'json', '--only', 'assertions')).stdout) as { privileges?: unknown; assertions: unknown[] };
  expect(a.privileges).toBeUndefined();
  expect(a.assertions).toHaveLength(1);
  const p = JSON.parse((await run('--format', 'json', '--only', 'privileges')).stdout) as { privileges?: unknown; assertions: unknown[] };
  expect(p.privileges).toBeDefined();
  expect(p.assertions).toEqual([]);
});

it('--include-entities and --states reach the effective-permissions requests', async () => {
  emu.state.resetLog();
  const r = await run('--format', 'json', '--only', 'assertions', '--include-entities', 'ALLOWED', '--states', 'UP_TO_DATE,OUT_OF_DATE');
  // Only allowed entities were read, so "contractor is denied" cannot be proven: not a pass (exit 2).
  expect(r.code, r.stderr).toBe(2);
  const checks = (JSON.parse(r.stdout) as { assertions: { checks: { status: string }[] }[] }).assertions[0]?.checks.map((c) => c.status);
  expect(checks).toContain('inconclusive');
  const calls = emu.state.requestLog().filter((e) => e.route?.endsWith('/permissions/effective') === true);
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    const q = new URLSearchParams(c.query);
    expect(q.get('includeEntities')).toBe('ALLOWED');
    expect(q.getAll('states').join(',')).toContain('OUT_OF_DATE');
  }
});

it('markdown for a pull request, and bad values are usage errors (exit 3)', async () => {
  const md = await run('--format', 'markdown');
  expect(md.code).toBe(0);
  expect(md.stdout).toMatch(/^#/m);
  expect((await run('--states', 'FRESH')).code).toBe(3);
  expect((await run('--include-entities', 'SOME')).code).toBe(3);
  expect((await run('--only', 'everything')).code).toBe(3);
});

it('a failing assertion is exit 2 and names the identity', async () => {
  writeFileSync(join(dir, 'failing.yaml'), CONFIG.replace('denied: [contractor@example.com]', 'denied: [alice@example.com]'));
  const r = await runCli(['verify', '-c', 'failing.yaml'], { cwd: dir, env: { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken } });
  expect(r.code).toBe(2);
  expect(r.stdout).toContain('alice@example.com');
});
