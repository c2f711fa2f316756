/**
 * `runExport` over real HTTP against a minimal read-only stand-in that serves the six listings from
 * fixture DTOs (the emulator-backed tests are in test/integration/export/). Covers the command's own
 * behaviour: where files go, refusing to overwrite, stdout, kinds, adoption, warnings on stderr.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKinds, runExport, type ExportFlags } from '../../../src/cli/commands/export.js';
import type { CliIo } from '../../../src/cli/io.js';
import { isSyncError } from '../../../src/errors.js';
import { richOrg, type Dtos } from './support.js';

const ORG = 'orga';
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'coveo-sync-export-cli-'));
const TOKEN = 'test-token';
let server: Server;
let url = '';
let dtos: Dtos = richOrg();
let requests: string[] = [];

function route(method: string, path: string, query: URLSearchParams): unknown {
  const p = path.replace(`/rest/organizations/${ORG}`, '');
  if (method === 'GET' && p === '/securityproviders') return dtos.securityProviders ?? [];
  if (method === 'POST' && p === '/indexes/fields/search') {
    const items = dtos.fields ?? [];
    return { items, totalEntries: items.length, totalPages: 1 };
  }
  if (method === 'GET' && p === '/sources/raw/all') return Number(query.get('page') ?? '0') === 0 ? (dtos.sources ?? []) : [];
  const schedules = /^\/sources\/([^/]+)\/schedules$/.exec(p);
  if (method === 'GET' && schedules) return (dtos.schedules ?? []).filter((s) => (s as { sourceId: string }).sourceId === decodeURIComponent(schedules[1] ?? '')).map((s) => ({ ...(s as object), sourceId: undefined }));
  if (method === 'GET' && p === '/groups') return dtos.groups ?? [];
  if (method === 'GET' && p === '/apikeys') return dtos.apiKeys ?? [];
  return undefined;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://localhost');
    requests.push(`${req.method ?? ''} ${u.pathname}`);
    req.resume();
    req.on('end', () => {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'no', errorCode: 'UNAUTHORIZED', requestId: 'r' }));
        return;
      }
      const body = route(req.method ?? '', u.pathname, u.searchParams);
      if (body === undefined) res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'unknown', errorCode: 'INVALID_URI', requestId: 'r' }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

interface Run {
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: unknown;
}

async function run(flags: ExportFlags, cwd = tempDir()): Promise<Run & { cwd: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { CI: 'true', COVEO_ACCESS_TOKEN: TOKEN },
    cwd,
    stdinIsTTY: false,
  };
  requests = [];
  try {
    const code = await runExport(flags, { org: ORG, platformUrl: url }, io);
    return { code, stdout, stderr, cwd };
  } catch (error) {
    return { code: undefined, stdout, stderr, error, cwd };
  }
}

describe('runExport', () => {
  it('writes coveo/coveo-sync.yaml and secrets.example.env by default, warnings on stderr', async () => {
    dtos = richOrg();
    const r = await run({});
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(join(r.cwd, 'coveo')).sort()).toEqual(['coveo-sync.yaml', 'secrets.example.env']);
    const yaml = readFileSync(join(r.cwd, 'coveo', 'coveo-sync.yaml'), 'utf8');
    expect(yaml.startsWith('# yaml-language-server: $schema=https://unpkg.com/coveo-sync@')).toBe(true);
    expect(readFileSync(join(r.cwd, 'coveo', 'secrets.example.env'), 'utf8')).toContain('\nCOVEO_SOURCE_PRODUCT_DOCS_PASSWORD=\n');
    expect(r.stderr).toContain('warning: sources/Catalog is a Push source');
    expect(r.stderr).toContain('Exported 2 security providers, 3 fields, 2 sources, 2 schedules, 1 group, 2 API keys from orga to coveo/');
    expect(r.stderr).toContain('Set the 3 variables listed in coveo/secrets.example.env');
  });

  it('points $schema at a local install when there is one', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'node_modules', 'coveo-sync', 'schemas'), { recursive: true });
    writeFileSync(join(cwd, 'node_modules', 'coveo-sync', 'schemas', 'coveo-sync.schema.json'), '{}');
    const r = await run({ out: 'envs/dev' }, cwd);
    expect(r.code).toBe(0);
    expect(readFileSync(join(cwd, 'envs', 'dev', 'coveo-sync.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../../node_modules/coveo-sync/schemas/coveo-sync.schema.json');
  });

  it('refuses to overwrite without --force, before reading anything, and overwrites with it', async () => {
    const first = await run({ out: 'out' });
    expect(first.code).toBe(0);
    const again = await run({ out: 'out' }, first.cwd);
    expect(isSyncError(again.error) && again.error.code).toBe('output_exists');
    expect(String((again.error as Error).message)).toContain('out/coveo-sync.yaml, out/secrets.example.env already exist; pass --force');
    expect(requests).toEqual([]);
    const forced = await run({ out: 'out', force: true }, first.cwd);
    expect(forced.code).toBe(0);
  });

  it('two exports of the same org are byte-identical', async () => {
    const a = await run({ out: 'a', splitByKind: true });
    await run({ out: 'b', splitByKind: true }, a.cwd);
    const files = readdirSync(join(a.cwd, 'a')).sort();
    expect(files).toEqual(['api-keys.yaml', 'fields.yaml', 'groups.yaml', 'schedules.yaml', 'secrets.example.env', 'security-providers.yaml', 'sources.yaml']);
    for (const f of files) expect(readFileSync(join(a.cwd, 'b', f), 'utf8'), f).toBe(readFileSync(join(a.cwd, 'a', f), 'utf8'));
  });

  it('writes to stdout with --out -, and names the variables on stderr', async () => {
    const r = await run({ out: '-', kinds: ['sources,schedules'] });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nsources:\n');
    expect(r.stdout).toContain('\nschedules:\n');
    expect(r.stdout).not.toContain('\nfields:');
    expect(r.stderr).toContain('COVEO_SOURCE_PRODUCT_DOCS_PASSWORD, COVEO_SOURCE_PRODUCT_DOCS_CRAWLER_PASSWORD');
    expect(existsSync(join(r.cwd, 'coveo'))).toBe(false);
    // Groups and API keys are read to name the sources' references, not written.
    expect(requests).toContain('GET /rest/organizations/orga/groups');
  });

  it('reads only what the asked kinds need', async () => {
    await run({ out: '-', kinds: ['fields'] });
    expect(requests).toEqual(['POST /rest/organizations/orga/indexes/fields/search']);
  });

  it('adopts API keys without the marker with --adopt-api-keys', async () => {
    const r = await run({ out: '-', adoptApiKeys: true, kinds: ['apiKeys'] });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  - name: made-by-hand\n    displayName: Made by hand\n    description: no marker here\n');
    expect(r.stderr).toContain('Adopting 1 API key without the coveo-sync marker as made-by-hand ("Made by hand")');
    expect(r.stderr).not.toContain('left out');
  });

  it('rejects bad arguments as usage errors', async () => {
    for (const [flags, code] of [
      [{ kinds: ['fields,widgets'] }, 'kinds_invalid'],
      [{ out: '-', splitByKind: true }, 'usage_invalid'],
      [{ adoptApiKeys: true, kinds: ['groups'] }, 'usage_invalid'],
    ] as const) {
      const r = await run(flags);
      expect(isSyncError(r.error) && r.error.code, JSON.stringify(flags)).toBe(code);
    }
    const cwd = tempDir();
    writeFileSync(join(cwd, 'coveo'), 'a file');
    const r = await run({}, cwd);
    expect(String((r.error as Error).message)).toContain('--out coveo is a file');
  });

  it('parses --kinds as a comma list or repeated, in apply order', () => {
    expect(parseKinds(undefined)).toHaveLength(6);
    expect(parseKinds(['apiKeys, fields', 'sources'])).toEqual(['fields', 'sources', 'apiKeys']);
  });
});
