/**
 * The request pipeline: request id → admin API or Platform API → latency → faults → token (401) → route
 * (404 INVALID_URI / 405) → organization (404) → privileges (403) → body → handler → log. Every answer
 * carries `X-Request-ID`; every error body is `{message, errorCode, requestId}`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowedMethods, matchRoute, ROUTE_PRIVILEGES, type RoutePrivileges } from '../core/privileges/route-privileges.js';
import { authorize, bearerToken, resolveToken, type Principal } from './auth.js';
import type { EmulatorEnv, RequestContext, RouteHandler, RouteHandlers } from './context.js';
import { latencyOf, randomFault, strikesAfter, takeRule, type FaultDecision } from './faults.js';
import { badRequest, HttpError, invalidUri, type HandlerResult } from './http.js';
import type { OrgState } from './state.js';

/** One line of the request log. */
export interface RequestLogEntry {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  /** Decoded path, without the query. */
  readonly path: string;
  /** Raw query string, without `?`. */
  readonly query: string;
  /** 0 when the connection was dropped. */
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
  /** `METHOD /template` of the route served, when one matched. */
  readonly route?: string;
  readonly organizationId?: string;
  /** Which fault answered, if any (`dropRate`, `rate429`, `failRate`, `rule <id>`). */
  readonly fault?: string;
  /** Bytes of the request body (the benchmark sums them). */
  readonly requestBytes?: number;
  /** Bytes of the response body sent (0 for an empty answer or a dropped connection). */
  readonly responseBytes?: number;
}

export interface RequestLog {
  readonly entries: RequestLogEntry[];
  count: number;
  seq: number;
  readonly limit: number;
}

export interface RouterDeps {
  readonly env: EmulatorEnv;
  readonly handlers: RouteHandlers;
  readonly log: RequestLog;
  /** The admin API (`/_emulator/…`); answers or returns undefined. */
  readonly admin: (method: string, path: string, query: URLSearchParams, body: unknown) => HandlerResult;
  /** Called after every successful write, to persist the state. */
  readonly onWrite: () => void;
  /**
   * Called once a Platform API write (see `isWriteRoute`) has been processed, before it is answered; the
   * answer waits for the promise it returns, if any (a test holds it to kill the client at a known point).
   */
  readonly afterWrite?: (write: ServedWrite) => Promise<void> | undefined;
}

/** A write the emulator processed (the state changed), about to be answered. */
export interface ServedWrite {
  readonly method: string;
  /** Decoded path, without the query. */
  readonly path: string;
  /** `METHOD /template` of the route. */
  readonly route: string;
}

/** POST routes that only read (searches, privilege look-ups). */
const READ_ONLY_POSTS: ReadonlySet<string> = new Set(['POST /indexes/fields/search', 'POST /privileges/token', 'POST /rest/search/v2']);

/** Whether a route can change the state: every method but GET, except the POSTs that only read. */
export function isWriteRoute(route: RoutePrivileges): boolean {
  return route.method !== 'GET' && !READ_ONLY_POSTS.has(keyOf(route));
}

const MAX_BODY = 32 * 1024 * 1024;
const ORG_PREFIX = /^\/rest\/organizations\/([^/]+)(\/.*)?$/;

const keyOf = (route: RoutePrivileges): string => `${route.method} ${route.path}`;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidUri();
  }
}

/** Checks at start-up that every route in the privilege table has a handler, and nothing more. */
export function checkHandlers(handlers: RouteHandlers): void {
  const table = new Set(ROUTE_PRIVILEGES.map(keyOf));
  const missing = [...table].filter((k) => !(k in handlers));
  const extra = Object.keys(handlers).filter((k) => !table.has(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`emulator routes and ROUTE_PRIVILEGES disagree: missing handlers ${missing.join(', ') || 'none'}; handlers without a table entry ${extra.join(', ') || 'none'}`);
  }
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${MAX_BODY} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(buffer: Buffer): unknown {
  const text = buffer.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('The request body is not valid JSON.', 'INVALID_JSON');
  }
}

/** Sends an answer; returns the bytes of its body. */
function send(res: ServerResponse, requestId: string, result: HandlerResult): number {
  if (res.headersSent || res.destroyed) return 0;
  const headers: Record<string, string> = { 'X-Request-ID': requestId, ...result.headers };
  if (result.status === 204 || result.body === undefined) {
    res.writeHead(result.status, headers);
    res.end();
    return 0;
  }
  const text = JSON.stringify(result.body);
  const bytes = Buffer.byteLength(text);
  res.writeHead(result.status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': String(bytes) });
  res.end(text);
  return bytes;
}

function errorResult(e: HttpError, requestId: string): HandlerResult {
  return { status: e.status, body: { message: e.message, errorCode: e.errorCode, requestId }, headers: e.headers };
}

function faultResult(d: Extract<FaultDecision, { kind: 'status' }>, requestId: string): HandlerResult {
  return {
    status: d.status,
    body: { message: d.message, errorCode: d.errorCode, requestId },
    headers: d.retryAfter !== undefined ? { 'Retry-After': String(d.retryAfter) } : {},
  };
}

/** Which organization an absolute route (the Search API) is about: `organizationId` in the query or body, or the token's. */
function organizationForSearch(deps: RouterDeps, principal: Principal, query: URLSearchParams, body: unknown): string {
  const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['organizationId'] : undefined;
  const given = query.get('organizationId') ?? (typeof fromBody === 'string' ? fromBody : undefined);
  if (given) return given;
  if (principal.kind === 'apiKey') return principal.organizationId;
  if (principal.user.organizationId !== undefined) return principal.user.organizationId;
  const orgs = [...deps.env.state.organizations.keys()];
  if (orgs.length === 1 && orgs[0] !== undefined) return orgs[0];
  throw badRequest("'organizationId' is required: this token can reach several organizations.", 'MISSING_PARAMETER');
}

/** The node:http request listener. */
export function createRequestListener(deps: RouterDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void serve(deps, req, res);
  };
}

async function serve(deps: RouterDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { env, log } = deps;
  const started = performance.now();
  const requestId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  const rawTarget = req.url ?? '/';
  const url = new URL(rawTarget, 'http://emulator.invalid');
  let decodedPath = url.pathname;
  try {
    decodedPath = decodeURIComponent(url.pathname);
  } catch {
    // Malformed percent-encoding: routing below answers 404 INVALID_URI.
  }
  const entry: { route?: string; organizationId?: string; fault?: string; requestBytes?: number } = {};
  const record = (status: number, responseBytes: number): void => {
    log.count += 1;
    log.seq += 1;
    log.entries.push({
      seq: log.seq,
      at: env.now(),
      method,
      path: decodedPath,
      query: url.search.replace(/^\?/, ''),
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      requestId,
      ...entry,
      responseBytes,
    });
    if (log.entries.length > log.limit) log.entries.splice(0, log.entries.length - log.limit);
  };
  const answer = (result: HandlerResult): void => {
    record(result.status, send(res, requestId, result));
  };
  const drop = (reason: string): void => {
    entry.fault = reason;
    req.socket.destroy();
    record(0, 0);
  };

  // The admin API: never faulted, never logged, admin token only.
  if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
    try {
      if (bearerToken(req.headers.authorization) !== env.state.adminToken) throw new HttpError(401, 'UNAUTHORIZED', 'The emulator admin API needs the admin token (Authorization: Bearer <admin token>).');
      const body = parseJson(await readBody(req));
      const result = deps.admin(method, url.pathname.slice('/_emulator'.length) || '/', url.searchParams, body);
      send(res, requestId, result);
    } catch (e) {
      send(res, requestId, e instanceof HttpError ? errorResult(e, requestId) : { status: 500, body: { message: e instanceof Error ? e.message : String(e), errorCode: 'INTERNAL_ERROR', requestId } });
    }
    return;
  }

  try {
    // Read the body first, so an early answer never leaves unread bytes on a kept-alive connection.
    const rawBody = await readBody(req);
    entry.requestBytes = rawBody.length;
    const orgMatch = ORG_PREFIX.exec(url.pathname);
    const relative = orgMatch ? (orgMatch[2] ?? '') : url.pathname;
    const match = relative === '' ? undefined : matchRoute(method, relative + url.search);
    if (match) entry.route = keyOf(match.route);
    const handler: RouteHandler | undefined = match ? deps.handlers[keyOf(match.route)] : undefined;

    await sleep(latencyOf(env.faults, env.random, handler?.listing !== undefined));
    const before = takeRule(env.faults, 'before', method, decodedPath, rawTarget);
    if (before?.rule.delayMs) await sleep(before.rule.delayMs);
    const decision = before && before.decision.kind !== 'none' ? before.decision : randomFault(env.faults, env.random);
    // A random fault may strike once the request has been processed instead (afterRate).
    const late = before === undefined && strikesAfter(env.faults, decision, env.random) ? decision : undefined;
    if (late === undefined && decision.kind === 'drop') return drop(decision.reason);
    if (late === undefined && decision.kind === 'status') {
      entry.fault = decision.reason;
      return answer(faultResult(decision, requestId));
    }

    const token = bearerToken(req.headers.authorization);
    if (token === undefined) throw new HttpError(401, 'UNAUTHORIZED', 'No access token: send "Authorization: Bearer <access token>".');
    const principal = resolveToken(env.state, token);
    if (!principal) throw new HttpError(401, 'INVALID_TOKEN', 'The access token is not valid: unknown, expired, disabled or deleted.');

    if (!match || !handler) {
      if (allowedMethods(relative + url.search).length > 0 && (orgMatch || relative.startsWith('/rest/'))) {
        throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not supported on ${decodedPath}; use ${allowedMethods(relative).join(', ')}.`);
      }
      throw invalidUri();
    }
    if (!match.route.absolute && !orgMatch) throw invalidUri();

    const body = parseJson(rawBody);
    const organizationId = match.route.absolute ? organizationForSearch(deps, principal, url.searchParams, body) : decodeSegment(orgMatch?.[1] ?? '');
    entry.organizationId = organizationId;
    const org: OrgState | undefined = env.state.organizations.get(organizationId);
    if (!org) throw new HttpError(404, 'ORGANIZATION_NOT_FOUND', `The organization '${organizationId}' does not exist.`);
    authorize(match.route, match.params, principal, org);

    const ctx: RequestContext = { env, org, params: match.params, query: url.searchParams, body, principal, routeName: keyOf(match.route) };
    const result = handler.handle(ctx);
    if (method !== 'GET') deps.onWrite();
    if (isWriteRoute(match.route)) {
      const hold = deps.afterWrite?.({ method, path: decodedPath, route: keyOf(match.route) });
      if (hold) await hold;
    }
    if (late?.kind === 'drop') return drop(`${late.reason} (after processing)`);
    if (late?.kind === 'status') {
      entry.fault = `${late.reason} (after processing)`;
      return answer(faultResult(late, requestId));
    }

    const after = takeRule(env.faults, 'after', method, decodedPath, rawTarget);
    if (after?.rule.delayMs) await sleep(after.rule.delayMs);
    if (after?.decision.kind === 'drop') return drop(after.decision.reason);
    if (after?.decision.kind === 'status') {
      entry.fault = after.decision.reason;
      return answer(faultResult(after.decision, requestId));
    }
    answer(result);
  } catch (e) {
    if (e instanceof HttpError) return answer(errorResult(e, requestId));
    answer({ status: 500, body: { message: `Emulator error: ${e instanceof Error ? e.message : String(e)}`, errorCode: 'INTERNAL_ERROR', requestId } });
  }
}
