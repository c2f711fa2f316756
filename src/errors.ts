/**
 * Every error the tool raises on purpose, with a stable snake_case `code`, a message that says what to do
 * next, and where it came from. Only `src/cli/main.ts` turns these into exit codes (see `exitCodeOf`).
 */

export type ErrorSource = 'user' | 'remote' | 'internal';

/** Exit codes of the design's table (design §3). */
export const EXIT = {
  ok: 0,
  failure: 1,
  changes: 2,
  input: 3,
  auth: 4,
  aborted: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BRAND = Symbol.for('coveo-sync.error');

/** A position in a configuration file; `line` and `column` are 1-based. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One problem found in the input, with where it is (when there is a file) and its JSON path. */
export interface Issue {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  /** JSON path of the value, e.g. `fields[3].name`; empty for file-level problems. */
  readonly path: string;
  readonly position?: SourcePosition;
  /** A suggestion such as a "did you mean" key. */
  readonly hint?: string;
}

export interface SyncErrorOptions {
  readonly source?: ErrorSource;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class SyncError extends Error {
  readonly [BRAND] = true;
  readonly code: string;
  readonly source: ErrorSource;
  readonly meta: Readonly<Record<string, unknown>>;

  constructor(code: string, humanMessage: string, options: SyncErrorOptions = {}) {
    super(humanMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncError';
    this.code = code;
    this.source = options.source ?? 'internal';
    this.meta = options.meta ?? {};
  }
}

/** Structural check (works across module copies), per style guide §9. */
export function isSyncError(e: unknown): e is SyncError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** Invalid configuration; carries every issue found, not just the first. */
export class ConfigError extends SyncError {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[], message?: string) {
    const errors = issues.filter((i) => i.severity === 'error').length;
    super('config_invalid', message ?? `The configuration has ${errors} error${errors === 1 ? '' : 's'}; fix them and run again.`, {
      source: 'user',
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Bad flags, arguments or environment values. */
export class UsageError extends SyncError {
  constructor(message: string, code = 'usage_invalid', meta?: Readonly<Record<string, unknown>>) {
    super(code, message, { source: 'user', ...(meta ? { meta } : {}) });
    this.name = 'UsageError';
  }
}

/** A failed call to the Coveo Platform API (or a network failure reaching it). Never contains the token. */
export class ApiError extends SyncError {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly apiMessage: string | undefined;
  readonly requestId: string | undefined;
  constructor(init: {
    method: string;
    path: string;
    status: number;
    errorCode?: string | undefined;
    apiMessage?: string | undefined;
    requestId?: string | undefined;
    message?: string;
    cause?: unknown;
  }) {
    const api = init.apiMessage ?? init.errorCode ?? (init.status === 0 ? 'network error' : `HTTP ${init.status}`);
    const rid = init.requestId ? ` (request id ${init.requestId})` : '';
    super('api_error', init.message ?? `[${init.method}] ${init.path}: ${init.status} — ${api}${rid}`, {
      source: 'remote',
      meta: { method: init.method, path: init.path, status: init.status, errorCode: init.errorCode, requestId: init.requestId },
      cause: init.cause,
    });
    this.name = 'ApiError';
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.errorCode = init.errorCode;
    this.apiMessage = init.apiMessage;
    this.requestId = init.requestId;
  }
}

/** 401/403 or a failed privilege preflight: nothing was changed. */
export class AuthError extends SyncError {
  constructor(message: string, meta?: Readonly<Record<string, unknown>>, cause?: unknown) {
    super('auth_failed', message, { source: 'remote', ...(meta ? { meta } : {}), cause });
    this.name = 'AuthError';
  }
}

/** The org changed since the saved plan was made. */
export class PlanStaleError extends SyncError {
  constructor(message: string, meta?: Readonly<Record<string, unknown>>) {
    super('plan_stale', message, { source: 'user', ...(meta ? { meta } : {}) });
    this.name = 'PlanStaleError';
  }
}

/** Some steps of an apply failed; `result` says which were done, failed and skipped. */
export class ApplyFailedError extends SyncError {
  readonly result: unknown;
  constructor(message: string, result: unknown) {
    super('apply_failed', message, { source: 'remote' });
    this.name = 'ApplyFailedError';
    this.result = result;
  }
}

/** The user declined, or pressed Ctrl-C. */
export class AbortError extends SyncError {
  constructor(message = 'Aborted; nothing more was changed.') {
    super('aborted', message, { source: 'user' });
    this.name = 'AbortError';
  }
}

/** A bug in coveo-sync. */
export class InternalError extends SyncError {
  constructor(message: string, cause?: unknown) {
    super('internal_error', message, { source: 'internal', cause });
    this.name = 'InternalError';
  }
}

/** The one place that maps an error to the design's exit codes. */
export function exitCodeOf(e: unknown): ExitCode {
  if (!isSyncError(e)) return EXIT.failure;
  switch (e.name) {
    case 'ConfigError':
    case 'UsageError':
      return EXIT.input;
    case 'AuthError':
      return EXIT.auth;
    case 'AbortError':
      return EXIT.aborted;
    default:
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return EXIT.auth;
      return EXIT.failure;
  }
}
