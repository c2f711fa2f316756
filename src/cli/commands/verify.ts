/**
 * `verify` (design §3, issue 8): the privilege report for the configuration (what `apply` needs, what
 * the token lacks, API key privileges the org does not offer, least-privilege warnings) and the
 * effective-permission assertions of the `assertions:` section. Exit 0 when everything passes, 2 when
 * anything fails, 4 when the token cannot even run the checks.
 */
import type { AfterApply } from '../../apply/apply-plan.js';
import { describeNeeded } from '../../core/privileges/required.js';
import { displayPath, formatIssue } from '../../config/index.js';
import type { ResourceKind } from '../../core/types.js';
import { EXIT, UsageError, type ExitCode } from '../../errors.js';
import { getPlan, managedKindsOf } from '../../plan/get-plan.js';
import { newSalt } from '../../plan/hashing.js';
import { kindsToRead } from '../../plan/read-live.js';
import { checkApiKeyPrivileges, checkPlanPrivileges, detectTokenKind, lintConfigPrivileges, runPreflight } from '../../privileges/index.js';
import {
  PERMISSION_STATES,
  renderVerifyReport,
  summarizeVerify,
  toVerifyAssertions,
  VERIFY_CALLS,
  verifyAssertions,
  type IncludeEntities,
  type PermissionFilters,
  type PermissionState,
  type VerifyFormat,
  type VerifyReport,
} from '../../verify/index.js';
import { connect, resolveOrganization } from '../connection.js';
import { debugLogger } from '../debug.js';
import { loadInputs, planInputOf, type ConfigFlags } from '../inputs.js';
import type { CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';

export interface VerifyFlags extends ConfigFlags {
  readonly format: VerifyFormat;
  /** Only one half of the checks. */
  readonly only?: 'privileges' | 'assertions';
  readonly includeEntities?: IncludeEntities;
  /** Comma-separated permission states (`UP_TO_DATE,OUT_OF_DATE`). */
  readonly states?: string;
  /** The `--after-apply` the pipeline's apply uses (its privileges are counted). */
  readonly afterApply?: AfterApply;
  readonly prune?: boolean;
  readonly skipPreflight?: boolean;
  readonly parallelism?: number;
}

function parseFilters(flags: VerifyFlags): PermissionFilters {
  const include = flags.includeEntities;
  if (include !== undefined && !['ALL', 'ALLOWED', 'DENIED'].includes(include)) {
    throw new UsageError(`--include-entities must be ALL, ALLOWED or DENIED (got "${String(include)}").`, 'option_invalid');
  }
  const states = (flags.states ?? '')
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  for (const s of states) {
    if (!(PERMISSION_STATES as readonly string[]).includes(s)) throw new UsageError(`--states: unknown state "${s}"; use ${PERMISSION_STATES.join(', ')}.`, 'option_invalid');
  }
  return { ...(include !== undefined ? { includeEntities: include } : {}), ...(states.length > 0 ? { states: states as PermissionState[] } : {}) };
}

/** Runs `coveo-sync verify`; returns 0 when every check passed, 2 otherwise. */
export async function runVerify(flags: VerifyFlags, g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  const filters = parseFilters(flags);
  const salt = newSalt();
  const loaded = await loadInputs(flags, io, salt);
  const organizationId = resolveOrganization(g, io, loaded.organization);
  const { client, token } = connect({ ...g, ...(flags.parallelism ? { parallelism: flags.parallelism } : {}) }, io, organizationId, debugLogger(io, g.debug === true));
  for (const w of loaded.warnings) io.stderr.write(`${formatIssue(w, io.cwd)}\n`);

  const doPrivileges = flags.only !== 'assertions';
  const assertions = flags.only === 'privileges' ? [] : toVerifyAssertions(loaded.assertions);
  const afterApply = flags.afterApply ?? 'apply-changes';

  // An API key can never read API keys: plan without them and report it, rather than fail the whole run.
  let tokenKind = detectTokenKind(token);
  const problems: string[] = [];
  let resources = loaded.resources;
  if (doPrivileges && tokenKind === 'apiKey' && loaded.resources.apiKeys.length > 0) {
    problems.push('this configuration manages API keys, and the token is an API key: an API key can never view or edit API keys; apply needs an OAuth token of a user allowed to manage them');
    resources = { ...loaded.resources, apiKeys: [] };
  }
  const input = planInputOf({ ...loaded, resources }, organizationId, flags, salt, { canReadApiKeys: tokenKind !== 'apiKey' });
  const kinds: ResourceKind[] = doPrivileges ? kindsToRead(managedKindsOf(input), { canReadApiKeys: tokenKind !== 'apiKey' }) : [];

  // What verify itself calls must be allowed, or nothing it reports would mean anything (exit 4).
  const pre = await runPreflight({
    client,
    token,
    command: 'verify',
    kinds,
    ...(assertions.length > 0 ? { extraCalls: VERIFY_CALLS } : {}),
    skip: flags.skipPreflight === true,
  });
  if (pre.tokenKind) tokenKind = pre.tokenKind;

  let privileges: VerifyReport['privileges'];
  if (doPrivileges && !pre.skipped) {
    const ctx = await getPlan(client, input);
    const check = checkPlanPrivileges({ token, held: pre.held, tokenKind, kinds, plan: ctx.outcome.plan, live: ctx.liveIndex, afterApply });
    const offered = await checkApiKeyPrivileges(client, loaded);
    const lint = lintConfigPrivileges(loaded);
    const rel = (i: (typeof offered)[number]): string => formatIssue(i, io.cwd);
    privileges = {
      tokenKind,
      needed: check.needed.map((n) => ({ privilege: describeNeeded(n), why: n.why })),
      missing: check.missing.map((n) => ({ privilege: describeNeeded(n), why: n.why })),
      problems: [...problems, ...offered.filter((i) => i.severity === 'error').map(rel)],
      warnings: [...offered.filter((i) => i.severity === 'warning').map(rel), ...lint.map(rel)],
    };
  } else if (doPrivileges && pre.skipped) {
    io.stderr.write('warning: --skip-preflight: the token\'s privileges were not read, so the privilege report is left out.\n');
  }

  const results = await verifyAssertions(client, assertions, { filters });
  const report = summarizeVerify(results, filters, privileges);
  io.stdout.write(renderVerifyReport(flags.format, report, (f) => displayPath(f, io.cwd)));
  return report.status === 'pass' ? EXIT.ok : EXIT.changes;
}
