/**
 * The text renderer (design §3, issue 5): a Terraform-like plan for terminals and CI logs, and the same
 * data read as drift. Pure: returns a string; only the CLI writes it out.
 */
import { RESOURCE_KINDS, addressOf, type Plan, type PlanStep, type ResourceKind } from '../core/types.js';
import { painterFor, type Painter } from './ansi.js';
import { collectDrift, driftSummaryLine, type DriftInput, type DriftReport } from './drift.js';
import { REDACTED } from '../core/secret.js';
import { NOT_SET, sanitizeText } from './format-value.js';
import { SYMBOL_LEGEND, SYMBOLS, addressText, kindHeading, kindSingular, shownChanges, viewOfStep, type StepView } from './step-view.js';

export interface TextOptions {
  /** ANSI colour (the CLI decides: TTY, no CI, no NO_COLOR). */
  readonly color: boolean;
  /** Terminal width; long values are cut to fit. Default 100. */
  readonly width?: number;
}

export const NO_CHANGES_LINE = 'No changes. The organization matches the configuration.';

/** `Plan: 3 to add, 2 to change, 1 to replace, 0 to destroy.` */
export function planSummaryLine(plan: Plan): string {
  const s = plan.summary;
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`;
}

/** Steps grouped by kind (in apply order of kinds), each group in plan order. */
export function groupByKind<T extends { readonly kind: ResourceKind }>(items: readonly T[]): [ResourceKind, T[]][] {
  const groups = new Map<ResourceKind, T[]>();
  for (const k of RESOURCE_KINDS) groups.set(k, []);
  for (const it of items) groups.get(it.kind)?.push(it);
  return [...groups.entries()].filter(([, v]) => v.length > 0);
}

function paintSymbol(p: Painter, action: PlanStep['action'], text: string): string {
  switch (action) {
    case 'create':
      return p.green(text);
    case 'update':
      return p.yellow(text);
    case 'replace':
      return p.magenta(text);
    case 'delete':
      return p.red(text);
  }
}

function paintSign(p: Painter, sign: '+' | '-' | '~', text: string): string {
  return sign === '+' ? p.green(text) : sign === '-' ? p.red(text) : p.yellow(text);
}

function riskTag(p: Painter, step: PlanStep): string {
  if (step.risk === 'security') return ` ${p.bold(p.yellow('[security]'))}`;
  if (step.risk === 'destructive') return ` ${p.red('[destructive]')}`;
  return '';
}

/** The lines of one step, in the `+ ~ -/+ -` layout. */
export function stepTextLines(view: StepView, p: Painter, width = 100): string[] {
  const { step } = view;
  const lines = [`${' '.repeat(3 - view.symbol.length)}${paintSymbol(p, step.action, view.symbol)} ${p.bold(view.subject)} ${view.verb}${riskTag(p, step)}`];
  for (const c of view.comments) lines.push(p.dim(`      # ${c}`));
  for (const l of view.lines) {
    const sign = paintSign(p, l.sign, l.sign);
    if (l.sign !== '~') {
      lines.push(`      ${sign} ${l.path}: ${l.sign === '+' ? (l.to ?? NOT_SET) : (l.from ?? NOT_SET)}`);
      continue;
    }
    const from = l.from ?? NOT_SET;
    const to = l.to ?? NOT_SET;
    const oneLine = `      ${l.sign} ${l.path}: ${from} → ${to}`;
    if (oneLine.length <= width) lines.push(`      ${sign} ${l.path}: ${from} → ${to}`);
    else lines.push(`      ${sign} ${l.path}:`, `          ${p.red('-')} ${from}`, `          ${p.green('+')} ${to}`);
  }
  return lines;
}

function warningLines(plan: Pick<Plan, 'warnings'>, p: Painter): string[] {
  if (plan.warnings.length === 0) return [];
  return ['', p.yellow(p.bold('Warnings:')), ...plan.warnings.map((w) => `  ${p.yellow('!')} ${sanitizeText(w.message)}`)];
}

/** Undeclared live resources that this plan leaves alone (no prune). */
function untouchedUndeclared(plan: Plan): number {
  const deleted = new Set(plan.steps.filter((s) => s.action === 'delete').map((s) => addressOf(s.kind, s.id)));
  return plan.undeclared.filter((u) => !deleted.has(addressOf(u.kind, u.id))).length;
}

/**
 * Renders a plan for people: one block per step, grouped by kind, with field-level changes, `(sensitive)`
 * for secrets, `(known after apply)` for ids of resources the same apply creates, the warnings, and the
 * summary line. Ends with a newline.
 */
export function renderPlanText(plan: Plan, options: TextOptions): string {
  const p = painterFor(options.color);
  const width = options.width ?? 100;
  const out: string[] = [];
  const left = untouchedUndeclared(plan);
  const note =
    left > 0
      ? [`${p.dim('Note:')} ${left} live resource${left === 1 ? ' is' : 's are'} not declared in the files and ${left === 1 ? 'is' : 'are'} left alone (\`coveo-sync drift\` lists them; --prune deletes them).`]
      : [];
  if (plan.steps.length === 0) {
    out.push(...note, ...warningLines(plan, p));
    if (out.length > 0) out.push('');
    out.push(p.bold(NO_CHANGES_LINE));
    return `${out.join('\n')}\n`;
  }
  out.push(`coveo-sync will make these changes in organization ${sanitizeText(JSON.stringify(plan.basis.organizationId))}:`);
  const used = (['create', 'update', 'replace', 'delete'] as const).filter((a) => plan.steps.some((s) => s.action === a));
  out.push(`  ${used.map((a) => `${paintSymbol(p, a, SYMBOLS[a])} ${SYMBOL_LEGEND[a]}`).join('   ')}`);
  for (const [kind, steps] of groupByKind(plan.steps)) {
    out.push('', p.bold(p.cyan(kindHeading(kind))));
    for (const s of steps) out.push('', ...stepTextLines(viewOfStep(s, { width }), p, width));
  }
  if (note.length > 0) out.push('', ...note);
  out.push(...warningLines(plan, p), '', p.bold(planSummaryLine(plan)));
  return `${out.join('\n')}\n`;
}

/** `path: files say X, Coveo has Y` for each field change of a drifted resource (on three lines when long). */
export function driftChangeLines(step: DriftReport['changed'][number], width: number): string[] {
  return shownChanges(step, width, { showPending: false }).flatMap((c, i) => {
    if (step.changes[i]?.isSensitive === true) return [`${c.path}: ${REDACTED} — the files hold a different value than the last apply sent`];
    const line = `${c.path}: files say ${c.to ?? NOT_SET}, Coveo has ${c.from ?? NOT_SET}`;
    if (line.length + 6 <= width) return [line];
    return [`${c.path}:`, `    files say ${c.to ?? NOT_SET}`, `    Coveo has ${c.from ?? NOT_SET}`];
  });
}

/**
 * Renders drift for people: what differs in Coveo from the files, what the files declare that Coveo
 * lacks, live resources the files do not declare, and status problems (expired or exposed API keys).
 */
export function renderDriftText(plan: Plan, options: TextOptions & DriftInput): string {
  return renderDriftReportText(collectDrift(plan, options), options);
}

/** As renderDriftText, from a report already collected. */
export function renderDriftReportText(d: DriftReport, options: TextOptions): string {
  const p = painterFor(options.color);
  const width = options.width ?? 100;
  const out: string[] = [];
  const subject = (kind: ResourceKind, id: string): string => p.bold(`${kindSingular(kind)} ${sanitizeText(JSON.stringify(id))}`);
  if (d.hasDrift) out.push(`Drift in organization ${sanitizeText(JSON.stringify(d.organizationId))}: what differs in Coveo from the files.`);
  if (d.changed.length > 0) {
    out.push('', p.bold(p.cyan('Changed in Coveo (live differs from the files)')));
    for (const s of d.changed) {
      const why = s.action === 'replace' ? p.dim(` (apply replaces it: ${sanitizeText(s.reason)})`) : '';
      out.push(`  ${p.yellow('~')} ${subject(s.kind, s.id)}${why}`);
      for (const l of driftChangeLines(s, width)) out.push(`      ${l}`);
    }
  }
  if (d.missing.length > 0) {
    out.push('', p.bold(p.cyan('Declared in the files but missing in Coveo')));
    for (const s of d.missing) out.push(`  ${p.green('+')} ${subject(s.kind, s.id)}`);
  }
  if (d.undeclared.length > 0) {
    out.push('', p.bold(p.cyan('In Coveo but not in the files')));
    for (const u of d.undeclared) {
      const pruned = d.pruned.has(addressOf(u.kind, u.id)) ? p.dim(' (prune is on: apply deletes it)') : '';
      out.push(`  ${p.red('-')} ${addressText(u.kind, u.id)} ${p.dim(`(id ${sanitizeText(u.remoteId)})`)}${pruned}`);
    }
  }
  if (d.statusProblems.length > 0) {
    out.push('', p.bold(p.cyan('Status problems reported by Coveo')));
    for (const s of d.statusProblems) out.push(`  ${p.yellow('!')} ${subject(s.kind, s.id)} ${p.dim(`(id ${sanitizeText(s.remoteId)})`)}: ${sanitizeText(s.status)} — ${s.message}`);
  }
  if (d.unmanaged.length > 0) {
    const n = d.unmanaged.length;
    out.push('', p.dim(`${n} live object${n === 1 ? '' : 's'} without the coveo-sync marker ${n === 1 ? 'was' : 'were'} left alone (not managed by these files).`));
  }
  out.push(...warningLines(d, p));
  if (out.length > 0) out.push('');
  out.push(p.bold(driftSummaryLine(d)));
  return `${out.join('\n')}\n`;
}
