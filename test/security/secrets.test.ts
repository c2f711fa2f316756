/**
 * Secrets never leak (issue 10). Every command runs with --debug against the emulator on a configuration
 * full of secrets (sensitive source and provider parameters and a crawler password from ${env:…}, API
 * keys created and replaced, the token), and every byte it writes is searched: stdout, stderr, the plan
 * file, the journal, exported files, the lock directory. The API key values Coveo returns may appear in
 * the --secrets-out files only, which are created 0600. The token travels in the Authorization header
 * only, except the one call Coveo's API requires (`/privileges/token?accessToken=`), which the debug
 * log shows redacted.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { tempDir } from '../support/cli.js';

/** Secret values with characters that JSON, URLs and YAML each escape differently. */
const SECRETS = {
  SEC_DOCS_PASSWORD: 'docs-Pa55"word\\with/slash-7c1f',
  SEC_LDAP_PASSWORD: 'ldap bind pass+word&x=1 9d2e',
  SEC_CRAWLER_PASSWORD: "crawler'pass:word\n#second-line 4b8a",
  SEC_CLIENT_SECRET: 'client-secret-%41%42-€uro-1e5c',
} as const;
const ROTATED = 'docs-rotated-value-a7a7-"quoted"';

const CONFIG = `version: 1
securityProviders:
  - id: Corp Directory
    type: ACTIVE_DIRECTORY2
    displayName: Corp directory
    parameters:
      ServerAddress: { value: ldap.example.com }
      BindPassword: { value: '\${env:SEC_LDAP_PASSWORD}', sensitive: true }
fields:
  - { name: secfield, type: STRING }
sources:
  - name: Secret docs
    sourceType: WEB2
    sourceVisibility: SHARED
    configuration:
      startingAddresses: [https://docs.example.com/]
      parameters:
        Password: { value: '\${env:SEC_DOCS_PASSWORD}', sensitive: true }
        ClientSecret: { value: '\${env:SEC_CLIENT_SECRET}', sensitive: true }
  - name: Secret wiki
    sourceType: CONFLUENCE2
    sourceVisibility: SHARED
    configuration:
      startingAddresses: [https://wiki.example.com/]
      userIdentities:
        Crawler:
          name: Crawler account
          userName: svc-crawler
          password: \${env:SEC_CRAWLER_PASSWORD}
schedules:
  - source: Secret docs
    refreshType: FULL_REFRESH
    frequency: { type: DAILY, hourMinute: { hour: 1, minute: 0 } }
groups:
  - displayName: Secret editors
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Secret docs } }
apiKeys:
  - name: sec-search
    displayName: Secret search key
    privileges:
      - { owner: SEARCH_API, targetDomain: EXECUTE_QUERY }
  - name: sec-push
    displayName: Secret push key
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: VIEW, target: { source: Secret docs } }
`;

interface Run {
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Sent {
  readonly url: string;
  readonly authorization: string | null;
}

let emulator: EmulatorHandle;
let cwd: string;
let lockDir: string;
let token: string;
const runs: Run[] = [];
const sent: Sent[] = [];
let env: Record<string, string>;

/** Runs the CLI in-process with a fetch spy that records every URL and Authorization header sent. */
async function run(argv: readonly string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const spy: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    sent.push({ url, authorization: new Headers(init?.headers).get('authorization') });
    return fetch(input, init);
  };
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: { ...env, ...extraEnv },
    cwd,
    stdinIsTTY: false,
    fetch: spy,
  };
  const code = await main(argv, io);
  const r = { argv, code, stdout, stderr };
  runs.push(r);
  return r;
}

const expectExit = (r: Run, code: number): void => {
  expect(r.code, `${r.argv.join(' ')}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`).toBe(code);
};

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []));
}

/** The spellings a value can take in output: as is, JSON-escaped, URL-encoded, per line. */
function spellings(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), encodeURIComponent(value).replace(/%20/g, '+')]);
  for (const line of value.split('\n')) if (line.length >= 8) forms.add(line);
  return [...forms];
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', randomSeed: 11 });
  // A user token with every privilege (through the Administrators group), not the emulator's admin token.
  token = emulator.state.createToken({ username: 'admin@emulator.local', organizationId: emulator.organizationId });
  cwd = tempDir('coveo-sync-secrets-');
  lockDir = tempDir('coveo-sync-secrets-lock-');
  mkdirSync(join(cwd, 'coveo'));
  writeFileSync(join(cwd, 'coveo', 'config.yaml'), CONFIG);
  env = {
    CI: 'true',
    COVEO_PLATFORM_URL: emulator.url,
    COVEO_ORGANIZATION_ID: emulator.organizationId,
    COVEO_ACCESS_TOKEN: token,
    COVEO_SYNC_LOCK_DIR: lockDir,
    ...SECRETS,
  };
});
afterAll(async () => {
  await emulator.stop();
});

describe('every command with --debug on a configuration full of secrets', () => {
  it('validate, plan (text, json, markdown, --out), apply PLAN_FILE, drift, export, verify, a rotated secret and a replaced key', async () => {
    expectExit(await run(['--debug', 'validate', '-c', 'coveo']), 0);
    expectExit(await run(['--debug', 'validate', '-c', 'coveo', '--format', 'json']), 0);
    expectExit(await run(['--debug', 'plan', '-c', 'coveo']), 0);
    expectExit(await run(['--debug', 'plan', '-c', 'coveo', '--format', 'json']), 0);
    // An old plan file readable by everyone: --out makes it 0600 again.
    writeFileSync(join(cwd, 'plan.json'), '{}', { mode: 0o644 });
    expectExit(await run(['--debug', 'plan', '-c', 'coveo', '--format', 'markdown', '--out', 'plan.json']), 0);
    expectExit(await run(['--debug', 'apply', 'plan.json', '--auto-approve', '--secrets-out', 'secrets.json']), 0);
    expectExit(await run(['--debug', 'plan', '-c', 'coveo', '--detailed-exitcode']), 0);
    for (const format of ['text', 'json', 'markdown']) expectExit(await run(['--debug', 'drift', '-c', 'coveo', '--format', format]), 0);
    expectExit(await run(['--debug', 'export', '--out', 'exported', '--adopt-api-keys']), 0);
    expectExit(await run(['--debug', 'export', '--out', '-']), 0);
    expectExit(await run(['--debug', 'verify', '-c', 'coveo']), 0);
    expectExit(await run(['--debug', 'verify', '-c', 'coveo', '--format', 'json']), 0);

    // A rotated secret is sent again (its fingerprint changed), still without being shown.
    const rotated = await run(['--debug', 'plan', '-c', 'coveo', '--detailed-exitcode'], { SEC_DOCS_PASSWORD: ROTATED });
    expectExit(rotated, 2);
    expectExit(await run(['--debug', 'apply', '-c', 'coveo', '--auto-approve', '--format', 'json'], { SEC_DOCS_PASSWORD: ROTATED }), 0);

    // A key whose privileges change is replaced: a new value, to the dotenv secrets file.
    writeFileSync(join(cwd, 'coveo', 'config.yaml'), CONFIG.replace('{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }', '{ owner: SEARCH_API, targetDomain: EXECUTE_QUERY }\n      - { owner: SEARCH_API, targetDomain: IMPERSONATE }'));
    expectExit(await run(['--debug', 'apply', '-c', 'coveo', '--auto-approve', '--secrets-out', 'secrets.env'], { SEC_DOCS_PASSWORD: ROTATED }), 0);

    // Failures print errors: a write refused by the server, with the secrets in the request body.
    emulator.state.addFaultRule({ method: 'PUT', path: '/sources/[^/]+/raw$', status: 500, count: 100 });
    const failed = await run(['--debug', 'apply', '-c', 'coveo', '--auto-approve'], { SEC_DOCS_PASSWORD: `${ROTATED}-2` });
    expect(failed.code).toBe(1);
    emulator.state.resetFaults();
  });

  it('no secret, token or key value in any output or file; key values only in the --secrets-out files (0600)', () => {
    const keyValues = [...readFileSync(join(cwd, 'secrets.json'), 'utf8').matchAll(/"value":\s*"([^"]+)"/g), ...readFileSync(join(cwd, 'secrets.env'), 'utf8').matchAll(/^[A-Z0-9_]+=(.+)$/gm)].map((m) => m[1] ?? '');
    expect(keyValues.length).toBeGreaterThanOrEqual(3);
    const secretsFiles = new Set([join(cwd, 'secrets.json'), join(cwd, 'secrets.env')]);
    for (const f of [...secretsFiles, join(cwd, 'plan.json')]) expect(statSync(f).mode & 0o777, f).toBe(0o600);

    const outputs: { where: string; text: string; isSecretsFile: boolean }[] = [
      ...runs.flatMap((r) => [
        { where: `stdout of ${r.argv.join(' ')}`, text: r.stdout, isSecretsFile: false },
        { where: `stderr of ${r.argv.join(' ')}`, text: r.stderr, isSecretsFile: false },
      ]),
      ...[...filesUnder(cwd), ...filesUnder(lockDir)]
        .filter((f) => !f.endsWith(join('coveo', 'config.yaml')))
        .map((f) => ({ where: relative(cwd, f), text: readFileSync(f, 'utf8'), isSecretsFile: secretsFiles.has(f) })),
    ];
    // The plan file, the journal, the exported configuration and the debug output were all written.
    const where = outputs.map((o) => o.where).join('\n');
    for (const expected of ['plan.json', 'journal', 'exported', 'stderr of --debug apply']) expect(where).toContain(expected);
    expect(runs.some((r) => r.stderr.includes('[debug] GET'))).toBe(true);

    const secretNeedles = [...Object.values(SECRETS), ROTATED, `${ROTATED}-2`, token].flatMap(spellings);
    const keyNeedles = keyValues.flatMap(spellings);
    let bytes = 0;
    for (const o of outputs) {
      bytes += Buffer.byteLength(o.text);
      for (const needle of secretNeedles) expect(o.text.includes(needle), `${o.where} contains a secret (${needle.slice(0, 6)}…)`).toBe(false);
      if (!o.isSecretsFile) for (const needle of keyNeedles) expect(o.text.includes(needle), `${o.where} contains an API key value`).toBe(false);
    }
    expect(bytes).toBeGreaterThan(50_000);
    console.info(`secrets scan: ${bytes} bytes in ${outputs.length} outputs, ${secretNeedles.length + keyNeedles.length} needles`);
  });

  it('the token travels in the Authorization header, and in a URL only for /privileges/token, redacted in the debug log', () => {
    expect(sent.length).toBeGreaterThan(50);
    const inUrl = sent.filter((s) => spellings(token).some((t) => s.url.includes(t)));
    for (const s of inUrl) expect(new URL(s.url).pathname).toMatch(/\/privileges\/token$/);
    for (const s of sent) expect(s.authorization).toBe(`Bearer ${token}`);
    // The emulator's log (what reached the server) agrees.
    for (const e of emulator.state.requestLog()) {
      if (e.query.includes(encodeURIComponent(token)) || e.path.includes(token)) expect(e.path).toMatch(/\/privileges\/token$/);
    }
    // The debug log shows that call (its query is never printed, and the scan above found no token).
    expect(inUrl.length).toBeGreaterThan(0);
    expect(runs.map((r) => r.stderr).join('')).toMatch(/\[debug\] POST \/rest\/organizations\/\S+\/privileges\/token → 200/);
  });

  it('refuses http:// to a host that is not loopback, before sending anything', async () => {
    const before = sent.length;
    for (const url of ['http://platform.cloud.coveo.com', 'http://10.1.2.3:8080', 'http://127.0.0.1.nip.io']) {
      const r = await run(['--debug', 'plan', '-c', 'coveo'], { COVEO_PLATFORM_URL: url });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('Refusing plain http://');
    }
    expect(sent.length).toBe(before);
  });
});
