/**
 * Replacements through `apply` end to end (issue 6, design §4–5): a field whose type changes while a
 * source maps it, a source whose type changes (its schedule re-created, the group and the API key that
 * name it re-pointed), a source pruned while a field it maps changes. Each converges in one apply, calls
 * applyChanges only on sources that exist, and plans empty afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allPrivileges } from '../../../src/emulator/privilege-catalog.js';
import { routesOf, startHarness, writesOf, type Harness } from './apply-support.js';

const config = (o: { sourceType?: string; fieldType?: string; withGone?: boolean; goneLabel?: string } = {}) => `version: 1
fields:
  - { name: color, type: ${o.fieldType ?? 'STRING'} }
  - { name: shared, type: STRING, label: ${o.goneLabel ?? 'Shared'} }
sources:
  - name: Docs
    sourceType: ${o.sourceType ?? 'WEB2'}
    sourceVisibility: SHARED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
    mappings:
      - { fieldName: color, extractionMethod: METADATA, rules: ['%[color]'] }
      - { fieldName: shared, extractionMethod: METADATA, rules: ['%[shared]'] }
${o.withGone === false ? '' : `  - name: Gone
    sourceType: PUSH
    sourceVisibility: SHARED
    pushEnabled: true
    mappings:
      - { fieldName: shared, extractionMethod: METADATA, rules: ['%[shared]'] }
`}schedules:
  - { source: Docs, refreshType: INCREMENTAL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 2, minute: 0 } } }
groups:
  - displayName: Editors
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }
apiKeys:
  - name: docs-push
    displayName: Docs push
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }
`;

let h: Harness;
let n = 0;
const apply = (...extra: string[]) => h.run(['apply', '--auto-approve', '--secrets-out', `keys-${++n}.json`, ...extra]);
const sources = async () => Object.fromEntries((await h.api<{ id: string; name: string }[]>('GET', '/sources')).map((s) => [s.name, s.id]));
const applyChangesOn = () =>
  writesOf(h.emu.state.requestLog())
    .filter((e) => e.route === 'POST /sources/{sourceId}/applyChanges')
    .map((e) => `${/\/sources\/([^/]+)\//.exec(e.path)?.[1] ?? '?'} ${e.status}`);

beforeEach(async () => {
  h = await startHarness();
  h.write(config());
  const r = await apply();
  expect(r.code, r.stderr).toBe(0);
  h.emu.state.resetLog();
});
afterEach(() => h.stop());

describe('replace', () => {
  it('a mapped field changes type: its mappings are set aside, the field re-created, the mappings put back; one apply converges', async () => {
    const ids = await sources();
    h.write(config({ fieldType: 'LONG' }));
    const r = await apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 0 changed, 1 replaced, 0 destroyed.');
    expect(routesOf(h.emu.state.requestLog())).toEqual([
      'PUT /sources/{sourceId}/raw',
      'DELETE /indexes/fields/{fieldId}',
      'POST /indexes/fields',
      'PUT /sources/{sourceId}/raw',
      'POST /sources/{sourceId}/applyChanges',
    ]);
    for (const e of writesOf(h.emu.state.requestLog()).filter((x) => x.method === 'PUT')) expect(e.query).toBe('rebuild=false&updateSecurityProviders=false');
    expect(applyChangesOn()).toEqual([`${ids['Docs']!} 204`]);
    const raw = await h.api<{ mappings: { fieldName: string }[] }>('GET', `/sources/${ids['Docs']!}/raw`);
    expect(raw.mappings.map((m) => m.fieldName).sort()).toEqual(['color', 'shared']);
    const field = await h.api<{ type: string }>('GET', '/indexes/fields/color');
    expect(field.type).toBe('LONG');
    expect(h.emu.state.sideEffects()).toEqual([]);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('the field re-creation failing: the mappings are put back all the same, exit 1, and a re-run converges', async () => {
    h.write(config({ fieldType: 'LONG' }));
    h.emu.state.addFaultRule({ method: 'POST', path: '/indexes/fields$', status: 400, count: 1 });
    const r = await apply();
    expect(r.code).toBe(1);
    const ids = await sources();
    const raw = await h.api<{ mappings: { fieldName: string }[] }>('GET', `/sources/${ids['Docs']!}/raw`);
    expect(raw.mappings.map((m) => m.fieldName).sort()).toEqual(['color', 'shared']);
    const again = await apply();
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a source changes type (and a field it maps too): schedule re-created, group and key re-pointed, applyChanges only on the new source', async () => {
    const before = await sources();
    h.write(config({ sourceType: 'SITEMAP', fieldType: 'LONG' }));
    const r = await apply();
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 1 added, 1 changed, 3 replaced, 0 destroyed.');
    expect(r.stdout + r.stderr).not.toContain('warning');
    const after = await sources();
    expect(after['Docs']).not.toBe(before['Docs']);
    expect(applyChangesOn()).toEqual([`${after['Docs']!} 204`]);
    const group = (await h.api<{ displayName: string; privileges: { targetId: string }[] }[]>('GET', '/groups')).find((g) => g.displayName === 'Editors')!;
    expect(group.privileges.map((p) => p.targetId)).toEqual([after['Docs']]);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('prune deletes a source that maps a changed field: no applyChanges on the deleted source', async () => {
    const before = await sources();
    // The Gone source's mapping of `shared` goes with it; `shared` changes, so Docs (which maps it too) is touched.
    h.write(config({ withGone: false, goneLabel: 'Shared v2' }));
    const r = await apply('--prune', '--allow-mass-delete');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('warning');
    expect(applyChangesOn()).toEqual([`${before['Docs']!} 204`]);
    expect((await h.run(['plan', '--prune', '--detailed-exitcode'])).code).toBe(0);
  });

  it('the privilege preflight counts the source writes of a mapped field replace: a token without SOURCE EDIT stops before any write', async () => {
    const token = h.emu.state.createToken({
      username: 'fields-only@example.com',
      organizationId: h.emu.organizationId,
      privileges: allPrivileges()
        .filter((p) => !(p.targetDomain === 'SOURCE' && p.type === 'EDIT'))
        .map((p) => ({ ...p })),
    });
    h.write(config({ fieldType: 'LONG' }));
    h.emu.state.resetLog();
    // --after-apply none: nothing else in this run needs to edit a source.
    const r = await h.run(['apply', '--auto-approve', '--after-apply', 'none', '--secrets-out', 'k.json'], { env: { COVEO_ACCESS_TOKEN: token } });
    expect(r.code, r.stderr + r.stdout).toBe(4);
    expect(r.stderr).toMatch(/SOURCE.*EDIT/);
    expect(writesOf(h.emu.state.requestLog())).toEqual([]);
  });
});
