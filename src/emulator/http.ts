/**
 * Small HTTP helpers shared by the emulator's handlers: the error every handler throws, query parameter
 * parsing with Coveo's defaults and ranges, and page slicing.
 */

/** An API error answered as `{message, errorCode, requestId}` with its status. */
export class HttpError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: number, errorCode: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.errorCode = errorCode;
    this.headers = headers;
  }
}

/** Shorthands for the errors handlers throw most. */
export const badRequest = (message: string, errorCode = 'INVALID_PARAMETER'): HttpError => new HttpError(400, errorCode, message);
export const notFound = (message: string, errorCode = 'RESOURCE_NOT_FOUND'): HttpError => new HttpError(404, errorCode, message);
export const conflict = (message: string, errorCode = 'RESOURCE_ALREADY_EXISTS'): HttpError => new HttpError(409, errorCode, message);
export const invalidUri = (): HttpError => new HttpError(404, 'INVALID_URI', 'No resource found at the provided URI.');

/** What a handler answers: a status and an optional JSON body. */
export interface HandlerResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Shorthands for handler results. */
export const ok = (body: unknown, status = 200): HandlerResult => ({ status, body });
export const noContent = (): HandlerResult => ({ status: 204 });

/** An integer query parameter with its default and allowed range; 400 when not an integer or out of range. */
export function intParam(query: URLSearchParams, name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`The query parameter '${name}' must be an integer (got '${raw}').`);
  return checkRange(name, Number(raw), range);
}

/** Checks a number (from a query or a body) against a range; 400 with both bounds in the message. */
export function checkRange(name: string, value: number, range: { min?: number; max?: number }): number {
  const { min, max } = range;
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
    const bounds = min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `at least ${min}` : `at most ${String(max)}`;
    throw badRequest(`The value of '${name}' must be ${bounds} (got ${value}).`);
  }
  return value;
}

/** A boolean query parameter (`true`/`false`, any case); 400 for anything else. */
export function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`The query parameter '${name}' must be true or false (got '${raw}').`);
}

/** An enum query parameter; 400 naming the allowed values. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback: T): T;
export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback?: undefined): T | undefined;
export function enumParam<T extends string>(query: URLSearchParams, name: string, allowed: readonly T[], fallback?: T): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  return checkEnum(name, raw, allowed);
}

/** Checks a value against an enum; 400 naming the allowed values. */
export function checkEnum<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw badRequest(`The value of '${name}' must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)}).`);
}

/** A page of a list, and the totals every wrapped listing reports. */
export interface Page<T> {
  readonly items: T[];
  readonly totalEntries: number;
  readonly totalPages: number;
}

/**
 * Slices one page. `cap` (the page-size fault) lowers the size actually used, as a server that caps pages
 * would; totals are computed with the size used, so a client following `totalPages` still reads everything.
 */
export function pageOf<T>(all: readonly T[], page: number, perPage: number, cap?: number): Page<T> {
  const size = cap !== undefined && cap > 0 ? Math.min(perPage, cap) : perPage;
  const start = page * size;
  return { items: all.slice(start, start + size), totalEntries: all.length, totalPages: Math.ceil(all.length / size) };
}

/** A plain JSON object, or undefined. */
export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** The request body as an object; 400 when it is missing or not an object. */
/** A list of `{id, displayName}` references (`groupsThatCanEdit`, `apiKeysThatCanEdit`); 400 when malformed. */
export function idNames(v: unknown, what: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`'${what}' must be a list of {id, displayName}.`, 'INVALID_BODY');
  return (v as unknown[]).map((x) => {
    const o = asRecord(x);
    if (!o || typeof o['id'] !== 'string') throw badRequest(`Each entry of '${what}' needs an 'id'.`, 'INVALID_BODY');
    return { id: o['id'], ...(typeof o['displayName'] === 'string' ? { displayName: o['displayName'] } : {}) };
  });
}

export function requireObject(body: unknown, what: string): Record<string, unknown> {
  const o = asRecord(body);
  if (!o) throw badRequest(`The request body must be a JSON object (${what}).`, 'INVALID_BODY');
  return o;
}

/** The request body as an array; 400 when it is missing or not an array. */
export function requireArray(body: unknown, what: string): unknown[] {
  if (!Array.isArray(body)) throw badRequest(`The request body must be a JSON array (${what}).`, 'INVALID_BODY');
  return body as unknown[];
}

/** A property that must be a non-empty string; 400 naming it. */
export function requireString(o: Record<string, unknown>, name: string, what: string): string {
  const v = o[name];
  if (typeof v !== 'string' || v.trim() === '') throw badRequest(`'${name}' is required for ${what} and must be a non-empty string.`, 'MISSING_PARAMETER');
  return v;
}

/** An optional property that, when present, must be of the given JSON type. */
export function optionalOfType(o: Record<string, unknown>, name: string, type: 'string' | 'boolean' | 'number' | 'array' | 'object', what: string): void {
  const v = o[name];
  if (v === undefined || v === null) return;
  const actual = Array.isArray(v) ? 'array' : typeof v;
  if (actual !== type) throw badRequest(`'${name}' of ${what} must be a JSON ${type} (got ${actual}).`, 'INVALID_BODY');
}

/** A deep copy of JSON data, so stored state never shares objects with requests or responses. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Any JSON value as text for messages and comparisons (strings as they are, the rest as JSON). */
export function textOf(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}
