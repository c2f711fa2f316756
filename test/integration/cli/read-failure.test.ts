/** A failed read of one kind while the others succeed stops plan, drift and apply with exit 1 and no plan: never an empty list (design §4). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../../src/emulator/index.js';
import { runCli, tempDir } from '../../support/cli.js';

const CONFIG = `version: 1
settings:
  prune: true
fields:
  - name: color
    type: STRING
groups:
  - displayName: Editors
`;

let emu: EmulatorHandle;
let dir: string;
const env = (): Record<string, string> => ({ COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken });

beforeAll(async () => {
  // Pages of two, so the field listing takes several pages and can fail after the first.
  emu = await startEmulator({ randomSeed: 5, pageSizeCap: 2 });
  dir = tempDir();
  writeFileSync(join(dir, 'coveo-sync.yaml'), CONFIG);
  const applied = await runCli(['apply', '--auto-approve'], { cwd: dir, env: env() });
  expect(applied.code).toBe(0);
  for (const name of ['a1', 'a2', 'a3', 'a4']) {
    await fetch(`${emu.url}/rest/organizations/${emu.organizationId}/indexes/fields/batch/create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ name, type: 'STRING' }]),
    });
  }
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.state.resetFaults();
  emu.state.resetLog();
});

describe('a read that fails part-way', () => {
  it.each(['plan', 'drift', 'apply'])('%s: exit 1, the failed request named, nothing on stdout, nothing written', async (command) => {
    // Fields are read (over several pages); the groups listing fails.
    emu.state.addFaultRule({ path: '/groups$', method: 'GET', status: 500, count: -1 });
    const r = await runCli([command, ...(command === 'apply' ? ['--auto-approve'] : [])], { cwd: dir, env: env() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/GET.*\/groups.*500/);
    expect(emu.state.requestLog().some((e) => e.route === 'POST /indexes/fields/search')).toBe(true);
    const writes = emu.state.requestLog().filter((e) => e.method !== 'GET' && !['POST /indexes/fields/search', 'POST /privileges/token'].includes(e.route ?? ''));
    expect(writes).toEqual([]);
  });

  it('the same reads without the fault plan the prune of the four unknown fields, so the fault was what stopped it', async () => {
    const r = await runCli(['plan', '--allow-mass-delete'], { cwd: dir, env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('4 to destroy');
  });
});
