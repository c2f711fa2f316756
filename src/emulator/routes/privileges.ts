/**
 * Privilege listings: what API keys may hold (`GET /privileges/apikeys`, seed 001), what a token holds
 * (`POST|GET /privileges/token`, seed 002; `GET /privileges/me`) and every privilege of the organization
 * (`GET /privileges`). Each privilege is listed with `targetId` and with the legacy `targetIds[]`/`global`
 * form of the docs samples.
 */
import { privilegesIn, resolveToken } from '../auth.js';
import type { RequestContext, RouteHandlers } from '../context.js';
import { badRequest, enumParam, ok } from '../http.js';
import { allPrivileges, PRIVILEGE_DOMAINS, toListedPrivilege, type Privilege } from '../privilege-catalog.js';

function tokenPrivileges(ctx: RequestContext, required: boolean): unknown {
  const token = ctx.query.get('accessToken');
  if (token === null || token === '') {
    if (required) throw badRequest("The query parameter 'accessToken' is required: the token whose privileges you want.", 'MISSING_PARAMETER');
    return privilegesIn(ctx.principal, ctx.org).map(toListedPrivilege);
  }
  const principal = resolveToken(ctx.env.state, token);
  if (!principal) throw badRequest('The access token to evaluate is not valid (unknown, expired or disabled).', 'INVALID_TOKEN');
  return privilegesIn(principal, ctx.org).map(toListedPrivilege);
}

export const privilegeRoutes: RouteHandlers = {
  'GET /privileges': { handle: () => ok(allPrivileges().map(toListedPrivilege)) },
  'GET /privileges/apikeys': {
    handle: (ctx) => {
      const filter = enumParam(ctx.query, 'filter', ['ALL', 'CUSTOM'] as const, 'ALL');
      const list: Privilege[] = [];
      for (const d of PRIVILEGE_DOMAINS) {
        if (!d.assignableToApiKeys || (filter === 'CUSTOM' && !d.custom)) continue;
        if (d.types.length === 0) list.push({ owner: d.owner, targetDomain: d.targetDomain });
        for (const type of d.types) list.push({ owner: d.owner, targetDomain: d.targetDomain, type });
      }
      return ok(list.map(toListedPrivilege));
    },
  },
  'GET /privileges/me': { handle: (ctx) => ok(privilegesIn(ctx.principal, ctx.org).map(toListedPrivilege)) },
  'GET /privileges/token': { handle: (ctx) => ok(tokenPrivileges(ctx, false)) },
  'POST /privileges/token': { handle: (ctx) => ok(tokenPrivileges(ctx, true)) },
};
