/** Loading the configuration for a command: paths, variables, the run's salt. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { RESOURCE_KINDS, type ResourceKind } from '../core/types.js';
import { UsageError } from '../errors.js';
import type { PlanInput } from '../plan/get-plan.js';
import { fingerprintSecret } from '../plan/hashing.js';
import type { CliIo } from './io.js';

export interface ConfigFlags {
  readonly config: readonly string[];
  readonly var?: readonly string[];
  readonly varFile?: readonly string[];
}

/** Default when no -c is given: ./coveo-sync.yaml, else ./coveo/. */
export function configPaths(flags: ConfigFlags, io: CliIo): string[] {
  if (flags.config.length > 0) return flags.config.map((p) => resolve(io.cwd, p));
  for (const candidate of ['coveo-sync.yaml', 'coveo-sync.yml', 'coveo']) {
    const p = resolve(io.cwd, candidate);
    if (existsSync(p)) return [p];
  }
  throw new UsageError('No configuration given: pass -c FILE or -c DIR (or create coveo-sync.yaml or a coveo/ folder here).', 'config_missing');
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `--var NAME=VALUE` and `--var-file FILE` (NAME=value lines, # comments) → variables for ${var:NAME}. */
export function parseVars(flags: ConfigFlags, io: CliIo): Record<string, string> {
  const vars: Record<string, string> = {};
  const add = (entry: string, where: string): void => {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (eq < 0 || !VAR_NAME.test(name)) throw new UsageError(`${where}: expected NAME=VALUE with NAME made of letters, digits and _ (got "${name}").`, 'var_invalid');
    vars[name] = entry.slice(eq + 1);
  };
  for (const file of flags.varFile ?? []) {
    const path = resolve(io.cwd, file);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--var-file ${file}: no such file.`, 'var_file_missing');
    readFileSync(path, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        const t = line.trim();
        if (t !== '' && !t.startsWith('#')) add(t, `${file}:${i + 1}`);
      });
  }
  for (const v of flags.var ?? []) add(v, '--var');
  return vars;
}

/**
 * Loads the files. `allowUnset` (validate only): an unset ${env:…}/${var:…} is a warning, so files can be
 * checked offline without their secrets.
 */
export async function loadInputs(flags: ConfigFlags, io: CliIo, salt: string, allowUnset = false): Promise<LoadedConfig> {
  return loadConfig(configPaths(flags, io), { env: io.env, vars: parseVars(flags, io), salt, fingerprint: fingerprintSecret, cwd: io.cwd, ...(allowUnset ? { allowUnset } : {}) });
}

export function validateTargets(targets: readonly string[]): void {
  for (const t of targets) {
    const [kind, ...rest] = t.split('/');
    if (!RESOURCE_KINDS.includes(kind as ResourceKind) || rest.join('/') === '') {
      throw new UsageError(`--target ${t}: expected KIND/ID with KIND one of ${RESOURCE_KINDS.join(', ')}, e.g. sources/Product docs.`, 'target_invalid');
    }
  }
}

/** The planner's input from loaded files and flags. */
export function planInputOf(
  loaded: LoadedConfig,
  organizationId: string,
  flags: { prune?: boolean; target?: readonly string[]; allowMassDelete?: boolean },
  salt: string,
  extra: Partial<PlanInput> = {},
): PlanInput {
  const resources = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, loaded.resources[k].map((r) => ({ written: r.written, origin: r.origin }))])) as unknown as PlanInput['resources'];
  return {
    organizationId,
    resources,
    settings: loaded.settings,
    prune: flags.prune === true || loaded.settings.prune,
    ...(flags.target && flags.target.length > 0 ? { targets: flags.target } : {}),
    ...(flags.allowMassDelete ? { allowMassDelete: true } : {}),
    salt,
    ...extra,
  };
}
