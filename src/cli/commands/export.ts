/**
 * `export` (design §3, issue 7): read the organization and write YAML that plans empty against it, plus
 * `secrets.example.env` naming the `${env:…}` variables for the secrets Coveo never returns. Warnings
 * (org-specific values, things left out) go to stderr; with `--out -` the YAML goes to stdout.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { buildLiveState } from '../../core/state.js';
import { isResourceKind, RESOURCE_KINDS, type ResourceKind } from '../../core/types.js';
import { EXIT, UsageError, type ExitCode } from '../../errors.js';
import { nameUnmanagedApiKeys, type Adoption } from '../../export/adopt.js';
import { emitSecretsExample, emitYaml, KIND_FILES, SECRETS_EXAMPLE_FILE, SINGLE_FILE } from '../../export/emit-yaml.js';
import { toWrittenConfig } from '../../export/to-written.js';
import { OPS, SPECS } from '../../kinds/registry.js';
import { hashText } from '../../plan/hashing.js';
import { kindsToRead, readLive } from '../../plan/read-live.js';
import { VERSION } from '../../version.js';
import { connect, resolveOrganization } from '../connection.js';
import { debugLogger } from '../debug.js';
import type { CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';
import { startReadProgress } from '../progress.js';

export interface ExportFlags {
  /** Output directory (default `coveo`), or `-` for stdout. */
  readonly out?: string;
  /** Kinds to export, as given: `fields,sources` or repeated (default: all six). */
  readonly kinds?: readonly string[];
  readonly splitByKind?: boolean;
  readonly adoptApiKeys?: boolean;
  readonly includeBuiltIns?: boolean;
  /** Overwrite files that exist. */
  readonly force?: boolean;
  readonly parallelism?: number;
}

const DEFAULT_OUT = 'coveo';
const PACKAGE_SCHEMA = ['node_modules', 'coveo-sync', 'schemas', 'coveo-sync.schema.json'];

/** `--kinds fields,sources` (or repeated) → kinds in apply order; no value means all six. */
export function parseKinds(values: readonly string[] | undefined): ResourceKind[] {
  const names = (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) return [...RESOURCE_KINDS];
  const unknown = names.filter((n) => !isResourceKind(n));
  if (unknown.length > 0) {
    throw new UsageError(`--kinds: unknown kind${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `"${u}"`).join(', ')}; use ${RESOURCE_KINDS.join(', ')}.`, 'kinds_invalid');
  }
  return RESOURCE_KINDS.filter((k) => names.includes(k));
}

/**
 * What the `$schema` comment points at: the schema of a local install (relative, so it works on every
 * machine of the team), else the published one of this version.
 */
function schemaRefFor(io: CliIo, outDir: string): string {
  const local = resolve(io.cwd, ...PACKAGE_SCHEMA);
  if (existsSync(local)) return relative(outDir, local).split(sep).join('/');
  return `https://unpkg.com/coveo-sync@${VERSION}/schemas/coveo-sync.schema.json`;
}

/** Reads the organization and writes the configuration files; see `coveo-sync export --help`. */
export async function runExport(flags: ExportFlags, g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  const kinds = parseKinds(flags.kinds);
  const out = flags.out ?? DEFAULT_OUT;
  const toStdout = out === '-';
  if (toStdout && flags.splitByKind) throw new UsageError('--split-by-kind writes several files: give a directory with --out DIR, not "-".', 'usage_invalid');
  if (flags.adoptApiKeys && !kinds.includes('apiKeys')) throw new UsageError('--adopt-api-keys adopts API keys: include apiKeys in --kinds.', 'usage_invalid');
  const outDir = resolve(io.cwd, toStdout ? '.' : out);
  const fileNames = [...(flags.splitByKind ? kinds.map((k) => KIND_FILES[k]) : [SINGLE_FILE]), SECRETS_EXAMPLE_FILE];
  const others = toStdout ? [] : checkOutput(outDir, out, fileNames, flags.force === true);

  // Nothing is sent before the arguments and the output place are known to be good.
  const organizationId = resolveOrganization(g, io);
  const { client } = connect({ ...g, ...(flags.parallelism ? { parallelism: flags.parallelism } : {}) }, io, organizationId, debugLogger(io, g.debug === true));
  const progress = startReadProgress(io, g.color !== false);
  let dtos;
  try {
    dtos = await readLive(client, OPS, kindsToRead(kinds, { canReadApiKeys: true }), progress.onProgress);
  } finally {
    progress.stop();
  }
  let adopted: readonly Adoption[] = [];
  if (flags.adoptApiKeys && dtos.apiKeys) {
    const named = nameUnmanagedApiKeys(dtos.apiKeys);
    dtos = { ...dtos, apiKeys: named.dtos };
    adopted = named.adopted;
  }
  const { live, unmanaged } = buildLiveState(dtos, SPECS, hashText);
  const result = toWrittenConfig(live, unmanaged, { kinds, ...(flags.includeBuiltIns ? { includeBuiltIns: true } : {}) });
  const files = emitYaml(result.config, { schemaRef: schemaRefFor(io, outDir), ...(flags.splitByKind ? { splitByKind: true } : {}) });

  for (const w of result.warnings) io.stderr.write(`warning: ${w.message}\n`);
  if (others.length > 0) {
    io.stderr.write(`warning: ${out} also holds ${others.join(', ')}; \`coveo-sync plan -c ${out}\` reads ${others.length === 1 ? 'it' : 'them'} too, so remove any resource declared there twice.\n`);
  }
  if (adopted.length > 0) {
    io.stderr.write(
      `Adopting ${adopted.length} API key${adopted.length === 1 ? '' : 's'} without the coveo-sync marker as ${adopted.map((a) => `${a.name} ("${a.label}")`).join(', ')}. ` +
        'The next apply only writes the marker into their descriptions; their values and privileges stay the same.\n',
    );
  }
  const counts = kinds
    .map((k) => {
      const n = result.config[k]?.length ?? 0;
      return `${n} ${n === 1 ? SPECS[k].singular : SPECS[k].title}`;
    })
    .join(', ');
  if (toStdout) {
    io.stdout.write(files.map((f) => f.text).join(''));
    if (result.secrets.length > 0) {
      io.stderr.write(`The configuration needs these environment variables (Coveo never returns their values): ${result.secrets.map((s) => s.name).join(', ')}.\n`);
    }
    io.stderr.write(`Exported ${counts} from ${organizationId}.\n`);
    return EXIT.ok;
  }
  mkdirSync(outDir, { recursive: true });
  for (const f of files) writeFileSync(join(outDir, f.path), f.text);
  writeFileSync(join(outDir, SECRETS_EXAMPLE_FILE), emitSecretsExample(result.secrets));
  io.stderr.write(`Exported ${counts} from ${organizationId} to ${out}${out.endsWith('/') ? '' : '/'} (${files.map((f) => f.path).join(', ')}).\n`);
  if (result.secrets.length > 0) {
    io.stderr.write(`Set the ${result.secrets.length} variable${result.secrets.length === 1 ? '' : 's'} listed in ${join(out, SECRETS_EXAMPLE_FILE)} before planning: Coveo never returns those secrets.\n`);
  }
  io.stderr.write(`Check it: coveo-sync plan -c ${out} (it should show no changes).\n`);
  return EXIT.ok;
}

/**
 * Refuses to overwrite without --force. Returns the other YAML files of the directory, which
 * `plan -c DIR` reads together with the export (a settings file is fine; a previous export is not).
 */
function checkOutput(outDir: string, shown: string, fileNames: readonly string[], force: boolean): string[] {
  if (!existsSync(outDir)) return [];
  if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${shown} is a file; give a directory (or - for stdout).`, 'usage_invalid');
  const existing = fileNames.filter((f) => existsSync(join(outDir, f)));
  if (existing.length > 0 && !force) {
    throw new UsageError(`${existing.map((f) => join(shown, f)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to overwrite, or choose another --out directory.`, 'output_exists');
  }
  return readdirSync(outDir)
    .filter((f) => /\.ya?ml$/.test(f) && !fileNames.includes(f))
    .sort();
}
