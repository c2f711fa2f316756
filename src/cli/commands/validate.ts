/**
 * `validate`: the whole configuration checked offline, nothing sent (exit 0 valid, 3 invalid); with
 * `--online`, also the API key privileges against what the organization offers (seed 001).
 */
import { ConfigError, EXIT, type ExitCode, type Issue } from '../../errors.js';
import { formatIssue } from '../../config/index.js';
import { RESOURCE_KINDS } from '../../core/types.js';
import { newSalt } from '../../plan/hashing.js';
import { checkApiKeyPrivileges, lintConfigPrivileges } from '../../privileges/index.js';
import { connect, resolveOrganization } from '../connection.js';
import { debugLogger } from '../debug.js';
import { loadInputs, type ConfigFlags } from '../inputs.js';
import type { CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';

export interface ValidateFlags extends ConfigFlags {
  readonly format: 'text' | 'json';
  readonly online?: boolean;
}

export async function runValidate(flags: ValidateFlags, g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  try {
    const loaded = await loadInputs(flags, io, newSalt(), true);
    const issues: Issue[] = [...loaded.warnings, ...lintConfigPrivileges(loaded)];
    if (flags.online === true) {
      const organizationId = resolveOrganization(g, io, loaded.organization);
      const { client } = connect(g, io, organizationId, debugLogger(io, g.debug === true));
      // Listing the privileges is the whole point here: a token that may not is an auth error (exit 4).
      const offered = await checkApiKeyPrivileges(client, loaded, { onForbidden: 'throw' });
      const errors = offered.filter((i) => i.severity === 'error');
      if (errors.length > 0) throw new ConfigError([...errors, ...issues], `${errors.length} API key privilege${errors.length === 1 ? '' : 's'} the organization does not offer.`);
      issues.push(...offered);
    }
    const counts = RESOURCE_KINDS.map((k) => [k, loaded.resources[k].length] as const).filter(([, n]) => n > 0);
    if (flags.format === 'json') {
      io.stdout.write(`${JSON.stringify({ version: 1, status: 'ok', files: loaded.files, resources: Object.fromEntries(counts), issues }, null, 2)}\n`);
    } else {
      for (const w of issues) io.stderr.write(`${formatIssue(w, io.cwd)}\n`);
      io.stdout.write(`Valid${flags.online === true ? ' (checked against the organization)' : ''}: ${loaded.files.length} file(s), ${counts.map(([k, n]) => `${n} ${k}`).join(', ') || 'no resources'}.\n`);
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
