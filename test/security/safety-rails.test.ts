/**
 * Safety rails (issue 10), through the CLI against the emulator: nothing that looks like "the
 * configuration is empty" or "the organization is empty" because of a mistake or a permission problem may
 * plan a delete, and a prune of more than 20% of a kind needs --allow-mass-delete.
 *
 * The organization holds 10 fields, 5 groups and 1 source made by coveo-sync; every case runs `plan
 * --prune` and `apply --prune --auto-approve` and checks the emulator received no write.
 */
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { runCli, tempDir, type RunResult } from '../support/cli.js';
import { STACK_LINE, writesIn } from './support.js';

const FIELDS = Array.from({ length: 10 }, (_, i) => `railfield${i}`);
const GROUPS = Array.from({ length: 5 }, (_, i) => `Rail group ${i}`);

const fieldsYaml = (names: readonly string[]): string => `fields:\n${names.map((n) => `  - { name: ${n}, type: STRING }\n`).join('')}`;
const groupsYaml = (names: readonly string[]): string => `groups:\n${names.map((n) => `  - displayName: ${n}\n`).join('')}`;
const FULL = `version: 1\n${fieldsYaml(FIELDS)}${groupsYaml(GROUPS)}sources:\n  - { name: Rail source, sourceType: WEB2, sourceVisibility: SHARED }\n`;

let emulator: EmulatorHandle;
let env: Record<string, string>;

/** A working directory holding `files` (path → content). */
function dirWith(files: Readonly<Record<string, string>>): string {
  const dir = tempDir('coveo-sync-rails-');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const show = (r: RunResult): string => `exit ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 3000)}`;

/** `plan --prune` and `apply --prune`: the exit code of each, and the deletes the plan shows. */
async function pruneBoth(cwd: string, config: readonly string[], extraEnv: Record<string, string> = {}, flags: readonly string[] = []): Promise<{ plan: RunResult; apply: RunResult; deletes: number }> {
  const e = { ...env, ...extraEnv };
  const plan = await runCli(['plan', ...config, '--prune', '--format', 'json', ...flags], { env: e, cwd });
  let deletes = 0;
  if (plan.stdout.trim().startsWith('{')) {
    const parsed = JSON.parse(plan.stdout) as { plan?: { steps?: { action: string }[] } };
    deletes = (parsed.plan?.steps ?? []).filter((s) => s.action === 'delete').length;
  }
  const apply = await runCli(['apply', ...config, '--prune', '--auto-approve', ...flags], { env: e, cwd });
  for (const r of [plan, apply]) {
    expect(r.stderr, show(r)).not.toMatch(STACK_LINE);
    expect(r.stderr, show(r)).not.toContain('internal error');
  }
  return { plan, apply, deletes };
}

const expectNoWrite = (): void => {
  expect(writesIn(emulator.state.requestLog())).toEqual([]);
};

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', randomSeed: 5 });
  env = { COVEO_PLATFORM_URL: emulator.url, COVEO_ACCESS_TOKEN: emulator.adminToken, COVEO_ORGANIZATION_ID: emulator.organizationId, COVEO_SYNC_LOCK_DIR: tempDir('coveo-sync-rails-lock-') };
  const r = await runCli(['apply', '-c', 'c.yaml', '--auto-approve'], { env, cwd: dirWith({ 'c.yaml': FULL }) });
  expect(r.code, show(r)).toBe(0);
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(() => {
  emulator.state.resetLog();
  emulator.state.resetFaults();
});

describe('inputs that look empty by mistake never plan deletes', () => {
  it('an empty configuration directory: exit 3, nothing planned or written', async () => {
    const cwd = dirWith({ 'coveo/.gitkeep': '' });
    const { plan, apply } = await pruneBoth(cwd, ['-c', 'coveo']);
    for (const r of [plan, apply]) {
      expect(r.code, show(r)).toBe(3);
      expect(r.stderr).toContain('no .yaml or .yml files in coveo');
    }
    expectNoWrite();
  });

  it('a directory whose only file cannot be read (a dangling link): exit 3', async () => {
    const cwd = dirWith({ 'coveo/.gitkeep': '' });
    symlinkSync(join(cwd, 'gone.yaml'), join(cwd, 'coveo', 'fields.yaml'));
    const { plan, apply } = await pruneBoth(cwd, ['-c', 'coveo']);
    for (const r of [plan, apply]) expect(r.code, show(r)).toBe(3);
    expect(plan.stderr).toContain('coveo/fields.yaml:1:1');
    expectNoWrite();
  });

  it('one unreadable file among readable ones: the whole configuration is refused, not planned without it', async () => {
    const cwd = dirWith({ 'coveo/groups.yaml': `version: 1\n${groupsYaml(GROUPS)}`, 'coveo/fields.yaml': `version: 1\n${fieldsYaml(FIELDS)}` });
    rmSync(join(cwd, 'coveo', 'fields.yaml'));
    symlinkSync('/dev/null', join(cwd, 'coveo', 'fields.yaml'));
    const { plan, apply, deletes } = await pruneBoth(cwd, ['-c', 'coveo']);
    for (const r of [plan, apply]) expect(r.code, show(r)).toBe(3);
    expect(deletes).toBe(0);
    expectNoWrite();
  });

  it.runIf(process.getuid?.() !== 0)('a directory without read permission (not testable as root): exit 3', async () => {
    const cwd = dirWith({ 'coveo/fields.yaml': `version: 1\n${fieldsYaml(FIELDS)}` });
    chmodSync(join(cwd, 'coveo'), 0o000);
    try {
      const { plan, apply } = await pruneBoth(cwd, ['-c', 'coveo']);
      for (const r of [plan, apply]) expect(r.code, show(r)).toBe(3);
      expectNoWrite();
    } finally {
      chmodSync(join(cwd, 'coveo'), 0o755);
    }
  });

  it.each([
    ['emptied to []', `version: 1\nfields: []\n${groupsYaml(GROUPS)}`],
    ['emptied to nothing but a comment', `version: 1\nfields:  []  # TODO put the fields back\n${groupsYaml(GROUPS)}`],
    ['removed altogether', `version: 1\n${groupsYaml(GROUPS)}`],
  ])('a kind list %s: its live resources are left alone, even with --prune', async (_name, text) => {
    const cwd = dirWith({ 'c.yaml': text });
    const { plan, apply, deletes } = await pruneBoth(cwd, ['-c', 'c.yaml']);
    expect(plan.code, show(plan)).toBe(0);
    expect(apply.code, show(apply)).toBe(0);
    expect(deletes).toBe(0);
    expectNoWrite();
  });
});

describe('a read that fails or comes back empty because of permissions never plans deletes', () => {
  it('a token without FIELD VIEW: exit 4 at the preflight, nothing written', async () => {
    const token = emulator.state.createToken({
      username: 'no-field-view@example.com',
      organizationId: emulator.organizationId,
      privileges: [
        { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT', targetId: '*' },
        { owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW', targetId: '*' },
      ],
    });
    const { plan, apply, deletes } = await pruneBoth(dirWith({ 'c.yaml': `version: 1\n${fieldsYaml(FIELDS.slice(0, 1))}` }), ['-c', 'c.yaml'], { COVEO_ACCESS_TOKEN: token });
    for (const r of [plan, apply]) {
      expect(r.code, show(r)).toBe(4);
      expect(r.stderr).toMatch(/FIELD/);
    }
    expect(deletes).toBe(0);
    expectNoWrite();
  });

  it('the same token with --skip-preflight: the listing answers 403, exit 4, nothing written', async () => {
    const token = emulator.state.createToken({ username: 'no-field-view-2@example.com', organizationId: emulator.organizationId, privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT', targetId: '*' }] });
    const { plan, apply } = await pruneBoth(dirWith({ 'c.yaml': `version: 1\n${fieldsYaml(FIELDS.slice(0, 1))}` }), ['-c', 'c.yaml'], { COVEO_ACCESS_TOKEN: token }, ['--skip-preflight']);
    for (const r of [plan, apply]) {
      expect(r.code, show(r)).toBe(4);
      expect(r.stderr).toContain('403');
    }
    expectNoWrite();
  });

  it.each([
    ['403 on the group listing', { status: 403, errorCode: 'ACCESS_DENIED', message: 'You are not allowed to list groups.' }, 4],
    ['401 on the group listing', { status: 401, errorCode: 'INVALID_TOKEN', message: 'Token expired.' }, 4],
    ['200 with an error body instead of a list', { status: 200, errorCode: 'ACCESS_DENIED', message: 'no access' }, 1],
  ])('%s: no plan, nothing written', async (_name, fault, code) => {
    emulator.state.addFaultRule({ method: 'GET', path: '/groups$', count: 1000, ...fault });
    const { plan, apply, deletes } = await pruneBoth(dirWith({ 'c.yaml': `version: 1\n${groupsYaml(GROUPS.slice(0, 1))}` }), ['-c', 'c.yaml']);
    for (const r of [plan, apply]) expect(r.code, show(r)).toBe(code);
    expect(deletes).toBe(0);
    expectNoWrite();
  });
});

describe('mass delete', () => {
  it('pruning 3 of 10 fields (30%) is refused without --allow-mass-delete: exit 3 with the reason, nothing written', async () => {
    const cwd = dirWith({ 'c.yaml': `version: 1\n${fieldsYaml(FIELDS.slice(0, 7))}` });
    const { plan, apply } = await pruneBoth(cwd, ['-c', 'c.yaml']);
    for (const r of [plan, apply]) {
      expect(r.code, show(r)).toBe(3);
      expect(r.stderr).toContain('Prune would delete 3 of 10');
      expect(r.stderr).toContain('--allow-mass-delete');
    }
    expectNoWrite();
  });

  it('pruning 1 of 5 groups (20%) is allowed; the Administrators group is never a candidate', async () => {
    const cwd = dirWith({ 'c.yaml': `version: 1\n${groupsYaml(GROUPS.slice(0, 4))}` });
    const plan = await runCli(['plan', '-c', 'c.yaml', '--prune', '--format', 'json'], { env, cwd });
    expect(plan.code, show(plan)).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { plan: { steps: { action: string; id: string }[] } }).plan.steps;
    expect(steps.filter((s) => s.action === 'delete').map((s) => s.id)).toEqual(['Rail group 4']);
    expectNoWrite();
  });

  it('with --allow-mass-delete the plan shows the deletes (and nothing is applied by plan)', async () => {
    const cwd = dirWith({ 'c.yaml': `version: 1\n${fieldsYaml(FIELDS.slice(0, 7))}` });
    const plan = await runCli(['plan', '-c', 'c.yaml', '--prune', '--allow-mass-delete', '--format', 'json'], { env, cwd });
    expect(plan.code, show(plan)).toBe(0);
    const steps = (JSON.parse(plan.stdout) as { plan: { steps: { action: string; id: string }[] } }).plan.steps;
    expect(steps.filter((s) => s.action === 'delete').map((s) => s.id).sort()).toEqual(FIELDS.slice(7));
    expectNoWrite();
  });

  it('a saved plan that prunes too much cannot be made, so it cannot be applied either', async () => {
    const cwd = dirWith({ 'c.yaml': `version: 1\n${fieldsYaml(FIELDS.slice(0, 2))}` });
    const plan = await runCli(['plan', '-c', 'c.yaml', '--prune', '--out', 'plan.json'], { env, cwd });
    expect(plan.code, show(plan)).toBe(3);
    const apply = await runCli(['apply', 'plan.json', '--auto-approve'], { env, cwd });
    expect(apply.code, show(apply)).toBe(3);
    expect(apply.stderr).toContain('no such plan file');
    expectNoWrite();
  });
});
