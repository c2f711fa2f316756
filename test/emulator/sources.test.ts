/**
 * Sources and their schedules over real HTTP: shapes, paging, server-managed values, secrets never
 * returned, write flags and their dangerous defaults, 404/409/400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rawSource, SAFE_SOURCE, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi({ now: () => 1_700_000_000_000 });
});
afterAll(async () => {
  await api.emu.stop();
});

const secretSource = (name: string) =>
  rawSource(name, {
    sourceVisibility: 'SECURED',
    securityProviderReferences: ['Email Security Provider'],
    configuration: {
      startingAddresses: ['https://intranet.example.com/'],
      parameters: { Password: { sensitive: true, value: 'crawler-pw' }, UserAgent: { sensitive: false, value: 'Bot' } },
      userIdentities: { Crawler: { name: 'Crawler', userName: 'crawler@example.com', password: 'identity-pw' } },
    },
    mappings: [{ type: 'COMMON', fieldName: 'title', extractionMethod: 'METADATA', rules: ['%[title]'] }],
    additionalInfos: { note: 'kept as sent' },
  });

describe('POST /sources/raw', () => {
  it('answers 201 with the full source model and server-managed values', async () => {
    const r = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: secretSource('Intranet') });
    expect(r.status).toBe(201);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.id).toMatch(new RegExp(`^${api.emu.organizationId}-[a-z0-9]{26}$`));
    expect(r.body).toMatchObject({
      name: 'Intranet',
      sourceType: 'WEB2',
      sourceVisibility: 'SECURED',
      owner: 'admin@emulator.local',
      createdDate: 1_700_000_000_000,
      lastModifiedDate: 1_700_000_000_000,
      resourceId: r.body.id,
      information: { sourceStatus: { type: 'IDLE' }, rebuildRequired: false, numberOfDocuments: 0 },
      securityProviderReferences: ['Email Security Provider'],
    });
    expect(r.body.mappings[0].id).toMatch(/^[a-z0-9]{26}$/);
  });

  it('never returns sensitive values, and injects the server parameters', async () => {
    const created = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: secretSource('Secrets') });
    const raw = await api.call('GET', `/sources/${created.body.id}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.text).not.toContain('crawler-pw');
    expect(raw.text).not.toContain('identity-pw');
    expect(raw.body.configuration.parameters.Password).toEqual({ sensitive: true });
    expect(raw.body.configuration.userIdentities.Crawler).toEqual({ name: 'Crawler', userName: 'crawler@example.com' });
    expect(raw.body.configuration.parameters.SourceId).toEqual({ sensitive: false, value: created.body.id });
    expect(raw.body.configuration.parameters.OrganizationId).toEqual({ sensitive: false, value: api.emu.organizationId });
    expect(raw.body.additionalInfos).toEqual({ note: 'kept as sent' });
    expect(raw.body.sourceVisibility).toBe('SECURED');
    const noMappings = await api.call('GET', `/sources/${created.body.id}/raw`, { query: { includeMappings: false } });
    expect(noMappings.body.mappings).toBeUndefined();
  });

  it('keeps a sensitive value that a PUT sends without one, and replaces one that is sent', async () => {
    const created = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: secretSource('Keep secrets') });
    const id = created.body.id as string;
    const read = await api.call('GET', `/sources/${id}/raw`);
    const put = await api.call('PUT', `/sources/${id}/raw`, { query: SAFE_SOURCE, body: read.body });
    expect(put.status).toBe(200);
    const snap = api.emu.state.snapshot(api.emu.organizationId) as Json;
    const stored = snap.sources.find((s: Json) => s.id === id).raw.configuration;
    expect(stored.parameters.Password.value).toBe('crawler-pw');
    expect(stored.userIdentities.Crawler.password).toBe('identity-pw');
    const changed = structuredClone(read.body);
    changed.configuration.parameters.Password.value = 'new-pw';
    await api.call('PUT', `/sources/${id}/raw`, { query: SAFE_SOURCE, body: changed });
    const after = (api.emu.state.snapshot(api.emu.organizationId) as Json).sources.find((s: Json) => s.id === id).raw.configuration;
    expect(after.parameters.Password.value).toBe('new-pw');
  });

  it('answers 409 for a name already used and 400 without name or sourceType', async () => {
    await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Unique') });
    const dup = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Unique') });
    expect(dup.status).toBe(409);
    expect(errorOf(dup).message).toContain("'Unique'");
    const noName = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: { sourceType: 'WEB2' } });
    expect(noName.status).toBe(400);
    expect(errorOf(noName).message).toMatch(/'name' is required/);
    const noType = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: { name: 'No type' } });
    expect(errorOf(noType).message).toMatch(/'sourceType' is required/);
    const badProvider = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Bad provider', { securityProviderReferences: ['Nope'] }) });
    expect(badProvider.status).toBe(400);
    const badJson = await api.call('POST', '/sources/raw', { rawBody: '{"name":' });
    expect(badJson.status).toBe(400);
    expect(errorOf(badJson).errorCode).toBe('INVALID_JSON');
  });

  it('applies the rebuild and updateSecurityProviders defaults (true) when the flags are left out', async () => {
    api.emu.state.resetSideEffects();
    const r = await api.call('POST', '/sources/raw', { body: secretSource('Defaults') });
    expect(r.status).toBe(201);
    expect(r.body.information.lastOperation).toMatchObject({ operationType: 'REBUILD', result: 'SUCCESS' });
    expect(api.emu.state.sideEffects().map((e) => [e.type, e.target])).toEqual([
      ['rebuild', r.body.id],
      ['securityProviderUpdate', r.body.id],
    ]);
    api.emu.state.resetSideEffects();
    await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: secretSource('Safe flags') });
    expect(api.emu.state.sideEffects()).toEqual([]);
  });
});

describe('PUT /sources/{id}/raw and the simple model', () => {
  it('marks rebuildRequired when content changes without a rebuild, and rebuild clears it', async () => {
    const { body } = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Changing') });
    const raw = (await api.call('GET', `/sources/${body.id}/raw`)).body;
    raw.configuration.startingAddresses = ['https://other.example.com/'];
    const put = await api.call('PUT', `/sources/${body.id}/raw`, { query: SAFE_SOURCE, body: raw });
    expect(put.body.information.rebuildRequired).toBe(true);
    const rebuilt = await api.call('POST', `/sources/${body.id}/rebuild`);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.information).toMatchObject({ rebuildRequired: false, lastOperation: { operationType: 'REBUILD' } });
  });

  it('refuses a type change and ignores pushEnabled changes (not saved, docs 1685)', async () => {
    const { body } = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Fixed') });
    const type = await api.call('PUT', `/sources/${body.id}/raw`, { query: SAFE_SOURCE, body: rawSource('Fixed', { sourceType: 'SITEMAP' }) });
    expect(type.status).toBe(400);
    expect(errorOf(type).errorCode).toBe('SOURCE_TYPE_CANNOT_CHANGE');
    const push = await api.call('PUT', `/sources/${body.id}/raw`, { query: SAFE_SOURCE, body: rawSource('Fixed', { pushEnabled: true }) });
    expect(push.body.pushEnabled).toBe(false);
    const rename = await api.call('PUT', `/sources/${body.id}/raw`, { query: SAFE_SOURCE, body: rawSource('Unique') });
    expect(rename.status).toBe(409);
  });

  it('creates and updates through the simple model, never returning a password', async () => {
    const created = await api.call('POST', '/sources', { query: SAFE_SOURCE, body: { name: 'Simple web', sourceType: 'WEB2', sourceVisibility: 'SHARED', urls: ['https://s.example.com/'], password: 'pw', username: 'u' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Simple web', urls: ['https://s.example.com/'], hasPassword: true, username: 'u' });
    expect(created.text).not.toContain('"pw"');
    const raw = await api.call('GET', `/sources/${created.body.id}/raw`);
    expect(raw.body.configuration.startingAddresses).toEqual(['https://s.example.com/']);
    const put = await api.call('PUT', `/sources/${created.body.id}`, { query: SAFE_SOURCE, body: { ...created.body, urls: ['https://t.example.com/'], password: undefined } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ urls: ['https://t.example.com/'], hasPassword: true });
    const get = await api.call('GET', `/sources/${created.body.id}`);
    expect(get.body.id).toBe(created.body.id);
  });

  it('answers 400 for a write flag that is not a boolean', async () => {
    const r = await api.call('POST', '/sources/raw', { query: { rebuild: 'maybe' }, body: rawSource('Bad flag') });
    expect(r.status).toBe(400);
    expect(errorOf(r).message).toMatch(/'rebuild' must be true or false/);
    expect((await api.call('GET', '/sources', { query: { filter: 'Bad flag' } })).body).toEqual([]);
  });

  it('answers 404 for an unknown source on every per-source route', async () => {
    for (const [method, path] of [
      ['GET', '/sources/nope'],
      ['GET', '/sources/nope/raw'],
      ['PUT', '/sources/nope/raw'],
      ['DELETE', '/sources/nope'],
      ['POST', '/sources/nope/rebuild'],
      ['GET', '/sources/nope/schedules'],
    ] as const) {
      const r = await api.call(method, path, method === 'PUT' ? { body: rawSource('x') } : {});
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(errorOf(r).errorCode).toBe('RESOURCE_NOT_FOUND');
    }
  });
});

describe('operations and delete', () => {
  it('refreshes, applies changes (204) and deletes answering 200 with the body', async () => {
    const { body } = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Ops') });
    const full = await api.call('POST', `/sources/${body.id}/fullRefresh`);
    expect(full.body.information.lastOperation.operationType).toBe('FULL_REFRESH');
    const inc = await api.call('POST', `/sources/${body.id}/incrementalRefresh`);
    expect(inc.body.information.lastOperation.operationType).toBe('INCREMENTAL_REFRESH');
    const apply = await api.call('POST', `/sources/${body.id}/applyChanges`);
    expect(apply.status).toBe(204);
    expect(apply.text).toBe('');
    const del = await api.call('DELETE', `/sources/${body.id}`);
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ id: body.id, name: 'Ops' });
    expect((await api.call('GET', `/sources/${body.id}`)).status).toBe(404);
    const again = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Ops') });
    expect(again.status).toBe(201);
  });

  it('refuses refreshing a Push source', async () => {
    const { body } = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Pushed', { sourceType: 'PUSH', pushEnabled: true }) });
    expect((await api.call('POST', `/sources/${body.id}/fullRefresh`)).status).toBe(400);
  });
});

describe('listings', () => {
  let ids: string[];
  beforeAll(async () => {
    ids = [];
    for (let i = 0; i < 12; i++) {
      const r = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource(`List ${String(i).padStart(2, '0')}`) });
      ids.push(r.body.id);
    }
  });

  it('GET /sources is a bare array paged by page/perPage, sorted by name', async () => {
    const p0 = await api.call('GET', '/sources', { query: { page: 0, perPage: 5, filter: 'List' } });
    const p2 = await api.call('GET', '/sources', { query: { page: 2, perPage: 5, filter: 'List' } });
    expect(Array.isArray(p0.body)).toBe(true);
    expect(p0.body.map((s: Json) => s.name)).toEqual(['List 00', 'List 01', 'List 02', 'List 03', 'List 04']);
    expect(p2.body.map((s: Json) => s.name)).toEqual(['List 10', 'List 11']);
    const desc = await api.call('GET', '/sources', { query: { filter: 'List', sortingOrder: 'DESC', perPage: 1 } });
    expect(desc.body[0].name).toBe('List 11');
  });

  it('GET /sources/pages wraps them in {sourceModels, totalEntries, totalPages}', async () => {
    const r = await api.call('GET', '/sources/pages', { query: { page: 1, perPage: 5, filter: 'List' } });
    expect(r.body).toMatchObject({ totalEntries: 12, totalPages: 3 });
    expect(r.body.sourceModels.map((s: Json) => s.name)).toEqual(['List 05', 'List 06', 'List 07', 'List 08', 'List 09']);
    const exact = await api.call('GET', '/sources/pages', { query: { filter: 'List 07', stringFilterType: 'EXACTMATCH' } });
    expect(exact.body.sourceModels.map((s: Json) => s.name)).toEqual(['List 07']);
    const wild = await api.call('GET', '/sources/pages', { query: { filter: 'List 1*', stringFilterType: 'WILDCARD' } });
    expect(wild.body.totalEntries).toBe(2);
  });

  it('GET /sources/raw/all pages with pageSize (default 20)', async () => {
    const all = await api.call('GET', '/sources/raw/all');
    expect(all.body.length).toBe(20);
    expect(all.body[0].configuration).toBeDefined();
    const total = api.emu.state.snapshot(api.emu.organizationId).sources as unknown[];
    const last = await api.call('GET', '/sources/raw/all', { query: { page: 1, pageSize: 20 } });
    expect(all.body.length + last.body.length).toBe(Math.min(40, total.length));
  });

  it('validates paging and enum parameters', async () => {
    for (const query of [{ perPage: 0 }, { page: -1 }, { page: 'x' }, { sortingOrder: 'UP' }, { filterHostType: 'MOON' }]) {
      const r = await api.call('GET', '/sources', { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(errorOf(r).message).toMatch(/'(perPage|page|sortingOrder|filterHostType)'/);
    }
  });

  it('filters by host type and write access', async () => {
    const push = await api.call('GET', '/sources', { query: { filterHostType: 'PUSH' } });
    expect(push.body.every((s: Json) => s.pushEnabled)).toBe(true);
    const token = await api.userToken([
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: ids[3] },
    ]);
    const mine = await api.call('GET', '/sources', { token, query: { writeAccessOnly: true } });
    expect(mine.body.map((s: Json) => s.id)).toEqual([ids[3]]);
  });
});

describe('schedules', () => {
  let sourceId: string;
  beforeAll(async () => {
    sourceId = (await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Scheduled') })).body.id;
  });

  it('creates (201), lists (bare array), reads, updates (201) and deletes (204)', async () => {
    const created = await api.call('POST', `/sources/${sourceId}/schedules`, {
      body: { refreshType: 'INCREMENTAL_REFRESH', enabled: true, frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } }, unknown: 'dropped' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(new RegExp(`^${api.emu.organizationId}-`)),
      refreshType: 'INCREMENTAL_REFRESH',
      scheduleType: 'SOURCE',
      enabled: true,
      frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } },
      organizationId: api.emu.organizationId,
      resourceId: sourceId,
    });
    const list = await api.call('GET', `/sources/${sourceId}/schedules`);
    expect(list.body).toEqual([created.body]);
    const one = await api.call('GET', `/sources/${sourceId}/schedules/${created.body.id}`);
    expect(one.body).toEqual(created.body);
    const put = await api.call('PUT', `/sources/${sourceId}/schedules/${created.body.id}`, {
      body: { ...created.body, enabled: false, frequency: { type: 'WEEKLY', weekDays: ['MONDAY', 'FRIDAY'], hourMinute: { hour: 1, minute: 0 } } },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ enabled: false, frequency: { type: 'WEEKLY', weekDays: ['MONDAY', 'FRIDAY'] } });
    const del = await api.call('DELETE', `/sources/${sourceId}/schedules/${created.body.id}`);
    expect(del.status).toBe(204);
    expect((await api.call('GET', `/sources/${sourceId}/schedules/${created.body.id}`)).status).toBe(404);
  });

  it('validates schedules with a message naming the problem', async () => {
    const cases: [unknown, RegExp][] = [
      [{ frequency: { type: 'DAILY', hourMinute: { hour: 1, minute: 0 } } }, /refreshType/],
      [{ refreshType: 'SOMETIMES', frequency: { type: 'DAILY', hourMinute: { hour: 1, minute: 0 } } }, /refreshType/],
      [{ refreshType: 'REBUILD' }, /frequency/],
      [{ refreshType: 'REBUILD', frequency: { type: 'DAILY', hourMinute: { hour: 24, minute: 0 } } }, /hour/],
      [{ refreshType: 'REBUILD', frequency: { type: 'WEEKLY', hourMinute: { hour: 1, minute: 0 } } }, /weekDays/],
      [{ refreshType: 'REBUILD', frequency: { type: 'MONTHLY', hourMinute: { hour: 1, minute: 0 } } }, /monthDay/],
    ];
    for (const [body, message] of cases) {
      const r = await api.call('POST', `/sources/${sourceId}/schedules`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(r).message).toMatch(message);
    }
  });

  it('answers 404 for a schedule of another source', async () => {
    const other = (await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Other scheduled') })).body.id;
    const s = await api.call('POST', `/sources/${other}/schedules`, { body: { refreshType: 'FULL_REFRESH', frequency: { type: 'HOURLY', value: 4 } } });
    expect((await api.call('GET', `/sources/${sourceId}/schedules/${s.body.id}`)).status).toBe(404);
  });
});
