/**
 * Helpers for the emulator's own tests: start an emulator on 127.0.0.1:0 and talk to it over real HTTP
 * with fetch, the way any client would.
 */
import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../../src/emulator/index.js';

/** JSON from the wire, read loosely by the assertions (their shapes are checked by the contract test). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply<T = Json> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export interface CallOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | readonly string[]>;
  /** Bearer token; `null` sends no Authorization header. Default: the admin token. */
  readonly token?: string | null;
  /** Organization; default the emulator's first one. */
  readonly org?: string;
  /** Raw body text (for invalid JSON tests). */
  readonly rawBody?: string;
}

export interface Api {
  readonly emu: EmulatorHandle;
  /** A Platform API call; `path` is relative to /rest/organizations/{org} unless it starts with /rest/ or /_emulator. */
  call<T = Json>(method: string, path: string, options?: CallOptions): Promise<Reply<T>>;
  /** Creates an API key with these privileges through the API and returns its value (a Bearer token). */
  keyToken(privileges: readonly Record<string, unknown>[], org?: string): Promise<string>;
  /** A user token with explicit privileges (through the admin API). */
  userToken(privileges: readonly Record<string, unknown>[], org?: string): Promise<string>;
}

function queryString(query: CallOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) for (const x of v) params.append(k, String(x));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

export function apiFor(emu: EmulatorHandle): Api {
  const call = async <T>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> => {
    const org = options.org ?? emu.organizationId;
    const url = path.startsWith('/rest/') || path.startsWith('/_emulator') ? `${emu.url}${path}` : `${emu.url}/rest/organizations/${encodeURIComponent(org)}${path}`;
    const token = options.token === undefined ? emu.adminToken : options.token;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    const hasBody = options.body !== undefined || options.rawBody !== undefined;
    if (hasBody) headers['Content-Type'] = 'application/json';
    const res = await fetch(url + queryString(options.query), {
      method,
      headers,
      ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.status, headers: res.headers, body: body as T, text };
  };
  return {
    emu,
    call,
    async keyToken(privileges, org) {
      const r = await call<Json>('POST', '/apikeys', { body: { displayName: 'test key', privileges }, ...(org ? { org } : {}) });
      if (r.status !== 201) throw new Error(`creating a test key failed: ${r.status} ${r.text}`);
      return r.body.value as string;
    },
    async userToken(privileges, org) {
      const r = await call<Json>('POST', '/_emulator/tokens', { body: { username: 'tester@example.com', privileges, organizationId: org ?? emu.organizationId } });
      if (r.status !== 201) throw new Error(`creating a test token failed: ${r.status} ${r.text}`);
      return r.body.token as string;
    },
  };
}

/** Starts an emulator (loopback, any port) and its API helper. */
export async function startTestApi(options: EmulatorOptions = {}): Promise<Api> {
  return apiFor(await startEmulator({ port: 0, host: '127.0.0.1', randomSeed: 42, ...options }));
}

export const SAFE_SOURCE = { rebuild: 'false', updateSecurityProviders: 'false' };

/** A valid raw source configuration. */
export function rawSource(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    sourceType: 'WEB2',
    sourceVisibility: 'SHARED',
    pushEnabled: false,
    configuration: { startingAddresses: ['https://docs.example.com/'], parameters: { UserAgent: { sensitive: false, value: 'Bot' } } },
    ...extra,
  };
}

/** Expects the Coveo error body and the request id header. */
export function errorOf(r: Reply): { message: string; errorCode: string; requestId: string } {
  const b = r.body as { message: string; errorCode: string; requestId: string };
  if (typeof b?.message !== 'string' || typeof b.errorCode !== 'string' || b.requestId !== r.headers.get('x-request-id')) {
    throw new Error(`not a Coveo error body: ${r.status} ${r.text}`);
  }
  return b;
}
