/**
 * Authentication and authorization over real HTTP: 401 without or with an unknown token; for every route
 * of the privilege table, 403 naming the missing privilege when the token lacks it (API keys made through
 * the API; user tokens for the routes API keys can never call), and no 403 with exactly that privilege;
 * per-resource privileges; the error body and X-Request-ID on every answer; 404 and 405.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_PRIVILEGES, type RoutePrivileges } from '../../src/core/privileges/route-privileges.js';
import { errorOf, rawSource, SAFE_SOURCE, startTestApi, type Api, type Json } from './support.js';

let api: Api;
let assignable: Json[];
beforeAll(async () => {
  api = await startTestApi();
  assignable = (await api.call('GET', '/privileges/apikeys')).body;
});
afterAll(async () => {
  await api.emu.stop();
});

describe('authentication', () => {
  it('answers 401 UNAUTHORIZED without a token and 401 INVALID_TOKEN with an unknown one', async () => {
    const none = await api.call('GET', '/sources', { token: null });
    expect(none.status).toBe(401);
    expect(errorOf(none).errorCode).toBe('UNAUTHORIZED');
    const unknown = await api.call('GET', '/sources', { token: 'xx00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(401);
    expect(errorOf(unknown).errorCode).toBe('INVALID_TOKEN');
    const res = await fetch(`${api.emu.url}/rest/organizations/${api.emu.organizationId}/sources`, { headers: { Authorization: `Basic ${api.emu.adminToken}` } });
    expect(res.status).toBe(401);
  });

  it('puts X-Request-ID on every answer, and the same id in error bodies', async () => {
    const okReply = await api.call('GET', '/groups');
    expect(okReply.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const noContent = await api.call('POST', '/indexes/fields', { body: { name: 'rid', type: 'LONG' } });
    expect(noContent.status).toBe(204);
    expect(noContent.headers.get('x-request-id')).toBeTruthy();
    const err = await api.call('GET', '/groups/nope');
    expect(errorOf(err).requestId).toBe(err.headers.get('x-request-id'));
    expect(Object.keys(err.body).sort()).toEqual(['errorCode', 'message', 'requestId']);
  });

  it('answers 404 INVALID_URI for unknown paths, 405 for a known path with another method, 404 for an unknown organization', async () => {
    const unknown = await api.call('GET', '/nothing/here');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ message: 'No resource found at the provided URI.', errorCode: 'INVALID_URI' });
    expect((await api.call('GET', '/rest/nothing')).status).toBe(404);
    const method = await api.call('PATCH', '/groups');
    expect(method.status).toBe(405);
    expect(errorOf(method).message).toMatch(/use GET, POST/);
    const malformed = await fetch(`${api.emu.url}/rest/organizations/%E0%A4%A/groups`, { headers: { Authorization: `Bearer ${api.emu.adminToken}` } });
    expect(malformed.status).toBe(404);
    const org = await api.call('GET', '/groups', { org: 'nosuchorg' });
    expect(org.status).toBe(404);
    expect(errorOf(org).errorCode).toBe('ORGANIZATION_NOT_FOUND');
  });
});

interface Fixture {
  sourceId: string;
  scheduleId: string;
  groupId: string;
  apiKeyId: string;
  providerId: string;
  indexId: string;
  documentId: string;
}

let n = 0;
async function makeFixture(): Promise<Fixture> {
  n += 1;
  const sourceId = (await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource(`Auth source ${n}`) })).body.id;
  const scheduleId = (await api.call('POST', `/sources/${sourceId}/schedules`, { body: { refreshType: 'FULL_REFRESH', frequency: { type: 'DAILY', hourMinute: { hour: 1, minute: 0 } } } })).body.id;
  const groupId = (
    await api.call('POST', '/groups', {
      query: { sendEmailToInvitedUsers: 'false' },
      body: { displayName: `Auth group ${n}`, members: [{ username: 'm@example.com' }], invites: [{ email: 'i@example.com' }], realms: [{ id: `realm${n}`, provider: 'SAML' }] },
    })
  ).body.id;
  const apiKeyId = (await api.call('POST', '/apikeys', { body: { displayName: `Auth key ${n}`, privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }] } })).body.id;
  const providerId = `Auth provider ${n}`;
  await api.call('PUT', `/securityproviders/${encodeURIComponent(providerId)}`, { body: { type: 'EMAIL' } });
  const [doc] = api.emu.state.loadDocuments(api.emu.organizationId, [{ uri: `file://auth/${n}.txt`, source: sourceId, allowed: ['a@example.com'] }]);
  const indexId = (api.emu.state.snapshot(api.emu.organizationId) as Json).defaultIndexId as string;
  return { sourceId, scheduleId, groupId, apiKeyId, providerId, indexId, documentId: doc!.uniqueId };
}

function pathOf(route: RoutePrivileges, f: Fixture): string {
  const values: Record<string, string> = {
    sourceId: f.sourceId,
    scheduleId: f.scheduleId,
    groupId: f.groupId,
    apiKeyId: f.apiKeyId,
    securityProviderId: encodeURIComponent(f.providerId),
    fieldId: 'title',
    username: 'm@example.com',
    usernameOrEmail: 'i@example.com',
    realmId: `realm${n}`,
    indexId: f.indexId,
    documentId: encodeURIComponent(encodeURIComponent(f.documentId)),
  };
  return route.path.replace(/\{(\w+)\}/g, (_, p: string) => values[p] ?? p);
}

const matches = (p: Json, need: { owner: string; targetDomain: string; type?: string }): boolean =>
  p.owner === need.owner && p.targetDomain === need.targetDomain && (p.type ?? undefined) === need.type;

/** A token holding everything assignable except what `route` needs (user token when keys are refused). */
async function tokenWithout(route: RoutePrivileges): Promise<string> {
  const held = assignable.filter((p) => !route.privileges.some((need) => matches(p, need))).map((p) => ({ owner: p.owner, targetDomain: p.targetDomain, ...(p.type ? { type: p.type } : {}) }));
  if (route.refusesApiKeys) {
    const keyDomain = ['VIEW', 'EDIT', 'CREATE'].map((type) => ({ owner: 'PLATFORM', targetDomain: 'API_KEY', type })).filter((p) => !route.privileges.some((need) => matches(p, need)));
    return api.userToken([...held, ...keyDomain]);
  }
  return api.keyToken(held);
}

/** A token holding exactly what `route` needs, per resource when the route checks one. */
async function tokenWith(route: RoutePrivileges, f: Fixture, targetOverride?: string): Promise<string> {
  const ids: Record<string, string> = { sourceId: f.sourceId, groupId: f.groupId, apiKeyId: f.apiKeyId, securityProviderId: f.providerId };
  const held = route.privileges.map((need) => ({
    owner: need.owner,
    targetDomain: need.targetDomain,
    ...(need.type ? { type: need.type } : {}),
    ...(need.targetParam ? { targetId: targetOverride ?? ids[need.targetParam] } : {}),
  }));
  return route.refusesApiKeys ? api.userToken(held) : api.keyToken(held);
}

const guarded = ROUTE_PRIVILEGES.filter((r) => r.privileges.length > 0);

describe('authorization, route by route', () => {
  it.each(guarded.map((r) => [`${r.method} ${r.path}`, r] as const))('%s: 403 without its privilege, allowed with it', async (_name, route) => {
    const f = await makeFixture();
    const path = pathOf(route, f);
    const body = route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} };
    const denied = await api.call(route.method, path, { token: await tokenWithout(route), ...body });
    expect(denied.status).toBe(403);
    const e = errorOf(denied);
    expect(e.errorCode).toBe('ACCESS_DENIED');
    const need = route.privileges[0]!;
    const target = need.targetParam ? ({ sourceId: f.sourceId, groupId: f.groupId, apiKeyId: f.apiKeyId, securityProviderId: f.providerId } as Record<string, string>)[need.targetParam] : '*';
    expect(e.message).toContain(`${need.owner}:${need.targetDomain}${need.type ? `:${need.type}` : ''} on ${target}`);

    const allowed = await api.call(route.method, path, { token: await tokenWith(route, f), ...body });
    expect([401, 403]).not.toContain(allowed.status);

    if (route.privileges.some((p) => p.targetParam)) {
      const elsewhere = await api.call(route.method, path, { token: await tokenWith(route, f, 'some-other-id'), ...body });
      expect(elsewhere.status).toBe(403);
    }
  });

  it('needs the wildcard VIEW for single-object reads (contract), not a per-resource one', async () => {
    const f = await makeFixture();
    const token = await api.keyToken([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: f.sourceId }]);
    const r = await api.call('GET', `/sources/${f.sourceId}`, { token });
    expect(r.status).toBe(403);
    expect(errorOf(r).message).toContain('PLATFORM:SOURCE:VIEW on *');
  });

  it('does not let EDIT stand for VIEW: privileges are checked by type', async () => {
    const token = await api.keyToken([{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT' }]);
    expect((await api.call('POST', '/indexes/fields/search', { token, body: {} })).status).toBe(403);
  });

  it('lets any valid token call the routes with no declared privilege', async () => {
    const token = await api.keyToken([{ owner: 'USAGE_ANALYTICS', targetDomain: 'REPORTS', type: 'VIEW' }]);
    for (const r of ROUTE_PRIVILEGES.filter((x) => x.privileges.length === 0)) {
      const reply = await api.call(r.method, r.path, { token, query: { accessToken: token }, ...(r.method === 'POST' ? { body: {} } : {}) });
      expect(reply.status, `${r.method} ${r.path}`).toBe(200);
    }
  });
});
