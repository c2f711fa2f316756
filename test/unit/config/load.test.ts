import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadConfig, MAX_FILE_BYTES } from '../../../src/config/index.js';
import { isSecret } from '../../../src/core/secret.js';
import { ConfigError, exitCodeOf } from '../../../src/errors.js';
import { FIXTURES, fingerprint, load, loadIssues, ROOT, tempDir } from './support.js';

const SPLIT = join(FIXTURES, 'valid/split');
const SOURCE = (name: string, extra = ''): string => `  - name: ${name}\n    sourceType: WEB2\n${extra}`;

describe('loadConfig: files and directories', () => {
  it('loads one file with resources, origins and default settings', async () => {
    const dir = tempDir({ 'one.yaml': `version: 1\nsources:\n${SOURCE('Docs')}${SOURCE('Wiki')}` });
    const config = await load([join(dir, 'one.yaml')]);
    expect(config.files).toEqual([join(dir, 'one.yaml')]);
    expect(config.resources.sources.map((r) => [r.kind, r.index, r.written['name'], r.origin.line, r.origin.column])).toEqual([
      ['sources', 0, 'Docs', 3, 5],
      ['sources', 1, 'Wiki', 5, 5],
    ]);
    expect(config.resources.fields).toEqual([]);
    expect(config.settings).toEqual({ prune: false, protect: [], ignore: {} });
    expect(config.organization).toBeUndefined();
    expect(config.warnings).toEqual([]);
  });

  it('loads a directory: *.yaml and *.yml sorted, not hidden files, not sub-directories, not other files', async () => {
    const config = await load([SPLIT]);
    expect(config.files.map((f) => f.slice(SPLIT.length + 1))).toEqual(['10-providers.yaml', '20-sources.yml', '30-access.yaml']);
    expect(config.resources.fields.map((r) => r.written['name'])).toEqual(['productcategory']);
  });

  it('merges kinds and settings across files', async () => {
    const config = await load([SPLIT]);
    expect(config.resources.securityProviders.map((r) => r.written['id'])).toEqual(['Intranet Email']);
    expect(config.resources.sources[0]?.written['securityProviders']).toEqual(['Intranet Email']);
    expect(config.resources.schedules[0]?.origin.file).toBe(join(SPLIT, '20-sources.yml'));
    expect(config.settings.protect).toEqual(['sources/Legacy', 'groups/Administrators']);
    expect(config.settings.ignore).toEqual({ fields: ['^sys', '^coveo_'], groups: ['^Temp '] });
    // References resolved across files: no warnings.
    expect(config.warnings).toEqual([]);
  });

  it('expands aliases into independent values and locates them at the anchor', async () => {
    const config = await load([SPLIT]);
    const [editors, docs] = config.resources.groups;
    expect(docs?.written['privileges']).toEqual(editors?.written['privileges']);
    expect(docs?.written['privileges']).not.toBe(editors?.written['privileges']);
    const anchor = config.positionOf('groups', 1, ['privileges', 0, 'target', 'source']);
    expect(anchor).toMatchObject({ file: join(SPLIT, '30-access.yaml'), line: 14 });
  });

  it('loads several files given one by one, in the given order', async () => {
    const dir = tempDir({ 'b.yaml': `version: 1\nsources:\n${SOURCE('B')}`, 'a.yaml': `version: 1\nsources:\n${SOURCE('A')}` });
    const config = await load([join(dir, 'b.yaml'), join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    expect(config.files).toEqual([join(dir, 'b.yaml'), join(dir, 'a.yaml')]);
    expect(config.resources.sources.map((r) => r.written['name'])).toEqual(['B', 'A']);
  });

  it('resolves relative paths against cwd', async () => {
    const config = await load(['test/fixtures/valid/split/10-providers.yaml'], { cwd: ROOT });
    expect(config.files).toEqual([join(SPLIT, '10-providers.yaml')]);
  });

  it('positionOf maps a merged index and a path to the file, line and column', async () => {
    const dir = tempDir({ 'a.yaml': `version: 1\nsources:\n${SOURCE('A')}`, 'b.yaml': `version: 1\nsources:\n${SOURCE('B', '    securityProviders: [Nope]\n')}` });
    const config = await load([join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    expect(config.positionOf('sources', 1, ['securityProviders', 0])).toEqual({ file: join(dir, 'b.yaml'), line: 5, column: 25 });
    expect(config.positionOf('sources', 1, [])).toEqual({ file: join(dir, 'b.yaml'), line: 3, column: 5 });
    expect(config.positionOf('sources', 7, [])).toBeUndefined();
  });

  it('reports a missing path, an empty directory and problems of every file at once', async () => {
    const dir = tempDir({ 'bad1.yaml': 'version: 2\n', 'bad2.yaml': 'version: 1\nfields: 3\n' });
    const empty = tempDir({ 'notes.txt': 'hello' });
    const issues = await loadIssues([join(dir, 'nope.yaml'), empty, dir], { cwd: dir });
    const lines = issues.map((i) => formatIssue(i, dir));
    expect(lines).toEqual([
      'error: no such file or directory: nope.yaml (check the -c path)',
      `error: no .yaml or .yml files in ${empty} (sub-directories are not read)`,
      'bad1.yaml:1:10 error version: must be 1',
      'bad2.yaml:2:9 error fields: must be a list, not a number',
    ]);
  });

  it('refuses files over 10 MB without reading them', async () => {
    const dir = tempDir({ 'huge.yaml': '' });
    truncateSync(join(dir, 'huge.yaml'), MAX_FILE_BYTES + 1);
    const issues = await loadIssues([join(dir, 'huge.yaml')]);
    expect(issues).toMatchObject([{ code: 'file_too_large', position: { line: 1, column: 1 } }]);
    expect(issues[0]?.message).toContain('over the 10 MB limit');
  });

  it('refuses devices and pipes', async () => {
    const issues = await loadIssues(['/dev/zero']);
    expect(issues).toMatchObject([{ code: 'file_unreadable', message: 'not a regular file' }]);
  });

  it('throws only ConfigError, which maps to exit code 3', async () => {
    const error = await loadConfig(['/definitely/not/here.yaml'], { env: {}, salt: 's', fingerprint }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(exitCodeOf(error)).toBe(3);
  });

  it('accepts CRLF line endings and a UTF-8 byte order mark, with correct positions', async () => {
    const dir = tempDir({ 'win.yaml': '\uFEFFversion: 1\r\nfields:\r\n  - name: Bad\r\n    type: STRING\r\n' });
    const issues = await loadIssues([join(dir, 'win.yaml')]);
    expect(issues.map((i) => [i.path, i.position?.line, i.position?.column])).toEqual([['fields[0].name', 3, 11]]);
  });

  it('never lets a __proto__ key pollute objects', async () => {
    const dir = tempDir({ 'p.yaml': 'version: 1\nsources:\n  - name: A\n    sourceType: WEB2\n    configuration:\n      __proto__: { polluted: true }\n' });
    const config = await load([join(dir, 'p.yaml')]);
    const configuration = config.resources.sources[0]?.written['configuration'] as Record<string, unknown>;
    expect(Object.keys(configuration)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(configuration)).toBe(Object.prototype);
  });
});

describe('loadConfig: duplicates and conflicts across files', () => {
  it('names both places of a duplicate identity', async () => {
    const dir = tempDir({ 'a.yaml': `version: 1\nsources:\n${SOURCE('Docs')}`, 'b.yaml': `version: 1\nsources:\n${SOURCE('Other')}${SOURCE('Docs')}` });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues.map((i) => formatIssue(i, dir))).toEqual([
      'b.yaml:5:11 error sources[1].name: source `Docs` is declared twice: first at a.yaml:3:11, again here (identities must be unique across all files; remove or rename one)',
    ]);
  });

  it('reports a field declared with two types in two files', async () => {
    const dir = tempDir({ 'a.yaml': 'version: 1\nfields:\n  - name: price\n    type: LONG\n', 'b.yaml': 'version: 1\nfields:\n  - name: price\n    type: DOUBLE\n' });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues).toMatchObject([{ code: 'field_type_conflict', path: 'fields[0].type', position: { file: join(dir, 'b.yaml'), line: 4, column: 11 } }]);
    expect(issues[0]?.message).toBe('field `price` is declared twice with different types: LONG at a.yaml:3:11, DOUBLE here');
  });

  it('reports schedules by (source, refreshType)', async () => {
    const schedule = (type: string): string => `  - source: Docs\n    refreshType: ${type}\n    frequency: { type: DAILY }\n`;
    const dir = tempDir({ 'a.yaml': `version: 1\nsources:\n${SOURCE('Docs')}schedules:\n${schedule('FULL_REFRESH')}${schedule('INCREMENTAL_REFRESH')}${schedule('FULL_REFRESH')}` });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues.map((i) => [i.code, i.path])).toEqual([['duplicate_identity', 'schedules[2].source']]);
  });

  it('reports conflicting organization and prune settings, and merges equal ones', async () => {
    const dir = tempDir({
      'a.yaml': 'version: 1\norganization: orga\nsettings: { prune: true }\n',
      'b.yaml': 'version: 1\norganization: orga\nsettings: { prune: true }\n',
      'c.yaml': 'version: 1\norganization: orgc\nsettings: { prune: false }\n',
    });
    const ok = await load([join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
    expect(ok.organization).toBe('orga');
    expect(ok.settings.prune).toBe(true);
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues.map((i) => formatIssue(i, dir))).toEqual([
      'c.yaml:2:15 error organization: `organization` differs from the one set at a.yaml:2:15 (set it in one file only)',
      'c.yaml:3:20 error settings.prune: `settings.prune` differs from the value set at a.yaml:3:20 (set it in one file only)',
    ]);
  });
});

describe('loadConfig: references', () => {
  it('warns about references to undeclared resources, with their position', async () => {
    const dir = tempDir({
      'a.yaml': [
        'version: 1',
        'sources:',
        '  - name: Docs',
        '    sourceType: WEB2',
        '    securityProviders: [Nope Provider, Email Security Provider]',
        '    groupsThatCanEdit: [Ghost group, Administrators]',
        'schedules:',
        '  - { source: Elsewhere, refreshType: FULL_REFRESH, frequency: { type: DAILY } }',
        'apiKeys:',
        '  - name: k',
        '    displayName: K',
        '    privileges: [{ owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }, { owner: PLATFORM, targetDomain: API_KEY, type: EDIT, target: { apiKey: other } }]',
        '',
      ].join('\n'),
    });
    const config = await load([dir], { cwd: dir });
    expect(config.warnings.map((w) => formatIssue(w, dir))).toEqual([
      'a.yaml:5:25 warning sources[0].securityProviders[0]: security provider `Nope Provider` is not declared; it must exist in the org, the planner will check',
      'a.yaml:6:25 warning sources[0].groupsThatCanEdit[0]: group `Ghost group` is not declared; it must exist in the org, the planner will check',
      "a.yaml:8:15 warning schedules[0].source: the schedule's source `Elsewhere` is not declared; it must exist in the org, the planner will check",
      'a.yaml:12:171 warning apiKeys[0].privileges[1].target.apiKey: API key `other` is not declared; it must exist in the org, the planner will check',
    ]);
    expect(config.warnings.every((w) => w.code === 'reference_unresolved' && w.severity === 'warning')).toBe(true);
  });
});

describe('loadConfig: interpolation and secrets', () => {
  const env = { DOCS_PASSWORD: 's3cr3t-value-1', API_HOST: 'internal.example.com', ORG: 'myorg42' };
  const file = [
    'version: 1',
    'organization: ${env:ORG}',
    'sources:',
    '  - name: Docs ${var:STAGE}',
    '    sourceType: WEB2',
    '    additionalComments: costs $${price} in ${var:STAGE}',
    '    configuration:',
    '      startingAddresses: ["https://${env:API_HOST}/docs", plain]',
    '      parameters:',
    '        Password: { value: "${env:DOCS_PASSWORD}", sensitive: true }',
    '',
  ].join('\n');

  it('makes ${env:…} values Secrets, ${var:…} plain text, and $${ a literal ${', async () => {
    const dir = tempDir({ 'i.yaml': file });
    const config = await load([dir], { env, vars: { STAGE: 'prod' } });
    const [docs] = config.resources.sources;
    expect(docs?.written['name']).toBe('Docs prod');
    expect(docs?.written['additionalComments']).toBe('costs ${price} in prod');
    const configuration = docs?.written['configuration'] as { startingAddresses: unknown[]; parameters: { Password: { value: unknown } } };
    const password = configuration.parameters.Password.value;
    expect(isSecret(password)).toBe(true);
    if (!isSecret(password)) return;
    expect(password.ref).toBe('env:DOCS_PASSWORD');
    expect(password.reveal()).toBe('s3cr3t-value-1');
    expect(password.fingerprint).toBe(fingerprint('s3cr3t-value-1', 'test-salt'));
    const [address, plain] = configuration.startingAddresses;
    expect(isSecret(address) && address.reveal()).toBe('https://internal.example.com/docs');
    expect(isSecret(address) && address.ref).toBe('https://${env:API_HOST}/docs');
    expect(plain).toBe('plain');
    expect(isSecret(config.organization) && config.organization.reveal()).toBe('myorg42');
  });

  it('never shows secrets in JSON, inspect output or errors', async () => {
    const dir = tempDir({ 'i.yaml': file, 'bad.yaml': 'version: 1\nfields:\n  - { name: x, type: "${env:DOCS_PASSWORD}" }\n' });
    const config = await load([join(dir, 'i.yaml')], { env, vars: { STAGE: 'prod' } });
    const json = JSON.stringify(config);
    expect(json).not.toContain('s3cr3t-value-1');
    expect(json).not.toContain('internal.example.com');
    expect(json).toContain('"$secret":{"ref":"env:DOCS_PASSWORD"');
    expect(inspect(config, { depth: 20 })).not.toContain('s3cr3t-value-1');
    const error = await loadConfig([dir], { env, vars: { STAGE: 'prod' }, salt: 's', fingerprint, cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const everything = `${JSON.stringify(error)} ${(error as ConfigError).message} ${(error as ConfigError).issues.map((i) => formatIssue(i)).join('\n')}`;
    expect(everything).not.toContain('s3cr3t-value-1');
    expect((error as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([
      ['secret_not_allowed', 'fields[0].type'],
      ['enum_invalid', 'fields[0].type'],
    ]);
  });

  it('reports a missing variable with its position and a hint', async () => {
    const dir = tempDir({ 'i.yaml': file });
    const issues = await loadIssues([dir], { env: { ORG: 'o', API_HOST: 'h' }, vars: {}, cwd: dir });
    expect(issues.map((i) => formatIssue(i, dir))).toEqual([
      'i.yaml:4:16 error sources[0].name: variable `STAGE` is not set (pass --var STAGE=VALUE or --var-file FILE)',
      'i.yaml:6:44 error sources[0].additionalComments: variable `STAGE` is not set (pass --var STAGE=VALUE or --var-file FILE)',
      'i.yaml:10:29 error sources[0].configuration.parameters.Password.value: environment variable `DOCS_PASSWORD` is not set (set DOCS_PASSWORD before running coveo-sync)',
    ]);
  });

  it('with allowUnset (validate), unset variables are warnings and the file loads', async () => {
    const dir = tempDir({ 'i.yaml': file });
    const config = await load([dir], { env: {}, vars: {}, allowUnset: true, cwd: dir });
    expect(config.warnings.map((w) => [w.severity, w.code, w.path])).toEqual([
      ['warning', 'env_missing', 'organization'],
      ['warning', 'var_missing', 'sources[0].name'],
      ['warning', 'var_missing', 'sources[0].additionalComments'],
      ['warning', 'env_missing', 'sources[0].configuration.startingAddresses[0]'],
      ['warning', 'env_missing', 'sources[0].configuration.parameters.Password.value'],
    ]);
    expect(isSecret(config.organization)).toBe(true);
  });

  it('requires sensitive values to come from the environment, and keeps secrets out of identities', async () => {
    const dir = tempDir({
      's.yaml': [
        'version: 1',
        'securityProviders:',
        '  - id: Dir',
        '    type: ACTIVE_DIRECTORY2',
        '    parameters:',
        '      Bind: { value: literal-pw, sensitive: true }',
        '      Server: { value: ldap.example.com }',
        '      Token: { value: "${env:DOCS_PASSWORD}", sensitive: true }',
        'groups:',
        '  - displayName: ${env:ORG}',
        '',
      ].join('\n'),
    });
    const issues = await loadIssues([dir], { env, cwd: dir });
    expect(issues.map((i) => [i.code, i.path, i.position?.line])).toEqual([
      ['secret_literal', 'securityProviders[0].parameters.Bind.value', 6],
      ['secret_not_allowed', 'groups[0].displayName', 10],
    ]);
    expect(issues.map((i) => i.message).join('\n')).not.toContain('literal-pw');
  });
});

describe('loadConfig: file checks', () => {
  it('reports binary, UTF-16 and invalid UTF-8 files with a position', async () => {
    const dir = tempDir({
      'a-binary.yaml': Buffer.from('version: 1\n\u0000\n'),
      'b-utf16.yaml': Buffer.from('\uFEFFversion: 1\n', 'utf16le'),
      'c-latin1.yaml': Buffer.from('version: 1\nsources:\n  - name: caf\xe9\n', 'latin1'),
    });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues.map((i) => formatIssue(i, dir))).toEqual([
      'a-binary.yaml:2:1 error: binary file (it contains NUL bytes), not YAML text (configuration files are UTF-8 text)',
      'b-utf16.yaml:1:1 error: the file is UTF-16 (or UTF-32), not UTF-8 (save it as UTF-8)',
      'c-latin1.yaml:3:14 error: not valid UTF-8 (byte 0xE9) (save the file as UTF-8)',
    ]);
  });

  it('reports empty files and comment-only files', async () => {
    const dir = tempDir({ 'a.yaml': '', 'b.yaml': '\n  \n', 'c.yaml': '# TODO\n' });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues.map((i) => [i.code, i.position?.file.slice(dir.length + 1)])).toEqual([
      ['file_empty', 'a.yaml'],
      ['file_empty', 'b.yaml'],
      ['file_empty', 'c.yaml'],
    ]);
  });

  it('caps alias expansion: a billion-laughs file is an error, not a crash', async () => {
    const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(', ')}]`);
    }
    const dir = tempDir({ 'bomb.yaml': `${levels.join('\n')}\n` });
    const issues = await loadIssues([dir], { cwd: dir });
    expect(issues).toMatchObject([{ code: 'alias_limit', position: { line: 2, column: 8 } }]);
  });

  it('writes the YAML warnings of a valid file as warnings', async () => {
    const dir = tempDir({ 'w.yaml': 'version: 1\nfields:\n  - name: x\n    type: !custom STRING\n' });
    const config = await load([dir], { cwd: dir });
    expect(config.warnings.map((w) => [w.severity, w.code, w.position?.line])).toEqual([['warning', 'yaml_tag_resolve_failed', 4]]);
  });
});

describe('formatIssue', () => {
  it('prints file:line:column, severity, path, message and hint like a compiler', () => {
    const issue = { severity: 'error', code: 'pattern_invalid', message: 'must match ^[a-z]', path: 'fields[3].name', hint: 'did you mean `x`?', position: { file: '/repo/coveo/docs.yaml', line: 12, column: 7 } } as const;
    expect(formatIssue(issue, '/repo')).toBe('coveo/docs.yaml:12:7 error fields[3].name: must match ^[a-z] (did you mean `x`?)');
    expect(formatIssue(issue, '/elsewhere')).toBe('/repo/coveo/docs.yaml:12:7 error fields[3].name: must match ^[a-z] (did you mean `x`?)');
    expect(formatIssue({ severity: 'warning', code: 'c', message: 'm', path: '' })).toBe('warning: m');
  });
});

it('writes nothing while loading', async () => {
  const dir = tempDir({ 'a.yaml': 'version: 1\n' });
  writeFileSync(join(dir, 'b.yaml'), 'version: 1\n');
  const config = await load([dir]);
  expect(config.files).toHaveLength(2);
});
