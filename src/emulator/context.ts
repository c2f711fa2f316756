/**
 * What a route handler receives, and the shape of the handler tables in `routes/*.ts`. Handlers are
 * synchronous functions of the in-memory state: they validate, change the state and return a result, or
 * throw an `HttpError`.
 */
import type { Principal } from './auth.js';
import type { FaultConfig } from './faults.js';
import type { HandlerResult } from './http.js';
import type { Random } from './random.js';
import type { EmulatorState, OrgState } from './state.js';

/** Something the real Coveo would have done outside the API answer: an e-mail, a rebuild, a provider update. */
export interface SideEffect {
  readonly type: 'email' | 'rebuild' | 'securityProviderUpdate';
  readonly organizationId: string;
  /** E-mail address, or source id. */
  readonly target: string;
  /** The request that caused it, e.g. `POST /groups (sendEmailToInvitedUsers defaults to true)`. */
  readonly cause: string;
  readonly at: number;
}

export interface EmulatorEnv {
  readonly state: EmulatorState;
  readonly random: Random;
  readonly now: () => number;
  readonly faults: FaultConfig;
  readonly sideEffects: SideEffect[];
  /** Largest number of user fields an organization may have (Coveo's default cap is 5,000). */
  readonly fieldCap: number;
}

export interface RequestContext {
  readonly env: EmulatorEnv;
  readonly org: OrgState;
  /** Path parameters, decoded once (a document id is still encoded once: see route-privileges.ts). */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  readonly principal: Principal;
  /** `METHOD /template`, for side-effect causes and messages. */
  readonly routeName: string;
}

export interface RouteHandler {
  readonly handle: (ctx: RequestContext) => HandlerResult;
  /** A listing: gets the slow-page latency; `bare` listings are capped only with `capBareLists`. */
  readonly listing?: 'wrapped' | 'bare';
}

/** Handlers keyed `METHOD /path/template`, exactly as in `ROUTE_PRIVILEGES`. */
export type RouteHandlers = Readonly<Record<string, RouteHandler>>;

/** A new server id, `{organizationId}-{26 random characters}` like Coveo's. */
export function newId(env: EmulatorEnv, org: OrgState, infix = ''): string {
  return `${org.id}-${infix}${env.random.alnum(26)}`;
}

/** The page-size cap that applies to a listing, if any. */
export function capFor(env: EmulatorEnv, listing: 'wrapped' | 'bare'): number | undefined {
  if (listing === 'bare' && !env.faults.capBareLists) return undefined;
  return env.faults.pageSizeCap;
}

/** Records what Coveo would have done outside the answer (see SideEffect). */
export function recordSideEffect(ctx: RequestContext, type: SideEffect['type'], target: string, cause: string): void {
  ctx.env.sideEffects.push({ type, organizationId: ctx.org.id, target, cause: `${ctx.routeName} (${cause})`, at: ctx.env.now() });
}
