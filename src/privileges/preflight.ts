/**
 * The privilege preflight (issue 8): before `plan` reads and before `apply` writes, ask Coveo what the
 * token may do and compare it with what the run will call. A token that lacks anything ends the run with
 * `AuthError` (exit 4) and one line per missing privilege that a person can act on, before any request
 * that could fail half-way.
 */
import type { LiveIndex } from '../apply/apply-plan.js';
import type { ApiClient } from '../client/types.js';
import {
  callsRefusingApiKeys,
  describeNeeded,
  findMissing,
  privilegesOfCalls,
  type AfterApplyMode,
  type HeldPrivilege,
  type NeededPrivilege,
  type RouteCall,
} from '../core/privileges/required.js';
import type { Plan, ResourceKind } from '../core/types.js';
import { AuthError } from '../errors.js';
import { callsOf } from './needs.js';
import { detectTokenKind, fetchTokenPrivileges, type TokenKind } from './token.js';

export interface PreflightOptions {
  readonly client: ApiClient;
  /** The token the client authenticates with (COVEO_ACCESS_TOKEN). Sent to Coveo to be checked, never printed. */
  readonly token: string;
  /** For messages: `plan`, `apply`, `drift`, `verify`. */
  readonly command?: string;
  /** Kinds the command reads. */
  readonly kinds?: readonly ResourceKind[];
  /** The plan the command will apply (its steps are the writes). */
  readonly plan?: Pick<Plan, 'steps'>;
  /** The live org as read for the plan: names the sources a field change touches, and live ids. */
  readonly live?: LiveIndex;
  readonly afterApply?: AfterApplyMode;
  /** Whether the configuration declares API keys (a refusal then says "manages"). */
  readonly managesApiKeys?: boolean;
  /** `auto` (default): from the privileges answer and the token's form (see `detectTokenKind`). */
  readonly tokenKind?: TokenKind | 'auto';
  /** `--skip-preflight`: nothing is asked or checked. */
  readonly skip?: boolean;
  /** Privileges from an earlier preflight of the same run (apply checks reads, then writes). */
  readonly held?: readonly HeldPrivilege[];
  /** Calls besides reading and writing (verify: search and effective permissions). */
  readonly extraCalls?: readonly RouteCall[];
}

export interface PreflightResult {
  readonly skipped: boolean;
  readonly tokenKind?: TokenKind;
  /** What the token holds (reuse with `held` for a second check in the same run). */
  readonly held: readonly HeldPrivilege[];
  /** What the run needs. */
  readonly needed: readonly NeededPrivilege[];
  readonly missing: readonly NeededPrivilege[];
}

/** One line per missing privilege: `needs PLATFORM / SOURCE / EDIT on source Product docs: add it to … (update source "Product docs")`. */
export function describeMissing(missing: readonly NeededPrivilege[], tokenKind: TokenKind): string[] {
  const advice = tokenKind === 'apiKey' ? 'add it to the API key or use a token of a group that has it' : "add it to a group of the token's user or use a token of a group that has it";
  return missing.map((m) => {
    const alternatives = (m.alternatives ?? []).map((a) => describeNeeded(a));
    const either = alternatives.length > 0 ? ` (or ${alternatives.join(' or ')})` : '';
    return `needs ${describeNeeded(m)}${either}: ${advice} — to ${m.why.join('; ')}`;
  });
}

function refusalOfApiKeyToken(calls: readonly RouteCall[], options: PreflightOptions): AuthError {
  const what = [...new Set(calls.map((c) => c.why))].slice(0, 5);
  const manages = options.managesApiKeys === true || (options.plan?.steps ?? []).some((s) => s.kind === 'apiKeys');
  const head = manages
    ? `This configuration manages API keys, and the access token is an API key: an API key can never view or edit API keys (Coveo: "an API key can't have the privilege to edit or view other API keys").`
    : `This ${options.command ?? 'run'} would read API keys (to name the keys other resources refer to), and the access token is an API key, which can never view API keys.`;
  return new AuthError(
    `${head} Nothing was ${options.plan ? 'changed' : 'read'}.\n  It would: ${what.join('; ')}.\nUse an OAuth access token of a user allowed to manage API keys (a member of a group with PLATFORM / API_KEY privileges), or leave API keys out of this run (a configuration without \`apiKeys:\`, or --target on other resources).`,
    { code: 'api_key_token_refused', calls: calls.map((c) => c.route) },
  );
}

/** The calls of the run the options describe. */
function callsOfRun(options: Pick<PreflightOptions, 'kinds' | 'plan' | 'live' | 'afterApply' | 'extraCalls'>): RouteCall[] {
  return callsOf({
    ...(options.kinds ? { kinds: options.kinds } : {}),
    ...(options.plan ? { steps: options.plan.steps } : {}),
    ...(options.live ? { live: options.live } : {}),
    ...(options.afterApply ? { afterApply: options.afterApply } : {}),
    ...(options.extraCalls ? { extraCalls: options.extraCalls } : {}),
  });
}

/**
 * Runs the preflight. Resolves with what was checked; throws `AuthError` (exit 4) when the token lacks a
 * privilege the run needs, or is an API key and the run reads or manages API keys. `ApiError` 401 when
 * the token itself is refused.
 *
 * @example
 * // before reading
 * const pre = await runPreflight({ client, token, command: 'plan', kinds: kindsToRead(managed, { canReadApiKeys: true }) });
 * // before writing (after planning), reusing the answer
 * await runPreflight({ client, token, command: 'apply', plan, live, afterApply, held: pre.held });
 */
export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  if (options.skip === true) return { skipped: true, held: [], needed: [], missing: [] };
  const held = options.held ?? (await fetchTokenPrivileges(options.client, options.token));
  const tokenKind = options.tokenKind === undefined || options.tokenKind === 'auto' ? detectTokenKind(options.token, held) : options.tokenKind;
  const calls = callsOfRun(options);
  if (tokenKind === 'apiKey') {
    const refused = callsRefusingApiKeys(calls);
    if (refused.length > 0) throw refusalOfApiKeyToken(refused, options);
  }
  const needed = privilegesOfCalls(calls);
  const missing = findMissing(needed, held);
  if (missing.length > 0) {
    const command = options.command ?? 'run';
    const stopped = options.plan ? 'nothing was changed' : 'nothing was read';
    const lines = describeMissing(missing, tokenKind).map((l) => `  - ${l}`);
    throw new AuthError(
      `The access token lacks ${missing.length} privilege${missing.length === 1 ? '' : 's'} this ${command} needs; ${stopped}.\n${lines.join('\n')}\n` +
        '`coveo-sync verify` lists every privilege the configuration needs; --skip-preflight runs without this check.',
      { code: 'privileges_missing', missing: missing.map((m) => ({ owner: m.owner, targetDomain: m.targetDomain, ...(m.type ? { type: m.type } : {}), ...(m.targetId ? { targetId: m.targetId } : {}) })) },
    );
  }
  return { skipped: false, tokenKind, held, needed, missing };
}

/**
 * The same comparison without throwing, for `plan` (which only reads) to warn about what its apply would
 * lack, and for `verify` to report it.
 */
export function checkPlanPrivileges(options: Omit<PreflightOptions, 'client' | 'skip'> & { readonly held: readonly HeldPrivilege[] }): {
  readonly needed: NeededPrivilege[];
  readonly missing: NeededPrivilege[];
  readonly refusedForApiKey: RouteCall[];
  readonly tokenKind: TokenKind;
} {
  const tokenKind = options.tokenKind === undefined || options.tokenKind === 'auto' ? detectTokenKind(options.token, options.held) : options.tokenKind;
  const calls = callsOfRun(options);
  const needed = privilegesOfCalls(calls);
  return { needed, missing: findMissing(needed, options.held), refusedForApiKey: tokenKind === 'apiKey' ? callsRefusingApiKeys(calls) : [], tokenKind };
}
