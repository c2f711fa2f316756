/** `plan` and `drift` (design §3, §4): read, diff, render; `--out` saves the plan for `apply FILE`. */
import { formatIssue } from '../../config/format.js';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { EXIT, UsageError, type ExitCode } from '../../errors.js';
import { serializePlanFile } from '../../core/plan-file.js';
import { getPlan, managedKindsOf, type PlanContext } from '../../plan/get-plan.js';
import { applyPrivilegeWarnings, checkBeforeReading, withWarnings } from '../checks.js';
import { newSalt } from '../../plan/hashing.js';
import type { OutputFormat } from '../../render/index.js';
import { connect, resolveOrganization } from '../connection.js';
import type { GlobalFlags } from '../main.js';
import { loadInputs, planInputOf, validateTargets, type ConfigFlags } from '../inputs.js';
import { renderWidth, shouldUseColor, type CliIo } from '../io.js';
import { startReadProgress } from '../progress.js';
import { debugLogger } from '../debug.js';

export interface PlanFlags extends ConfigFlags {
  readonly format: OutputFormat;
  readonly target: readonly string[];
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  readonly prune?: boolean;
  readonly allowMassDelete?: boolean;
  readonly parallelism?: number;
  readonly skipPreflight?: boolean;
}

/** Whether drift found anything: changes, undeclared live resources, or key status problems. */
export function hasDrift(ctx: PlanContext): boolean {
  return ctx.outcome.plan.steps.length > 0 || ctx.outcome.plan.undeclared.length > 0 || ctx.live.apiKeys?.some((k) => k.status !== undefined) === true;
}

/** `--out` is checked before the organization is read, so a wrong path fails fast and clearly (exit 3). */
function checkOutPath(path: string, shown: string): void {
  if (existsSync(path) && !statSync(path).isFile()) throw new UsageError(`--out ${shown}: not a file (a directory?); give the path of the plan file to write.`, 'out_invalid');
  const parent = dirname(path);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(`--out ${shown}: the folder ${dirname(shown)} does not exist.`, 'out_invalid');
}

export async function runPlan(command: 'plan' | 'drift', flags: PlanFlags, g: GlobalFlags, io: CliIo): Promise<ExitCode> {
  validateTargets(flags.target);
  if (flags.out) checkOutPath(resolve(io.cwd, flags.out), flags.out);
  const salt = newSalt();
  const loaded = await loadInputs(flags, io, salt);
  const organizationId = resolveOrganization(g, io, loaded.organization);
  const conn = connect({ ...g, ...(flags.parallelism ? { parallelism: flags.parallelism } : {}) }, io, organizationId, debugLogger(io, g.debug === true));
  for (const w of loaded.warnings) io.stderr.write(`${formatIssue(w, io.cwd)}\n`);
  const input = planInputOf(loaded, organizationId, command === 'drift' ? { target: flags.target } : flags, salt);
  const checked = checkBeforeReading(conn, managedKindsOf(input), command === 'plan' ? loaded : undefined, io, { command, skip: flags.skipPreflight === true });
  // The renderers are needed once the organization is read: they load while the first requests are out.
  const renderers = import('../../render/index.js');
  renderers.catch(() => undefined);
  const { read, configWarnings } = await checked;
  const progress = startReadProgress(io, g.color !== false);
  let ctx: PlanContext;
  try {
    ctx = await getPlan(conn.client, { ...input, canReadApiKeys: read.canReadApiKeys }, progress.onProgress);
  } finally {
    progress.stop();
  }
  if (command === 'plan') ctx = withWarnings(ctx, [...configWarnings, ...applyPrivilegeWarnings(conn, read, ctx)]);
  const plan = ctx.outcome.plan;
  const color = shouldUseColor(io, g.color === false);
  const { renderDrift, renderPlan } = await renderers;
  if (command === 'drift') {
    io.stdout.write(renderDrift(flags.format, plan, { color, live: ctx.live, unmanaged: ctx.unmanaged, ...renderWidth(io) }));
    return hasDrift(ctx) ? EXIT.changes : EXIT.ok;
  }
  io.stdout.write(renderPlan(flags.format, plan, { color, ...renderWidth(io) }));
  if (flags.out) {
    const out = resolve(io.cwd, flags.out);
    writeFileSync(out, serializePlanFile(plan), { mode: 0o600 });
    // `mode` applies only when the file is created: an older plan file keeps its mode otherwise.
    chmodSync(out, 0o600);
    io.stderr.write(`Saved the plan to ${flags.out}; apply it exactly with \`coveo-sync apply ${flags.out}\`.\n`);
  }
  return flags.detailedExitcode && plan.steps.length > 0 ? EXIT.changes : EXIT.ok;
}
