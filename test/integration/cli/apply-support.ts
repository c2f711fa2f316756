/**
 * Shared set-up of the `apply` end-to-end tests: an emulator over real HTTP, a folder with a
 * coveo-sync.yaml, the CLI run in-process against them, and readers of the emulator's request log.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from '../../../src/emulator/index.js';
import { runCli, tempDir, type RunOptions, type RunResult } from '../../support/cli.js';

export interface Harness {
  readonly emu: EmulatorHandle;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Writes coveo-sync.yaml in the folder. */
  write(yaml: string, file?: string): void;
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Calls the Platform API directly as the admin (changes behind the tool's back). */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startHarness(options: Parameters<typeof startEmulator>[0] = {}): Promise<Harness> {
  const emu = await startEmulator({ randomSeed: 7, ...options });
  const dir = tempDir('coveo-sync-apply-');
  const env = { COVEO_PLATFORM_URL: emu.url, COVEO_ORGANIZATION_ID: emu.organizationId, COVEO_ACCESS_TOKEN: emu.adminToken };
  return {
    emu,
    dir,
    env,
    write(yaml, file = 'coveo-sync.yaml') {
      writeFileSync(join(dir, file), yaml);
    },
    run(argv, opts = {}) {
      return runCli(argv, { cwd: dir, ...opts, env: { ...env, ...(opts.env ?? {}) } });
    },
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(`${emu.url}/rest/organizations/${emu.organizationId}${path}`, {
        method,
        headers: { authorization: `Bearer ${emu.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    stop: () => emu.stop(),
  };
}

/** POST routes that only read. */
const READ_POSTS = new Set(['POST /indexes/fields/search', 'POST /privileges/token', 'POST /rest/search/v2']);

/** Platform API writes in the log (every method but GET, searches excluded), faulted ones included. */
export function writesOf(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((e) => e.method !== 'GET' && !READ_POSTS.has(e.route ?? ''));
}

/** `METHOD /route` of each write, in order. */
export function routesOf(log: readonly RequestLogEntry[]): string[] {
  return writesOf(log).map((e) => e.route ?? `${e.method} ${e.path}`);
}

/** Index of the first / last log entry matching, or -1. */
export function firstIndex(log: readonly RequestLogEntry[], pred: (e: RequestLogEntry) => boolean): number {
  return log.findIndex(pred);
}
export function lastIndex(log: readonly RequestLogEntry[], pred: (e: RequestLogEntry) => boolean): number {
  for (let i = log.length - 1; i >= 0; i--) if (pred(log[i]!)) return i;
  return -1;
}
