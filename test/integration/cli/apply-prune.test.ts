/**
 * `apply --prune` end to end (issue 6, design §4): deletes exactly the undeclared resources of the declared
 * kinds, never a protected, ignored, system or built-in one, nor an API key without the coveo-sync marker;
 * deleting more than 20% of a kind needs --allow-mass-delete (exit 3 and zero writes otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, writesOf, type Harness } from './apply-support.js';

const KEY_PRIVILEGES = '[{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }]';
const n5 = [1, 2, 3, 4, 5];
const SETTINGS = `settings:
  protect:
    - fields/legacyfield
    - sources/Legacy source
  ignore:
    fields: ['^coveo_']
    apiKeys: ['^legacy-']
    groups: ['^Ops ']
`;
/** Everything declared, with or without the resources prune should remove. */
function config(withGone: boolean, kinds: { groups?: boolean } = {}): string {
  const gone = (line: string): string => (withGone ? line : '');
  return `version: 1
${SETTINGS}securityProviders:
${n5.map((i) => `  - { id: Provider ${i}, type: EMAIL }\n`).join('')}${gone('  - { id: Gone provider, type: EMAIL }\n')}fields:
${[...n5, 6, 7, 8].map((i) => `  - { name: keep${i}, type: STRING }\n`).join('')}${gone('  - { name: gonefield, type: STRING }\n')}sources:
${n5.map((i) => `  - { name: Source ${i}, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true }\n`).join('')}${gone('  - { name: Gone source, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true }\n')}schedules:
${n5.map((i) => `  - { source: Source ${i}, refreshType: FULL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 1, minute: 0 } } }\n`).join('')}${gone('  - { source: Source 1, refreshType: INCREMENTAL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 2, minute: 0 } } }\n')}${
    kinds.groups === false
      ? ''
      : `groups:
${n5.map((i) => `  - { displayName: Group ${i} }\n`).join('')}${gone('  - { displayName: Gone group }\n')}`
  }apiKeys:
${n5.map((i) => `  - { name: key-${i}, displayName: Key ${i}, privileges: ${KEY_PRIVILEGES} }\n`).join('')}${gone(`  - { name: gone-key, displayName: Gone key, privileges: ${KEY_PRIVILEGES} }\n`)}`;
}

let h: Harness;
let keysFile = 0;
const apply = (argv: readonly string[]) => h.run(['apply', '--auto-approve', '--secrets-out', `keys-${++keysFile}.json`, ...argv]);

/** Every live identity of the org, by kind (built-ins and unmanaged ones included). */
async function inventory(): Promise<Record<string, string[]>> {
  const fields = await h.api<{ items: { name: string }[] }>('POST', '/indexes/fields/search', { filters: { origin: 'ALL' }, perPage: 1000 });
  const sources = await h.api<{ id: string; name: string }[]>('GET', '/sources');
  const schedules: string[] = [];
  for (const s of sources) for (const sc of await h.api<{ refreshType: string }[]>('GET', `/sources/${s.id}/schedules`)) schedules.push(`${s.name}/${sc.refreshType}`);
  return {
    fields: fields.items.map((f) => f.name).sort(),
    sources: sources.map((s) => s.name).sort(),
    schedules: schedules.sort(),
    groups: (await h.api<{ displayName: string }[]>('GET', '/groups')).map((g) => g.displayName).sort(),
    apiKeys: (await h.api<{ displayName: string }[]>('GET', '/apikeys')).map((k) => k.displayName).sort(),
    securityProviders: (await h.api<{ id: string }[]>('GET', '/securityproviders')).map((p) => p.id).sort(),
  };
}

beforeAll(async () => {
  h = await startHarness();
  h.write(config(true));
  const r = await apply([]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  // Behind the tool's back: resources prune must leave alone.
  await h.api('POST', '/indexes/fields/batch/create', [
    { name: 'legacyfield', type: 'STRING' },
    { name: 'coveo_internal', type: 'STRING' },
  ]);
  await h.api('POST', '/sources/raw?rebuild=false&updateSecurityProviders=false', { name: 'Legacy source', sourceType: 'PUSH', sourceVisibility: 'SHARED', pushEnabled: true });
  await h.api('POST', '/groups?sendEmailToInvitedUsers=false', { displayName: 'Ops team' });
  await h.api('POST', '/apikeys', { displayName: 'Hand-made key', description: 'made in the admin console', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] });
  await h.api('POST', '/apikeys', { displayName: 'Legacy key', description: 'managed-by: coveo-sync name=legacy-widget', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] });
});
afterAll(() => h.stop());

describe('apply --prune', () => {
  let before: Record<string, string[]>;

  it('over 20% of a kind without --allow-mass-delete: exit 3, zero writes', async () => {
    before = await inventory();
    // Dropping three of the nine declared fields (and the gone ones) is more than 20% of the fields.
    h.write(config(false).replace(/ {2}- \{ name: keep[678], type: STRING \}\n/g, ''));
    h.emu.state.resetLog();
    const r = await apply(['--prune']);
    expect(r.code, r.stderr + r.stdout).toBe(3);
    expect(r.stderr).toContain('--allow-mass-delete');
    expect(writesOf(h.emu.state.requestLog())).toEqual([]);
    expect(await inventory()).toEqual(before);
  });

  it('without --prune, the undeclared resources stay', async () => {
    h.write(config(false));
    h.emu.state.resetLog();
    const r = await apply([]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('No changes');
    expect(writesOf(h.emu.state.requestLog())).toEqual([]);
  });

  it('a kind the files do not declare is not pruned (no groups: section, no group deleted)', async () => {
    h.write(config(false, { groups: false }));
    h.emu.state.resetLog();
    const r = await h.run(['plan', '--prune', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const steps = (JSON.parse(r.stdout) as { plan: { steps: { kind: string; action: string }[] } }).plan.steps;
    expect(steps.filter((s) => s.action === 'delete').length).toBeGreaterThan(0);
    expect(steps.filter((s) => s.kind === 'groups')).toEqual([]);
  });

  it('deletes exactly the undeclared resources of the declared kinds, and nothing protected, ignored, built-in or unmarked', async () => {
    h.write(config(false));
    h.emu.state.resetLog();
    const r = await apply(['--prune', '--format', 'json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = (JSON.parse(r.stdout) as { result: { steps: { address: string; action: string; status: string }[] } }).result;
    expect(result.steps.map((s) => `${s.action} ${s.address} ${s.status}`).sort()).toEqual(
      [
        'delete apiKeys/gone-key applied',
        'delete fields/gonefield applied',
        'delete groups/Gone group applied',
        'delete schedules/Source 1/INCREMENTAL_REFRESH applied',
        'delete securityProviders/Gone provider applied',
        'delete sources/Gone source applied',
      ].sort(),
    );
    const after = await inventory();
    const minus = (list: string[], gone: string[]) => list.filter((x) => !gone.includes(x));
    expect(after).toEqual({
      fields: minus(before.fields!, ['gonefield']),
      sources: minus(before.sources!, ['Gone source']),
      schedules: minus(before.schedules!, ['Source 1/INCREMENTAL_REFRESH']),
      groups: minus(before.groups!, ['Gone group']),
      apiKeys: minus(before.apiKeys!, ['Gone key']),
      securityProviders: minus(before.securityProviders!, ['Gone provider']),
    });
    // What must survive, spelled out.
    expect(after.fields).toEqual(expect.arrayContaining(['legacyfield', 'coveo_internal', 'sysuri', 'title', 'size']));
    expect(after.sources).toContain('Legacy source');
    expect(after.groups).toEqual(expect.arrayContaining(['Administrators', 'Ops team']));
    expect(after.apiKeys).toEqual(expect.arrayContaining(['Hand-made key', 'Legacy key']));
    expect(after.securityProviders).toContain('Email Security Provider');
    const again = await h.run(['plan', '--prune', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
  });

  it('--allow-mass-delete lets the larger prune through', async () => {
    h.write(config(false).replace(/ {2}- \{ name: keep[678], type: STRING \}\n/g, ''));
    const r = await apply(['--prune', '--allow-mass-delete']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('0 added, 0 changed, 0 replaced, 3 destroyed.');
    expect((await inventory()).fields).not.toEqual(expect.arrayContaining(['keep6']));
  });
});
