/**
 * Export against the emulator over real HTTP (issue 7): an organization built through the API exports to
 * files that plan empty against it, for every kind; exports are byte-identical; the format has a golden
 * file; the files clone the organization into an empty one with every reference remapped; adopted API keys
 * get only their marker.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFlags } from '../../../src/cli/commands/export.js';
import { RESOURCE_KINDS } from '../../../src/core/types.js';
import { runCli } from '../../support/cli.js';
import { startTestEmulator, type TestEmulator } from './emulator.js';
import { apiFor, buildOrg, SECRET_ENV, type Api, type BuiltOrg } from './org-builder.js';

let emu: TestEmulator;
let orgA: string;
let apiA: Api;
let built: BuiltOrg;

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'coveo-sync-export-it-'));

function envFor(org: string): Record<string, string> {
  return { COVEO_ACCESS_TOKEN: emu.adminToken, COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: org, ...SECRET_ENV };
}

async function exportOrg(org: string, flags: ExportFlags = {}): Promise<{ dir: string; code: number; stderr: string; files: Record<string, string> }> {
  const dir = tempDir();
  // Through the command line, so the flags' wiring is tested with everything else.
  const argv = [
    'export',
    '--out',
    flags.out ?? 'coveo',
    ...(flags.kinds ?? []).flatMap((k) => ['--kinds', k]),
    ...(flags.splitByKind ? ['--split-by-kind'] : []),
    ...(flags.adoptApiKeys ? ['--adopt-api-keys'] : []),
    ...(flags.includeBuiltIns ? ['--include-built-ins'] : []),
    ...(flags.force ? ['--force'] : []),
    ...(flags.parallelism ? ['--parallelism', String(flags.parallelism)] : []),
  ];
  const { code, stderr } = await runCli(argv, { cwd: dir, env: envFor(org) });
  const out = join(dir, flags.out ?? 'coveo');
  const files = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  return { dir: out, code, stderr, files };
}

async function plan(dir: string, org: string, extra: string[] = []) {
  return runCli(['plan', '-c', dir, '--detailed-exitcode', ...extra], { env: envFor(org) });
}

beforeAll(async () => {
  emu = await startTestEmulator();
  orgA = emu.organizationId;
  apiA = apiFor(emu.url, orgA, emu.adminToken);
  built = await buildOrg(apiA);
});

afterAll(async () => {
  await emu?.stop();
});

describe('export → plan against the same organization', () => {
  it('plans empty for the whole organization', async () => {
    const exported = await exportOrg(orgA);
    expect(exported.code).toBe(0);
    for (const kind of RESOURCE_KINDS) expect(exported.files['coveo-sync.yaml'], kind).toContain(`\n${kind}:\n  - `);
    const r = await plan(exported.dir, orgA);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/No changes/);
    expect(r.code).toBe(0);
  });

  it.each(RESOURCE_KINDS.map((k) => [k]))('plans empty for %s alone', async (kind) => {
    const exported = await exportOrg(orgA, { kinds: [kind] });
    expect(exported.code).toBe(0);
    const r = await plan(exported.dir, orgA);
    expect(r.stdout).toMatch(/No changes/);
    expect(r.code).toBe(0);
  });

  it('plans empty from split files', async () => {
    const exported = await exportOrg(orgA, { splitByKind: true });
    const r = await plan(exported.dir, orgA);
    expect(r.code).toBe(0);
  });

  it('names references by identity and secrets by placeholder, never ids or values', async () => {
    const { files } = await exportOrg(orgA);
    const text = files['coveo-sync.yaml'] ?? '';
    for (const id of [built.sources.docs, built.sources.catalog, built.groups.editors, built.groups.admins, built.apiKeys.storefront, built.apiKeys.pusher]) expect(text).not.toContain(id);
    for (const value of Object.values(SECRET_ENV)) expect(text).not.toContain(value);
    expect(text).toContain('target: { source: Product docs }');
    expect(text).toContain('target: { apiKey: storefront-search }');
    expect(text).toContain('value: ${env:COVEO_SOURCE_PRODUCT_DOCS_PASSWORD}');
    expect(text).toContain('value: DocsBot $${literal}');
    expect(files['secrets.example.env']).toContain('COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD=\n');
  });

  it('shows a change made in Coveo after the export (the round trip can fail)', async () => {
    const exported = await exportOrg(orgA, { kinds: ['fields'] });
    await apiA.call('PUT', '/indexes/fields/productsize', { body: { name: 'productsize', type: 'LONG', includeInQuery: false } });
    try {
      const r = await plan(exported.dir, orgA);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('productsize');
    } finally {
      await apiA.call('PUT', '/indexes/fields/productsize', { body: { name: 'productsize', type: 'LONG', includeInQuery: true } });
    }
  });
});

describe('determinism', () => {
  it('two exports of the same organization are byte-identical', async () => {
    const a = await exportOrg(orgA, { splitByKind: true });
    const b = await exportOrg(orgA, { splitByKind: true });
    expect(Object.keys(b.files).sort()).toEqual(Object.keys(a.files).sort());
    for (const [name, text] of Object.entries(a.files)) expect(b.files[name], name).toBe(text);
  });

  it('matches the golden file', async () => {
    const { files } = await exportOrg(orgA);
    const text = (files['coveo-sync.yaml'] ?? '').replace(/coveo-sync@[^/]+\//, 'coveo-sync@[version]/');
    await expect(text).toMatchFileSnapshot('../../golden/export/emulator-org.yaml');
    await expect(files['secrets.example.env']).toMatchFileSnapshot('../../golden/export/secrets-example.golden.txt');
  });
});

describe('clone into another organization', () => {
  it('creates everything in an empty org with references remapped, then plans empty', async () => {
    const exported = await exportOrg(orgA);
    const orgB = await emu.createOrganization();
    const apiB = apiFor(emu.url, orgB, emu.adminToken);
    const secretsOut = join(tempDir(), 'keys.json');

    const first = await plan(exported.dir, orgB);
    expect(first.code).toBe(2);
    const applied = await runCli(['apply', '-c', exported.dir, '--auto-approve', '--secrets-out', secretsOut], { env: envFor(orgB) });
    expect(applied.stderr).not.toMatch(/error/i);
    expect(applied.code).toBe(0);
    const again = await plan(exported.dir, orgB);
    expect(again.stdout).toMatch(/No changes/);
    expect(again.code).toBe(0);

    // B exports to the same files as A: same resources by identity.
    const exportedB = await exportOrg(orgB);
    expect(exportedB.files['coveo-sync.yaml']).toBe(exported.files['coveo-sync.yaml']);

    // …with B's own ids in every reference.
    const sourcesB = await apiB.call<{ id: string; name: string }[]>('GET', '/sources/raw/all', { query: { page: '0', pageSize: '100' } });
    const docsB = sourcesB.find((s) => s.name === 'Product docs')?.id;
    const catalogB = sourcesB.find((s) => s.name === 'Catalog')?.id;
    expect(docsB).toBeDefined();
    expect(docsB).not.toBe(built.sources.docs);
    const groupsB = await apiB.call<{ id: string; displayName: string; privileges: { targetDomain: string; targetId?: string }[]; groupsThatCanEdit?: { id: string }[] }[]>('GET', '/groups');
    const editorsB = groupsB.find((g) => g.displayName === 'Search editors');
    const adminsB = groupsB.find((g) => g.displayName === 'Administrators');
    expect(editorsB?.privileges.find((p) => p.targetDomain === 'SOURCE')?.targetId).toBe(docsB);
    expect(editorsB?.groupsThatCanEdit?.map((g) => g.id)).toEqual([adminsB?.id]);
    const keysB = await apiB.call<{ id: string; description?: string; privileges: { targetId?: string }[]; groupsThatCanEdit?: { id: string }[] }[]>('GET', '/apikeys');
    const storefrontB = keysB.find((k) => k.description?.endsWith('name=storefront-search'));
    const pusherB = keysB.find((k) => k.description?.endsWith('name=catalog-pusher'));
    expect(pusherB?.privileges[0]?.targetId).toBe(catalogB);
    expect(pusherB?.groupsThatCanEdit?.map((g) => g.id)).toEqual([editorsB?.id]);
    expect(editorsB?.privileges.find((p) => p.targetDomain === 'API_KEY')?.targetId).toBe(storefrontB?.id);
    const schedulesB = await apiB.call<{ refreshType: string }[]>('GET', `/sources/${docsB ?? ''}/schedules`);
    expect(schedulesB.map((s) => s.refreshType).sort()).toEqual(['FULL_REFRESH', 'INCREMENTAL_REFRESH']);
    const rawDocsB = await apiB.call<{ groupsThatCanEdit?: { id: string }[]; apiKeysThatCanEdit?: { id: string }[] }>('GET', `/sources/${docsB ?? ''}/raw`);
    expect(rawDocsB.groupsThatCanEdit?.map((g) => g.id)).toEqual([editorsB?.id]);
    expect(rawDocsB.apiKeysThatCanEdit?.map((k) => k.id)).toEqual([storefrontB?.id]);
    // The new keys' values went to the secrets file, once.
    expect(readFileSync(secretsOut, 'utf8')).toContain('storefront-search');
  });
});

describe('adopting API keys made by hand', () => {
  it('exports them named, and the next apply writes only their marker', async () => {
    const org = await emu.createOrganization();
    const api = apiFor(emu.url, org, emu.adminToken);
    const handMade = await api.call<{ id: string }>('POST', '/apikeys', {
      body: { displayName: 'Made by hand', description: 'Created in the admin console', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }] },
    });
    const before = await api.call<unknown[]>('GET', '/apikeys');

    const exported = await exportOrg(org, { adoptApiKeys: true, kinds: ['apiKeys'] });
    expect(exported.files['coveo-sync.yaml']).toContain('  - name: made-by-hand\n    displayName: Made by hand\n    description: Created in the admin console\n');
    expect(exported.stderr).toContain('Adopting 1 API key');

    const planned = await runCli(['plan', '-c', exported.dir, '--format', 'json'], { env: envFor(org) });
    expect(planned.code).toBe(0);
    const steps = (JSON.parse(planned.stdout) as { plan: { steps: { action: string; id: string; changes: { path: string }[] }[] } }).plan.steps;
    expect(steps.map((s) => [s.action, s.id, s.changes.map((c) => c.path)])).toEqual([['update', 'made-by-hand', ['description']]]);

    emu.resetLog();
    const applied = await runCli(['apply', '-c', exported.dir, '--auto-approve'], { env: envFor(org) });
    expect(applied.code).toBe(0);
    expect(emu.writes()).toEqual([`PUT /apikeys/${handMade.id}`]);
    const after = await api.call<{ id: string; description: string }[]>('GET', '/apikeys');
    expect(after).toHaveLength(before.length);
    expect(after.find((k) => k.id === handMade.id)?.description).toBe('Created in the admin console\n\nmanaged-by: coveo-sync name=made-by-hand');
    const again = await plan(exported.dir, org);
    expect(again.code).toBe(0);
  });
});
