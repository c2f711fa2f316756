/**
 * Turning what came back (an error body, an HTML page, a dropped socket) into one `ApiError` whose message
 * has the form `[METHOD] path: status — api message (request id …)` and says what to do next. Every text
 * taken from the server goes through the redactor first.
 */
import { ApiError } from '../errors.js';

/** What an error body told us (Coveo: `RestException{message, errorCode, requestID}`). */
export interface ErrorBodyFacts {
  readonly apiMessage: string | undefined;
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;
  /** Privileges the API named as missing, as `OWNER:DOMAIN:TYPE[:targetId]`. */
  readonly privileges: readonly string[];
}

const SNIPPET_LENGTH = 200;

/** How much of a body is looked at for a snippet (bounds the cost of the HTML clean-up). */
const SNIPPET_SOURCE_LENGTH = 8 * 1024;

/**
 * The first 200 characters of a body, on one line, redacted; for messages about unreadable bodies. An
 * HTML page (a proxy's error page) is reduced to its text, so the message says "502 Bad Gateway" rather
 * than showing markup and scripts.
 */
export function snippetOf(text: string, redact: (t: string) => string): string {
  // Redact before cutting, so a token straddling the cut cannot leave a readable prefix.
  const redacted = redact(text);
  const head = redacted.length > SNIPPET_SOURCE_LENGTH ? redacted.slice(0, SNIPPET_SOURCE_LENGTH) : redacted;
  const flat = visible(looksLikeHtml(head) ? textOfHtml(head) : head)
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > SNIPPET_LENGTH || head.length < redacted.length ? `${flat.slice(0, SNIPPET_LENGTH)}…` : flat;
}

const looksLikeHtml = (text: string): boolean => /<(!doctype|html|head|body)\b/i.test(text);

/** The text of an HTML fragment: scripts, styles, comments and tags removed (entities left as written). */
function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style)\b[^>]*>[^]*?<\/\1\s*>/gi, ' ')
    .replace(/<(script|style)\b[^]*$/i, ' ')
    .replace(/<!--[^]*?(-->|$)/g, ' ')
    .replace(/<[^>]*(>|$)/g, ' ');
}

/**
 * Server text made safe to print: control characters (C0 but line breaks and tabs, DEL, C1) and
 * bidirectional overrides become visible `\uXXXX` escapes, so an error message cannot drive the terminal
 * or reorder what is shown.
 */
export function visible(text: string): string {
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** True for `application/json` and `application/*+json` (parameters such as charset ignored). */
export function isJsonContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type) || type === 'text/json';
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

const PRIVILEGE_IN_TEXT = /\b[A-Z][A-Z0-9_]+:[A-Z][A-Z0-9_]+:[A-Z][A-Z0-9_]+(?::[\w*{}-]+)?\b/g;

function privilegeOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Record<string, unknown>;
  const parts = [p['owner'], p['targetDomain'], p['type']].map(asText);
  if (parts.some((x) => x === undefined)) return undefined;
  const target = asText(p['targetId']);
  return [...parts, ...(target !== undefined && target !== '*' ? [target] : [])].join(':');
}

/** Collects privilege names from structured fields and from the message text. */
function privilegesOf(body: Record<string, unknown>, message: string | undefined): string[] {
  const found = new Set<string>();
  for (const key of ['privilege', 'requiredPrivilege', 'missingPrivilege', 'requiredPrivileges', 'missingPrivileges', 'privileges']) {
    const value = body[key];
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      const p = privilegeOf(item);
      if (p !== undefined) found.add(p);
    }
  }
  for (const m of (message ?? '').matchAll(PRIVILEGE_IN_TEXT)) found.add(m[0]);
  return [...found].sort();
}

/**
 * Reads an error body. JSON bodies give message, error code, request id and named privileges; anything
 * else (an HTML page from a proxy) becomes a short redacted description of the body.
 */
export function parseErrorBody(text: string, contentType: string | null, headerRequestId: string | null, redact: (t: string) => string): ErrorBodyFacts {
  const clean = (v: string | undefined): string | undefined => (v === undefined ? undefined : visible(redact(v).slice(0, 2000)).replace(/[\r\n]+/g, ' '));
  const headerId = clean(asText(headerRequestId));
  if (text.trim() === '') return { apiMessage: undefined, errorCode: undefined, requestId: headerId, privileges: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const kind = contentType === null ? 'no content type' : redact(contentType.split(';')[0] ?? contentType);
    return { apiMessage: `non-JSON response (${kind}): ${snippetOf(text, redact)}`, errorCode: undefined, requestId: headerId, privileges: [] };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { apiMessage: `unexpected error body: ${snippetOf(text, redact)}`, errorCode: undefined, requestId: headerId, privileges: [] };
  }
  const body = parsed as Record<string, unknown>;
  const error = body['error'];
  const message = asText(body['message']) ?? asText(body['detail']) ?? asText(body['error_description']) ?? asText(body['title']) ?? asText(error);
  const errorCode = asText(body['errorCode']) ?? asText(body['code']) ?? asText(body['type']) ?? (message === asText(error) ? undefined : asText(error));
  const requestId = asText(body['requestId']) ?? asText(body['requestID']) ?? asText(body['request_id']);
  return {
    apiMessage: clean(message),
    errorCode: clean(errorCode),
    requestId: clean(requestId) ?? headerId,
    privileges: privilegesOf(body, message).map((p) => visible(redact(p))),
  };
}

/** What happened, for `buildApiError`. */
export interface ApiFailure {
  readonly method: string;
  /** The org-scoped path without its query string. */
  readonly path: string;
  /** 0 for network errors and timeouts. */
  readonly status: number;
  readonly statusText?: string | undefined;
  readonly facts?: ErrorBodyFacts | undefined;
  /** Overrides the API's message, e.g. `timed out after 60000 ms`. */
  readonly detail?: string | undefined;
  /** Our own code when the problem is ours to name (`inconsistent_pages`, `response_not_json`, …). */
  readonly errorCode?: string | undefined;
  readonly attempts?: number | undefined;
  /** Where in a larger operation, e.g. `page 3`. */
  readonly note?: string | undefined;
  /** Why a retryable-looking failure was not retried. */
  readonly notRetried?: string | undefined;
}

/** Advice for 401/403: name the missing privilege when the API did. */
function authAdvice(status: number, privileges: readonly string[]): string {
  if (privileges.length > 0) {
    const list = privileges.join(', ');
    return ` The token in COVEO_ACCESS_TOKEN lacks the privilege${privileges.length === 1 ? '' : 's'} ${list}; grant ${privileges.length === 1 ? 'it' : 'them'} to the API key or to a group of the token's user, or use another token (\`coveo-sync verify\` lists what the configuration needs).`;
  }
  return status === 401
    ? ' The token in COVEO_ACCESS_TOKEN was refused: it may be expired or revoked, belong to another organization or region, or lack the privilege for this call (Coveo often answers 401 for a missing privilege).'
    : ' The token in COVEO_ACCESS_TOKEN is not allowed to do this: check its privileges (`coveo-sync verify` lists what the configuration needs).';
}

/** Builds the one error type of the client. */
export function buildApiError(f: ApiFailure): ApiError {
  const facts = f.facts;
  const apiMessage = f.detail ?? facts?.apiMessage;
  const errorCode = f.errorCode ?? facts?.errorCode;
  const requestId = facts?.requestId;
  const summary =
    apiMessage !== undefined && errorCode !== undefined && !apiMessage.includes(errorCode)
      ? `${errorCode}: ${apiMessage}`
      : (apiMessage ?? errorCode ?? (f.status === 0 ? 'network error' : f.statusText?.trim() || `HTTP ${f.status}`));
  let message = `[${f.method}] ${f.path}${f.note === undefined ? '' : ` (${f.note})`}: ${f.status} — ${summary}`;
  if (requestId !== undefined) message += ` (request id ${requestId})`;
  if (f.attempts !== undefined && f.attempts > 1) message += `; gave up after ${f.attempts} attempts`;
  if (f.notRetried !== undefined) message += `; ${f.notRetried}`;
  if (f.status === 401 || f.status === 403) message += authAdvice(f.status, facts?.privileges ?? []);
  return new ApiError({
    method: f.method,
    path: f.path,
    status: f.status,
    errorCode,
    apiMessage,
    requestId,
    message,
    // No `cause`: a raw fetch error can carry request details; its code and message are in `detail`.
  });
}
