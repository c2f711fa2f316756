/**
 * `apply` (design §5, issue 6): plan from the files (or take a saved plan and prove it is not stale),
 * show it, ask, then apply in waves; new API key values go to the secrets sink and nowhere else.
 */
import { formatIssue } from '../../config/format.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPlan, type AfterApply, type ApplyResult, type LiveIndex } from '../../apply/apply-plan.js';
import { openJournal, readJournal } from '../../apply/journal.js';
import { acquireApplyLock, defaultLockDir } from '../../apply/lock.js';
import { interruptedKeys, recoverInterruptedKeys } from '../../apply/recover.js';
import { envNameOf, openSecretsFile, type SecretsSink } from '../../apply/secrets-sink.js';
import { isPlainObject } from '../../core/json.js';
import { parsePlanFile } from '../../core/plan-file.js';
import { isSecretJson, Secret } from '../../core/secret.js';
import { buildLiveState } from '../../core/state.js';
import type { Plan, PlanStep } from '../../core/types.js';
import { AbortError, ApplyFailedError, EXIT, PlanStaleError, UsageError, type ExitCode } from '../../errors.js';
import { OPS, SPECS } from '../../kinds/registry.js';
import { adoptionsOfPlan, applyAdoptions } from '../../export/adopt.js';
import { getPlan, managedKindsOf } from '../../plan/get-plan.js';
import { checkBeforeReading, preflightReads, preflightWrites, withWarnings, type ReadCheck } from '../checks.js';
import { fingerprintSecret, hashText, newSalt } from '../../plan/hashing.js';
import { indexLive, kindsToRead, readLive } from '../../plan/read-live.js';
import { renderPlan } from '../../render/index.js';
import { connect, resolveOrganization, type Connection } from '../connection.js';
import { debugLogger } from '../debug.js';
import { loadInputs, planInputOf, validateTargets, type ConfigFlags } from '../inputs.js';
import { isInteractive, renderWidth, shouldUseColor, type CliIo } from '../io.js';
import type { GlobalFlags } from '../main.js';
import { describeStep, listrApplyEvents, plainApplyEvents, startReadProgress } from '../progress.js';

export interface ApplyFlags extends ConfigFlags {
  readonly autoApprove?: boolean;
  readonly prune?: boolean;
  readonly allowMassDelete?: boolean;
  readonly target: readonly string[];
  readonly secretsOut?: string;
  readonly force?: boolean;
  readonly afterApply: AfterApply;
  readonly parallelism?: number;
  readonly keepReplacedKeys?: boolean;
  readonly resume?: boolean;
  readonly progress?: boolean;
  readonly format: 'text' | 'json';
  readonly skipPreflight?: boolean;
}

export const STATE_DIR = '.coveo-sync';

/** Takes the apply lock of an organization (see apply/lock.ts); released when `runApply` ends, however it ends. */
type TakeLock = (organizationId: string, platformUrl: string) => void;

export async function runApply(planFile: string | undefined, flags: ApplyFlags, g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  const releases: (() => void)[] = [];
  const lock: TakeLock = (organizationId, platformUrl) => {
    releases.push(acquireApplyLock({ stateDir: join(io.cwd, STATE_DIR), lockDir: defaultLockDir(io.env), organizationId, platformUrl, cwd: io.cwd, now: io.now ?? (() => new Date()) }));
  };
  try {
    return await runApplyLocked(planFile, flags, g, io, lock);
  } finally {
    for (const release of releases) release();
  }
}

/**
 * The apply itself. The lock is taken as soon as the organization is known, before anything is read: a
 * plan made while another apply writes would be stale by the time it is applied.
 */
async function runApplyLocked(planFile: string | undefined, flags: ApplyFlags, g: GlobalFlags, io: CliIo, lock: TakeLock): Promise<ExitCode> {
  validateTargets(flags.target);
  if (planFile !== undefined && (flags.config.length > 0 || flags.target.length > 0 || flags.prune || flags.resume)) {
    throw new UsageError('A saved plan is applied exactly as it was reviewed: do not combine PLAN_FILE with -c, --target, --prune or --resume.', 'usage_invalid');
  }
  const now = io.now ?? (() => new Date());
  const stateDir = join(io.cwd, STATE_DIR);
  const journalPath = join(stateDir, 'journal.jsonl');
  const color = shouldUseColor(io, g.color === false);
  const parallelism = flags.parallelism ?? 8;
  const run = `${now().toISOString()}-${process.pid}`;

  // 1. The plan and what it was made from.
  let plan: Plan;
  let live: LiveIndex;
  let organizationId: string;
  let conn: Connection;
  let read: ReadCheck;
  const skip = flags.skipPreflight === true;
  const connFlags = { ...g, ...(flags.parallelism ? { parallelism: flags.parallelism } : {}) };
  const progress = startReadProgress(io, g.color !== false);
  try {
    if (planFile !== undefined) {
      const path = resolve(io.cwd, planFile);
      plan = parsePlanFile(readPlanText(path, planFile), planFile);
      // --org, then COVEO_ORGANIZATION_ID, then the plan's own: a pipeline pointed at another org must not apply it there.
      organizationId = resolveOrganization(g, io, plan.basis.organizationId);
      if (organizationId !== plan.basis.organizationId) {
        throw new UsageError(`${planFile} was made for organization ${plan.basis.organizationId}, not ${organizationId}; plan again against this organization.`, 'plan_other_org');
      }
      plan = rehydrateSecrets(plan, io, planFile);
      conn = connect(connFlags, io, organizationId, debugLogger(io, g.debug === true));
      lock(organizationId, conn.baseUrl);
      read = await preflightReads(conn, plan.basis.kinds, { command: 'apply', skip });
      live = await checkNotStale(conn.client, plan, read.canReadApiKeys, progress.onProgress);
    } else {
      const salt = newSalt();
      const loaded = await loadInputs(flags, io, salt);
      organizationId = resolveOrganization(g, io, loaded.organization);
      conn = connect(connFlags, io, organizationId, debugLogger(io, g.debug === true));
      lock(organizationId, conn.baseUrl);
      for (const w of loaded.warnings) io.stderr.write(`${formatIssue(w, io.cwd)}\n`);
      const input = planInputOf(loaded, organizationId, flags, salt, {});
      // The token is checked before anything is read or written, the recovery below included.
      const checked = await checkBeforeReading(conn, managedKindsOf(input), loaded, io, { command: 'apply', skip });
      read = checked.read;
      // API keys an interrupted apply created or replaced without finishing (recover.ts).
      if (flags.resume) {
        const journal = openJournal(journalPath, run, organizationId, now);
        const replacedKeys = flags.keepReplacedKeys ? 'disable' : 'delete';
        await recoverInterruptedKeys({ client: conn.client, entries: readJournal(journalPath), organizationId, journal, replacedKeys, log: (line) => io.stderr.write(`${line}\n`) });
      } else {
        const unfinished = interruptedKeys(readJournal(journalPath), organizationId).map((k) => k.name);
        if (unfinished.length > 0) io.stderr.write(`warning: an interrupted apply did not finish writing API key(s) ${unfinished.join(', ')}; run \`coveo-sync apply --resume\` from this folder to replace any whose value was not saved.\n`);
      }
      const configWarnings = checked.configWarnings;
      const ctx = withWarnings(await getPlan(conn.client, { ...input, canReadApiKeys: read.canReadApiKeys }, progress.onProgress), configWarnings);
      plan = ctx.outcome.plan;
      live = ctx.liveIndex;
    }
  } finally {
    progress.stop();
  }

  if (plan.steps.length === 0) {
    if (flags.format === 'json') io.stdout.write(`${JSON.stringify({ version: 1, status: 'no_changes' }, null, 2)}\n`);
    else io.stdout.write('No changes. The organization matches the configuration.\n');
    return EXIT.ok;
  }

  // 2. Everything that could refuse, before any write.
  await preflightWrites(conn, read, plan, live, flags.afterApply);
  const makesKeys = plan.steps.some((s) => s.kind === 'apiKeys' && (s.action === 'create' || s.action === 'replace'));
  let secrets: SecretsSink | undefined;
  if (makesKeys) {
    if (!flags.secretsOut) {
      throw new UsageError(
        'This apply creates API keys, whose values Coveo returns only once: pass --secrets-out FILE (JSON, or dotenv for *.env) or --secrets-out - (stdout). Nothing was changed.',
        'secrets_out_required',
      );
    }
    if (flags.secretsOut === '-' && flags.format === 'json') {
      throw new UsageError('--secrets-out - prints dotenv lines on stdout, where --format json writes one JSON document: pass --secrets-out FILE instead. Nothing was changed.', 'secrets_out_invalid');
    }
    secrets = flags.secretsOut === '-' ? stdoutSink(io) : openSecretsFile(resolve(io.cwd, flags.secretsOut), { force: flags.force === true, resume: flags.resume === true });
  }
  if (flags.format === 'text') io.stdout.write(renderPlan('text', plan, { color, ...renderWidth(io) }));
  await confirm(plan, flags, io);
  // Time passed at the prompt, and an apply from another machine (which no lock here can see) may have
  // written meanwhile: check again that what the plan was made from is still what is live.
  if (!flags.autoApprove) live = await checkNotStale(conn.client, plan, read.canReadApiKeys, undefined);

  // 3. Apply (the lock is held since the organization was known).
  const journal = openJournal(journalPath, run, organizationId, now);
  const useListr = flags.progress !== false && isInteractive(io) && g.color !== false && flags.format === 'text';
  const listr = useListr ? listrApplyEvents(io) : undefined;
  const result: ApplyResult = await applyPlan(plan.steps, {
    ops: OPS,
    client: conn.client,
    live,
    parallelism,
    afterApply: flags.afterApply,
    replacedKeys: flags.keepReplacedKeys ? 'disable' : 'delete',
    events: listr ? listr.sink : plainApplyEvents(io),
    ...(secrets ? { secrets } : {}),
    journal,
    fingerprint: (value) => {
      const salt = newSalt();
      return { salt, hash: fingerprintSecret(value, salt) };
    },
    matchesFingerprint: (value, stored) => fingerprintSecret(value, stored.salt) === stored.hash,
    now: () => now().getTime(),
  });
  await listr?.done;

  // 4. Report.
  const failure = result.ok
    ? undefined
    : new ApplyFailedError(
        `Apply incomplete: ${result.summary.failed} failed, ${result.summary.skipped} skipped. What was done stays done; fix the cause and run apply again (it plans from what is live now), or \`coveo-sync apply --resume\`.`,
        result,
      );
  if (flags.format === 'json') {
    // The same `error` object as every other failure with --format json (main.ts), plus the result.
    const error = failure ? { error: { code: failure.code, message: failure.message, exitCode: EXIT.failure } } : {};
    io.stdout.write(`${JSON.stringify({ version: 1, status: failure ? 'error' : 'ok', ...error, result }, null, 2)}\n`);
  } else io.stdout.write(renderApplyResult(result));
  if (secrets && result.secretsWritten.length > 0 && flags.secretsOut !== '-') io.stderr.write(`New API key values were written to ${secrets.description} (mode 0600).\n`);
  if (failure) throw failure;
  return EXIT.ok;
}

/** Far above any real plan: a larger file is the wrong file (and reading it whole could exhaust memory). */
const MAX_PLAN_FILE_BYTES = 64 * 1024 * 1024;

/** The text of a saved plan. A directory, a device (`/dev/zero` reads forever) or a huge file is refused before reading. */
function readPlanText(path: string, shown: string): string {
  if (!existsSync(path)) throw new UsageError(`${shown}: no such plan file.`, 'plan_file_invalid');
  const info = statSync(path);
  if (!info.isFile()) {
    throw new UsageError(`${shown}: ${info.isDirectory() ? 'a directory' : 'not a regular file'}, not a plan file; pass the file \`coveo-sync plan --out FILE\` wrote.`, 'plan_file_invalid');
  }
  if (info.size > MAX_PLAN_FILE_BYTES) {
    throw new UsageError(`${shown}: ${(info.size / 1024 / 1024).toFixed(0)} MB, far larger than a plan file; is it the right file?`, 'plan_file_invalid');
  }
  return readFileSync(path, 'utf8');
}

export function renderApplyResult(result: ApplyResult): string {
  const s = result.summary;
  const lines: string[] = [];
  for (const r of result.steps.filter((x) => x.status !== 'applied')) lines.push(`  ${r.status === 'failed' ? '✗' : '○'} ${r.address} (${r.action}): ${r.status} — ${r.error ?? ''}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  if (result.afterApply.sources.length > 0) lines.push(`${result.afterApply.mode === 'rebuild' ? 'Rebuilt' : 'Applied changes on'} ${result.afterApply.sources.length} source(s).`);
  const head = result.ok ? 'Apply complete' : 'Apply incomplete';
  lines.push(`${head}: ${s.added} added, ${s.changed} changed, ${s.replaced} replaced, ${s.destroyed} destroyed${result.ok ? '' : `, ${s.failed} failed, ${s.skipped} skipped`}.`);
  return `${lines.join('\n')}\n`;
}

/** Design §3: ask on a TTY (destructive and security steps first); refuse without one. */
async function confirm(plan: Plan, flags: ApplyFlags, io: CliIo): Promise<void> {
  if (flags.autoApprove) return;
  if (!io.stdinIsTTY || !io.ask) {
    throw new UsageError('apply needs a confirmation and there is no terminal to ask on: review the plan, then run again with --auto-approve. Nothing was changed.', 'approval_required');
  }
  const risky = plan.steps.filter((s) => s.risk !== 'safe');
  if (risky.length > 0) {
    io.stderr.write('\nThese steps need your attention:\n');
    for (const s of risky) io.stderr.write(`  ${s.risk === 'security' ? '[security]' : '[destructive]'} ${s.action} ${describeStep(s)}${s.notes.length ? ` — ${s.notes.join('; ')}` : ''}\n`);
  }
  const deletes = plan.steps.filter((s) => s.action === 'delete').length;
  const word = deletes > 0 ? 'delete' : 'yes';
  const answer = (await io.ask(deletes > 0 ? `\nThis apply DELETES ${deletes} resource(s). Type "delete" to go on: ` : '\nApply these changes? Type "yes" to go on: ')).trim();
  if (answer !== word) throw new AbortError('Apply cancelled; nothing was changed.');
}

/** `--secrets-out -`: dotenv lines on stdout, only because the user asked for it explicitly. */
function stdoutSink(io: CliIo): SecretsSink {
  return {
    description: 'stdout',
    write(name, remoteId, value) {
      io.stdout.write(`# ${name} (${remoteId})\n${envNameOf(name)}=${value}\n`);
    },
  };
}

/** A saved plan holds secret fingerprints, not values: read each value again and check it is the same. */
function rehydrateSecrets(plan: Plan, io: CliIo, source: string): Plan {
  const walk = (v: unknown): unknown => {
    if (isSecretJson(v)) {
      const { ref, fingerprint } = v.$secret;
      const name = ref.startsWith('env:') ? ref.slice(4) : undefined;
      const value = name === undefined ? undefined : io.env[name];
      if (value === undefined) throw new UsageError(`${source} needs the environment variable ${name ?? ref}; set it as it was when the plan was made.`, 'secret_missing');
      if (fingerprintSecret(value, plan.basis.salt) !== fingerprint) {
        throw new PlanStaleError(`The value of ${name ?? ref} changed since ${source} was made; plan again.`, { ref });
      }
      return new Secret(ref, value, fingerprint);
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { ...plan, steps: plan.steps.map((s) => walk(s) as PlanStep) };
}

/**
 * Re-reads exactly what the plan was made from and refuses when anything changed (design §4), so the
 * change that was reviewed is the change that is made, and a create plan applied twice cannot duplicate.
 */
async function checkNotStale(client: Parameters<typeof readLive>[0], plan: Plan, canReadApiKeys: boolean, onProgress: Parameters<typeof readLive>[3]): Promise<LiveIndex> {
  const read = await readLive(client, OPS, kindsToRead(plan.basis.kinds, { canReadApiKeys }), onProgress);
  // Keys the plan adopts were marked in memory when it was made; mark them again so their etags compare.
  const dtos = applyAdoptions(read, adoptionsOfPlan(plan, read));
  const { live } = buildLiveState(dtos, SPECS, hashText);
  const changed: string[] = [];
  const now = new Map<string, string>();
  for (const kind of plan.basis.kinds) for (const l of live[kind] ?? []) now.set(`${kind}/${l.key}`, l.etag);
  for (const [address, etag] of Object.entries(plan.basis.live)) if (now.get(address) !== etag) changed.push(address);
  for (const address of now.keys()) if (!(address in plan.basis.live)) changed.push(address);
  if (changed.length > 0) {
    const shown = changed.sort().slice(0, 10).join(', ');
    throw new PlanStaleError(`The plan is stale: ${changed.length} object(s) changed in the organization since it was made (${shown}${changed.length > 10 ? ', …' : ''}). Run \`coveo-sync plan --out\` again and review the new plan.`, {
      changed: changed.length,
    });
  }
  return indexLive(dtos, live, SPECS);
}
