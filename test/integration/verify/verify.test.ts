/**
 * `coveo-sync verify` end to end against the emulator over real HTTP: documents loaded with thousands of
 * permissions (several pages of 1,000), unique ids with `$`, `:`, `/`, `%`, spaces and non-ASCII
 * characters, permissions not up to date, and the privilege report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, type VerifyFlags } from '../../../src/cli/commands/verify.js';
import type { CliIo } from '../../../src/cli/io.js';
import type { EmulatorHandle, PermissionInput } from '../../../src/emulator/index.js';
import { AuthError, EXIT, exitCodeOf } from '../../../src/errors.js';
import type { VerifyReport } from '../../../src/verify/index.js';
import { applyLikeCli, clientFor, createKeyWith, loadYaml, startTestEmulator } from '../privileges/support.js';

const SOURCE = `version: 1
sources:
  - name: Product docs
    sourceType: WEB2
    sourceVisibility: SECURED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
`;
const ROADMAP_URI = 'https://docs.example.com/internal/road map 100%/plan:2025$ü.html';
const ROADMAP_ID = `42.31537$${ROADMAP_URI}`;
const SHINING_ID = '42.31537$file://movies/the shining – 日本語 100%.txt';
const FILLER = 2345;

let emu: EmulatorHandle;

function ioFor(dir: string, token: string): { io: CliIo; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { CI: 'true', COVEO_ACCESS_TOKEN: token, COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId },
      cwd: dir,
      stdinIsTTY: false,
    },
    out: () => stdout,
    err: () => stderr,
  };
}

async function verify(assertionsYaml: string, token = emu.adminToken, flags: Partial<VerifyFlags> = {}): Promise<{ code: number; stdout: string; stderr: string; dir: string }> {
  const { dir, path } = await loadYaml(`${SOURCE}assertions:\n${assertionsYaml}`);
  const { io, out, err } = ioFor(dir, token);
  const code = await runVerify({ config: [path], format: 'json', ...flags }, {}, io);
  return { code, stdout: out(), stderr: err(), dir };
}

const report = (stdout: string): VerifyReport => JSON.parse(stdout) as VerifyReport;

beforeAll(async () => {
  emu = await startTestEmulator();
  const { loaded } = await loadYaml(SOURCE);
  expect((await applyLikeCli(clientFor(emu, emu.adminToken), emu.adminToken, loaded)).result.ok).toBe(true);
  const filler: PermissionInput[] = Array.from({ length: FILLER }, (_, i) => ({ identity: `user${String(i).padStart(4, '0')}@example.com`, allowed: i % 2 === 0 }));
  emu.state.loadDocuments(emu.organizationId, [
    {
      uri: ROADMAP_URI,
      source: 'Product docs',
      uniqueId: ROADMAP_ID,
      permissions: [
        ...filler,
        { identity: 'alice@example.com', allowed: true },
        { identity: 'alice@example.com', allowed: true, securityProvider: 'Intranet Directory', identityType: 'USER' },
        { identity: 'contractor@example.com', allowed: false },
        { identity: 'bob@example.com', allowed: true, state: 'OUT_OF_DATE' },
        { identity: 'carol@example.com', allowed: true, state: 'IN_ERROR', lastUpdateResult: 'TIMED_OUT', lastUpdateErrorDetail: 'directory unreachable' },
      ],
    },
    { uri: 'file://movies/the shining – 日本語 100%.txt', source: 'Product docs', uniqueId: SHINING_ID, allowed: ['pjfry@example.com'], denied: ['jzoidberg@example.com'], anonymousAllowed: false },
    { uri: 'https://docs.example.com/public.html', source: 'Product docs', anonymousAllowed: true, denied: ['banned@example.com'] },
  ]);
});
afterAll(() => emu.stop());

describe('coveo-sync verify', () => {
  it('passes assertions across pages of permissions for ids with $ : / % spaces and non-ASCII (exit 0)', async () => {
    emu.state.resetLog();
    const r = await verify(
      [
        `  - description: the roadmap stays internal`,
        `    document: { source: Product docs, uri: '${ROADMAP_URI}' }`,
        `    allowed: [alice@example.com, user2344@example.com, USER0000@example.com]`,
        `    denied: [contractor@example.com, user2343@example.com, stranger@example.com]`,
        `    anonymous: false`,
        `  - document: { source: Product docs, uri: 'file://movies/the shining – 日本語 100%.txt' }`,
        `    allowed: [pjfry@example.com]`,
        `    denied: [jzoidberg@example.com]`,
        `  - document: { source: Product docs, uri: 'https://docs.example.com/public.html' }`,
        `    allowed: [anyone@example.com]`,
        `    denied: [banned@example.com]`,
        `    anonymous: true`,
      ].join('\n'),
    );
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.ok);
    const rep = report(r.stdout);
    expect(rep.status).toBe('pass');
    expect(rep.summary).toEqual({ assertions: 3, passed: 3, failed: 0, inconclusive: 0, errors: 0 });
    const roadmap = rep.assertions[0]!;
    expect(roadmap.item).toEqual({ indexId: expect.any(String), uniqueId: ROADMAP_ID });
    expect(roadmap.permissions).toMatchObject({ entries: FILLER + 5, pages: 3, anonymousAllowed: false });
    expect(roadmap.permissions!.notUpToDate.map((e) => `${e.identity} ${e.state}`)).toEqual(['bob@example.com OUT_OF_DATE', 'carol@example.com IN_ERROR']);
    expect(roadmap.checks[0]!.entries.map((e) => e.securityProvider)).toEqual(['Email Security Provider', 'Intranet Directory']);
    // Three pages of 1,000 for the roadmap, the document id encoded twice (the log shows it decoded once).
    const pages = emu.state.requestLog().filter((e) => e.route?.endsWith('/permissions/effective') && e.path.includes(encodeURIComponent(ROADMAP_ID)));
    expect(pages.map((e) => new URLSearchParams(e.query).get('page')).sort()).toEqual(['0', '1', '2']);
    expect(pages.every((e) => new URLSearchParams(e.query).get('perPage') === '1000' && e.status === 200)).toBe(true);
    expect(emu.state.requestLog().filter((e) => e.route?.endsWith('/permissions/effective') && e.path.includes(encodeURIComponent(SHINING_ID)))).toHaveLength(1);
    expect(rep.privileges).toMatchObject({ tokenKind: 'oauth', missing: [], problems: [] });
  });

  it('fails the assertions that do not hold, names identities and providers, reports stale permissions (exit 2)', async () => {
    const r = await verify(
      [
        `  - document: { source: Product docs, uri: '${ROADMAP_URI}' }`,
        `    allowed: [contractor@example.com, user0001@example.com, bob@example.com, carol@example.com]`,
        `    denied: [alice@example.com]`,
        `    anonymous: true`,
        `  - document: { source: Product docs, uri: 'https://docs.example.com/missing.html' }`,
        `    allowed: [alice@example.com]`,
        `  - document: { source: Other source, uri: '${ROADMAP_URI}' }`,
        `    allowed: [alice@example.com]`,
      ].join('\n'),
    );
    expect(r.code).toBe(EXIT.changes);
    const rep = report(r.stdout);
    expect(rep.summary).toEqual({ assertions: 3, passed: 0, failed: 1, inconclusive: 0, errors: 2 });
    const checks = rep.assertions[0]!.checks.map((c) => `${c.check} ${c.identity ?? ''} ${c.status}`);
    expect(checks).toEqual([
      'allowed contractor@example.com fail',
      'allowed user0001@example.com fail',
      'allowed bob@example.com inconclusive',
      'allowed carol@example.com inconclusive',
      'denied alice@example.com fail',
      'anonymous  fail',
    ]);
    const details = rep.assertions[0]!.checks.map((c) => c.detail);
    expect(details[0]).toBe('contractor@example.com cannot see the item: denied by Email Security Provider (USER)');
    expect(details[2]).toMatch(/bob@example.com cannot tell whether it can see the item: its permissions are not up to date: allowed by Email Security Provider \(USER, OUT_OF_DATE\)/);
    expect(details[3]).toMatch(/IN_ERROR \(TIMED_OUT: directory unreachable\)/);
    expect(rep.assertions[1]!.error).toMatch(/no item with this URI in source "Product docs" was found/);
    expect(rep.assertions[2]!.status).toBe('error');
  });

  it('renders text and markdown with file positions', async () => {
    const yaml = `  - document: { source: Product docs, uri: '${ROADMAP_URI}' }\n    denied: [alice@example.com]\n`;
    const text = await verify(yaml, emu.adminToken, { format: 'text', only: 'assertions' });
    expect(text.code).toBe(EXIT.changes);
    expect(text.stdout).toContain(`✗ ${ROADMAP_URI} in source "Product docs" (coveo-sync.yaml:8:5)`);
    expect(text.stdout).toContain('    ✗ denied alice@example.com: alice@example.com can see the item: allowed by Email Security Provider (USER)');
    expect(text.stdout).toContain('2 permission(s) not up to date: bob@example.com in Email Security Provider OUT_OF_DATE');
    expect(text.stdout.trim().split('\n').at(-1)).toBe('Verify failed: 1 assertion(s), 0 passed, 1 failed.');
    const md = await verify(yaml, emu.adminToken, { format: 'markdown', only: 'assertions' });
    expect(md.stdout).toMatch(/^## coveo-sync verify: ❌ failed/);
    expect(md.stdout).toContain('| ✗ |');
  });

  it('honours includeEntities and states', async () => {
    const yaml = `  - document: { source: Product docs, uri: '${ROADMAP_URI}' }\n    allowed: [alice@example.com]\n    denied: [contractor@example.com]\n`;
    emu.state.resetLog();
    const allowedOnly = await verify(yaml, emu.adminToken, { includeEntities: 'ALLOWED', only: 'assertions' });
    const rep = report(allowedOnly.stdout);
    // Only allowances were read: alice's verdict cannot rule out a denial; the contractor's denial is not visible.
    expect(rep.assertions[0]!.checks.map((c) => c.status)).toEqual(['inconclusive', 'pass']);
    expect(rep.assertions[0]!.permissions!.entries).toBe(Math.ceil(FILLER / 2) + 4);
    expect(rep.filters).toEqual({ includeEntities: 'ALLOWED' });
    const queries = emu.state.requestLog().filter((e) => e.route?.endsWith('/permissions/effective')).map((e) => new URLSearchParams(e.query));
    expect(queries.every((q) => q.get('includeEntities') === 'ALLOWED')).toBe(true);

    const stale = await verify(yaml, emu.adminToken, { states: 'out_of_date,IN_ERROR', only: 'assertions' });
    const staleRep = report(stale.stdout);
    expect(staleRep.assertions[0]!.permissions).toMatchObject({ entries: 2, pages: 1 });
    expect(staleRep.assertions[0]!.checks.map((c) => c.status)).toEqual(['inconclusive', 'inconclusive']);
    await expect(verify(yaml, emu.adminToken, { states: 'FRESH' })).rejects.toThrow(/--states: unknown state "FRESH"/);
  });

  it('an API key with exactly what verify needs passes; one without Security identities - View is refused before reading permissions (exit 4)', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const enough = [
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' },
      { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' },
      { owner: 'PLATFORM', targetDomain: 'SECURITY_CACHE', type: 'VIEW' },
    ];
    const yaml = `  - document: { source: Product docs, uri: '${ROADMAP_URI}' }\n    allowed: [alice@example.com]\n`;
    const ok = await verify(yaml, await createKeyWith(admin, enough));
    expect(ok.code, ok.stdout + ok.stderr).toBe(EXIT.ok);
    expect(report(ok.stdout).privileges).toMatchObject({ tokenKind: 'apiKey', missing: [] });

    const key = await createKeyWith(admin, enough.filter((p) => p.targetDomain !== 'SECURITY_CACHE'));
    emu.state.resetLog();
    const error = await verify(yaml, key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(exitCodeOf(error)).toBe(EXIT.auth);
    expect((error as Error).message).toContain('needs PLATFORM / SECURITY_CACHE / VIEW: add it to the API key or use a token of a group that has it — to read the effective permissions of each asserted document');
    expect(emu.state.requestLog().map((e) => e.route)).toEqual(['POST /privileges/token']);
  });

  it('reports what the apply of the configuration would lack', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, [
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' },
    ]);
    const { dir, path } = await loadYaml(`${SOURCE.replace('SECURED', 'SHARED')}fields:\n  - { name: newfield, type: STRING }\n`);
    const { io, out } = ioFor(dir, key);
    const code = await runVerify({ config: [path], format: 'text' }, {}, io);
    expect(code).toBe(EXIT.changes);
    expect(out()).toContain('  ✗ needs PLATFORM / FIELD / CREATE — to create field "newfield"');
    expect(out()).toMatch(/✗ needs PLATFORM \/ SOURCE \/ EDIT on source Product docs — to update source "Product docs"; apply the changes of source "Product docs" after the apply/);
    expect(out()).toContain('Privileges (token: API key): 6 needed by plan/apply, 2 missing');
    expect(out()).not.toContain('needs PLATFORM / FIELD / VIEW');
  });

  it('--only privileges with an API key token on a configuration that manages API keys: reported as a problem, not a crash', async () => {
    const admin = clientFor(emu, emu.adminToken);
    const key = await createKeyWith(admin, [
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'SECURITY_PROVIDER', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' },
    ]);
    const { dir, path } = await loadYaml(`${SOURCE}apiKeys:\n  - { name: storefront, displayName: Storefront, privileges: [{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }] }\n`);
    const { io, out } = ioFor(dir, key);
    const code = await runVerify({ config: [path], format: 'json', only: 'privileges' }, {}, io);
    expect(code).toBe(EXIT.changes);
    const rep = report(out());
    expect(rep.privileges!.problems[0]).toMatch(/manages API keys, and the token is an API key/);
    expect(rep.privileges!.warnings[0]).toMatch(/privileges_not_checked|were not checked/);
    expect(rep.assertions).toEqual([]);
  });
});
