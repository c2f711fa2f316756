/**
 * `apply PLAN_FILE` end to end (issue 6, design §4): a saved plan applies exactly; applied twice it changes
 * nothing the second time; a change in the org since the plan refuses it (`plan_stale`, exit 1, no write);
 * a plan for another organization is refused before anything is read or written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, writesOf, type Harness } from './apply-support.js';

const CONFIG = `version: 1
fields:
  - { name: color, type: STRING, facet: true }
sources:
  - { name: Docs, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true }
groups:
  - displayName: Editors
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.write(CONFIG);
});
afterAll(() => h.stop());
beforeEach(() => h.emu.state.resetLog());

const writes = () => writesOf(h.emu.state.requestLog());
const counts = async () => ({
  fields: (await h.api<{ items: { name: string }[] }>('POST', '/indexes/fields/search', { filters: { origin: 'USER' }, perPage: 100 })).items.length,
  sources: (await h.api<unknown[]>('GET', '/sources')).length,
  groups: (await h.api<unknown[]>('GET', '/groups')).length,
});

describe('a saved create plan', () => {
  it('plan --out writes it; apply plan.json applies exactly it and the next plan is empty', async () => {
    const p = await h.run(['plan', '--out', 'plan.json', '--detailed-exitcode']);
    expect(p.code, p.stderr).toBe(2);
    expect(writes()).toEqual([]);
    const before = await counts();
    const r = await h.run(['apply', 'plan.json', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 3 added, 0 changed, 0 replaced, 0 destroyed.');
    expect(await counts()).toEqual({ fields: before.fields + 1, sources: before.sources + 1, groups: before.groups + 1 });
    const again = await h.run(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
  });

  it('applied a second time: refused as stale (exit 1, plan_stale), nothing written, nothing duplicated', async () => {
    const before = await counts();
    const r = await h.run(['apply', 'plan.json', '--auto-approve', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { code: 'plan_stale', exitCode: 1 } });
    expect(r.stderr).toMatch(/stale.*plan --out/s);
    expect(writes()).toEqual([]);
    expect(await counts()).toEqual(before);
  });
});

describe('a saved update plan', () => {
  it('is refused when the org changed between plan and apply (exit 1, plan_stale, zero writes)', async () => {
    h.write(CONFIG.replace('facet: true', 'facet: false'));
    expect((await h.run(['plan', '--out', 'update.json'])).code).toBe(0);
    // Someone changes the group (not even a resource the plan changes) behind the tool's back.
    const group = (await h.api<{ id: string; displayName: string }[]>('GET', '/groups')).find((g) => g.displayName === 'Editors')!;
    const full = await h.api<Record<string, unknown>>('GET', `/groups/${group.id}`);
    await h.api('PUT', `/groups/${group.id}?sendEmailToInvitedUsers=false`, { ...full, privileges: [] });
    h.emu.state.resetLog();
    const r = await h.run(['apply', 'update.json', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('groups/Editors');
    expect(r.stderr).toMatch(/plan.*again/i);
    expect(writes()).toEqual([]);
  });

  it('a new plan of the same change applies, and is then refused as stale', async () => {
    expect((await h.run(['plan', '--out', 'update2.json'])).code).toBe(0);
    const r = await h.run(['apply', 'update2.json', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 2 changed');
    h.emu.state.resetLog();
    const second = await h.run(['apply', 'update2.json', '--auto-approve']);
    expect(second.code).toBe(1);
    expect(writes()).toEqual([]);
  });

  it('an object created in the org since the plan makes it stale too', async () => {
    h.write(CONFIG.replace('facet: true', 'facet: false').replace('type: STRING,', 'type: STRING, label: Colour,'));
    expect((await h.run(['plan', '--out', 'update3.json'])).code).toBe(0);
    await h.api('POST', '/indexes/fields/batch/create', [{ name: 'sneaky', type: 'STRING' }]);
    h.emu.state.resetLog();
    const r = await h.run(['apply', 'update3.json', '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fields/sneaky');
    expect(writes()).toEqual([]);
  });
});

describe('a plan for another organization', () => {
  it('is refused with exit 3 before any read or write', async () => {
    const other = h.emu.state.addOrganization({ organizationId: 'otherorg' });
    h.write(CONFIG.replace('Editors', 'Other editors'));
    const p = await h.run(['plan', '--out', 'other.json'], { env: { COVEO_ORGANIZATION_ID: other } });
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(h.dir, 'other.json'), 'utf8'))).toMatchObject({ basis: { organizationId: other } });
    h.emu.state.resetLog();
    const r = await h.run(['apply', 'other.json', '--auto-approve', '--org', h.emu.organizationId]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(other);
    expect(h.emu.state.requestLog()).toEqual([]);
  });

  it('is refused too when COVEO_ORGANIZATION_ID names another organization', async () => {
    h.emu.state.resetLog();
    const r = await h.run(['apply', 'other.json', '--auto-approve']);
    expect(r.code, r.stderr).toBe(3);
    expect(h.emu.state.requestLog()).toEqual([]);
  });
});

describe('a saved plan with a secret from the environment', () => {
  const SECRET_CONFIG = `version: 1
sources:
  - name: Crawled
    sourceType: WEB2
    sourceVisibility: SHARED
    configuration:
      startingAddresses: ['https://crawled.example.com/']
      parameters:
        Password: { sensitive: true, value: '\${env:CRAWLER_PASSWORD}' }
`;
  const VALUE = 'hunter2-crawler-secret';

  it('holds a fingerprint, never the value; applies with the same value and refuses a changed or missing one', async () => {
    const local = await startHarness();
    try {
      local.write(SECRET_CONFIG);
      const p = await local.run(['plan', '--out', 'plan.json'], { env: { CRAWLER_PASSWORD: VALUE } });
      expect(p.code, p.stderr).toBe(0);
      expect(readFileSync(join(local.dir, 'plan.json'), 'utf8')).not.toContain(VALUE);
      expect(p.stdout + p.stderr).not.toContain(VALUE);
      local.emu.state.resetLog();

      const changed = await local.run(['apply', 'plan.json', '--auto-approve'], { env: { CRAWLER_PASSWORD: 'another value' } });
      expect(changed.code).toBe(1);
      expect(changed.stderr).toContain('CRAWLER_PASSWORD changed');
      const missing = await local.run(['apply', 'plan.json', '--auto-approve'], { env: { CRAWLER_PASSWORD: undefined } });
      expect(missing.code).toBe(3);
      expect(local.emu.state.requestLog()).toEqual([]);

      const ok = await local.run(['apply', 'plan.json', '--auto-approve'], { env: { CRAWLER_PASSWORD: VALUE } });
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout + ok.stderr).not.toContain(VALUE);
      const sources = local.emu.state.snapshot(local.emu.organizationId)['sources'] as { raw: { configuration: { parameters: { Password: { value: string } } } } }[];
      expect(sources[0]!.raw.configuration.parameters.Password.value).toBe(VALUE);
      const again = await local.run(['plan', '--detailed-exitcode'], { env: { CRAWLER_PASSWORD: VALUE } });
      expect(again.code, again.stdout).toBe(0);
    } finally {
      await local.stop();
    }
  });
});
