/**
 * Security identity providers over real HTTP: client-chosen ids, PUT upsert (200), POST (200, 409 when the
 * id is taken), the bare list and the `/page` listing, `referencedBy`, secrets, raw config, deletion rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rawSource, SAFE_SOURCE, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi({ pageSizeCap: 2 });
});
afterAll(async () => {
  await api.emu.stop();
});

describe('security providers', () => {
  it('has the built-in Email Security Provider, which cannot be deleted', async () => {
    const r = await api.call('GET', '/securityproviders/Email%20Security%20Provider');
    expect(r.body).toMatchObject({ id: 'Email Security Provider', type: 'EMAIL', organizationId: api.emu.organizationId, referencedBy: [] });
    const del = await api.call('DELETE', '/securityproviders/Email%20Security%20Provider');
    expect(del.status).toBe(400);
    expect(errorOf(del).errorCode).toBe('SECURITY_PROVIDER_NOT_DELETABLE');
  });

  it('PUT creates or updates (200) and keeps the id chosen by the client', async () => {
    const body = {
      id: 'Intranet Claims',
      displayName: 'Intranet claims',
      type: 'CLAIMS',
      parameters: { ClientId: { sensitive: false, value: 'client' }, ClientSecret: { sensitive: true, value: 'provider-secret' } },
      userIdentities: { Svc: { name: 'Svc', username: 'svc', password: 'svc-pw' } },
      cascadingSecurityProviders: { 'Email Security Provider': { id: 'Email Security Provider', name: 'Email Security Provider' } },
    };
    const created = await api.call('PUT', '/securityproviders/Intranet%20Claims', { body });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ id: 'Intranet Claims', name: 'Intranet Claims', type: 'CLAIMS', currentStatus: { type: 'IDLE' } });
    expect(created.text).not.toContain('provider-secret');
    expect(created.text).not.toContain('svc-pw');
    expect(created.body.parameters.ClientSecret).toEqual({ sensitive: true });
    const updated = await api.call('PUT', '/securityproviders/Intranet%20Claims', { body: { ...created.body, displayName: 'Renamed' } });
    expect(updated.status).toBe(200);
    expect(updated.body.displayName).toBe('Renamed');
    const stored = (api.emu.state.snapshot(api.emu.organizationId).providers as Json[]).find((p: Json) => p.id === 'Intranet Claims');
    expect(stored.doc.parameters.ClientSecret.value).toBe('provider-secret');
    expect(stored.doc.userIdentities.Svc.password).toBe('svc-pw');
    const renamed = await api.call('PUT', '/securityproviders/Intranet%20Claims', { body: { ...body, id: 'Other id' } });
    expect(renamed.status).toBe(400);
    expect(errorOf(renamed).message).toMatch(/cannot change/);
    const badType = await api.call('PUT', '/securityproviders/Bad', { body: { type: 'PIGEON' } });
    expect(errorOf(badType).message).toMatch(/'type' must be one of/);
  });

  it('POST creates (200) and answers 409 when the id exists', async () => {
    const r = await api.call('POST', '/securityproviders', { body: { id: 'Posted', type: 'EMAIL' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'Posted', type: 'EMAIL', displayName: 'Posted' });
    expect((await api.call('POST', '/securityproviders', { body: { id: 'Posted', type: 'EMAIL' } })).status).toBe(409);
    expect((await api.call('POST', '/securityproviders', { body: { type: 'EMAIL' } })).status).toBe(400);
  });

  it('lists as a bare array, and pages /securityproviders/page as {items, totalEntries, totalPages}', async () => {
    const all = await api.call('GET', '/securityproviders');
    expect(all.body.length).toBe(3);
    const page0 = await api.call('GET', '/securityproviders/page', { query: { perPage: 100 } });
    expect(page0.body).toMatchObject({ totalEntries: 3, totalPages: 2 });
    expect(page0.body.items).toHaveLength(2);
    const page1 = await api.call('GET', '/securityproviders/page', { query: { page: 1, perPage: 100 } });
    expect([...page0.body.items, ...page1.body.items].map((p: Json) => p.id).sort()).toEqual(all.body.map((p: Json) => p.id).sort());
    const filtered = await api.call('GET', '/securityproviders/page', { query: { filter: 'claims' } });
    expect(filtered.body.items.map((p: Json) => p.id)).toEqual(['Intranet Claims']);
  });

  it('computes referencedBy from sources, and refuses to delete a referenced provider (412)', async () => {
    const src = await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Secured', { sourceVisibility: 'SECURED', securityProviderReferences: ['Posted'] }) });
    expect((await api.call('GET', '/securityproviders/Posted')).body.referencedBy).toEqual([{ id: src.body.id, type: 'SOURCE' }]);
    const del = await api.call('DELETE', '/securityproviders/Posted');
    expect(del.status).toBe(412);
    expect(errorOf(del).message).toContain("'Secured'");
    await api.call('DELETE', `/sources/${src.body.id}`);
    expect((await api.call('DELETE', '/securityproviders/Posted')).status).toBe(204);
    expect((await api.call('GET', '/securityproviders/Posted')).status).toBe(404);
  });

  it('refuses to delete a provider another one cascades to', async () => {
    await api.call('PUT', '/securityproviders/Leaf', { body: { type: 'EMAIL' } });
    await api.call('PUT', '/securityproviders/Root', { body: { type: 'EXPANDED', cascadingSecurityProviders: { Leaf: { id: 'Leaf', name: 'Leaf' } } } });
    expect((await api.call('DELETE', '/securityproviders/Leaf')).status).toBe(412);
  });

  it('reads (masked) and writes (204) the raw configuration', async () => {
    const put = await api.call('PUT', '/securityproviders/Raw%20one/raw', {
      query: { forceUpdate: 'false' },
      body: { name: 'Raw one', type: 'DATABASE', displayName: 'Raw one', parameters: { Password: { sensitive: true, value: 'db-pw' } }, dbConnectionString: 'Server=db' },
    });
    expect(put.status).toBe(204);
    const raw = await api.call('GET', '/securityproviders/Raw%20one/raw');
    expect(raw.body).toMatchObject({ name: 'Raw one', type: 'DATABASE', dbConnectionString: 'Server=db', parameters: { Password: { sensitive: true } } });
    expect(raw.text).not.toContain('db-pw');
    expect((await api.call('GET', '/securityproviders/Raw%20one')).body.type).toBe('DATABASE');
  });
});
