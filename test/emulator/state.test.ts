/**
 * State over real HTTP: the JSON state file (atomic write, mode 0600, reloaded with tokens and API key
 * values), several organizations (clone A into B), direct changes for drift tests (mutate, JSON patch),
 * and seeding.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { apiFor, errorOf, rawSource, SAFE_SOURCE, startTestApi, type Json } from './support.js';

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'coveo-emulator-state-'));

describe('state file', () => {
  it('is written atomically with mode 0600 and reloaded on start, tokens and key values included', async () => {
    const dir = tempDir();
    const file = join(dir, 'state.json');
    const first = apiFor(await startEmulator({ statePath: file, organizationId: 'persistorg' }));
    const src = await first.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Persisted', { configuration: { parameters: { Pw: { sensitive: true, value: 'kept-secret' } } } }) });
    await first.call('POST', '/indexes/fields', { body: { name: 'persisted', type: 'STRING' } });
    const keyValue = await first.keyToken([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }]);
    await first.emu.stop();

    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['state.json']);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.organizations[0].id).toBe('persistorg');

    const second = apiFor(await startEmulator({ statePath: file }));
    try {
      expect(second.emu.organizationId).toBe('persistorg');
      expect(second.emu.adminToken).toBe(first.emu.adminToken);
      expect((await second.call('GET', `/sources/${src.body.id}`)).body.name).toBe('Persisted');
      expect((await second.call('GET', '/indexes/fields/persisted')).status).toBe(200);
      expect((await second.call('GET', '/sources', { token: keyValue })).status).toBe(200);
      const raw = await second.call('GET', `/sources/${src.body.id}/raw`);
      expect(raw.text).not.toContain('kept-secret');
      expect(JSON.stringify(second.emu.state.snapshot('persistorg'))).toContain('kept-secret');
    } finally {
      await second.emu.stop();
    }
  });

  it('is written shortly after each change, without waiting for stop', async () => {
    const file = join(tempDir(), 'live.json');
    const api = apiFor(await startEmulator({ statePath: file }));
    try {
      await api.call('POST', '/indexes/fields', { body: { name: 'early', type: 'LONG' } });
      await new Promise((r) => setTimeout(r, 150));
      expect(readFileSync(file, 'utf8')).toContain('"early"');
    } finally {
      await api.emu.stop();
    }
  });

  it('refuses an unreadable state file with a message naming it', async () => {
    const file = join(tempDir(), 'broken.json');
    writeFileSync(file, '{"not": "a state"}');
    await expect(startEmulator({ statePath: file })).rejects.toThrow(/broken\.json.*version 1/);
  });
});

describe('several organizations', () => {
  it('keeps organizations apart; the admin token reaches all of them', async () => {
    const api = await startTestApi({ organizationId: 'orga' });
    try {
      const created = await api.call('POST', '/_emulator/organizations', { body: { organizationId: 'orgb' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ organizationId: 'orgb' });
      expect((await api.call('GET', '/_emulator/organizations')).body).toEqual(['orga', 'orgb']);
      await api.call('POST', '/indexes/fields', { body: { name: 'onlyina', type: 'STRING' } });
      expect((await api.call('GET', '/indexes/fields/onlyina', { org: 'orgb' })).status).toBe(404);
      const bGroups = await api.call('GET', '/groups', { org: 'orgb' });
      expect(bGroups.body.map((g: Json) => g.displayName)).toEqual(['Administrators']);
      expect(bGroups.body[0].id).toMatch(/^orgb-administrators-/);
      expect((await api.call('POST', '/_emulator/organizations', { body: { organizationId: 'orgb' } })).status).toBe(409);
      expect((await api.call('POST', '/_emulator/organizations', { body: { organizationId: 'Bad Org' } })).status).toBe(400);
      expect((await api.call('DELETE', '/_emulator/organizations/orgb')).status).toBe(204);
      expect((await api.call('GET', '/groups', { org: 'orgb' })).status).toBe(404);
      const seeded = api.emu.state.addOrganization({ seed: 'S' });
      expect((await api.call('GET', '/sources/pages', { org: seeded })).body.totalEntries).toBe(10);
    } finally {
      await api.emu.stop();
    }
  });
});

describe('changes behind the API', () => {
  it('mutate() changes live records (drift)', async () => {
    const api = await startTestApi();
    try {
      await api.call('POST', '/indexes/fields', { body: { name: 'drifting', type: 'STRING', facet: true } });
      api.emu.state.mutate(api.emu.organizationId, (org) => {
        const f = org.fields.get('drifting')!;
        f['facet'] = false;
      });
      expect((await api.call('GET', '/indexes/fields/drifting')).body.facet).toBe(false);
    } finally {
      await api.emu.stop();
    }
  });

  it('applies an RFC 6902 patch to the organization JSON, through the handle or the admin API', async () => {
    const api = await startTestApi();
    try {
      const { body } = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Patched') });
      const snap = api.emu.state.snapshot(api.emu.organizationId) as Json;
      const index = snap.sources.findIndex((s: Json) => s.id === body.id);
      const r = await api.call('PATCH', `/_emulator/organizations/${api.emu.organizationId}/state`, {
        body: [{ op: 'replace', path: `/sources/${index}/raw/sourceVisibility`, value: 'PRIVATE' }],
      });
      expect(r.status).toBe(204);
      expect((await api.call('GET', `/sources/${body.id}`)).body.sourceVisibility).toBe('PRIVATE');
      api.emu.state.patch(api.emu.organizationId, [{ op: 'add', path: '/fields/-', value: { name: 'patchedin', type: 'LONG', facet: true, sort: true } }]);
      expect((await api.call('GET', '/indexes/fields/patchedin')).status).toBe(200);
      const bad = await api.call('PATCH', `/_emulator/organizations/${api.emu.organizationId}/state`, { body: [{ op: 'replace', path: '/nothing/here', value: 1 }] });
      expect(bad.status).toBe(400);
      expect(errorOf(bad).errorCode).toBe('INVALID_PATCH');
      const state = await api.call('GET', `/_emulator/organizations/${api.emu.organizationId}/state`);
      expect(state.body.id).toBe(api.emu.organizationId);
    } finally {
      await api.emu.stop();
    }
  });
});

describe('seeding', () => {
  it('generates the benchmark organization quickly, deterministically, with working key tokens', async () => {
    const started = performance.now();
    const api = await startTestApi({ seed: 'L', randomSeed: 3 });
    try {
      expect(performance.now() - started).toBeLessThan(5000);
      const fields = await api.call('POST', '/indexes/fields/search', { body: { perPage: 1000, filters: { origin: 'USER' } } });
      expect(fields.body.totalEntries).toBe(5000);
      const sources = await api.call('GET', '/sources/pages', { query: { perPage: 1 } });
      expect(sources.body.totalEntries).toBe(500);
      expect((await api.call('GET', '/groups')).body).toHaveLength(201);
      expect((await api.call('GET', '/apikeys')).body).toHaveLength(300);
      expect((await api.call('GET', '/securityproviders')).body).toHaveLength(21);
      const first = sources.body.sourceModels[0];
      const schedules = await api.call('GET', `/sources/${first.id}/schedules`);
      expect(schedules.body.length === 2 || first.sourceType === 'PUSH').toBe(true);
      const snapshot = api.emu.state.snapshot(api.emu.organizationId) as Json;
      const key = snapshot.apiKeys.find((k: Json) => k.doc.enabled && k.doc.privileges[0].owner === 'PLATFORM');
      const target = key.doc.privileges[0].targetId as string;
      expect((await api.call('POST', `/sources/${target}/rebuild`, { token: key.value })).status).toBe(200);
      expect((await api.call('GET', '/sources', { token: key.value })).status).toBe(403);
      const again = await startTestApi({ seed: 'L', randomSeed: 3 });
      expect((again.emu.state.snapshot(again.emu.organizationId) as Json).sources.map((s: Json) => s.id)).toEqual(snapshot.sources.map((s: Json) => s.id));
      await again.emu.stop();
    } finally {
      await api.emu.stop();
    }
  });
});
