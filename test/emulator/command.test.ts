/**
 * `runEmulatorCommand` (what `coveo-sync emulator` runs): prints export lines a shell can eval, binds
 * loopback by default, serves until aborted or SIGTERM/SIGINT and then stops cleanly; bad flags exit 3.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEmulatorCommand, type EmulatorCommandIo, type EmulatorCommandOptions } from '../../src/emulator/index.js';

interface Running {
  readonly done: Promise<number>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly env: () => Record<string, string>;
  readonly abort: () => void;
}

async function run(options: EmulatorCommandOptions, io: Partial<EmulatorCommandIo> = {}): Promise<Running> {
  let out = '';
  let err = '';
  const controller = new AbortController();
  const done = runEmulatorCommand(options, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    signal: controller.signal,
    handleSignals: false,
    ...io,
  });
  const started = Date.now();
  while (!out.includes('COVEO_ACCESS_TOKEN') && Date.now() - started < 5000) {
    if (await Promise.race([done.then(() => true), new Promise((r) => setTimeout(() => r(false), 10))])) break;
  }
  const env = (): Record<string, string> => Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  return { done, stdout: () => out, stderr: () => err, env, abort: () => controller.abort() };
}

describe('runEmulatorCommand', () => {
  it('prints export lines, serves on loopback, and stops cleanly when aborted', async () => {
    const r = await run({ organization: 'cliorg', seed: 'S' });
    const env = r.env();
    expect(Object.keys(env)).toEqual(['COVEO_PLATFORM_URL', 'COVEO_ORGANIZATION_ID', 'COVEO_ACCESS_TOKEN']);
    expect(env['COVEO_PLATFORM_URL']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env['COVEO_ORGANIZATION_ID']).toBe('cliorg');
    expect(r.stderr()).toMatch(/emulator on http:\/\/127\.0\.0\.1:\d+, organization cliorg/);
    expect(r.stderr()).not.toContain(env['COVEO_ACCESS_TOKEN']);
    const res = await fetch(`${env['COVEO_PLATFORM_URL']}/rest/organizations/cliorg/sources/pages`, { headers: { Authorization: `Bearer ${env['COVEO_ACCESS_TOKEN']}` } });
    expect(((await res.json()) as { totalEntries: number }).totalEntries).toBe(10);
    r.abort();
    expect(await r.done).toBe(0);
    expect(r.stderr()).toMatch(/stopped \(abort\)/);
    await expect(fetch(`${env['COVEO_PLATFORM_URL']}/rest/organizations/cliorg/groups`)).rejects.toThrow();
  });

  it('prints lines a POSIX shell can eval', async () => {
    const r = await run({}, { env: { COVEO_EMULATOR_ADMIN_TOKEN: "it's-a-token" } });
    const shown = execFileSync('sh', ['-c', `eval "$LINES"; printf '%s|%s|%s' "$COVEO_PLATFORM_URL" "$COVEO_ORGANIZATION_ID" "$COVEO_ACCESS_TOKEN"`], { env: { LINES: r.stdout(), PATH: process.env['PATH'] ?? '' } }).toString();
    expect(shown).toMatch(/^http:\/\/127\.0\.0\.1:\d+\|emulatororg\|it's-a-token$/);
    r.abort();
    expect(await r.done).toBe(0);
  });

  it('stops on SIGTERM and SIGINT when it listens to process signals', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const r = await run({}, { handleSignals: true });
      expect(r.env()['COVEO_PLATFORM_URL']).toBeDefined();
      process.emit(signal);
      expect(await r.done).toBe(0);
      expect(r.stderr()).toContain(`stopped (${signal})`);
      expect(process.listenerCount(signal)).toBe(0);
    }
  });

  it('applies fault and state flags', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coveo-emulator-cli-')), 'state.json');
    const r = await run({ latencyMs: '40', pageSizeCap: '3', state: file, randomSeed: '5' });
    const env = r.env();
    const t = performance.now();
    const res = await fetch(`${env['COVEO_PLATFORM_URL']}/rest/organizations/${env['COVEO_ORGANIZATION_ID']}/indexes/fields/search`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env['COVEO_ACCESS_TOKEN']}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(performance.now() - t).toBeGreaterThanOrEqual(38);
    expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
    r.abort();
    await r.done;
    expect(r.stderr()).toContain(`state in ${file}`);
    expect(JSON.parse(readFileSync(file, 'utf8')).adminToken).toBe(env['COVEO_ACCESS_TOKEN']);
  });

  it('warns when told to listen beyond loopback', async () => {
    const r = await run({ host: '0.0.0.0' });
    expect(r.stderr()).toMatch(/warning: listening on 0\.0\.0\.0/);
    r.abort();
    await r.done;
  });

  it.each([
    [{ port: 'eighty' }, /--port must be a port number/],
    [{ failRate: '2' }, /--fail-rate must be a number between 0 and 1/],
    [{ pageSizeCap: '0' }, /--page-size-cap must be a positive integer/],
    [{ seed: 'XXL' }, /--seed must be S, M, L/],
    [{ organization: 'Bad Org' }, /--organization must be lower-case/],
  ] as const)('exits 3 for %j', async (options, message) => {
    const r = await run(options);
    expect(await r.done).toBe(3);
    expect(r.stderr()).toMatch(message);
    expect(r.stdout()).toBe('');
  });

  it('exits 1 when it cannot start (state file unreadable)', async () => {
    const r = await run({ state: '/proc/version' });
    expect(await r.done).toBe(1);
    expect(r.stderr()).toMatch(/cannot start/);
  });
});
