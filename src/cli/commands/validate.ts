/** `validate`: the whole configuration checked offline; nothing is sent (exit 0 valid, 3 invalid). */
import { ConfigError, EXIT, type ExitCode } from '../../errors.js';
import { formatIssue } from '../../config/index.js';
import { RESOURCE_KINDS } from '../../core/types.js';
import { newSalt } from '../../plan/hashing.js';
import { loadInputs, type ConfigFlags } from '../inputs.js';
import type { CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';

export async function runValidate(flags: ConfigFlags & { format: 'text' | 'json' }, _g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  try {
    const loaded = await loadInputs(flags, io, newSalt(), true);
    const counts = RESOURCE_KINDS.map((k) => [k, loaded.resources[k].length] as const).filter(([, n]) => n > 0);
    if (flags.format === 'json') {
      io.stdout.write(`${JSON.stringify({ version: 1, status: 'ok', files: loaded.files, resources: Object.fromEntries(counts), issues: loaded.warnings }, null, 2)}\n`);
    } else {
      for (const w of loaded.warnings) io.stderr.write(`${formatIssue(w, io.cwd)}\n`);
      io.stdout.write(`Valid: ${loaded.files.length} file(s), ${counts.map(([k, n]) => `${n} ${k}`).join(', ') || 'no resources'}.\n`);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError && flags.format === 'json') {
      io.stdout.write(`${JSON.stringify({ version: 1, status: 'error', error: { code: e.code, message: e.message }, issues: e.issues }, null, 2)}\n`);
      return EXIT.input;
    }
    throw e;
  }
}
