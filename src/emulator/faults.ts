/**
 * Fault injection: latency (fixed + jitter), random 500/502/503, 429 with Retry-After, dropped
 * connections (before the request is processed or, with `afterRate`, after it), slow pages, a page-size
 * cap, and one-off rules that fail a given route or resource a given number of times. Random decisions
 * use the emulator's seeded generator, so a seeded run fails the same requests (in arrival order).
 */
import { badRequest } from './http.js';
import type { Random } from './random.js';

/** Fails requests whose method and path match, `count` times (-1 = until removed). */
export interface FaultRule {
  readonly id: string;
  /** Upper-case HTTP method; absent = any. */
  readonly method?: string;
  /** Regular expression tested against the decoded path and against the raw request target (path + query). */
  readonly path: string;
  /** Status to answer (e.g. 500, 404, 410, 429); absent with `drop`. */
  readonly status?: number;
  readonly errorCode?: string;
  readonly message?: string;
  /** Seconds for a `Retry-After` header. */
  readonly retryAfter?: number;
  /** Destroy the connection instead of answering. */
  readonly drop?: boolean;
  /** Extra delay before the fault (or the normal answer when the rule only delays). */
  readonly delayMs?: number;
  /** `before` (default): the request is not processed. `after`: processed (state changed), then failed. */
  readonly when?: 'before' | 'after';
  /** Remaining times; -1 = every time. */
  count: number;
}

export interface FaultConfig {
  latencyMs: number;
  jitterMs: number;
  /** Share (0..1) of requests answered with one of `failStatuses`. */
  failRate: number;
  failStatuses: number[];
  /** Share (0..1) of requests answered 429 with `Retry-After: retryAfterSeconds`. */
  rate429: number;
  retryAfterSeconds: number;
  /** Share (0..1) of requests whose connection is destroyed without an answer. */
  dropRate: number;
  /**
   * Share (0..1) of the random 5xx and drops that strike after the request was processed: the state
   * changed, the answer is lost (a gateway failing behind a backend that acted). 429s always strike
   * before: a rate limiter refuses before anything is done.
   */
  afterRate: number;
  /** Largest page any listing returns (undefined = no cap). */
  pageSizeCap: number | undefined;
  /** Whether the cap also applies to bare-array listings (a client cannot detect a capped bare page). */
  capBareLists: boolean;
  /** Extra latency for requests to listings (paged endpoints). */
  slowPageMs: number;
  rules: FaultRule[];
}

/** No faults at all. */
export function defaultFaults(): FaultConfig {
  return {
    latencyMs: 0,
    jitterMs: 0,
    failRate: 0,
    failStatuses: [500, 502, 503],
    rate429: 0,
    retryAfterSeconds: 1,
    dropRate: 0,
    afterRate: 0,
    pageSizeCap: undefined,
    capBareLists: false,
    slowPageMs: 0,
    rules: [],
  };
}

/** Faults as given by a caller (admin API body, startEmulator options, setFaults). */
export type FaultSettings = Partial<Omit<FaultConfig, 'rules'>> & { readonly rules?: readonly FaultRuleInput[] };
export type FaultRuleInput = Omit<FaultRule, 'id' | 'count'> & { readonly id?: string; readonly count?: number };

const rate = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw badRequest(`'${name}' must be a number between 0 and 1.`);
  return v;
};
const nonNegative = (name: string, v: unknown): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`'${name}' must be a number >= 0.`);
  return v;
};

/** Validates a rule; throws 400 (HttpError) with what is wrong. */
export function makeRule(input: FaultRuleInput, id: string): FaultRule {
  if (typeof input.path !== 'string' || input.path === '') throw badRequest("A fault rule needs 'path', a regular expression.");
  try {
    new RegExp(input.path);
  } catch {
    throw badRequest(`The fault rule path ${JSON.stringify(input.path)} is not a valid regular expression.`);
  }
  if (input.status === undefined && input.drop !== true && input.delayMs === undefined) throw badRequest("A fault rule needs 'status', 'drop: true' or 'delayMs'.");
  if (input.status !== undefined && !(Number.isInteger(input.status) && input.status >= 200 && input.status <= 599)) throw badRequest("'status' must be an HTTP status code.");
  if (input.when !== undefined && input.when !== 'before' && input.when !== 'after') throw badRequest("'when' must be 'before' or 'after'.");
  const count = input.count ?? 1;
  if (!Number.isInteger(count) || count < -1 || count === 0) throw badRequest("'count' must be a positive integer, or -1 for every time.");
  return { ...input, ...(input.method ? { method: input.method.toUpperCase() } : {}), id: input.id ?? id, count };
}

/** Applies settings over a config (only the keys given change); rules given are appended. */
export function applyFaultSettings(config: FaultConfig, settings: FaultSettings, nextRuleId: () => string): void {
  if (settings.latencyMs !== undefined) config.latencyMs = nonNegative('latencyMs', settings.latencyMs);
  if (settings.jitterMs !== undefined) config.jitterMs = nonNegative('jitterMs', settings.jitterMs);
  if (settings.failRate !== undefined) config.failRate = rate('failRate', settings.failRate);
  if (settings.rate429 !== undefined) config.rate429 = rate('rate429', settings.rate429);
  if (settings.dropRate !== undefined) config.dropRate = rate('dropRate', settings.dropRate);
  if (settings.afterRate !== undefined) config.afterRate = rate('afterRate', settings.afterRate);
  if (settings.retryAfterSeconds !== undefined) config.retryAfterSeconds = nonNegative('retryAfterSeconds', settings.retryAfterSeconds);
  if (settings.slowPageMs !== undefined) config.slowPageMs = nonNegative('slowPageMs', settings.slowPageMs);
  if (settings.capBareLists !== undefined) config.capBareLists = settings.capBareLists === true;
  if (settings.failStatuses !== undefined) {
    if (!Array.isArray(settings.failStatuses) || settings.failStatuses.length === 0 || !settings.failStatuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)) {
      throw badRequest("'failStatuses' must be a non-empty list of HTTP error statuses.");
    }
    config.failStatuses = [...settings.failStatuses];
  }
  if ('pageSizeCap' in settings) {
    const cap = settings.pageSizeCap;
    if (cap !== undefined && cap !== null && !(Number.isInteger(cap) && cap >= 1)) throw badRequest("'pageSizeCap' must be a positive integer, or null for no cap.");
    config.pageSizeCap = cap ?? undefined;
  }
  for (const r of settings.rules ?? []) config.rules.push(makeRule(r, nextRuleId()));
}

/** What to do with one request before (or after) it is processed. */
export type FaultDecision =
  | { readonly kind: 'none' }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'status'; readonly status: number; readonly errorCode: string; readonly message: string; readonly retryAfter?: number; readonly reason: string };

const NONE: FaultDecision = { kind: 'none' };

const codeFor = (status: number): string =>
  status === 429 ? 'TOO_MANY_REQUESTS' : status === 502 ? 'BAD_GATEWAY' : status === 503 ? 'SERVICE_UNAVAILABLE' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : status === 404 ? 'RESOURCE_NOT_FOUND' : 'INJECTED_FAULT';

function fromRule(rule: FaultRule): FaultDecision {
  if (rule.drop === true) return { kind: 'drop', reason: `rule ${rule.id}` };
  if (rule.status === undefined) return NONE;
  return {
    kind: 'status',
    status: rule.status,
    errorCode: rule.errorCode ?? codeFor(rule.status),
    message: rule.message ?? `Injected failure (emulator fault rule ${rule.id}).`,
    ...(rule.retryAfter !== undefined ? { retryAfter: rule.retryAfter } : rule.status === 429 ? { retryAfter: 1 } : {}),
    reason: `rule ${rule.id}`,
  };
}

/**
 * Finds the first rule for this request and phase, uses one of its counts (removing it when spent) and
 * returns it with its decision.
 */
export function takeRule(config: FaultConfig, phase: 'before' | 'after', method: string, decodedPath: string, rawTarget: string): { rule: FaultRule; decision: FaultDecision } | undefined {
  const index = config.rules.findIndex((r) => (r.when ?? 'before') === phase && (r.method === undefined || r.method === method) && matches(r.path, decodedPath, rawTarget));
  if (index < 0) return undefined;
  const rule = config.rules[index];
  if (!rule) return undefined;
  if (rule.count > 0) {
    rule.count -= 1;
    if (rule.count === 0) config.rules.splice(index, 1);
  }
  return { rule, decision: fromRule(rule) };
}

function matches(pattern: string, decodedPath: string, rawTarget: string): boolean {
  const re = new RegExp(pattern);
  return re.test(decodedPath) || re.test(rawTarget);
}

/** The random faults (drop, 429, 5xx), in that order; at most one per request. */
export function randomFault(config: FaultConfig, random: Random): FaultDecision {
  if (config.dropRate > 0 && random.next() < config.dropRate) return { kind: 'drop', reason: 'dropRate' };
  if (config.rate429 > 0 && random.next() < config.rate429) {
    return { kind: 'status', status: 429, errorCode: 'TOO_MANY_REQUESTS', message: 'Too many requests; retry after the delay in Retry-After.', retryAfter: config.retryAfterSeconds, reason: 'rate429' };
  }
  if (config.failRate > 0 && random.next() < config.failRate) {
    const status = config.failStatuses[random.int(config.failStatuses.length)] ?? 500;
    return { kind: 'status', status, errorCode: codeFor(status), message: `Injected server error (${status}).`, reason: 'failRate' };
  }
  return NONE;
}

/** Whether a random fault strikes after the request is processed (see `afterRate`); never for 429. */
export function strikesAfter(config: FaultConfig, decision: FaultDecision, random: Random): boolean {
  if (decision.kind === 'none' || config.afterRate <= 0) return false;
  if (decision.kind === 'status' && decision.status === 429) return false;
  return random.next() < config.afterRate;
}

/** The latency of one request: fixed + uniform jitter (+ slow pages for listings). */
export function latencyOf(config: FaultConfig, random: Random, isListing: boolean): number {
  const jitter = config.jitterMs > 0 ? random.next() * config.jitterMs : 0;
  return config.latencyMs + jitter + (isListing ? config.slowPageMs : 0);
}
