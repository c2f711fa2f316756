/** References by identity are checked against the live org before anything is written (issue 5). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../../src/emulator/index.js';
import { runCli, tempDir } from '../../support/cli.js';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ randomSeed: 9 });
});
afterAll(() => emu.stop());

it('a source naming a security provider that exists nowhere is an input error at its position, before any write', async () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'coveo-sync.yaml'),
    'version: 1\nsources:\n  - name: Docs\n    sourceType: WEB2\n    sourceVisibility: SECURED\n    securityProviders: [Nowhere Provider]\n    configuration: { startingAddresses: [https://docs.example.com/] }\n',
  );
  emu.state.resetLog();
  const r = await runCli(['apply', '--auto-approve'], { cwd: dir, env: { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken } });
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/coveo-sync\.yaml:\d+:\d+ error .*"Nowhere Provider", which is neither declared in the files nor present in the organization/);
  expect(emu.state.requestLog().filter((e) => e.method !== 'GET' && !['POST /privileges/token', 'POST /indexes/fields/search'].includes(e.route ?? ''))).toEqual([]);
});

it('a provider that exists in the organization but is not declared is a valid reference', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'coveo-sync.yaml'), 'version: 1\nsources:\n  - name: Mail\n    sourceType: WEB2\n    securityProviders: [Email Security Provider]\n    configuration: { startingAddresses: [https://mail.example.com/] }\n');
  const env = { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken };
  expect((await runCli(['apply', '--auto-approve'], { cwd: dir, env })).code).toBe(0);
  expect((await runCli(['plan', '--detailed-exitcode'], { cwd: dir, env })).code).toBe(0);
});
