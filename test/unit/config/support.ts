/** Shared helpers of the config tests. */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type LoadedConfig, type LoadOptions } from '../../../src/config/index.js';
import { ConfigError, type Issue } from '../../../src/errors.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const EXAMPLES = join(ROOT, 'examples');
export const FIXTURES = join(ROOT, 'test/fixtures');

export const fingerprint = (value: string, salt: string): string => createHash('sha256').update(`${salt}\u0000${value}`).digest('hex');

/** The environment the examples need (fake values). */
export const EXAMPLE_ENV: Readonly<Record<string, string>> = {
  COVEO_SYNC_EXAMPLE_ORGANIZATION_ID: 'exampleorg1a2b3c',
  COVEO_SYNC_EXAMPLE_DOCS_PASSWORD: 'docs-password-not-real',
  COVEO_SYNC_EXAMPLE_CRAWLER_PASSWORD: 'crawler-password-not-real',
  COVEO_SYNC_EXAMPLE_LDAP_PASSWORD: 'ldap-password-not-real',
  COVEO_SYNC_EXAMPLE_SHAREPOINT_SECRET: 'sharepoint-secret-not-real',
  COVEO_SYNC_EXAMPLE_INTRANET_PASSWORD: 'intranet-password-not-real',
};
export const EXAMPLE_VARS: Readonly<Record<string, string>> = { ENVIRONMENT: 'test' };

export function options(extra: Partial<LoadOptions> = {}): LoadOptions {
  return { env: EXAMPLE_ENV, vars: EXAMPLE_VARS, salt: 'test-salt', fingerprint, cwd: ROOT, ...extra };
}

export async function load(paths: readonly string[], extra: Partial<LoadOptions> = {}): Promise<LoadedConfig> {
  return loadConfig(paths, options(extra));
}

/** Loads and expects a ConfigError; returns its issues. */
export async function loadIssues(paths: readonly string[], extra: Partial<LoadOptions> = {}): Promise<readonly Issue[]> {
  try {
    await load(paths, extra);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error(`expected a ConfigError for ${paths.join(', ')}`);
}

/** A temporary directory holding the given files (name → content). */
export function tempDir(files: Readonly<Record<string, string | Buffer>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coveo-sync-config-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
