/**
 * The markdown renderer, for a pull-request comment (issue 5): heading, summary table, destructive and
 * security changes first, folded details per kind in `diff` blocks, warnings; and a hard size cap under
 * GitHub's 65,536-character comment limit, with a note of what was left out.
 *
 * Everything that comes from data is escaped (HTML and markdown) or put in code, so a resource name can
 * neither break the layout nor inject markup into the comment. Steps past the cap are never rendered, so
 * the cost stays linear in what is shown.
 */
import { addressOf, RESOURCE_KINDS, type Plan, type PlanStep, type ResourceKind } from '../core/types.js';
import { collectDrift, driftSummaryLine, type DriftInput, type DriftReport } from './drift.js';
import { sanitizeText, NOT_SET } from './format-value.js';
import { NO_CHANGES_LINE, groupByKind, planSummaryLine } from './human.js';
import { REDACTED } from '../core/secret.js';
import { commentsOf, kindHeading, kindSingular, riskLabel, shownChanges, viewOfStep, type StepView } from './step-view.js';

/** Stay under GitHub's 65,536-character limit for a comment, with room for a CI wrapper. */
export const DEFAULT_MAX_CHARS = 65_000;

export interface MarkdownOptions {
  /** Heading of the comment (markdown). Default `coveo-sync plan for \`ORG\`` (or `drift`). */
  readonly title?: string;
  /** Hard cap on the length of the output. Default 65,000. */
  readonly maxChars?: number;
  /** Line width used to cut long values inside the diff blocks. Default 140. */
  readonly width?: number;
}

/** Escapes text for markdown outside code: HTML characters become entities, markdown punctuation is backslashed. */
export function escapeMarkdown(s: string): string {
  return sanitizeText(s)
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1');
}

/** Inline code that holds any text: the fence is longer than the longest run of backticks inside. */
export function inlineCode(s: string): string {
  const text = sanitizeText(s).replace(/[\r\n]+/g, ' ');
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const ACTION_WORD: { readonly [A in PlanStep['action']]: string } = { create: 'create', update: 'update', replace: 'replace', delete: 'delete' };

/**
 * The lines of a step inside a `diff` block. Every line starts with a sign or `#`, never with spaces or
 * backticks, so no content can close the fence.
 */
export function stepDiffLines(view: StepView): string[] {
  const risk = riskLabel(view.step.risk);
  const lines = [`${view.symbol === '~' ? '!' : view.symbol} ${view.subject} ${view.verb}${risk ? ` [${risk}]` : ''}`];
  for (const c of view.comments) lines.push(`#     ${c}`);
  for (const l of view.lines) {
    if (l.sign !== '+') lines.push(`-     ${l.path}: ${l.from ?? NOT_SET}`);
    if (l.sign !== '-') lines.push(`+     ${l.path}: ${l.to ?? NOT_SET}`);
  }
  return lines;
}

/** A block of the comment whose units are added while they fit; rendered lazily. */
interface Section {
  readonly open: string;
  readonly close: string;
  readonly count: number;
  unit(i: number): string;
}

interface Written {
  readonly text: string;
  /** Units left out, per section. */
  readonly omitted: readonly number[];
}

/** Adds sections unit by unit while the total stays within `budget`; the rest is counted, not rendered. */
function writeSections(sections: readonly Section[], budget: number): Written {
  const parts: string[] = [];
  const omitted: number[] = [];
  let used = 0;
  let isFull = false;
  for (const s of sections) {
    let shown = 0;
    if (!isFull) {
      for (let i = 0; i < s.count; i++) {
        const unit = s.unit(i);
        const cost = unit.length + (i === 0 ? s.open.length + s.close.length : 0);
        if (used + cost > budget) {
          isFull = true;
          break;
        }
        if (i === 0) parts.push(s.open);
        parts.push(unit);
        used += cost;
        shown++;
      }
      if (shown > 0) parts.push(s.close);
    }
    omitted.push(s.count - shown);
  }
  return { text: parts.join(''), omitted };
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), `|---|${header.slice(1).map(() => '---:|').join('')}`, ...rows.map(line)].join('\n');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function cutNote(parts: readonly string[], command: string): string {
  return `\n> [!NOTE]\n> This comment was cut to stay under GitHub's size limit: ${parts.join('; ')}. Run \`${command}\` locally (or with \`--format json\`) to see everything.\n`;
}

/** Room kept for the cut note and the final newline. */
const NOTE_RESERVE = 600;

/** The opening of a folded block; `title` is fixed text, never data. */
function fold(title: string, count: number, body: string): string {
  return `\n<details><summary><b>${title}</b> (${count})</summary>\n\n${body}`;
}

function riskyLine(s: PlanStep): string {
  const label = s.risk === 'security' ? '🔐 **security**' : '🗑️ **destructive**';
  const comments = commentsOf(s);
  const why = comments.length > 0 ? ` — ${comments.map(escapeMarkdown).join('; ')}` : '';
  return `- ${label} · ${ACTION_WORD[s.action]} ${kindSingular(s.kind)} ${inlineCode(s.id)}${why}\n`;
}

function warningSection(warnings: Plan['warnings']): Section {
  return { open: '\n### Warnings\n\n', close: '', count: warnings.length, unit: (i) => `- ${escapeMarkdown(warnings[i]?.message ?? '')}\n` };
}

/**
 * Renders a plan as a pull-request comment, always shorter than `maxChars`. When the details do not
 * fit, the steps that fit are shown and a note says how many were left out.
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const width = options.width ?? 140;
  const title = options.title ?? `coveo-sync plan for ${inlineCode(plan.basis.organizationId)}`;
  const head: string[] = ['<!-- coveo-sync:plan -->', `## ${title}`, ''];
  if (plan.steps.length === 0) {
    head.push(`**${NO_CHANGES_LINE}**`, '');
  } else {
    head.push(`**${planSummaryLine(plan)}**`, '');
    const groups = groupByKind(plan.steps);
    const rows = groups.map(([kind, steps]) => [kindHeading(kind), ...(['create', 'update', 'replace', 'delete'] as const).map((a) => steps.filter((s) => s.action === a).length)]);
    const s = plan.summary;
    rows.push(['**Total**', `**${s.add}**`, `**${s.change}**`, `**${s.replace}**`, `**${s.destroy}**`]);
    head.push(table(['Kind', 'Add', 'Change', 'Replace', 'Destroy'], rows), '');
  }
  const deleted = new Set(plan.steps.filter((s) => s.action === 'delete').map((s) => addressOf(s.kind, s.id)));
  const left = plan.undeclared.filter((u) => !deleted.has(addressOf(u.kind, u.id))).length;
  if (left > 0) head.push(`${plural(left, 'live resource')} not declared in the files ${left === 1 ? 'is' : 'are'} left alone (\`coveo-sync drift\` lists them; \`--prune\` deletes them).`, '');
  let text = head.join('\n');
  const budget = maxChars - NOTE_RESERVE;

  const risky = plan.steps.filter((s) => s.risk !== 'safe');
  const riskyWritten = writeSections(
    [{ open: '\n### ⚠️ Destructive and security changes\n\n', close: '', count: risky.length, unit: (i) => riskyLine(risky[i] as PlanStep) }],
    Math.min(budget - text.length, Math.floor(maxChars * 0.4)),
  );
  text += riskyWritten.text;

  const warnings = writeSections([warningSection(plan.warnings)], Math.min(budget - text.length, Math.floor(maxChars * 0.15)));

  const groups = groupByKind(plan.steps);
  const detailSections: Section[] = groups.map(([kind, steps]) => {
    return { open: fold(kindHeading(kind), steps.length, '```diff\n'), close: '```\n\n</details>\n', count: steps.length, unit: (i) => `${i > 0 ? '\n' : ''}${stepDiffLines(viewOfStep(steps[i] as PlanStep, { width })).join('\n')}\n` };
  });
  const details = writeSections(detailSections, budget - text.length - warnings.text.length);
  text += details.text + warnings.text;

  const notes: string[] = [];
  const leftOutSteps = details.omitted.reduce((a, b) => a + b, 0);
  if (leftOutSteps > 0) notes.push(`${leftOutSteps} of ${plural(plan.steps.length, 'step')} are not shown in the details`);
  const leftOutRisky = riskyWritten.omitted[0] ?? 0;
  if (leftOutRisky > 0) notes.push(`${leftOutRisky} of ${risky.length} destructive or security steps are not listed`);
  const leftOutWarnings = warnings.omitted[0] ?? 0;
  if (leftOutWarnings > 0) notes.push(`${leftOutWarnings} of ${plural(plan.warnings.length, 'warning')} are not listed`);
  if (notes.length > 0) text += cutNote(notes, 'coveo-sync plan');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * Renders drift as a comment or an issue body: status problems first, then what changed in Coveo, what is
 * missing there, and what Coveo has that the files do not declare; capped like the plan.
 */
export function renderDriftMarkdown(plan: Plan, options: MarkdownOptions & DriftInput = {}): string {
  return renderDriftReportMarkdown(collectDrift(plan, options), options);
}

/** As renderDriftMarkdown, from a report already collected. */
export function renderDriftReportMarkdown(d: DriftReport, options: MarkdownOptions = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const width = options.width ?? 140;
  const title = options.title ?? `coveo-sync drift for ${inlineCode(d.organizationId)}`;
  const head: string[] = ['<!-- coveo-sync:drift -->', `## ${title}`, '', `**${driftSummaryLine(d)}**`, ''];
  if (d.hasDrift) {
    const count = (kind: ResourceKind, items: readonly { readonly kind: ResourceKind }[]): number => items.filter((x) => x.kind === kind).length;
    const rows = RESOURCE_KINDS.map((k) => [kindHeading(k), count(k, d.changed), count(k, d.missing), count(k, d.undeclared), count(k, d.statusProblems)]).filter((r) =>
      r.slice(1).some((n) => n !== 0),
    );
    head.push(table(['Kind', 'Changed in Coveo', 'Missing in Coveo', 'Not in the files', 'Status problems'], rows), '');
  }
  if (d.unmanaged.length > 0) head.push(`${plural(d.unmanaged.length, 'live object')} without the coveo-sync marker ${d.unmanaged.length === 1 ? 'was' : 'were'} left alone.`, '');
  let text = head.join('\n');
  const budget = maxChars - NOTE_RESERVE;

  const problems = writeSections(
    [
      {
        open: '\n### ⚠️ Status problems reported by Coveo\n\n',
        close: '',
        count: d.statusProblems.length,
        unit: (i) => {
          const s = d.statusProblems[i];
          return s ? `- ${kindSingular(s.kind)} ${inlineCode(s.id)} (id ${inlineCode(s.remoteId)}): **${escapeMarkdown(s.status)}** — ${escapeMarkdown(s.message)}\n` : '';
        },
      },
    ],
    Math.min(budget - text.length, Math.floor(maxChars * 0.3)),
  );
  text += problems.text;
  const warnings = writeSections([warningSection(d.warnings)], Math.min(budget - text.length, Math.floor(maxChars * 0.15)));

  const changed = fold('Changed in Coveo (live differs from the files)', d.changed.length, '```diff\n');
  const missing = fold('Declared in the files but missing in Coveo', d.missing.length, '');
  const undeclared = fold('In Coveo but not in the files', d.undeclared.length, '');
  const sections: Section[] = [
    {
      open: changed,
      close: '```\n\n</details>\n',
      count: d.changed.length,
      unit: (i) => {
        const s = d.changed[i];
        if (!s) return '';
        const why = s.action === 'replace' ? ` (apply replaces it: ${sanitizeText(s.reason)})` : '';
        const lines = [`! ${kindSingular(s.kind)} ${sanitizeText(JSON.stringify(s.id))}${why}`];
        shownChanges(s, width, { showPending: false }).forEach((c, j) => {
          if (s.changes[j]?.isSensitive === true) lines.push(`#     ${c.path}: ${REDACTED} — the files hold a different value than the last apply sent`);
          else lines.push(`-     ${c.path}: ${c.from ?? NOT_SET}   (Coveo)`, `+     ${c.path}: ${c.to ?? NOT_SET}   (files)`);
        });
        return `${i > 0 ? '\n' : ''}${lines.join('\n')}\n`;
      },
    },
    {
      open: missing,
      close: '\n</details>\n',
      count: d.missing.length,
      unit: (i) => {
        const s = d.missing[i];
        return s ? `- ${kindSingular(s.kind)} ${inlineCode(s.id)}\n` : '';
      },
    },
    {
      open: undeclared,
      close: '\n</details>\n',
      count: d.undeclared.length,
      unit: (i) => {
        const u = d.undeclared[i];
        if (!u) return '';
        const pruned = d.pruned.has(addressOf(u.kind, u.id)) ? ' — prune is on: apply deletes it' : '';
        return `- ${kindSingular(u.kind)} ${inlineCode(u.id)} (id ${inlineCode(u.remoteId)})${pruned}\n`;
      },
    },
  ];
  const details = writeSections(sections, budget - text.length - warnings.text.length);
  text += details.text + warnings.text;

  const notes: string[] = [];
  const total = d.changed.length + d.missing.length + d.undeclared.length;
  const leftOut = details.omitted.reduce((a, b) => a + b, 0);
  if (leftOut > 0) notes.push(`${leftOut} of ${total} differences are not shown`);
  if ((problems.omitted[0] ?? 0) > 0) notes.push(`${problems.omitted[0] ?? 0} of ${d.statusProblems.length} status problems are not listed`);
  if ((warnings.omitted[0] ?? 0) > 0) notes.push(`${warnings.omitted[0] ?? 0} of ${plural(d.warnings.length, 'warning')} are not listed`);
  if (notes.length > 0) text += cutNote(notes, 'coveo-sync drift');
  return text.endsWith('\n') ? text : `${text}\n`;
}
