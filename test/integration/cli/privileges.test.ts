/**
 * The privilege checks wired into the commands (issue 8), end to end: the CLI in-process against the
 * emulator over HTTP, with user tokens that hold chosen privileges and an API key used as a token.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../../src/emulator/index.js';
import { runCli, tempDir } from '../../support/cli.js';

const CONFIG = `version: 1
fields:
  - name: productcolor
    type: STRING
    facet: true
apiKeys:
  - name: search-key
    displayName: Search key
    privileges:
      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT }
`;

const VIEW_ALL = ['FIELD', 'API_KEY', 'SOURCE', 'GROUP', 'ORGANIZATION'].map((d) => ({ owner: 'PLATFORM', targetDomain: d, type: 'VIEW', targetId: '*' }));

let emu: EmulatorHandle;
let dir: string;

const writes = (): string[] =>
  emu.state
    .requestLog()
    .filter((e) => e.method !== 'GET' && !e.path.endsWith('/indexes/fields/search') && !e.path.endsWith('/privileges/token'))
    .map((e) => `${e.method} ${e.path}`);

/** Only the privilege checks were sent (the token's privileges, and what API keys may hold), no read of the org's resources. */
const privilegeChecksOnly = (): boolean => {
  const routes = emu.state.requestLog().map((e) => e.route);
  return routes.includes('POST /privileges/token') && routes.every((r) => r === 'POST /privileges/token' || r === 'GET /privileges/apikeys');
};

const run = (argv: string[], token: string, config = 'coveo-sync.yaml'): ReturnType<typeof runCli> =>
  runCli([argv[0]!, '-c', config, ...argv.slice(1)], {
    cwd: dir,
    env: { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: token },
  });

beforeAll(async () => {
  emu = await startEmulator({ randomSeed: 3 });
  dir = tempDir();
  writeFileSync(join(dir, 'coveo-sync.yaml'), CONFIG);
});
afterAll(() => emu.stop());
beforeEach(() => emu.state.resetLog());

describe('preflight before reading', () => {
  it('ends a plan with exit 4 and the privileges to add, before reading anything', async () => {
    const none = emu.state.createToken({ username: 'nobody@acme.com', privileges: [] });
    const r = await run(['plan'], none);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('lacks 4 privileges this plan needs; nothing was read');
    expect(r.stderr).toContain("needs PLATFORM / FIELD / VIEW: add it to a group of the token's user");
    expect(r.stderr).toContain('to read fields');
    expect(privilegeChecksOnly()).toBe(true);
  });

  it('--skip-preflight goes straight to reading, and the API refusal still ends with exit 4', async () => {
    const none = emu.state.createToken({ username: 'nobody2@acme.com', privileges: [] });
    const r = await run(['plan', '--skip-preflight'], none);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('403');
    expect(r.stderr).toContain('PLATFORM:');
    const routes = emu.state.requestLog().map((e) => e.route);
    expect(routes).not.toContain('POST /privileges/token');
    expect(routes).toContain('GET /sources/raw/all');
  });

  it('refuses an API key token on a configuration that manages API keys, before reading', async () => {
    const created = await fetch(`${emu.url}/rest/organizations/${emu.organizationId}/apikeys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'CI key', privileges: VIEW_ALL.filter((p) => p.targetDomain !== 'API_KEY') }),
    });
    const key = ((await created.json()) as { value: string }).value;
    emu.state.resetLog();
    const r = await run(['plan'], key);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('an API key can never view or edit API keys');
    expect(r.stderr).not.toContain(key);
    expect(privilegeChecksOnly()).toBe(true);
  });
});

describe('plan and apply with a token that can read but not write', () => {
  it('plan goes on and warns what its apply would lack', async () => {
    const viewer = emu.state.createToken({ username: 'viewer@acme.com', privileges: VIEW_ALL });
    const r = await run(['plan'], viewer);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('apply of this plan needs PLATFORM / FIELD / CREATE');
    expect(r.stdout).toContain('apply of this plan needs PLATFORM / API_KEY / CREATE');
  });

  it('apply stops with exit 4 before the first write, naming each missing privilege and its step', async () => {
    const viewer = emu.state.createToken({ username: 'viewer2@acme.com', privileges: VIEW_ALL });
    const r = await run(['apply', '--auto-approve', '--secrets-out', 'secrets.json'], viewer);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('lacks 2 privileges this apply needs; nothing was changed');
    expect(r.stderr).toContain('to create field "productcolor"');
    expect(r.stderr).toContain('to create API key "search-key"');
    expect(writes()).toEqual([]);
  });

  it('a saved plan is checked the same way before its first write', async () => {
    const saved = await run(['plan', '--out', 'plan.json'], emu.adminToken);
    expect(saved.code).toBe(0);
    const viewer = emu.state.createToken({ username: 'viewer3@acme.com', privileges: VIEW_ALL });
    emu.state.resetLog();
    const r = await runCli(['apply', 'plan.json', '--auto-approve', '--secrets-out', 'secrets2.json'], {
      cwd: dir,
      env: { COVEO_PLATFORM_URL: emu.url, COVEO_ACCESS_TOKEN: viewer },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('nothing was changed');
    expect(writes()).toEqual([]);
  });
});

describe('API key privileges against what the organization offers', () => {
  const BAD = CONFIG.replace('targetDomain: EXECUTE_QUERY', 'targetDomain: EXECUTE_QUERRY');

  it('plan reports a privilege the organization does not offer as an input error with its position', async () => {
    writeFileSync(join(dir, 'bad.yaml'), BAD);
    const r = await run(['plan'], emu.adminToken, 'bad.yaml');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bad\.yaml:10:\d+ error apiKeys\[0\]\.privileges\[0\]\.targetDomain: .*EXECUTE_QUERRY.*did you mean `EXECUTE_QUERY`/s);
    expect(writes()).toEqual([]);
  });

  it('validate --online does the same check; validate alone sends nothing', async () => {
    writeFileSync(join(dir, 'bad.yaml'), BAD);
    const online = await run(['validate', '--online'], emu.adminToken, 'bad.yaml');
    expect(online.code).toBe(3);
    expect(online.stderr).toContain('did you mean `EXECUTE_QUERY`');
    emu.state.resetLog();
    const offline = await run(['validate'], emu.adminToken, 'bad.yaml');
    expect(offline.code).toBe(0);
    expect(emu.state.requestLog()).toEqual([]);
  });

  it('validate --online with a token that may not list them is an auth error (exit 4)', async () => {
    const none = emu.state.createToken({ username: 'nobody3@acme.com', privileges: [] });
    const r = await run(['validate', '--online'], none);
    expect(r.code).toBe(4);
  });

  it('least-privilege lint: a broad grant on a search key is a warning in validate and in the plan', async () => {
    const v = await run(['validate'], emu.adminToken);
    expect(v.code).toBe(0);
    expect(v.stderr).toMatch(/coveo-sync\.yaml:\d+:\d+ warning apiKeys\[0\]\.privileges\[1\]: .*looks like a search key.*PLATFORM \/ SOURCE \/ EDIT/);
    const p = await run(['plan', '--format', 'json'], emu.adminToken);
    expect(p.code).toBe(0);
    const warnings = (JSON.parse(p.stdout) as { plan: { warnings: { message: string }[] } }).plan.warnings.map((w) => w.message);
    expect(warnings.some((w) => w.includes('looks like a search key'))).toBe(true);
    // In the text plan: where, then what (no severity word: the plan's warnings section says it).
    const text = await run(['plan'], emu.adminToken);
    expect(text.stdout).toMatch(/coveo-sync\.yaml:\d+:\d+ apiKeys\[0\]\.privileges\[1\]: API key "search-key" looks like a search key/);
    expect(text.stdout).not.toMatch(/ warning apiKeys/);
  });
});
