/**
 * `apply` end to end (issue 6): the order of the calls, read from the emulator's request log. Waves in the
 * design's order (§5), batch field endpoints in chunks, cross-references after the waves, `applyChanges`
 * last and only for the sources the apply touched, deletes after everything else and in reverse kind order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../../src/emulator/index.js';
import { firstIndex, lastIndex, routesOf, startHarness, writesOf, type Harness } from './apply-support.js';

const providers = (displayName = 'Intranet identities'): string => `securityProviders:
  - id: Intranet Email
    type: EMAIL
    displayName: ${displayName}
`;
const fields = (sizeLabel = 'Size'): string => `fields:
  - name: color
    type: STRING
  - name: itemsize
    type: LONG
    label: ${sizeLabel}
`;
const sources = (otherComment = 'push'): string => `sources:
  - name: Docs
    sourceType: WEB2
    sourceVisibility: SECURED
    securityProviders: [Intranet Email]
    configuration:
      startingAddresses: [https://docs.example.com/]
    mappings:
      - { fieldName: color, extractionMethod: METADATA, rules: ['%[color]'] }
    groupsThatCanEdit: [Editors]
  - name: Catalog
    sourceType: WEB2
    sourceVisibility: SHARED
    configuration:
      startingAddresses: [https://catalog.example.com/]
    mappings:
      - { fieldName: itemsize, extractionMethod: METADATA, rules: ['%[size]'] }
  - name: Other
    sourceType: PUSH
    sourceVisibility: SHARED
    pushEnabled: true
    additionalComments: ${otherComment}
schedules:
  - source: Docs
    refreshType: INCREMENTAL_REFRESH
    frequency: { type: DAILY, hourMinute: { hour: 2, minute: 30 } }
`;
const groups = (extra = ''): string => `groups:
  - displayName: Editors
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }${extra}
    invites: [editor@example.com]
apiKeys:
  - name: search
    displayName: Search
    privileges:
      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }
`;
const config = (o: { displayName?: string; sizeLabel?: string; otherComment?: string; groupExtra?: string } = {}): string =>
  `version: 1\n${providers(o.displayName)}${fields(o.sizeLabel)}${sources(o.otherComment)}${groups(o.groupExtra)}`;

const isRoute = (route: string) => (e: RequestLogEntry) => e.route === route;
const isKindWrite = (prefix: RegExp) => (e: RequestLogEntry) => e.method !== 'GET' && e.route !== undefined && prefix.test(e.route) && !/applyChanges|rebuild/.test(e.route);
const SOURCE_WRITE = isKindWrite(/^(POST|PUT|DELETE) \/sources(\/raw|\/\{sourceId\}(\/raw)?)?$/);
const SCHEDULE_WRITE = isKindWrite(/\/schedules/);
const FIELD_WRITE = isKindWrite(/^(POST|PUT|DELETE) \/indexes\/fields/);
const PROVIDER_WRITE = isKindWrite(/^(PUT|DELETE) \/securityproviders/);
const GROUP_WRITE = isKindWrite(/^(POST|PUT|DELETE) \/groups/);
const KEY_WRITE = isKindWrite(/^(POST|PUT|DELETE) \/apikeys/);
const APPLY_CHANGES = isRoute('POST /sources/{sourceId}/applyChanges');

let h: Harness;
let ids: Record<string, string>;

async function sourceIds(): Promise<Record<string, string>> {
  const list = await h.api<{ id: string; name: string }[]>('GET', '/sources');
  return Object.fromEntries(list.map((s) => [s.name, s.id]));
}

/** Applies `yaml` with a fresh log and returns the log of the apply. */
async function applyLogged(yaml: string, extra: readonly string[] = []): Promise<RequestLogEntry[]> {
  h.write(yaml);
  h.emu.state.resetLog();
  const r = await h.run(['apply', '--auto-approve', '--secrets-out', `keys-${Math.random().toString(36).slice(2)}.json`, ...extra]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return [...h.emu.state.requestLog()];
}

const applyChangesTargets = (log: readonly RequestLogEntry[]): string[] =>
  log
    .filter(APPLY_CHANGES)
    .map((e) => /\/sources\/([^/]+)\/applyChanges$/.exec(e.path)?.[1] ?? '?')
    .sort();

beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe('an apply to an empty org', () => {
  let log: RequestLogEntry[];
  beforeAll(async () => {
    log = await applyLogged(config());
    ids = await sourceIds();
  });

  it('writes providers, fields, sources, schedules, groups, API keys in that order', () => {
    const kinds = [PROVIDER_WRITE, FIELD_WRITE, SOURCE_WRITE, SCHEDULE_WRITE, GROUP_WRITE, KEY_WRITE];
    for (const k of kinds) expect(firstIndex(log, k)).toBeGreaterThanOrEqual(0);
    // Every write of a kind comes before the first write of the next (cross-references aside: see below).
    const creates = (pred: (e: RequestLogEntry) => boolean) => (e: RequestLogEntry) => pred(e) && e.method !== 'PUT';
    expect(lastIndex(log, PROVIDER_WRITE)).toBeLessThan(firstIndex(log, SOURCE_WRITE));
    expect(lastIndex(log, FIELD_WRITE)).toBeLessThan(firstIndex(log, SOURCE_WRITE));
    expect(lastIndex(log, creates(SOURCE_WRITE))).toBeLessThan(firstIndex(log, SCHEDULE_WRITE));
    expect(lastIndex(log, SCHEDULE_WRITE)).toBeLessThan(firstIndex(log, GROUP_WRITE));
    expect(lastIndex(log, GROUP_WRITE)).toBeLessThan(firstIndex(log, KEY_WRITE));
  });

  it('creates fields through the batch endpoint, not one by one', () => {
    expect(log.filter(isRoute('POST /indexes/fields/batch/create'))).toHaveLength(1);
    expect(log.filter(isRoute('POST /indexes/fields'))).toHaveLength(0);
  });

  it('writes the reference to a group created later (Docs → Editors) after the groups, before applyChanges', () => {
    const docsRaw = (e: RequestLogEntry) => e.route === 'PUT /sources/{sourceId}/raw' && e.path.endsWith(`/sources/${ids['Docs']!}/raw`);
    const fix = firstIndex(log, docsRaw);
    expect(fix).toBeGreaterThan(lastIndex(log, GROUP_WRITE));
    expect(fix).toBeGreaterThan(lastIndex(log, KEY_WRITE));
    expect(fix).toBeLessThan(firstIndex(log, APPLY_CHANGES));
  });

  it('calls applyChanges last, once for each source created', () => {
    expect(applyChangesTargets(log)).toEqual([ids['Catalog'], ids['Docs'], ids['Other']].sort());
    const firstAc = firstIndex(log, APPLY_CHANGES);
    expect(writesOf(log.slice(firstAc)).every(APPLY_CHANGES)).toBe(true);
  });

  it('then plans empty', async () => {
    const r = await h.run(['plan', '--detailed-exitcode']);
    expect(r.code, r.stdout).toBe(0);
  });
});

describe('applyChanges only for the sources an apply touched', () => {
  it('a changed field: only the source that maps it', async () => {
    const log = await applyLogged(config({ sizeLabel: 'Size in cm' }));
    expect(routesOf(log)).toEqual(['PUT /indexes/fields/batch/update', 'POST /sources/{sourceId}/applyChanges']);
    expect(applyChangesTargets(log)).toEqual([ids['Catalog']]);
  });

  it('a changed security provider: only the source it secures', async () => {
    const log = await applyLogged(config({ sizeLabel: 'Size in cm', displayName: 'Intranet e-mail' }));
    expect(routesOf(log)).toEqual(['PUT /securityproviders/{securityProviderId}', 'POST /sources/{sourceId}/applyChanges']);
    expect(applyChangesTargets(log)).toEqual([ids['Docs']]);
  });

  it('a changed source: only that source', async () => {
    const log = await applyLogged(config({ sizeLabel: 'Size in cm', displayName: 'Intranet e-mail', otherComment: 'push v2' }));
    expect(routesOf(log)).toEqual(['PUT /sources/{sourceId}/raw', 'POST /sources/{sourceId}/applyChanges']);
    expect(applyChangesTargets(log)).toEqual([ids['Other']]);
  });

  it('a changed group only: no applyChanges at all', async () => {
    const log = await applyLogged(
      config({ sizeLabel: 'Size in cm', displayName: 'Intranet e-mail', otherComment: 'push v2', groupExtra: '\n      - { owner: PLATFORM, targetDomain: FIELD, type: VIEW }' }),
    );
    expect(routesOf(log)).toEqual(['PUT /groups/{groupId}']);
  });
});

describe('deletes with --prune', () => {
  it('run after every create and update, in reverse kind order: API keys, groups, schedules, sources, fields, providers', async () => {
    const local = await startHarness();
    try {
      const full = `version: 1
securityProviders:
  - { id: Keep provider, type: EMAIL }
  - { id: Gone provider, type: EMAIL }
fields:
  - { name: keepfield, type: STRING }
  - { name: gonefield, type: STRING }
sources:
  - { name: Keep, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true }
  - { name: Gone, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true }
schedules:
  - { source: Keep, refreshType: FULL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 1, minute: 0 } } }
  - { source: Keep, refreshType: INCREMENTAL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 2, minute: 0 } } }
groups:
  - { displayName: Keep group }
  - { displayName: Gone group }
apiKeys:
  - { name: keep-key, displayName: Keep, privileges: [{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }] }
  - { name: gone-key, displayName: Gone, privileges: [{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }] }
`;
      local.write(full);
      expect((await local.run(['apply', '--auto-approve', '--secrets-out', 'k1.json'])).code).toBe(0);
      const pruned = full
        .split('\n')
        .filter((l) => !/Gone|gone|INCREMENTAL_REFRESH/.test(l))
        .join('\n')
        .replace('fields:\n', 'fields:\n  - { name: newfield, type: STRING }\n')
        .replace('{ displayName: Keep group }', '{ displayName: Keep group, invites: [a@example.com] }');
      local.write(pruned);
      local.emu.state.resetLog();
      const r = await local.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete']);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.stdout).toContain('Apply complete: 1 added, 1 changed, 0 replaced, 6 destroyed.');
      const log = local.emu.state.requestLog();
      const deletes = writesOf(log).filter((e) => e.method === 'DELETE').map((e) => e.route);
      expect(deletes).toEqual([
        'DELETE /apikeys/{apiKeyId}',
        'DELETE /groups/{groupId}',
        'DELETE /sources/{sourceId}/schedules/{scheduleId}',
        'DELETE /sources/{sourceId}',
        'DELETE /indexes/fields/batch/delete',
        'DELETE /securityproviders/{securityProviderId}',
      ]);
      const firstDelete = firstIndex(log, (e) => e.method === 'DELETE');
      const lastOther = lastIndex(log, (e) => (e.route === 'POST /indexes/fields/batch/create' || e.route === 'PUT /groups/{groupId}'));
      expect(lastOther).toBeGreaterThanOrEqual(0);
      expect(lastOther).toBeLessThan(firstDelete);
      const again = await local.run(['plan', '--prune', '--detailed-exitcode']);
      expect(again.code, again.stdout).toBe(0);
    } finally {
      await local.stop();
    }
  });
});

describe('fields in chunks', () => {
  it('501 fields: created, updated and (101 of them) deleted in chunks of 500 (100 for deletes), all before the source that maps one', async () => {
    const local = await startHarness();
    try {
      const names = Array.from({ length: 501 }, (_, i) => `bulk${String(i).padStart(4, '0')}`);
      const yaml = (label: string, keep: readonly string[]) => `version: 1
fields:
${keep.map((n) => `  - { name: ${n}, type: STRING, label: ${label} }`).join('\n')}
sources:
  - name: Bulk
    sourceType: PUSH
    sourceVisibility: SHARED
    pushEnabled: true
    mappings:
      - { fieldName: bulk0000, extractionMethod: METADATA, rules: ['%[x]'] }
`;
      local.write(yaml('one', names));
      const created = await local.run(['apply', '--auto-approve', '--format', 'json']);
      expect(created.code, created.stderr).toBe(0);
      const log = local.emu.state.requestLog();
      expect(routesOf(log)).toEqual(['POST /indexes/fields/batch/create', 'POST /indexes/fields/batch/create', 'POST /sources/raw', 'POST /sources/{sourceId}/applyChanges']);
      const sizes = writesOf(log).slice(0, 2).map((e) => e.requestBytes ?? 0);
      // One chunk of 500 and one of 1.
      expect(Math.min(...sizes)).toBeLessThan(Math.max(...sizes) / 100);

      local.write(yaml('two', names));
      local.emu.state.resetLog();
      const updated = await local.run(['apply', '--auto-approve', '--format', 'json']);
      expect(updated.code, updated.stderr).toBe(0);
      // bulk0000 is mapped by Bulk, so its change is applied there.
      expect(routesOf(local.emu.state.requestLog())).toEqual(['PUT /indexes/fields/batch/update', 'PUT /indexes/fields/batch/update', 'POST /sources/{sourceId}/applyChanges']);

      local.write(yaml('two', names.slice(0, 400)));
      local.emu.state.resetLog();
      const pruned = await local.run(['apply', '--auto-approve', '--format', 'json', '--prune', '--allow-mass-delete']);
      expect(pruned.code, pruned.stderr).toBe(0);
      const deletes = writesOf(local.emu.state.requestLog());
      expect(deletes.map((e) => e.route)).toEqual(['DELETE /indexes/fields/batch/delete', 'DELETE /indexes/fields/batch/delete']);
      expect(deletes.map((e) => new URLSearchParams(e.query).getAll('fields').length).sort((a, b) => a - b)).toEqual([1, 100]);
      const again = await local.run(['plan', '--prune', '--detailed-exitcode']);
      expect(again.code, again.stdout).toBe(0);
    } finally {
      await local.stop();
    }
  });
});
