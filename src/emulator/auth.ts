/**
 * Tokens and privileges. A Bearer token is the admin token (every privilege in every organization), a user
 * token made through the admin API (explicit privileges, or those of the groups its user belongs to), or
 * the value of an enabled API key (exactly its privileges, in its own organization). Each request is
 * checked against `ROUTE_PRIVILEGES`: 401 without a known token, 403 naming the missing privilege.
 */
import type { RequiredPrivilege, RoutePrivileges } from '../core/privileges/route-privileges.js';
import { HttpError } from './http.js';
import { allPrivileges, parsePrivilege, type Privilege } from './privilege-catalog.js';
import type { EmulatorState, OrgState, UserToken } from './state.js';

export type Principal =
  | { readonly kind: 'user'; readonly token: string; readonly user: UserToken }
  | { readonly kind: 'apiKey'; readonly token: string; readonly organizationId: string; readonly keyId: string };

/** The caller's name as Coveo records it in `owner`, `createdBy` and `lastModifier`. */
export function principalName(p: Principal): string {
  return p.kind === 'user' ? p.user.username : `apikey:${p.keyId}`;
}

/** The Bearer token of a request, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}

/** Resolves a token; undefined when unknown, or an API key that is disabled or deleted. */
export function resolveToken(state: EmulatorState, token: string): Principal | undefined {
  const user = state.userTokens.get(token);
  if (user) return { kind: 'user', token, user };
  const key = state.apiKeyValues.get(token);
  if (!key) return undefined;
  const record = state.organizations.get(key.organizationId)?.apiKeys.get(key.keyId);
  if (record?.doc['enabled'] !== true) return undefined;
  return { kind: 'apiKey', token, organizationId: key.organizationId, keyId: key.keyId };
}

const asPrivileges = (list: unknown): Privilege[] =>
  (Array.isArray(list) ? list : []).map(parsePrivilege).filter((p): p is Privilege => typeof p !== 'string');

/** Everything a principal may do in one organization (empty outside its own organization). */
export function privilegesIn(principal: Principal, org: OrgState): Privilege[] {
  if (principal.kind === 'apiKey') {
    if (principal.organizationId !== org.id) return [];
    return asPrivileges(org.apiKeys.get(principal.keyId)?.doc['privileges']);
  }
  const { user } = principal;
  if (user.isAdmin) return allPrivileges();
  if (user.organizationId !== undefined && user.organizationId !== org.id) return [];
  if (user.privileges) return asPrivileges(user.privileges);
  const out: Privilege[] = [];
  for (const g of org.groups.values()) {
    const members = Array.isArray(g['members']) ? (g['members'] as unknown[]) : [];
    const isMember = members.some((m) => typeof m === 'object' && m !== null && (m as Record<string, unknown>)['username'] === user.username);
    if (!isMember) continue;
    if (g['groupType'] === 'ADMINISTRATOR') return allPrivileges();
    out.push(...asPrivileges(g['privileges']));
  }
  return out;
}

/** Whether a held privilege satisfies a required one for the resource `targetId` (undefined = wildcard needed). */
function grants(held: Privilege, need: RequiredPrivilege, targetId: string | undefined): boolean {
  if (held.owner !== need.owner || held.targetDomain !== need.targetDomain) return false;
  if ((held.type ?? undefined) !== need.type) return false;
  const scope = held.targetId === undefined || held.targetId === '' ? '*' : held.targetId;
  return scope === '*' || (targetId !== undefined && scope === targetId);
}

/** `PLATFORM:SOURCE:EDIT on <id>`: how a missing privilege is named in a 403. */
export function describePrivilege(need: RequiredPrivilege, params: Readonly<Record<string, string>>): string {
  const target = need.targetParam ? (params[need.targetParam] ?? '*') : '*';
  return `${need.owner}:${need.targetDomain}${need.type ? `:${need.type}` : ''} on ${target}`;
}

/**
 * Throws 403 when the principal may not call the route in this organization. Admin tokens pass every
 * check; API keys never pass routes marked `refusesApiKeys`.
 */
export function authorize(route: RoutePrivileges, params: Readonly<Record<string, string>>, principal: Principal, org: OrgState): void {
  if (principal.kind === 'apiKey') {
    if (route.refusesApiKeys) {
      throw new HttpError(403, 'ACCESS_DENIED', `An API key can't be used to call ${route.method} ${route.path}: API keys can't view or manage API keys. Use an OAuth or platform token.`);
    }
    if (principal.organizationId !== org.id) {
      throw new HttpError(403, 'ACCESS_DENIED', `This API key belongs to another organization and has no privilege in organization ${org.id}.`);
    }
  }
  if (principal.kind === 'user' && principal.user.isAdmin) return;
  if (route.privileges.length === 0) return;
  const held = privilegesIn(principal, org);
  const ok = (need: RequiredPrivilege): boolean => held.some((h) => grants(h, need, need.targetParam ? params[need.targetParam] : undefined));
  const missing = route.privileges.filter((need) => !ok(need));
  const allowed = route.mode === 'any' ? missing.length < route.privileges.length : missing.length === 0;
  if (allowed) return;
  const names = missing.map((need) => describePrivilege(need, params));
  const what = route.mode === 'any' && names.length > 1 ? `one of the privileges ${names.join(', ')}` : `the privilege ${names.join(' and ')}`;
  throw new HttpError(403, 'ACCESS_DENIED', `The access token does not grant ${what}, needed to call ${route.method} ${route.path}.`);
}
