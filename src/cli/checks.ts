/**
 * The privilege checks that `plan`, `drift` and `apply` share (issue 8): the preflight before reading,
 * the API key privileges checked against what the organization offers, the least-privilege lint, and
 * (apply) the preflight of the writes before the first one.
 */
import type { AfterApply } from '../apply/apply-plan.js';
import type { LoadedConfig } from '../config/index.js';
import { formatPosition } from '../config/format.js';
import type { Plan, PlanWarning, ResourceKind } from '../core/types.js';
import { ConfigError, type Issue } from '../errors.js';
import type { PlanContext } from '../plan/get-plan.js';
import { kindsToRead } from '../plan/read-live.js';
import {
  checkApiKeyPrivileges,
  checkPlanPrivileges,
  describeMissing,
  detectTokenKind,
  lintConfigPrivileges,
  runPreflight,
  type PreflightResult,
} from '../privileges/index.js';
import type { Connection } from './connection.js';
import type { CliIo } from './io.js';

export interface ReadCheck {
  readonly pre: PreflightResult;
  /** False for an API key token: an API key can never view API keys, so they are not read for references. */
  readonly canReadApiKeys: boolean;
}

/**
 * Before anything is read: what the token may do, compared with the reads of the run. Throws `AuthError`
 * (exit 4) when a privilege is missing, or when the token is an API key and the run manages API keys.
 */
export async function preflightReads(
  conn: Pick<Connection, 'client' | 'token'>,
  managedKinds: readonly ResourceKind[],
  options: { readonly command: string; readonly skip: boolean },
): Promise<ReadCheck> {
  const guess = detectTokenKind(conn.token);
  const pre = await runPreflight({
    client: conn.client,
    token: conn.token,
    command: options.command,
    kinds: kindsToRead(managedKinds, { canReadApiKeys: guess !== 'apiKey' }),
    managesApiKeys: managedKinds.includes('apiKeys'),
    skip: options.skip,
  });
  return { pre, canReadApiKeys: (pre.tokenKind ?? guess) !== 'apiKey' };
}

/** An issue as a plan warning, with its `file:line:column` relative to the working directory. */
function asPlanWarning(issue: Issue, cwd: string): PlanWarning {
  const where = [issue.position ? formatPosition(issue.position, cwd) : '', issue.path].filter((s) => s !== '').join(' ');
  return { code: issue.code, message: `${where === '' ? '' : `${where}: `}${issue.message}${issue.hint ? ` (${issue.hint})` : ''}` };
}

/**
 * API key privileges the organization does not offer are input errors (`ConfigError`, exit 3, with
 * their positions); a token that may not list them and broad grants (least-privilege lint) are warnings,
 * returned for the plan to show.
 */
export async function checkConfigPrivileges(conn: Pick<Connection, 'client'>, loaded: LoadedConfig, io: CliIo): Promise<PlanWarning[]> {
  const offered = await checkApiKeyPrivileges(conn.client, loaded);
  const errors = offered.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(errors, `${errors.length} API key privilege${errors.length === 1 ? '' : 's'} the organization does not offer; fix the configuration. Nothing was changed.`);
  }
  return [...offered, ...lintConfigPrivileges(loaded)].map((i) => asPlanWarning(i, io.cwd));
}

/**
 * The preflight of the reads and, when asked, the API key privileges against the organization: two
 * independent requests, sent together. Both settle before anything is thrown; the preflight's refusal
 * (exit 4) comes first.
 */
export async function checkBeforeReading(
  conn: Pick<Connection, 'client' | 'token'>,
  managedKinds: readonly ResourceKind[],
  loaded: LoadedConfig | undefined,
  io: CliIo,
  options: { readonly command: string; readonly skip: boolean },
): Promise<{ readonly read: ReadCheck; readonly configWarnings: PlanWarning[] }> {
  const [read, config] = await Promise.allSettled([preflightReads(conn, managedKinds, options), loaded ? checkConfigPrivileges(conn, loaded, io) : Promise.resolve([])]);
  if (read.status === 'rejected') throw read.reason;
  if (config.status === 'rejected') throw config.reason;
  return { read: read.value, configWarnings: config.value };
}

export function withWarnings(ctx: PlanContext, extra: readonly PlanWarning[]): PlanContext {
  if (extra.length === 0) return ctx;
  const plan: Plan = { ...ctx.outcome.plan, warnings: [...ctx.outcome.plan.warnings, ...extra] };
  return { ...ctx, outcome: { ...ctx.outcome, plan } };
}

/**
 * For `plan`: the privileges its apply would need that the token lacks, as warnings (the plan itself
 * only reads, so it goes on).
 */
export function applyPrivilegeWarnings(conn: Pick<Connection, 'token'>, read: ReadCheck, ctx: PlanContext): PlanWarning[] {
  if (read.pre.skipped || ctx.outcome.plan.steps.length === 0) return [];
  const tokenKind = read.pre.tokenKind ?? detectTokenKind(conn.token);
  const check = checkPlanPrivileges({ token: conn.token, held: read.pre.held, tokenKind, plan: ctx.outcome.plan, live: ctx.liveIndex, afterApply: 'apply-changes' });
  return describeMissing(check.missing, tokenKind).map((line) => ({ code: 'apply_privilege_missing', message: `apply of this plan ${line}` }));
}

/** For `apply`: the writes of the plan against the token's privileges, before the first write (exit 4). */
export async function preflightWrites(
  conn: Pick<Connection, 'client' | 'token'>,
  read: ReadCheck,
  plan: Plan,
  live: PlanContext['liveIndex'],
  afterApply: AfterApply,
): Promise<void> {
  if (read.pre.skipped) return;
  await runPreflight({ client: conn.client, token: conn.token, command: 'apply', plan, live, afterApply, held: read.pre.held, ...(read.pre.tokenKind ? { tokenKind: read.pre.tokenKind } : {}) });
}
