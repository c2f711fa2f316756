/**
 * Groups (Authorization API) with their members, invites and realms. `POST /groups` answers 201 `{id}`;
 * `PUT /groups/{id}` answers 204 and replaces the group (arrays left out become empty). E-mail flags default
 * to true in Coveo; every e-mail that would have gone out is recorded as a side effect. The Administrators
 * group cannot be deleted and its privileges and type cannot be changed.
 */
import { newId, recordSideEffect, type RequestContext, type RouteHandlers } from '../context.js';
import { asRecord, badRequest, boolParam, clone, idNames, noContent, notFound, ok, requireObject, requireString } from '../http.js';
import { parsePrivilege } from '../privilege-catalog.js';
import type { Doc, OrgState } from '../state.js';

const PROVIDERS = ['SALESFORCE', 'SALESFORCE_SANDBOX', 'GOOGLE', 'OFFICE365', 'SAML', 'EMAIL'];
const INVITE_DAYS = 14;

/** The group with this id; 404 when there is none. */
export function getGroup(org: OrgState, id: string): Doc {
  const g = org.groups.get(id);
  if (!g) throw notFound(`The group '${id}' does not exist in organization ${org.id}.`);
  return g;
}

/** Privileges as stored: validated, `targetId` defaulting to `*`. */
export function normalizePrivileges(v: unknown, where: string): Doc[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`'privileges' of ${where} must be a list.`, 'INVALID_BODY');
  const seen = new Set<string>();
  const out: Doc[] = [];
  for (const raw of v as unknown[]) {
    const p = parsePrivilege(raw);
    if (typeof p === 'string') throw badRequest(`Invalid privilege in ${where}: ${p}.`, 'INVALID_BODY');
    const doc: Doc = { owner: p.owner, targetDomain: p.targetDomain, ...(p.type !== undefined ? { type: p.type } : {}), targetId: p.targetId ?? '*' };
    const key = JSON.stringify([doc['owner'], doc['targetDomain'], doc['type'], doc['targetId']]);
    if (!seen.has(key)) out.push(doc);
    seen.add(key);
  }
  return out;
}

function checkProvider(o: Doc, what: string): string {
  const provider = o['provider'] ?? 'EMAIL';
  if (typeof provider !== 'string' || !PROVIDERS.includes(provider)) throw badRequest(`'provider' of ${what} must be one of ${PROVIDERS.join(', ')}.`, 'INVALID_PARAMETER');
  return provider;
}

/** A MemberModel from a request: `username` (or `email`) is required; the server fills the rest. */
export function normalizeMember(ctx: { env: RequestContext['env'] }, v: unknown, existing?: Doc): Doc {
  const o = asRecord(v);
  if (!o) throw badRequest('A member must be an object {username, email, …}.', 'INVALID_BODY');
  const username = typeof o['username'] === 'string' && o['username'] !== '' ? o['username'] : typeof o['email'] === 'string' ? o['email'] : undefined;
  if (username === undefined || username === '') throw badRequest("A member needs 'username' (or 'email').", 'MISSING_PARAMETER');
  const provider = checkProvider(o, `the member ${username}`);
  return {
    id: typeof existing?.['id'] === 'string' ? existing['id'] : ctx.env.random.uuid(),
    username,
    email: typeof o['email'] === 'string' ? o['email'] : username.includes('@') ? username : '',
    displayName: typeof o['displayName'] === 'string' ? o['displayName'] : username,
    provider,
    providerUsername: typeof o['providerUsername'] === 'string' ? o['providerUsername'] : username,
  };
}

/** An InviteModel from a request: `username`, `email` or `providerUsername`; dates set by the server. */
export function normalizeInvite(ctx: { env: RequestContext['env'] }, v: unknown, existing?: Doc): Doc {
  const o = asRecord(v);
  if (!o) throw badRequest('An invite must be an object {username | email, provider}.', 'INVALID_BODY');
  const who = [o['username'], o['email'], o['providerUsername']].find((x): x is string => typeof x === 'string' && x !== '');
  if (who === undefined) throw badRequest("An invite needs 'username', 'email' or 'providerUsername'.", 'MISSING_PARAMETER');
  const provider = checkProvider(o, `the invite of ${who}`);
  const now = ctx.env.now();
  const invitedDate = typeof existing?.['invitedDate'] === 'number' ? existing['invitedDate'] : now;
  return {
    id: typeof existing?.['id'] === 'string' ? existing['id'] : ctx.env.random.uuid(),
    username: typeof o['username'] === 'string' && o['username'] !== '' ? o['username'] : who,
    ...(typeof o['email'] === 'string' ? { email: o['email'] } : who.includes('@') ? { email: who } : {}),
    ...(typeof o['providerUsername'] === 'string' ? { providerUsername: o['providerUsername'] } : {}),
    provider,
    displayName: typeof o['displayName'] === 'string' ? o['displayName'] : who,
    invitedDate,
    expirationDate: invitedDate + INVITE_DAYS * 86_400_000,
  };
}

const inviteKey = (i: Doc): string => String(i['username'] ?? i['email'] ?? i['providerUsername']);

function normalizeRealm(ctx: RequestContext, v: unknown): Doc {
  const o = asRecord(v);
  if (!o) throw badRequest('A realm must be an object {provider, displayName, samlIdentityProviderId}.', 'INVALID_BODY');
  const provider = checkProvider(o, 'a realm');
  return {
    id: typeof o['id'] === 'string' && o['id'] !== '' ? o['id'] : newId(ctx.env, ctx.org),
    provider,
    ...(typeof o['displayName'] === 'string' ? { displayName: o['displayName'] } : {}),
    ...(typeof o['samlIdentityProviderId'] === 'string' ? { samlIdentityProviderId: o['samlIdentityProviderId'] } : {}),
  };
}

const list = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`'${what}' must be a list.`, 'INVALID_BODY');
  return v as unknown[];
};

/** An e-mail flag (they all default to true), read before anything changes. */
function emailFlag(ctx: RequestContext, flag: string): { send: boolean; cause: string } {
  return { send: boolParam(ctx.query, flag, true), cause: ctx.query.has(flag) ? `${flag}=true` : `${flag} defaults to true` };
}

/** Records the e-mails Coveo would send. */
function emails(ctx: RequestContext, to: readonly string[], flag: { send: boolean; cause: string }): void {
  if (flag.send) for (const t of to) recordSideEffect(ctx, 'email', t, flag.cause);
}

function buildGroup(ctx: RequestContext, body: Doc, existing?: Doc): Doc {
  const displayName = requireString(body, 'displayName', 'a group');
  const byUser = new Map((Array.isArray(existing?.['members']) ? (existing['members'] as Doc[]) : []).map((m) => [String(m['username']), m]));
  const byInvite = new Map((Array.isArray(existing?.['invites']) ? (existing['invites'] as Doc[]) : []).map((i) => [inviteKey(i), i]));
  const members = list(body['members'], 'members').map((m) => {
    const username = asRecord(m)?.['username'] ?? asRecord(m)?.['email'];
    return normalizeMember(ctx, m, byUser.get(String(username)));
  });
  const invites = list(body['invites'], 'invites').map((i) => {
    const draft = normalizeInvite(ctx, i);
    return normalizeInvite(ctx, i, byInvite.get(inviteKey(draft)));
  });
  return {
    displayName,
    privileges: normalizePrivileges(body['privileges'], `the group '${displayName}'`),
    members: dedupe(members, (m) => String(m['username'])),
    invites: dedupe(invites, inviteKey),
    realms: list(body['realms'], 'realms').map((r) => normalizeRealm(ctx, r)),
    groupsThatCanEdit: idNames(body['groupsThatCanEdit'], 'groupsThatCanEdit'),
    apiKeysThatCanEdit: idNames(body['apiKeysThatCanEdit'], 'apiKeysThatCanEdit'),
  };
}

function dedupe(items: Doc[], key: (d: Doc) => string): Doc[] {
  const seen = new Set<string>();
  return items.filter((d) => !seen.has(key(d)) && seen.add(key(d)));
}

const groupOf = (ctx: RequestContext): Doc => getGroup(ctx.org, ctx.params['groupId'] ?? '');
const arrayOf = (g: Doc, key: string): Doc[] => (Array.isArray(g[key]) ? (g[key] as Doc[]) : []);

export const groupRoutes: RouteHandlers = {
  'GET /groups': { listing: 'bare', handle: (ctx) => ok([...ctx.org.groups.values()].map((g) => clone(g))) },
  'POST /groups': {
    handle: (ctx) => {
      const flag = emailFlag(ctx, 'sendEmailToInvitedUsers');
      boolParam(ctx.query, 'canEditItself', false);
      const body = requireObject(ctx.body, 'GroupModel');
      const built = buildGroup(ctx, body);
      const id = newId(ctx.env, ctx.org);
      const group: Doc = { id, ...built, deletable: true, groupType: 'CUSTOM', resourceId: id };
      ctx.org.groups.set(id, group);
      emails(ctx, (built['invites'] as Doc[]).map(inviteKey), flag);
      return ok({ id }, 201);
    },
  },
  'GET /groups/{groupId}': { handle: (ctx) => ok(clone(groupOf(ctx))) },
  'PUT /groups/{groupId}': {
    handle: (ctx) => {
      const flag = emailFlag(ctx, 'sendEmailToInvitedUsers');
      const group = groupOf(ctx);
      const body = requireObject(ctx.body, 'GroupModel');
      if (typeof body['id'] === 'string' && body['id'] !== group['id']) throw badRequest(`The id in the body ('${body['id']}') differs from the one in the path ('${String(group['id'])}').`);
      const built = buildGroup(ctx, body, group);
      const before = new Set(arrayOf(group, 'invites').map(inviteKey));
      if (group['groupType'] === 'ADMINISTRATOR') built['privileges'] = group['privileges'];
      Object.assign(group, built);
      emails(ctx, arrayOf(group, 'invites').map(inviteKey).filter((k) => !before.has(k)), flag);
      return noContent();
    },
  },
  'DELETE /groups/{groupId}': {
    handle: (ctx) => {
      const group = groupOf(ctx);
      if (group['deletable'] === false) throw badRequest(`The group '${String(group['displayName'])}' cannot be deleted.`, 'GROUP_NOT_DELETABLE');
      ctx.org.groups.delete(String(group['id']));
      return noContent();
    },
  },
  'GET /groups/{groupId}/members': { listing: 'bare', handle: (ctx) => ok(clone(arrayOf(groupOf(ctx), 'members'))) },
  'POST /groups/{groupId}/members': {
    handle: (ctx) => {
      const flag = emailFlag(ctx, 'sendEmailOnInvite');
      const group = groupOf(ctx);
      const members = arrayOf(group, 'members');
      const member = normalizeMember(ctx, requireObject(ctx.body, 'MemberModel'));
      if (!members.some((m) => m['username'] === member['username'])) group['members'] = [...members, member];
      emails(ctx, [String(member['username'])], flag);
      return noContent();
    },
  },
  'GET /groups/{groupId}/members/{username}': {
    handle: (ctx) => {
      const username = ctx.params['username'] ?? '';
      const member = arrayOf(groupOf(ctx), 'members').find((m) => m['username'] === username);
      if (!member) throw notFound(`'${username}' is not a member of the group '${ctx.params['groupId'] ?? ''}'.`);
      return ok(clone(member));
    },
  },
  'DELETE /groups/{groupId}/members/{username}': {
    handle: (ctx) => {
      const group = groupOf(ctx);
      const username = ctx.params['username'] ?? '';
      const members = arrayOf(group, 'members');
      if (!members.some((m) => m['username'] === username)) throw notFound(`'${username}' is not a member of the group '${String(group['id'])}'.`);
      group['members'] = members.filter((m) => m['username'] !== username);
      return noContent();
    },
  },
  'GET /groups/{groupId}/invites': { listing: 'bare', handle: (ctx) => ok(clone(arrayOf(groupOf(ctx), 'invites'))) },
  'POST /groups/{groupId}/invites': {
    handle: (ctx) => {
      const flag = emailFlag(ctx, 'sendEmail');
      const group = groupOf(ctx);
      const invites = arrayOf(group, 'invites');
      const draft = normalizeInvite(ctx, requireObject(ctx.body, 'InviteModel'));
      const existing = invites.find((i) => inviteKey(i) === inviteKey(draft));
      const invite = existing ?? draft;
      if (!existing) group['invites'] = [...invites, invite];
      emails(ctx, [inviteKey(invite)], flag);
      return ok(clone(invite));
    },
  },
  'DELETE /groups/{groupId}/invites/{usernameOrEmail}': {
    handle: (ctx) => {
      const group = groupOf(ctx);
      const who = ctx.params['usernameOrEmail'] ?? '';
      const invites = arrayOf(group, 'invites');
      const keep = invites.filter((i) => i['username'] !== who && i['email'] !== who && i['providerUsername'] !== who);
      if (keep.length === invites.length) throw notFound(`'${who}' has no invite in the group '${String(group['id'])}'.`);
      group['invites'] = keep;
      return noContent();
    },
  },
  'GET /groups/{groupId}/realms': { listing: 'bare', handle: (ctx) => ok(clone(arrayOf(groupOf(ctx), 'realms'))) },
  'POST /groups/{groupId}/realms': {
    handle: (ctx) => {
      const group = groupOf(ctx);
      const realm = normalizeRealm(ctx, requireObject(ctx.body, 'RealmModel'));
      group['realms'] = [...arrayOf(group, 'realms').filter((r) => r['id'] !== realm['id']), realm];
      return ok(clone(realm), 201);
    },
  },
  'GET /groups/{groupId}/realms/{realmId}': {
    handle: (ctx) => {
      const id = ctx.params['realmId'] ?? '';
      const realm = arrayOf(groupOf(ctx), 'realms').find((r) => r['id'] === id);
      if (!realm) throw notFound(`The realm '${id}' is not in the group '${ctx.params['groupId'] ?? ''}'.`);
      return ok(clone(realm));
    },
  },
  'DELETE /groups/{groupId}/realms/{realmId}': {
    handle: (ctx) => {
      const group = groupOf(ctx);
      const id = ctx.params['realmId'] ?? '';
      const realms = arrayOf(group, 'realms');
      if (!realms.some((r) => r['id'] === id)) throw notFound(`The realm '${id}' is not in the group '${String(group['id'])}'.`);
      group['realms'] = realms.filter((r) => r['id'] !== id);
      return noContent();
    },
  },
};
