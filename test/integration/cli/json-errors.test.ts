/** With `--format json`, a failure is also a JSON document on stdout, so pipelines never parse prose. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../../support/cli.js';

interface Envelope {
  version: number;
  status: string;
  error: { code: string; message: string; exitCode: number };
  issues?: { path: string; position?: { line: number; column: number } }[];
}

const parse = (stdout: string): Envelope => JSON.parse(stdout) as Envelope;

describe('--format json on failure', () => {
  it('a missing token: exit 3, stdout holds the error with its code and what to do', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'coveo-sync.yaml'), 'version: 1\nfields:\n  - name: color\n    type: STRING\n');
    const r = await runCli(['plan', '--format', 'json', '--org', 'acme'], { cwd: dir, env: {} });
    expect(r.code).toBe(3);
    const out = parse(r.stdout);
    expect(out).toMatchObject({ version: 1, status: 'error', error: { code: 'token_missing', exitCode: 3 } });
    expect(out.error.message).toContain('COVEO_ACCESS_TOKEN');
    expect(r.stderr).toContain('No access token');
  });

  it('an invalid configuration: the issues with their positions', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'coveo-sync.yaml'), 'version: 1\nfields:\n  - name: Bad-Name\n    type: STRING\n');
    const r = await runCli(['drift', '--format=json', '--org', 'acme'], { cwd: dir, env: { COVEO_ACCESS_TOKEN: 'secret-token-value' } });
    expect(r.code).toBe(3);
    const out = parse(r.stdout);
    expect(out.error.code).toBe('config_invalid');
    expect(out.issues?.[0]).toMatchObject({ path: 'fields[0].name', position: { line: 3 } });
    expect(r.stdout + r.stderr).not.toContain('secret-token-value');
  });

  it('a bad flag value: a usage error as JSON', async () => {
    const r = await runCli(['plan', '--format', 'json', '--parallelism', '0']);
    expect(r.code).toBe(3);
    expect(parse(r.stdout).error).toMatchObject({ code: 'usage_invalid', exitCode: 3 });
  });

  it('text output stays prose only', async () => {
    const r = await runCli(['plan', '--parallelism', '0']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
  });
});
