/**
 * Loading the configuration (EDGE: file system + YAML): one file, several, or a directory of them, merged
 * by kind, with `${env:…}`/`${var:…}` interpolation, schema validation and the semantic checks. Every
 * problem of every file is collected and thrown at once as one `ConfigError`, each with its
 * `file:line:column`; nothing else is thrown for bad input.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compareStrings, formatPath, isPlainObject, type JsonObject } from '../core/json.js';
import { isSecret, type Secret } from '../core/secret.js';
import { RESOURCE_KINDS, type ResourceKind } from '../core/types.js';
import { ConfigError, type Issue, type SourcePosition } from '../errors.js';
import { IDENTITY } from '../kinds/identity.js';
import { displayPath, formatPosition } from './format.js';
import { checkSecrets, interpolateTree, type InterpolationOptions } from './interpolate.js';
import { createOffsetLocator, startOfFile, valueAt, type JsonPath, type Locator } from './positions.js';
import { lineStartsOf, readSimpleYaml, type OffsetNode, type SimpleYaml } from './simple-yaml.js';
import type * as YamlFullModule from './yaml-full.js';
import { checkFile, checkMerged, type MergedResource } from './semantic.js';
import { validateWritten } from './validate.js';
import { MAX_DEPTH, MAX_FILE_BYTES, MAX_ISSUES_SHOWN, MAX_YAML_VALUES } from './limits.js';

/** The yaml package's side of the loader, imported only when needed. */
type YamlFull = typeof YamlFullModule;

export { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_FILE_BYTES, MAX_ISSUES_SHOWN, MAX_YAML_VALUES } from './limits.js';

export interface LoadOptions {
  /** The environment `${env:NAME}` reads. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Values of `${var:NAME}` (from `--var`/`--var-file`); a missing one is an error. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Salt of the secrets' fingerprints for this run. */
  readonly salt: string;
  /** Salted fingerprint of a secret value (the same function the planner compares with). */
  readonly fingerprint: (value: string, salt: string) => string;
  /** Directory relative paths are resolved against and shown relative to (default: the process cwd). */
  readonly cwd?: string;
  /**
   * For `validate` only: an unset `${env:…}`/`${var:…}` is a warning instead of an error, and the checks
   * of the value it sits in are skipped. The result must not be planned or applied.
   */
  readonly allowUnset?: boolean;
  /**
   * Parse every file with the yaml package, never with the simple reader. For the tests that hold the
   * two ways of reading to the same configuration and the same issues.
   */
  readonly yamlPackageOnly?: boolean;
}

/** One declared resource as written (validated; `Secret` leaves allowed) and where it is declared. */
export interface LoadedResource {
  readonly kind: ResourceKind;
  /** Its index in the `kind` list of its own file, so its path there is `kind[index]`. */
  readonly index: number;
  readonly written: JsonObject;
  readonly origin: SourcePosition;
}

export interface LoadedSettings {
  readonly prune: boolean;
  readonly protect: readonly string[];
  readonly ignore: Partial<Record<ResourceKind, readonly string[]>>;
}

export type LoadedAssertion = JsonObject & { readonly origin: SourcePosition };

export interface LoadedConfig {
  /** The files read, absolute, in merge order. */
  readonly files: readonly string[];
  readonly organization?: string | Secret;
  readonly settings: LoadedSettings;
  readonly resources: { readonly [K in ResourceKind]: readonly LoadedResource[] };
  readonly assertions: readonly LoadedAssertion[];
  /**
   * Position of a path inside a merged resource, for later errors (references to nothing, …):
   * `positionOf('sources', 2, ['securityProviders', 0])` is the first provider of the third source of
   * the merged list. Undefined when there is no such resource.
   */
  positionOf(kind: ResourceKind | 'assertions', index: number, path: readonly (string | number)[]): SourcePosition | undefined;
  /** Problems that do not stop the load (references to undeclared resources, YAML warnings). */
  readonly warnings: readonly Issue[];
}

interface ParsedFile {
  readonly file: string;
  readonly locator: Locator;
  readonly data: JsonObject;
}

interface Entry {
  readonly locator: Locator;
  readonly fileIndex: number;
}

/** An issue as the loader's steps report it (the path as an array, the severity defaulting to error). */
export type IssueInit = Omit<Issue, 'path' | 'severity'> & { readonly path?: JsonPath; readonly severity?: Issue['severity'] };

const issueOf = (i: IssueInit): Issue => ({
  severity: i.severity ?? 'error',
  code: i.code,
  message: i.message,
  path: formatPath(i.path ?? []),
  ...(i.position ? { position: i.position } : {}),
  ...(i.hint ? { hint: i.hint } : {}),
});

/**
 * Loads, interpolates, validates and merges the configuration files.
 *
 * @param paths files and/or directories (every `*.yaml`/`*.yml` in a directory, sorted, not recursive)
 * @throws ConfigError with every problem of every file, each with `file:line:column` and its JSON path
 * @example
 * const config = await loadConfig(['coveo/'], { env: process.env, salt, fingerprint });
 * config.resources.sources[0]?.written.name
 */
export async function loadConfig(paths: readonly string[], options: LoadOptions): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const issues: Issue[] = [];
  const add = (i: IssueInit): void => {
    issues.push(issueOf(i));
  };
  const files = await expandPaths(paths, cwd, add);
  const parsed: ParsedFile[] = [];
  const budget = { values: MAX_YAML_VALUES };
  for (const file of files) {
    const p = await loadFile(file, options, add, budget);
    if (p) parsed.push(p);
  }
  const merged = mergeFiles(parsed, cwd, add);
  const hasErrors = issues.some((i) => i.severity === 'error');
  if (hasErrors) {
    // With a file that could not be read, "not declared" warnings may only mean "declared there".
    const isPartial = parsed.length < files.length;
    const sorted = sortIssues(isPartial ? issues.filter((i) => i.code !== 'reference_unresolved') : issues, files);
    const errors = sorted.filter((i) => i.severity === 'error').length;
    if (sorted.length <= MAX_ISSUES_SHOWN) throw new ConfigError(sorted);
    throw new ConfigError(sorted.slice(0, MAX_ISSUES_SHOWN), `The configuration has ${errors} errors (the first ${MAX_ISSUES_SHOWN} problems are shown); fix them and run again.`);
  }
  return {
    files,
    ...merged.config,
    positionOf(kind, index, path) {
      const entry = merged.entries[kind][index];
      return entry?.locator.positionOf([kind, entry.fileIndex, ...path]);
    },
    warnings: sortIssues(issues, files),
  };
}

async function expandPaths(paths: readonly string[], cwd: string, add: (i: IssueInit) => void): Promise<string[]> {
  if (paths.length === 0) add({ code: 'config_missing', message: 'no configuration files given' });
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    const shown = displayPath(abs, cwd);
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(abs)).isDirectory();
    } catch (e) {
      const isMissing = (e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR';
      add({ code: 'config_not_found', message: `${isMissing ? 'no such file or directory' : 'cannot access'}: ${shown}`, hint: 'check the -c path' });
      continue;
    }
    if (!isDirectory) {
      out.push(abs);
      continue;
    }
    // Like the shell's `*.yaml`: hidden files (editor backups, …) are left out.
    const names = (await readdir(abs, { withFileTypes: true }))
      .filter((d) => !d.isDirectory() && !d.name.startsWith('.') && /\.ya?ml$/i.test(d.name))
      .map((d) => d.name)
      .sort(compareStrings);
    if (names.length === 0) add({ code: 'config_dir_empty', message: `no .yaml or .yml files in ${shown}`, hint: 'sub-directories are not read' });
    for (const name of names) out.push(join(abs, name));
  }
  return [...new Set(out)];
}

/** Reads and checks one file; undefined when it cannot be used at all (its issues are added). */
async function loadFile(file: string, options: LoadOptions, add: (i: IssueInit) => void, budget: { values: number }): Promise<ParsedFile | undefined> {
  let bytes: Buffer;
  try {
    const info = await stat(file);
    // Devices and pipes (e.g. -c /dev/zero) could be read forever.
    if (!info.isFile()) {
      add({ code: 'file_unreadable', message: 'not a regular file', position: startOfFile(file) });
      return undefined;
    }
    const size = info.size;
    if (size > MAX_FILE_BYTES) {
      const mb = (size / (1024 * 1024)).toFixed(1);
      add({ code: 'file_too_large', message: `file is ${mb} MB, over the 10 MB limit`, hint: 'split it into several files in one directory', position: startOfFile(file) });
      return undefined;
    }
    bytes = await readFile(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'it is a directory' : 'it cannot be read';
    add({ code: 'file_unreadable', message: `cannot read the file: ${reason}`, position: startOfFile(file) });
    return undefined;
  }
  const decoded = decodeUtf8(bytes);
  if ('problem' in decoded) {
    add({ code: decoded.code, message: decoded.problem, hint: decoded.hint, position: { file, ...decoded.at } });
    return undefined;
  }
  const text = decoded.text;
  // The yaml parser reads LF and CRLF line breaks only: a CR-only file would read as one comment line.
  if (text.includes('\r') && !text.includes('\n')) {
    add({ code: 'line_endings_invalid', message: 'the lines end with CR only (classic Mac style), which coveo-sync cannot read', hint: 'save the file with LF (or CRLF) line endings', position: startOfFile(file) });
    return undefined;
  }
  if (text.trim() === '') {
    add({ code: 'file_empty', message: 'empty file', hint: 'a configuration file starts with `version: 1`', position: startOfFile(file) });
    return undefined;
  }

  const tooLarge = (): undefined => {
    const isFirst = budget.values === MAX_YAML_VALUES;
    add({
      code: 'file_too_large',
      message: `${isFirst ? 'this file holds' : 'with the files before it, this file brings'} more than ${MAX_YAML_VALUES.toLocaleString('en-US')} YAML values, over the limit`,
      hint: 'a configuration this large is not what an organization needs; check that the file was generated correctly',
      position: startOfFile(file),
    });
    return undefined;
  };
  // A value takes at least two characters (`[1,1,…]`), so only a text this long can pass the budget: it is
  // counted by the lexer before the parser builds anything. Any other file is parsed and then counted
  // (a second lexer pass over every file cost about 15% of loading a large configuration).
  // The yaml package is loaded (about 60 ms) only for a file the simple reader leaves to it.
  const yamlFull = async (): Promise<YamlFull> => import('./yaml-full.js');
  if (text.length >= 2 * budget.values && (await yamlFull()).countYamlValues(text, budget.values) > budget.values) return tooLarge();

  // Most files are in the plain subset the simple reader knows, which gives the same data and positions
  // as the yaml package several times faster; any other file (and every broken one) goes to the yaml package.
  // Offsets are kept down to the resources (`kind[i]`, their origins); those of their insides are needed
  // only for a problem, and then come from a second, full read.
  const simple = options.yamlPackageOnly === true ? undefined : readSimpleYaml(text, MAX_DEPTH - 1, 2);
  let parsed: { readonly js: unknown; readonly locator: Locator } | undefined;
  if (simple !== undefined) {
    if (simple.values > budget.values) return tooLarge();
    budget.values -= simple.values;
    const fullOffsets = (): OffsetNode => (readSimpleYaml(text, MAX_DEPTH - 1) as SimpleYaml).offsets;
    parsed = { js: simple.value, locator: createOffsetLocator(simple.offsets, lineStartsOf(text), file, fullOffsets) };
  } else {
    parsed = (await yamlFull()).parseWithYaml(text, file, add, budget, tooLarge);
  }
  if (parsed === undefined) return undefined;
  const { js, locator } = parsed;
  const positionOfToken = (path: JsonPath, token: string | undefined): SourcePosition => {
    const range = locator.rangeOf(path);
    const i = range && token !== undefined ? text.slice(range[0], range[1]).indexOf(token) : -1;
    return range && i >= 0 ? locator.positionAt(range[0] + i) : locator.positionOf(path);
  };
  const interpolation: InterpolationOptions = {
    env: options.env,
    vars: options.vars,
    salt: options.salt,
    fingerprint: options.fingerprint,
    allowUnset: options.allowUnset,
  };
  const { written, plain, problems, placeholderPaths } = interpolateTree(js, interpolation);
  // A sensitive value whose variable is missing is reported once, as missing.
  const interpolated = new Set(problems.map((p) => JSON.stringify(p.path)));
  const secretProblems = checkSecrets(written).filter((p) => !interpolated.has(JSON.stringify(p.path)));
  for (const p of [...problems, ...secretProblems]) {
    add({
      severity: p.severity ?? 'error',
      code: p.code,
      message: p.message,
      path: p.path,
      position: positionOfToken(p.path, p.token),
      ...(p.hint ? { hint: p.hint } : {}),
    });
  }
  const isSecretAt = (path: JsonPath): boolean => isSecret(valueAt(written, path));
  const placeholders = new Set(placeholderPaths.map((p) => JSON.stringify(p)));
  const isPlaceholder = (path: JsonPath): boolean => placeholders.has(JSON.stringify(path));
  for (const p of validateWritten(plain, { isSecretAt }).filter((q) => !isPlaceholder(q.path))) {
    add({ code: p.code, message: p.message, path: p.path, position: locator.positionOf(p.path, p.at), ...(p.hint ? { hint: p.hint } : {}) });
  }
  for (const p of checkFile(written)) {
    add({ severity: p.severity, code: p.code, message: p.message, path: p.path, position: locator.positionOf(p.path), ...(p.hint ? { hint: p.hint } : {}) });
  }
  return isPlainObject(written) ? { file, locator, data: written } : undefined;
}


type Decoded = { readonly text: string } | { readonly problem: string; readonly code: string; readonly hint: string; readonly at: { readonly line: number; readonly column: number } };

/** Decodes a file as UTF-8, refusing binary data, UTF-16/32 and invalid byte sequences with their position. */
function decodeUtf8(bytes: Buffer): Decoded {
  const lineColumn = (offset: number): { line: number; column: number } => {
    const before = bytes.subarray(0, offset);
    const lastNewline = before.lastIndexOf(0x0a);
    let line = 1;
    for (const b of before) if (b === 0x0a) line++;
    const column = before.subarray(lastNewline + 1).toString('utf8').length + 1;
    return { line, column };
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { code: 'encoding_invalid', problem: 'the file is UTF-16 (or UTF-32), not UTF-8', hint: 'save it as UTF-8', at: { line: 1, column: 1 } };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { code: 'file_binary', problem: 'binary file (it contains NUL bytes), not YAML text', hint: 'configuration files are UTF-8 text', at: lineColumn(nul) };
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const byte = (bytes[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return { code: 'encoding_invalid', problem: `not valid UTF-8 (byte 0x${byte})`, hint: 'save the file as UTF-8', at: lineColumn(bad) };
  }
  const text = bytes.toString('utf8');
  return { text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i += 1;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    const next = b[i + 1] ?? 0;
    // Overlong encodings, UTF-16 surrogates and code points above U+10FFFF.
    if ((c === 0xe0 && next < 0xa0) || (c === 0xed && next > 0x9f) || (c === 0xf0 && next < 0x90) || (c === 0xf4 && next > 0x8f)) return i;
    i += n + 1;
  }
  return -1;
}

interface Merged {
  readonly config: Omit<LoadedConfig, 'files' | 'positionOf' | 'warnings'>;
  readonly entries: { readonly [K in ResourceKind | 'assertions']: readonly Entry[] };
}

function mergeFiles(parsed: readonly ParsedFile[], cwd: string, add: (i: IssueInit) => void): Merged {
  const resources = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, [] as LoadedResource[]])) as Record<ResourceKind, LoadedResource[]>;
  const entries = Object.fromEntries([...RESOURCE_KINDS, 'assertions'].map((k) => [k, [] as Entry[]])) as Record<ResourceKind | 'assertions', Entry[]>;
  const semantic = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, [] as MergedResource[]])) as Record<ResourceKind, MergedResource[]>;
  const assertions: LoadedAssertion[] = [];
  const protect: string[] = [];
  const ignore: Partial<Record<ResourceKind, string[]>> = {};
  let organization: { value: string | Secret; where: SourcePosition } | undefined;
  let prune: { value: boolean; where: SourcePosition } | undefined;

  for (const { locator, data } of parsed) {
    const org = data['organization'];
    if (typeof org === 'string' || isSecret(org)) {
      const where = locator.positionOf(['organization']);
      if (organization === undefined) organization = { value: org, where };
      else if (!isSameValue(organization.value, org)) {
        add({ code: 'organization_conflict', message: `\`organization\` differs from the one set at ${formatPosition(organization.where, cwd)}`, hint: 'set it in one file only', path: ['organization'], position: where });
      }
    }
    const settings = isPlainObject(data['settings']) ? (data['settings']) : {};
    if (typeof settings['prune'] === 'boolean') {
      const where = locator.positionOf(['settings', 'prune']);
      if (prune === undefined) prune = { value: settings['prune'], where };
      else if (prune.value !== settings['prune']) {
        add({ code: 'settings_conflict', message: `\`settings.prune\` differs from the value set at ${formatPosition(prune.where, cwd)}`, hint: 'set it in one file only', path: ['settings', 'prune'], position: where });
      }
    }
    for (const p of asList(settings['protect'])) if (typeof p === 'string' && !protect.includes(p)) protect.push(p);
    const ignored = isPlainObject(settings['ignore']) ? (settings['ignore']) : {};
    for (const kind of RESOURCE_KINDS) {
      const patterns = asList(ignored[kind]).filter((p): p is string => typeof p === 'string');
      if (patterns.length > 0) ignore[kind] = [...(ignore[kind] ?? []), ...patterns];
    }
    for (const kind of RESOURCE_KINDS) {
      asList(data[kind]).forEach((item, fileIndex) => {
        if (!isPlainObject(item)) return;
        const written = item as JsonObject;
        resources[kind].push({ kind, index: fileIndex, written, origin: locator.positionOf([kind, fileIndex]) });
        entries[kind].push({ locator, fileIndex });
        const identityPath = IDENTITY[kind].paths[0] ?? '';
        semantic[kind].push({ written, where: () => formatPosition(locator.positionOf([kind, fileIndex, identityPath]), cwd) });
      });
    }
    asList(data['assertions']).forEach((item, fileIndex) => {
      if (!isPlainObject(item)) return;
      // SourcePosition is an interface, which TypeScript does not see as a JsonValue: hence the cast.
      assertions.push({ ...(item as JsonObject), origin: locator.positionOf(['assertions', fileIndex]) } as unknown as LoadedAssertion);
      entries.assertions.push({ locator, fileIndex });
    });
  }

  for (const i of checkMerged({ resources: semantic, assertions: assertions.map((a) => ({ written: a })) })) {
    const entry = entries[i.kind][i.index];
    if (entry === undefined) continue;
    const path = [i.kind, entry.fileIndex, ...i.path];
    add({ severity: i.severity, code: i.code, message: i.message, path, position: entry.locator.positionOf(path), ...(i.hint ? { hint: i.hint } : {}) });
  }

  return {
    config: {
      ...(organization ? { organization: organization.value } : {}),
      settings: { prune: prune?.value ?? false, protect, ignore },
      resources,
      assertions,
    },
    entries,
  };
}

const asList = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

const isSameValue = (a: string | Secret, b: string | Secret): boolean =>
  isSecret(a) || isSecret(b) ? isSecret(a) && isSecret(b) && a.fingerprint === b.fingerprint : a === b;

/** Issues in file order, then by line and column; issues without a position first. */
function sortIssues(issues: readonly Issue[], files: readonly string[]): Issue[] {
  const order = (i: Issue): number => (i.position ? files.indexOf(i.position.file) + 1 : 0);
  return issues
    .map((issue, n) => ({ issue, n }))
    .sort(
      (a, b) =>
        order(a.issue) - order(b.issue) ||
        (a.issue.position?.line ?? 0) - (b.issue.position?.line ?? 0) ||
        (a.issue.position?.column ?? 0) - (b.issue.position?.column ?? 0) ||
        a.n - b.n,
    )
    .map((x) => x.issue);
}
