/**
 * Test doubles for the client: a scripted fake `fetch`, and a tiny node:http server on 127.0.0.1:0 (our
 * own, not the project emulator) so the client is also exercised over real sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiClient, type ApiClientOptions, type RequestInfo } from '../../../src/client/client.js';

export const TOKEN = 'xx7f3c9e1a-token-SECRET-4b2d';
export const ORG = 'acme org';

export interface Call {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: string | undefined;
}

export type Handler = (call: Call, index: number, signal: AbortSignal | undefined) => Response | Promise<Response>;

/** A fake fetch answering with `handler`; records every call. */
export function fakeFetch(handler: Handler): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call: Call = {
      url: new URL(input instanceof Request ? input.url : input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : undefined,
    };
    calls.push(call);
    return handler(call, calls.length - 1, init?.signal ?? undefined);
  };
  return { fetch: fn, calls };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A client wired for tests: instant recorded sleeps, fixed jitter, request log. */
export function testClient(fetchFn: typeof fetch, extra: Partial<ApiClientOptions> = {}) {
  const sleeps: number[] = [];
  const log: RequestInfo[] = [];
  const client = createApiClient({
    baseUrl: 'https://platform.cloud.coveo.com',
    organizationId: ORG,
    token: TOKEN,
    fetch: fetchFn,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    onRequest: (info) => log.push(info),
    ...extra,
  });
  return { client, sleeps, log };
}

/** Runs `fn` against a real HTTP server on an ephemeral loopback port and closes it afterwards. */
export async function withServer<T>(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>,
  fn: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void Promise.resolve(handler(req, res, Buffer.concat(chunks).toString('utf8'))).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Awaits a promise expected to reject, and returns the rejection. */
export async function failureOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
