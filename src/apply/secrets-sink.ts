/**
 * Where new API key values go (design §5): a file created with mode 0600, JSON or dotenv by extension,
 * never overwritten without `force`. Each value is written and fsynced before the apply goes on, so a
 * crash cannot lose a key that was recorded as saved.
 */
import { chmodSync, closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface SecretsSink {
  /** Durably records the value of the API key `name` (its id for reference). */
  write(name: string, remoteId: string, value: string): void;
  readonly description: string;
}

export type SecretsFormat = 'json' | 'dotenv';

export function formatOf(path: string): SecretsFormat {
  return /\.env$|^\.env/.test(basename(path)) ? 'dotenv' : 'json';
}

/** `storefront-search` → `COVEO_API_KEY_STOREFRONT_SEARCH`. */
export function envNameOf(name: string): string {
  return `COVEO_API_KEY_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/**
 * Opens the sink. Refuses (UsageError, exit 3, before any write) when the file exists and `force` is not
 * set, or when its folder does not exist.
 */
export function openSecretsFile(path: string, options: { force: boolean; resume?: boolean }): SecretsSink {
  if (!existsSync(dirname(path) || '.')) throw new UsageError(`--secrets-out: the folder of ${path} does not exist.`, 'secrets_out_invalid');
  const exists = existsSync(path);
  if (exists && !statSync(path).isFile()) {
    throw new UsageError(`--secrets-out ${path} is a directory or not a regular file; give the path of a file to create (e.g. ${path.replace(/\/+$/, '')}/secrets.json). Nothing was changed.`, 'secrets_out_invalid');
  }
  if (exists && !options.force && !options.resume) {
    throw new UsageError(`--secrets-out ${path} already exists; pass --force to add to it, or choose another file. Nothing was changed.`, 'secrets_out_exists');
  }
  const format = formatOf(path);
  const entries: Record<string, { id: string; value: string }> = {};
  if (exists) {
    try {
      const text = readFileSync(path, 'utf8');
      if (format === 'json' && text.trim() !== '') Object.assign(entries, JSON.parse(text) as Record<string, { id: string; value: string }>);
    } catch {
      throw new UsageError(`--secrets-out ${path} exists but is not a secrets file written by coveo-sync; choose another file.`, 'secrets_out_invalid');
    }
  } else {
    // Create it now, empty and private, so a failure to write it shows before any change is made.
    const fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    writeSync(fd, format === 'json' ? '{}\n' : '');
    closeSync(fd);
  }
  chmodSync(path, 0o600);
  return {
    description: path,
    write(name, remoteId, value) {
      if (format === 'json') {
        entries[name] = { id: remoteId, value };
        const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
        const fd = openSync(tmp, constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY, 0o600);
        writeSync(fd, `${JSON.stringify(entries, null, 2)}\n`);
        fsyncSync(fd);
        closeSync(fd);
        renameSync(tmp, path);
      } else {
        const fd = openSync(path, constants.O_APPEND | constants.O_WRONLY, 0o600);
        writeSync(fd, `# ${name} (${remoteId})\n${envNameOf(name)}=${value}\n`);
        fsyncSync(fd);
        closeSync(fd);
      }
    },
  };
}
