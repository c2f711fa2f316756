/**
 * API keys through `apply` end to end (issue 6, design §5): a new key's value goes to --secrets-out (0600,
 * JSON or dotenv, never overwritten without --force) or to stdout when asked, and nowhere else; without a
 * sink the apply refuses before any write. Privilege changes replace the key (new first, then the old one
 * deleted, or disabled with --keep-replaced-keys); `enabled` goes through activate/disable.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../../src/emulator/index.js';
import { startHarness, writesOf, type Harness } from './apply-support.js';

const keyConfig = (o: { privileges?: string; enabled?: boolean; name?: string } = {}) => `version: 1
fields:
  - { name: color, type: STRING }
apiKeys:
  - name: ${o.name ?? 'storefront-search'}
    displayName: Storefront search
    privileges:
      - { owner: SEARCH_API, targetDomain: ${o.privileges ?? 'EXECUTE_QUERY'} }
${o.enabled === undefined ? '' : `    enabled: ${String(o.enabled)}\n`}`;

interface KeyRecord {
  id: string;
  value: string;
  doc: { displayName: string; description?: string; enabled?: boolean };
}

let h: Harness;
const keys = (): KeyRecord[] => (h.emu.state.snapshot(h.emu.organizationId)['apiKeys'] as KeyRecord[]).filter((k) => k.doc.displayName === 'Storefront search');
const writes = (): RequestLogEntry[] => writesOf(h.emu.state.requestLog());

beforeEach(async () => {
  h = await startHarness();
  h.write(keyConfig());
});
afterEach(() => h.stop());

describe('where a new key value goes', () => {
  it('no --secrets-out: exit 3 before any write', async () => {
    const r = await h.run(['apply', '--auto-approve']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--secrets-out');
    expect(writes()).toEqual([]);
  });

  it('--secrets-out keys.json: a 0600 JSON file holding the value, which appears nowhere else', async () => {
    const p = await h.run(['plan', '--out', 'plan.json']);
    expect(p.code, p.stderr).toBe(0);
    const r = await h.run(['apply', 'plan.json', '--auto-approve', '--secrets-out', 'keys.json', '--debug']);
    expect(r.code, r.stderr).toBe(0);
    const [key] = keys();
    expect(key).toBeDefined();
    const path = join(h.dir, 'keys.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ 'storefront-search': { id: key!.id, value: key!.value } });
    // Nowhere else: the streams (with --debug request logs), the journal, the plan file, any other file.
    expect(r.stdout).not.toContain(key!.value);
    expect(r.stderr).not.toContain(key!.value);
    const journal = readFileSync(join(h.dir, '.coveo-sync', 'journal.jsonl'), 'utf8');
    expect(journal).toContain('apiKeys/storefront-search');
    expect(journal).not.toContain(key!.value);
    for (const file of [...readdirSync(h.dir).filter((f) => f !== 'keys.json'), ...readdirSync(join(h.dir, '.coveo-sync')).map((f) => join('.coveo-sync', f))]) {
      const full = join(h.dir, file);
      if (statSync(full).isFile()) expect([file, readFileSync(full, 'utf8').includes(key!.value)]).toEqual([file, false]);
    }
  });

  it('--secrets-out keys.env: dotenv lines', async () => {
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', 'keys.env']);
    expect(r.code, r.stderr).toBe(0);
    const [key] = keys();
    const text = readFileSync(join(h.dir, 'keys.env'), 'utf8');
    expect(statSync(join(h.dir, 'keys.env')).mode & 0o777).toBe(0o600);
    expect(text).toContain(`\nCOVEO_API_KEY_STOREFRONT_SEARCH=${key!.value}\n`);
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual([`COVEO_API_KEY_STOREFRONT_SEARCH=${key!.value}`]);
  });

  it('an existing file is not overwritten without --force (exit 3, zero writes); with --force the key is added', async () => {
    writeFileSync(join(h.dir, 'keys.json'), `${JSON.stringify({ older: { id: 'x', value: 'kept' } })}\n`, { mode: 0o600 });
    const refused = await h.run(['apply', '--auto-approve', '--secrets-out', 'keys.json']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('--force');
    expect(writes()).toEqual([]);
    expect(JSON.parse(readFileSync(join(h.dir, 'keys.json'), 'utf8'))).toEqual({ older: { id: 'x', value: 'kept' } });
    const forced = await h.run(['apply', '--auto-approve', '--secrets-out', 'keys.json', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const [key] = keys();
    expect(JSON.parse(readFileSync(join(h.dir, 'keys.json'), 'utf8'))).toEqual({ older: { id: 'x', value: 'kept' }, 'storefront-search': { id: key!.id, value: key!.value } });
  });

  it('--secrets-out -: the value on stdout only, no file', async () => {
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', '-']);
    expect(r.code, r.stderr).toBe(0);
    const [key] = keys();
    expect(r.stdout).toContain(`COVEO_API_KEY_STOREFRONT_SEARCH=${key!.value}`);
    expect(r.stderr).not.toContain(key!.value);
    expect(readdirSync(h.dir).sort()).toEqual(['.coveo-sync', 'coveo-sync.yaml']);
    expect(readFileSync(join(h.dir, '.coveo-sync', 'journal.jsonl'), 'utf8')).not.toContain(key!.value);
  });

  it('--secrets-out - with --format json: refused (exit 3, zero writes), stdout stays one JSON document', async () => {
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', '-', '--format', 'json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', error: { code: 'secrets_out_invalid', exitCode: 3 } });
    expect(writes()).toEqual([]);
  });
});

describe('changing a key', () => {
  const indexOf = (log: readonly RequestLogEntry[], route: string, id?: string) => log.findIndex((e) => e.route === route && (id === undefined || e.path.includes(id)));

  beforeEach(async () => {
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', 'first.json']);
    expect(r.code, r.stderr).toBe(0);
    h.emu.state.resetLog();
  });

  it('new privileges: replace — the new key is created, then the old one deleted; the new value saved', async () => {
    const [old] = keys();
    h.write(keyConfig({ privileges: 'VIEW_ALL_CONTENT' }));
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', 'second.json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 0 changed, 1 replaced, 0 destroyed.');
    const log = writes();
    expect(log.map((e) => e.route)).toEqual(['POST /apikeys', 'DELETE /apikeys/{apiKeyId}']);
    expect(log[1]!.path).toContain(old!.id);
    const now = keys();
    expect(now.map((k) => k.id)).not.toContain(old!.id);
    expect(JSON.parse(readFileSync(join(h.dir, 'second.json'), 'utf8'))).toEqual({ 'storefront-search': { id: now[0]!.id, value: now[0]!.value } });
    expect(r.stdout + r.stderr).not.toContain(now[0]!.value);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('--keep-replaced-keys: the old key is disabled (after the new one exists), not deleted, and no longer managed', async () => {
    const [old] = keys();
    h.write(keyConfig({ privileges: 'VIEW_ALL_CONTENT' }));
    const r = await h.run(['apply', '--auto-approve', '--secrets-out', 'second.json', '--keep-replaced-keys']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const log = writes();
    expect(log.filter((e) => e.method === 'DELETE')).toEqual([]);
    expect(indexOf(log, 'POST /apikeys')).toBeLessThan(indexOf(log, 'PUT /apikeys/{apiKeyId}/disable', old!.id));
    expect(indexOf(log, 'PUT /apikeys/{apiKeyId}/disable', old!.id)).toBeGreaterThanOrEqual(0);
    const kept = keys().find((k) => k.id === old!.id)!;
    expect(kept.doc.enabled).toBe(false);
    expect(kept.doc.description ?? '').not.toContain('managed-by: coveo-sync');
    expect(keys()).toHaveLength(2);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('enabled: false goes through the disable endpoint, enabled: true through activate; no secrets file needed', async () => {
    const [key] = keys();
    h.write(keyConfig({ enabled: false }));
    const off = await h.run(['apply', '--auto-approve']);
    expect(off.code, off.stderr + off.stdout).toBe(0);
    expect(writes().map((e) => `${e.method} ${e.path.slice(e.path.indexOf('/apikeys'))}`)).toContain(`PUT /apikeys/${key!.id}/disable`);
    expect(keys()[0]!.doc.enabled).toBe(false);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
    h.emu.state.resetLog();
    h.write(keyConfig({ enabled: true }));
    const on = await h.run(['apply', '--auto-approve']);
    expect(on.code, on.stderr + on.stdout).toBe(0);
    expect(writes().map((e) => e.route)).toContain('PUT /apikeys/{apiKeyId}/activate');
    expect(keys()[0]!.doc.enabled).toBe(true);
    expect(keys()).toHaveLength(1);
  });
});
