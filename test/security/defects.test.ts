/**
 * One regression test per defect the security suite found (issue 10), each failing before its fix:
 * loader inputs that crashed or exhausted memory, plan files that overflowed the stack or could be
 * edited without notice.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, MAX_DEPTH, MAX_YAML_VALUES } from '../../src/config/index.js';
import { checksumOf, MAX_PLAN_DEPTH, parsePlanFile, serializePlanFile } from '../../src/core/plan-file.js';
import { sha256Hex } from '../../src/core/sha256.js';
import { ConfigError, isSyncError, type Issue } from '../../src/errors.js';
import { fingerprintSecret } from '../../src/plan/hashing.js';
import { tempDir } from '../support/cli.js';
import { minimalPlan } from './support.js';

async function issuesOf(files: Record<string, string>): Promise<{ dir: string; issues: readonly Issue[] }> {
  const dir = tempDir('coveo-sync-defects-');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    await loadConfig([dir], { env: {}, salt: 's', fingerprint: fingerprintSecret, cwd: dir });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return { dir, issues: (e as ConfigError).issues };
  }
  throw new Error('the configuration loaded');
}

describe('loader', () => {
  it('refuses an alias inside its own anchor (was: RangeError, exit 1)', async () => {
    const { dir, issues } = await issuesOf({ 'a.yaml': 'version: 1\nsources:\n  - &s\n    name: a\n    sourceType: WEB\n    configuration: {x: *s}\n' });
    expect(issues[0]).toMatchObject({ code: 'yaml_alias_cycle', position: { file: join(dir, 'a.yaml'), line: 6, column: 24 } });
  });

  it('refuses nesting deeper than MAX_DEPTH with the path and position of the first level too deep', async () => {
    const deep = `${'{a: '.repeat(MAX_DEPTH + 1)}1${'}'.repeat(MAX_DEPTH + 1)}`;
    const { issues } = await issuesOf({ 'a.yaml': `version: 1\nsources:\n  - name: a\n    sourceType: WEB\n    configuration: ${deep}\n` });
    expect(issues[0]).toMatchObject({ code: 'nesting_too_deep', position: { line: 5 } });
    expect(issues[0]?.path).toMatch(/^sources\[0\]\.configuration(\.a)+$/);
  });

  it('refuses a file of more than MAX_YAML_VALUES values before parsing it (was: heap exhausted at 4 GB)', async () => {
    const { issues } = await issuesOf({ 'a.yaml': `version: 1\nx: [${'1,'.repeat(MAX_YAML_VALUES)}1]\n` });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'file_too_large', position: { line: 1, column: 1 } });
  });

  it('counts the values of all the files together', async () => {
    const half = `version: 1\nx: [${'1,'.repeat(MAX_YAML_VALUES / 2)}1]\n`;
    const { issues } = await issuesOf({ 'a.yaml': half, 'b.yaml': half });
    expect(issues.find((i) => i.code === 'file_too_large')?.message).toContain('with the files before it');
  });
});

describe('plan files', () => {
  it('refuses attribute values nested deeper than MAX_PLAN_DEPTH (was: RangeError)', () => {
    const text = serializePlanFile(minimalPlan()).replace('"STRING"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    let error: unknown;
    try {
      parsePlanFile(text, 'p.json');
    } catch (e) {
      error = e;
    }
    expect(isSyncError(error)).toBe(true);
    expect((error as Error).message).toContain(`nested more than ${MAX_PLAN_DEPTH} levels deep`);
  });

  it('refuses a plan whose content was edited after it was written (checksum)', () => {
    const text = serializePlanFile(minimalPlan());
    expect(() => parsePlanFile(text.replace('"STRING"', '"LONG"'), 'p.json')).toThrow(/checksum does not match the plan's content/);
    expect(() => parsePlanFile(text.replace(/"checksum": "[^"]+"/, '"checksum": "sha256:00"'), 'p.json')).toThrow(/checksum does not match/);
    expect(() => parsePlanFile(text.replace(/,\s*"checksum": "[^"]+"/, ''), 'p.json')).toThrow(/checksum is missing/);
  });

  it('accepts the same plan reformatted (whitespace, key order)', () => {
    const data = JSON.parse(serializePlanFile(minimalPlan())) as Record<string, unknown>;
    const reversed = Object.fromEntries(Object.entries(data).reverse());
    expect(parsePlanFile(JSON.stringify(reversed), 'p.json').steps).toHaveLength(1);
  });

  it('sees a __proto__ key added to a step as an edit', () => {
    const text = serializePlanFile(minimalPlan());
    expect(() => parsePlanFile(text.replace('"type": "STRING"', '"type": "STRING", "__proto__": {"x": 1}'), 'p.json')).toThrow(/checksum does not match/);
    expect(checksumOf(JSON.parse('{"__proto__": 1}') as Record<string, unknown>)).not.toBe(checksumOf({}));
  });

  it('computes SHA-256 like node:crypto', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
      { numRuns: 100 },
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('apply PLAN_FILE', () => {
  it('refuses a device such as /dev/zero before reading it (was: read forever until out of memory)', () => {
    // A separate process with a small heap: if the guard were gone, it would die, not this test run.
    const root = join(import.meta.dirname, '../..');
    const bin = join(root, 'dist/cli/bin.js');
    expect(statSync(bin).mtimeMs, 'dist is older than src/cli/commands/apply.ts: run npm run build').toBeGreaterThanOrEqual(statSync(join(root, 'src/cli/commands/apply.ts')).mtimeMs);
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', bin, 'apply', '/dev/zero', '--auto-approve'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env['PATH'] ?? '', CI: 'true', COVEO_ACCESS_TOKEN: 'x', COVEO_ORGANIZATION_ID: 'o' },
    });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain('/dev/zero: not a regular file, not a plan file');
  });
});
