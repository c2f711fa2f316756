/**
 * Drives the emulator with fetch exactly as Coveo's documentation pages in ../shared/reference show (the
 * same URLs, headers and bodies) and checks the documented answers: 001 (privileges assignable to API
 * keys), 002 (privileges of a token), 003 and 004 (an item's permissions and effective permissions,
 * found through the Search API, with the document id encoded twice, and the INVALID_URI 404 when it is
 * encoded once). Also the query parameters page 004 lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Json } from './support.js';

const ORG = 'mycoveocloudv2organizationg8tp8wu3';
const INDEX = 'mycoveocloudv2organizationg8tp8wu3-ihrwht4l42vevui09ruyzce948-Indexer-1-ru3454sdg4sfd3p3gfc2jo5oxigi';
const UNIQUE_ID = '42.31537$file://movies/the-shining.txt';
const TOKEN_TO_VALIDATE = 'xx590a182c-5045-4914-a00b-1f4099581b3e';

/** The six permissions of the sample answer on page 004, verbatim. */
const SAMPLE_ITEMS = [
  { allowed: true, identityType: 'USER', identity: 'pjfry@example.com', securityProvider: 'Email Security Provider', additionalInfo: {}, lastUpdateDate: 1534874324000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
  { allowed: true, identityType: 'USER', identity: 'tleela@example.com', securityProvider: 'Email Security Provider', additionalInfo: {}, lastUpdateDate: 1534874329000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
  { allowed: false, identityType: 'USER', identity: 'jzoidberg@example.com', securityProvider: 'Email Security Provider', additionalInfo: {}, lastUpdateDate: 1534878913000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
  { allowed: true, identityType: 'USER', identity: 'pjfry@example.com', securityProvider: 'Movie Security Identity Provider', additionalInfo: {}, lastUpdateDate: 1534874256000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
  { allowed: true, identityType: 'USER', identity: 'tleela@example.com', securityProvider: 'Movie Security Identity Provider', additionalInfo: {}, lastUpdateDate: 1534874274000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
  { allowed: false, identityType: 'USER', identity: 'jzoidberg@example.com', securityProvider: 'Movie Security Identity Provider', additionalInfo: {}, lastUpdateDate: 1534878913000, lastUpdateResult: 'SUCCESS', lastUpdateErrorDetail: '', state: 'UP_TO_DATE' },
] as const;

let emu: EmulatorHandle;
let host: string;
let accessToken: string;

beforeAll(async () => {
  emu = await startEmulator({ organizationId: ORG, randomSeed: 1 });
  host = emu.url;
  accessToken = emu.adminToken;
  // The organization of the samples: a movie source secured by two providers, the item, and the API key whose token page 002 validates.
  const auth = { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' };
  await fetch(`${host}/rest/organizations/${ORG}/securityproviders/Movie%20Security%20Identity%20Provider`, { method: 'PUT', headers: auth, body: JSON.stringify({ type: 'EXPANDED' }) });
  const source = (await (
    await fetch(`${host}/rest/organizations/${ORG}/sources/raw?rebuild=false&updateSecurityProviders=false`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'Movies', sourceType: 'FILE', sourceVisibility: 'SECURED', securityProviderReferences: ['Movie Security Identity Provider'] }),
    })
  ).json()) as Json;
  emu.state.loadDocuments(ORG, [
    {
      uri: 'file://movies/the-shining.txt',
      uniqueId: UNIQUE_ID,
      indexId: INDEX,
      source: source.id,
      title: 'The Shining',
      permissions: SAMPLE_ITEMS.map((p) => ({ ...p })),
      anonymousAllowed: false,
    },
    { uri: 'file://movies/alien.txt', indexId: INDEX, source: 'Movies', allowed: ['pjfry@example.com'] },
  ]);
  const snapshot = emu.state.snapshot(ORG);
  emu.state.patch(ORG, [
    {
      op: 'add',
      path: '/apiKeys/-',
      value: {
        id: `${ORG}-samplekey`,
        value: TOKEN_TO_VALIDATE,
        doc: {
          id: `${ORG}-samplekey`,
          organizationId: ORG,
          displayName: 'Key of page 002',
          enabled: true,
          status: 'ENABLED',
          privileges: [
            { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' },
            { owner: 'USAGE_ANALYTICS', targetDomain: 'ANALYTICS_DATA', type: 'EDIT', targetId: '*' },
          ],
        },
      },
    },
  ]);
  expect((snapshot as Json).id).toBe(ORG);
});

afterAll(async () => {
  await emu.stop();
});

describe('001: get the privileges you can assign to an API key', () => {
  it('answers 200 with the list in the documented shape', async () => {
    const res = await fetch(`${host}/rest/organizations/${ORG}/privileges/apikeys`, {
      method: 'GET',
      headers: { Accept: 'application/json', Authorization: `Bearer ${accessToken}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json[];
    expect(body).toContainEqual(expect.objectContaining({ targetDomain: 'AUTHENTICATION_EDITOR', targetIds: [], owner: 'SEARCH_API', global: false }));
    expect(body).toContainEqual(expect.objectContaining({ type: 'EDIT', targetDomain: 'ON_PREMISE_ADMINISTRATION', targetIds: [], owner: 'PLATFORM', global: false }));
    expect(body.find((p) => p.targetDomain === 'AUTHENTICATION_EDITOR').type).toBeUndefined();
  });

  it('cannot be called with an API key ("an API key can\'t have the privilege to edit or view other API keys")', async () => {
    const res = await fetch(`${host}/rest/organizations/${ORG}/privileges/apikeys`, { headers: { Accept: 'application/json', Authorization: `Bearer ${TOKEN_TO_VALIDATE}` } });
    expect(res.status).toBe(403);
  });
});

describe('002: get the privileges of an access token', () => {
  it('answers 200 with the privileges of the token in the query, whatever the caller holds', async () => {
    const caller = emu.state.createToken({ username: 'nobody@example.com', organizationId: ORG, privileges: [] });
    const res = await fetch(`${host}/rest/organizations/${ORG}/privileges/token?accessToken=${TOKEN_TO_VALIDATE}`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application-json', Authorization: `Bearer ${caller}` },
      body: '{}',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json[];
    expect(body).toHaveLength(2);
    expect(body[0]).toMatchObject({ targetDomain: 'EXECUTE_QUERY', targetIds: [], owner: 'SEARCH_API', global: false });
    expect(body[1]).toMatchObject({ type: 'EDIT', targetDomain: 'ANALYTICS_DATA', targetIds: [], owner: 'USAGE_ANALYTICS', global: false });
  });
});

describe('004 (and 003): the effective permissions of an item', () => {
  const permissionsUrl = (documentId: string, suffix = '/effective'): string => `${host}/rest/organizations/${ORG}/indexes/${INDEX}/documents/${documentId}/permissions${suffix}`;
  const twice = encodeURIComponent(encodeURIComponent(UNIQUE_ID));

  it('step 1: a Search API POST with maximumAge 0 gives the index and the uniqueId', async () => {
    const res = await fetch(`${host}/rest/search/v2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ maximumAge: 0, aq: '@uri=="file://movies/the-shining.txt"' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.index).toBe(INDEX);
    expect(body.results).toHaveLength(1);
    expect(body.results[0]).toMatchObject({ uniqueId: UNIQUE_ID, uri: 'file://movies/the-shining.txt', raw: { source: 'Movies' } });
  });

  it('step 1 without maximumAge 0 may answer "cache" as the index', async () => {
    const res = await fetch(`${host}/rest/search/v2`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${accessToken}` }, body: JSON.stringify({}) });
    const body = (await res.json()) as Json;
    expect(body.index).toBe('cache');
    expect(body.totalCount).toBe(2);
  });

  it('step 2: the double-encoded uniqueId in the path gives the documented answer', async () => {
    expect(twice).toBe('42.31537%2524file%253A%252F%252Fmovies%252Fthe-shining.txt');
    const res = await fetch(permissionsUrl(twice), { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: SAMPLE_ITEMS, anonymousAllowed: false, totalPages: 1, totalEntries: 6 });
  });

  it('encoded once: 404 with the documented body', async () => {
    const once = encodeURIComponent(UNIQUE_ID);
    expect(once).toBe('42.31537%24file%3A%2F%2Fmovies%2Fthe-shining.txt');
    for (const suffix of ['/effective', '']) {
      const res = await fetch(permissionsUrl(once, suffix), { headers: { Authorization: `Bearer ${accessToken}` } });
      expect(res.status).toBe(404);
      const body = (await res.json()) as Json;
      expect(body).toEqual({ message: 'No resource found at the provided URI.', errorCode: 'INVALID_URI', requestId: res.headers.get('x-request-id') });
      expect(body.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('003: /permissions gives the permission model of the item', async () => {
    const res = await fetch(permissionsUrl(twice, ''), { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.permissionLevels[0].permissionSets[0]).toMatchObject({ anonymousAllowed: false, permissions: SAMPLE_ITEMS });
  });

  it('honours the optional query parameters of page 004', async () => {
    const get = async (query: string): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${permissionsUrl(twice)}?${query}`, { headers: { Authorization: `Bearer ${accessToken}` } });
      return { status: res.status, body: await res.json() };
    };
    expect((await get('includeEntities=ALLOWED')).body.items.every((i: Json) => i.allowed)).toBe(true);
    expect((await get('includeEntities=DENIED')).body).toMatchObject({ totalEntries: 2, totalPages: 1 });
    expect((await get('includeEntities=ALL')).body.totalEntries).toBe(6);
    expect((await get(`states=${encodeURIComponent('UNKNOWN, UP_TO_DATE')}`)).body.totalEntries).toBe(6);
    expect((await get('states=IN_ERROR')).body.totalEntries).toBe(0);
    // Sample values of the page: 2018-5-21T19:57:09.714Z … 2018-5-22T19:57:09.714Z (the sample items are from August 2018).
    expect((await get('from=2018-5-21T19:57:09.714Z&to=2018-5-22T19:57:09.714Z')).body.totalEntries).toBe(0);
    expect((await get('from=2018-08-21T17:58:00.000Z')).body.totalEntries).toBe(4);
    expect((await get('to=2018-08-21T17:58:00.000Z')).body.totalEntries).toBe(2);
    const paged = await get('page=1&perPage=4');
    expect(paged.body).toMatchObject({ totalEntries: 6, totalPages: 2 });
    expect(paged.body.items).toEqual(SAMPLE_ITEMS.slice(4));
    expect((await get('page=5&perPage=50')).body.items).toEqual([]);
    for (const bad of ['perPage=0', 'perPage=1001', 'page=-1', 'includeEntities=SOME', 'states=FINE', 'from=yesterday']) {
      const r = await get(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.errorCode).toBe('INVALID_PARAMETER');
    }
  });

  it('needs Content - Security identities - View (PLATFORM:SECURITY_CACHE:VIEW)', async () => {
    const token = emu.state.createToken({ username: 'viewer@example.com', organizationId: ORG, privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }] });
    const res = await fetch(permissionsUrl(twice), { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as Json).message).toContain('PLATFORM:SECURITY_CACHE:VIEW on *');
  });

  it('answers 404 for an unknown document or index', async () => {
    const unknown = await fetch(permissionsUrl(encodeURIComponent(encodeURIComponent('42.1$file://nope'))), { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(unknown.status).toBe(404);
    const index = await fetch(`${host}/rest/organizations/${ORG}/indexes/nope/documents/${twice}/permissions/effective`, { headers: { Authorization: `Bearer ${accessToken}` } });
    expect(index.status).toBe(404);
  });
});

describe('the minimal Search API', () => {
  const search = async (body: unknown, token = accessToken): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${host}/rest/search/v2`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };

  it('filters by @source, free text, and pages with numberOfResults/firstResult', async () => {
    expect((await search({ maximumAge: 0, aq: '@source=="Movies"' })).body.totalCount).toBe(2);
    expect((await search({ maximumAge: 0, q: 'alien' })).body.results.map((r: Json) => r.uri)).toEqual(['file://movies/alien.txt']);
    expect((await search({ maximumAge: 0, aq: '@source==Nope' })).body.totalCount).toBe(0);
    expect((await search({ maximumAge: 0, numberOfResults: 1, firstResult: 1 })).body.results).toHaveLength(1);
    expect((await search({ aq: '@author==me' })).status).toBe(400);
  });

  it('needs SEARCH_API:EXECUTE_QUERY; an API key searches its own organization', async () => {
    const noQuery = emu.state.createToken({ username: 'x@example.com', organizationId: ORG, privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }] });
    expect((await search({}, noQuery)).status).toBe(403);
    expect((await search({ maximumAge: 0 }, TOKEN_TO_VALIDATE)).body.totalCount).toBe(2);
  });
});
