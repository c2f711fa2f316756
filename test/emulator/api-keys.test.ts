/**
 * API keys and the privilege listings over real HTTP: the value once, masked later; privileges that PUT
 * cannot change; activate/disable; keys as Bearer tokens with exactly their privileges; keys never managing
 * keys; /privileges/apikeys, /privileges/token and /privileges/me.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi({ now: () => 1_700_000_000_000 });
});
afterAll(async () => {
  await api.emu.stop();
});

const QUERY = [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }];

describe('API keys', () => {
  it('answers 201 with the value once; every later read masks it', async () => {
    const created = await api.call('POST', '/apikeys', {
      body: { displayName: 'Storefront', description: 'managed-by: coveo-sync name=storefront', privileges: QUERY, allowedIps: ['10.0.0.0/8'], lifetimeDuration: 'P1Y' },
    });
    expect(created.status).toBe(201);
    expect(created.body.value).toMatch(/^xx[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(new RegExp(`^${api.emu.organizationId}-`)),
      organizationId: api.emu.organizationId,
      displayName: 'Storefront',
      enabled: true,
      status: 'ENABLED',
      privileges: QUERY,
      allowedIps: ['10.0.0.0/8'],
      createdDate: 1_700_000_000_000,
      expirationDate: 1_700_000_000_000 + 365 * 86_400_000,
    });
    expect(created.body.lifetimeDuration).toBeUndefined();
    const value = created.body.value as string;
    const one = await api.call('GET', `/apikeys/${created.body.id}`);
    expect(one.body.value).not.toBe(value);
    expect(one.body.value).toBe(value.slice(0, 6) + value.slice(6).replace(/[0-9a-f]/g, '*'));
    const list = await api.call('GET', '/apikeys');
    expect(list.text).not.toContain(value);
    expect(list.body.find((k: Json) => k.id === created.body.id).value).toContain('****');
  });

  it('ignores privileges and enabled in a PUT (ApiKeyUpdateRequest has neither), answering 204', async () => {
    const { body } = await api.call('POST', '/apikeys', { body: { displayName: 'Fixed', privileges: QUERY } });
    const put = await api.call('PUT', `/apikeys/${body.id}`, {
      body: { displayName: 'Renamed', description: 'new', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: '*' }], enabled: false, allowedIps: ['1.2.3.4'] },
    });
    expect(put.status).toBe(204);
    const after = await api.call('GET', `/apikeys/${body.id}`);
    expect(after.body).toMatchObject({ displayName: 'Renamed', description: 'new', privileges: QUERY, enabled: true, allowedIps: ['1.2.3.4'] });
    expect((await api.call('PUT', `/apikeys/${body.id}`, { body: { description: 'no name' } })).status).toBe(400);
  });

  it('activates and disables (204); a disabled key stops working as a token', async () => {
    const { body } = await api.call('POST', '/apikeys', { body: { displayName: 'Toggle', privileges: [{ owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' }] } });
    expect((await api.call('GET', '/groups', { token: body.value })).status).toBe(200);
    const off = await api.call('PUT', `/apikeys/${body.id}/disable`);
    expect(off.status).toBe(204);
    expect((await api.call('GET', `/apikeys/${body.id}`)).body).toMatchObject({ enabled: false, status: 'DISABLED', disabledDate: 1_700_000_000_000 });
    const refused = await api.call('GET', '/groups', { token: body.value });
    expect(refused.status).toBe(401);
    expect(errorOf(refused).errorCode).toBe('INVALID_TOKEN');
    expect((await api.call('GET', '/apikeys', { query: { status: 'DEACTIVATED' } })).body.map((k: Json) => k.id)).toContain(body.id);
    expect((await api.call('PUT', `/apikeys/${body.id}/activate`)).status).toBe(204);
    expect((await api.call('GET', '/groups', { token: body.value })).status).toBe(200);
    expect((await api.call('GET', '/apikeys', { query: { status: 'ACTIVE' } })).body.map((k: Json) => k.id)).toContain(body.id);
  });

  it('filters the list by status', async () => {
    const soon = (await api.call('POST', '/apikeys', { body: { displayName: 'Short-lived', privileges: QUERY, lifetimeDuration: 'P10D' } })).body.id;
    const later = (await api.call('POST', '/apikeys', { body: { displayName: 'Long-lived', privileges: QUERY, lifetimeDuration: 'P1Y' } })).body.id;
    const ids = (await api.call('GET', '/apikeys', { query: { status: 'SOON_TO_BE_EXPIRED' } })).body.map((k: Json) => k.id);
    expect(ids).toContain(soon);
    expect(ids).not.toContain(later);
    expect((await api.call('GET', '/apikeys', { query: { status: 'WITH_WARNING' } })).body).toEqual([]);
    expect((await api.call('GET', '/apikeys', { query: { status: 'SOMETIMES' } })).status).toBe(400);
  });

  it('deletes (204); the value no longer authenticates', async () => {
    const { body } = await api.call('POST', '/apikeys', { body: { displayName: 'Doomed', privileges: QUERY } });
    expect((await api.call('DELETE', `/apikeys/${body.id}`)).status).toBe(204);
    expect((await api.call('GET', `/apikeys/${body.id}`)).status).toBe(404);
    expect((await api.call('GET', '/privileges/me', { token: body.value })).status).toBe(401);
  });

  it('validates keys: no API_KEY privileges, known domains, a display name, a duration', async () => {
    const cases: [unknown, RegExp][] = [
      [{ displayName: 'x', privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW' }] }, /can't view or manage API keys/],
      [{ displayName: 'x', privileges: [{ owner: 'PLATFORM', targetDomain: 'MOON', type: 'VIEW' }] }, /does not exist/],
      [{ displayName: 'x', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'FLY' }] }, /needs a type among VIEW, EDIT, CREATE/],
      [{ displayName: 'x', privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: 'abc' }] }, /cannot target one resource/],
      [{ privileges: QUERY }, /'displayName' is required/],
      [{ displayName: 'x' }, /at least one privilege/],
      [{ displayName: 'x', privileges: QUERY, lifetimeDuration: 'forever' }, /ISO-8601/],
      [{ displayName: 'x'.repeat(126), privileges: QUERY }, /longer than 125/],
    ];
    for (const [body, message] of cases) {
      const r = await api.call('POST', '/apikeys', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(r).message).toMatch(message);
    }
  });
});

describe('API keys as tokens', () => {
  it('grant exactly their privileges, per resource when targeted', async () => {
    const a = (await api.call('POST', '/sources/raw', { query: { rebuild: 'false' }, body: { name: 'Key A', sourceType: 'PUSH', pushEnabled: true } })).body.id;
    const b = (await api.call('POST', '/sources/raw', { query: { rebuild: 'false' }, body: { name: 'Key B', sourceType: 'PUSH', pushEnabled: true } })).body.id;
    const token = await api.keyToken([
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: a },
    ]);
    expect((await api.call('GET', `/sources/${b}`, { token })).status).toBe(200);
    expect((await api.call('POST', `/sources/${a}/rebuild`, { token })).status).toBe(200);
    const denied = await api.call('POST', `/sources/${b}/rebuild`, { token });
    expect(denied.status).toBe(403);
    expect(errorOf(denied)).toMatchObject({ errorCode: 'ACCESS_DENIED' });
    expect(errorOf(denied).message).toContain(`PLATFORM:SOURCE:EDIT on ${b}`);
    const noCreate = await api.call('POST', '/sources/raw', { token, body: { name: 'x', sourceType: 'PUSH' } });
    expect(errorOf(noCreate).message).toContain('PLATFORM:SOURCE:CREATE on *');
  });

  it('can never view or manage API keys, whatever they hold', async () => {
    const token = await api.keyToken([{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW' }]);
    for (const [method, path] of [
      ['GET', '/apikeys'],
      ['POST', '/apikeys'],
      ['GET', '/privileges/apikeys'],
    ] as const) {
      const r = await api.call(method, path, { token, ...(method === 'POST' ? { body: { displayName: 'x', privileges: QUERY } } : {}) });
      expect(r.status, path).toBe(403);
      expect(errorOf(r).message).toMatch(/API keys can't view or manage API keys/);
    }
  });

  it('have no privilege in another organization', async () => {
    const other = api.emu.state.addOrganization({ organizationId: 'otherorg' });
    const token = await api.keyToken([{ owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' }]);
    const r = await api.call('GET', '/groups', { token, org: other });
    expect(r.status).toBe(403);
    expect(errorOf(r).message).toMatch(/another organization/);
  });
});

describe('privilege listings', () => {
  it('GET /privileges/apikeys lists what keys may hold, never API_KEY', async () => {
    const r = await api.call('GET', '/privileges/apikeys');
    expect(r.status).toBe(200);
    const domains = new Set(r.body.map((p: Json) => `${p.owner}:${p.targetDomain}`));
    for (const d of ['PLATFORM:SOURCE', 'PLATFORM:FIELD', 'PLATFORM:GROUP', 'SEARCH_API:EXECUTE_QUERY', 'SEARCH_API:VIEW_ALL_CONTENT', 'SEARCH_API:QUERY_PIPELINE', 'USAGE_ANALYTICS:ANALYTICS_DATA']) expect(domains.has(d), d).toBe(true);
    expect(domains.has('PLATFORM:API_KEY')).toBe(false);
    expect(r.body).toContainEqual({ targetDomain: 'EXECUTE_QUERY', targetIds: [], owner: 'SEARCH_API', global: false, targetId: '*' });
    const custom = await api.call('GET', '/privileges/apikeys', { query: { filter: 'CUSTOM' } });
    expect(new Set(custom.body.map((p: Json) => p.targetDomain))).toEqual(new Set(['SOURCE', 'GROUP', 'SECURITY_PROVIDER', 'INDEXING_PIPELINE_EXTENSION']));
  });

  it('POST /privileges/token answers the privileges of the token given, in both forms', async () => {
    const { body } = await api.call('POST', '/apikeys', {
      body: { displayName: 'Inspect me', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'src-1' }, ...QUERY] },
    });
    const caller = await api.keyToken([{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }]);
    const r = await api.call('POST', '/privileges/token', { token: caller, query: { accessToken: body.value }, body: {} });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { type: 'EDIT', targetDomain: 'SOURCE', targetIds: ['src-1'], owner: 'PLATFORM', global: false, targetId: 'src-1' },
      { targetDomain: 'EXECUTE_QUERY', targetIds: [], owner: 'SEARCH_API', global: false, targetId: '*' },
    ]);
    expect((await api.call('POST', '/privileges/token', { body: {} })).status).toBe(400);
    const unknown = await api.call('POST', '/privileges/token', { query: { accessToken: 'xx-nope' }, body: {} });
    expect(errorOf(unknown).errorCode).toBe('INVALID_TOKEN');
    const get = await api.call('GET', '/privileges/token', { token: caller });
    expect(get.body).toEqual([{ targetDomain: 'EXECUTE_QUERY', targetIds: [], owner: 'SEARCH_API', global: false, targetId: '*' }]);
  });

  it('GET /privileges/me: the caller own privileges (admin: everything); GET /privileges needs ORGANIZATION:VIEW', async () => {
    const admin = await api.call('GET', '/privileges/me');
    expect(admin.body).toContainEqual(expect.objectContaining({ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT', targetId: '*' }));
    const user = await api.userToken([{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }]);
    const me = await api.call('GET', '/privileges/me', { token: user });
    expect(me.body).toEqual([{ type: 'VIEW', targetDomain: 'FIELD', targetIds: [], owner: 'PLATFORM', global: false, targetId: '*' }]);
    const all = await api.call('GET', '/privileges', { token: user });
    expect(all.status).toBe(403);
    expect(errorOf(all).message).toContain('PLATFORM:ORGANIZATION:VIEW on *');
    expect((await api.call('GET', '/privileges')).body.length).toBeGreaterThan(40);
  });

  it('a user token without explicit privileges has those of its groups', async () => {
    const created = await api.call('POST', '/groups', {
      query: { sendEmailToInvitedUsers: 'false' },
      body: { displayName: 'Field viewers', privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }], members: [{ username: 'dana@example.com' }] },
    });
    expect(created.status).toBe(201);
    const token = (await api.call('POST', '/_emulator/tokens', { body: { username: 'dana@example.com', organizationId: api.emu.organizationId } })).body.token as string;
    expect((await api.call('POST', '/indexes/fields/search', { token, body: {} })).status).toBe(200);
    expect((await api.call('GET', '/groups', { token })).status).toBe(403);
  });
});
