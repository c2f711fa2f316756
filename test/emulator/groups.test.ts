/**
 * Groups, members, invites and realms over real HTTP: 201 {id}, 204 on PUT, full replacement, the
 * Administrators group, e-mail flags recorded as side effects, 404 and validation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.emu.stop();
});

const SAFE = { sendEmailToInvitedUsers: 'false' };

describe('groups', () => {
  it('has the built-in Administrators group, which cannot be deleted', async () => {
    const list = await api.call('GET', '/groups');
    expect(Array.isArray(list.body)).toBe(true);
    const admins = list.body.find((g: Json) => g.displayName === 'Administrators');
    expect(admins).toMatchObject({ groupType: 'ADMINISTRATOR', deletable: false });
    expect(admins.members.map((m: Json) => m.username)).toContain('admin@emulator.local');
    const del = await api.call('DELETE', `/groups/${admins.id}`);
    expect(del.status).toBe(400);
    expect(errorOf(del).errorCode).toBe('GROUP_NOT_DELETABLE');
    const put = await api.call('PUT', `/groups/${admins.id}`, { query: SAFE, body: { ...admins, privileges: [] } });
    expect(put.status).toBe(204);
    expect((await api.call('GET', `/groups/${admins.id}`)).body.privileges.length).toBe(admins.privileges.length);
  });

  it('creates (201 {id}), reads, replaces (204) and deletes (204)', async () => {
    const created = await api.call('POST', '/groups', {
      query: { ...SAFE, canEditItself: 'false' },
      body: {
        displayName: 'Search editors',
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' },
          { owner: 'SEARCH_API', targetDomain: 'QUERY_PIPELINE', type: 'EDIT', targetId: '*' },
        ],
        members: [{ username: 'alice@example.com' }],
        invites: [{ email: 'editor@example.com', username: 'editor@example.com' }],
      },
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(['id']);
    const id = created.body.id as string;
    expect(id).toMatch(new RegExp(`^${api.emu.organizationId}-`));
    const g = await api.call('GET', `/groups/${id}`);
    expect(g.body).toMatchObject({
      id,
      displayName: 'Search editors',
      groupType: 'CUSTOM',
      deletable: true,
      resourceId: id,
      privileges: [
        { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: '*' },
        { owner: 'SEARCH_API', targetDomain: 'QUERY_PIPELINE', type: 'EDIT', targetId: '*' },
      ],
      members: [{ username: 'alice@example.com', email: 'alice@example.com', provider: 'EMAIL' }],
      invites: [{ username: 'editor@example.com', email: 'editor@example.com', provider: 'EMAIL' }],
      realms: [],
      groupsThatCanEdit: [],
      apiKeysThatCanEdit: [],
    });
    expect(typeof g.body.invites[0].invitedDate).toBe('number');
    const put = await api.call('PUT', `/groups/${id}`, { query: SAFE, body: { displayName: 'Search editors 2', privileges: [] } });
    expect(put.status).toBe(204);
    expect(put.text).toBe('');
    const replaced = await api.call('GET', `/groups/${id}`);
    expect(replaced.body).toMatchObject({ displayName: 'Search editors 2', privileges: [], members: [], invites: [] });
    expect((await api.call('DELETE', `/groups/${id}`)).status).toBe(204);
    expect((await api.call('GET', `/groups/${id}`)).status).toBe(404);
  });

  it('records the invite e-mails that the default sendEmailToInvitedUsers=true would send', async () => {
    api.emu.state.resetSideEffects();
    await api.call('POST', '/groups', { body: { displayName: 'Mailed', invites: [{ email: 'a@example.com' }] } });
    await api.call('POST', '/groups', { query: SAFE, body: { displayName: 'Quiet', invites: [{ email: 'b@example.com' }] } });
    expect(api.emu.state.sideEffects().map((e) => [e.type, e.target, e.cause])).toEqual([['email', 'a@example.com', 'POST /groups (sendEmailToInvitedUsers defaults to true)']]);
  });

  it('validates groups', async () => {
    const noName = await api.call('POST', '/groups', { query: SAFE, body: { privileges: [] } });
    expect(noName.status).toBe(400);
    expect(errorOf(noName).message).toMatch(/'displayName' is required/);
    const badPrivilege = await api.call('POST', '/groups', { query: SAFE, body: { displayName: 'x', privileges: [{ owner: 'PLATFORM' }] } });
    expect(errorOf(badPrivilege).message).toMatch(/targetDomain/);
    const badMember = await api.call('POST', '/groups', { query: SAFE, body: { displayName: 'x', members: [{ displayName: 'nobody' }] } });
    expect(errorOf(badMember).message).toMatch(/username/);
    const badProvider = await api.call('POST', '/groups', { query: SAFE, body: { displayName: 'x', members: [{ username: 'u', provider: 'MYSPACE' }] } });
    expect(badProvider.status).toBe(400);
    const badFlag = await api.call('POST', '/groups', { query: { sendEmailToInvitedUsers: 'perhaps' }, body: { displayName: 'flag' } });
    expect(badFlag.status).toBe(400);
    expect((await api.call('GET', '/groups')).body.some((g: Json) => g.displayName === 'flag')).toBe(false);
  });
});

describe('members, invites and realms', () => {
  let id: string;
  beforeAll(async () => {
    id = (await api.call('POST', '/groups', { query: SAFE, body: { displayName: 'Subresources' } })).body.id;
  });

  it('adds (204), lists, reads and removes members', async () => {
    const add = await api.call('POST', `/groups/${id}/members`, { query: { sendEmailOnInvite: 'false' }, body: { username: 'bob@example.com' } });
    expect(add.status).toBe(204);
    const list = await api.call('GET', `/groups/${id}/members`);
    expect(list.body.map((m: Json) => m.username)).toEqual(['bob@example.com']);
    const one = await api.call('GET', `/groups/${id}/members/bob@example.com`);
    expect(one.body).toMatchObject({ username: 'bob@example.com', provider: 'EMAIL' });
    expect((await api.call('DELETE', `/groups/${id}/members/bob@example.com`)).status).toBe(204);
    expect((await api.call('GET', `/groups/${id}/members/bob@example.com`)).status).toBe(404);
    expect((await api.call('DELETE', `/groups/${id}/members/bob@example.com`)).status).toBe(404);
  });

  it('invites (200 with the invite), lists and revokes invites', async () => {
    api.emu.state.resetSideEffects();
    const invite = await api.call('POST', `/groups/${id}/invites`, { body: { email: 'carol@example.com' } });
    expect(invite.status).toBe(200);
    expect(invite.body).toMatchObject({ username: 'carol@example.com', email: 'carol@example.com', provider: 'EMAIL' });
    expect(invite.body.expirationDate).toBeGreaterThan(invite.body.invitedDate);
    expect(api.emu.state.sideEffects().map((e) => e.cause)).toEqual([`POST /groups/{groupId}/invites (sendEmail defaults to true)`]);
    const list = await api.call('GET', `/groups/${id}/invites`);
    expect(list.body).toEqual([invite.body]);
    expect((await api.call('DELETE', `/groups/${id}/invites/carol@example.com`)).status).toBe(204);
    expect((await api.call('GET', `/groups/${id}/invites`)).body).toEqual([]);
    expect((await api.call('DELETE', `/groups/${id}/invites/carol@example.com`)).status).toBe(404);
  });

  it('adds (201), lists, reads and removes realms', async () => {
    const realm = await api.call('POST', `/groups/${id}/realms`, { body: { provider: 'SAML', displayName: 'Corp SSO', samlIdentityProviderId: 'corp' } });
    expect(realm.status).toBe(201);
    expect(realm.body).toMatchObject({ provider: 'SAML', displayName: 'Corp SSO', id: expect.any(String) });
    expect((await api.call('GET', `/groups/${id}/realms`)).body).toEqual([realm.body]);
    expect((await api.call('GET', `/groups/${id}/realms/${realm.body.id}`)).body).toEqual(realm.body);
    expect((await api.call('DELETE', `/groups/${id}/realms/${realm.body.id}`)).status).toBe(204);
    expect((await api.call('GET', `/groups/${id}/realms/${realm.body.id}`)).status).toBe(404);
  });

  it('answers 404 for the sub-resources of an unknown group', async () => {
    for (const path of ['/groups/nope/members', '/groups/nope/invites', '/groups/nope/realms']) expect((await api.call('GET', path)).status).toBe(404);
  });
});
