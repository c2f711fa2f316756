/** The verify report as text, JSON or Markdown (pure: strings only; the CLI writes them). */
import type { AssertionResult, CheckResult, VerifyReport } from './types.js';

export type VerifyFormat = 'text' | 'json' | 'markdown';

const MARK: Readonly<Record<string, string>> = { pass: '✓', fail: '✗', inconclusive: '?', error: '!' };

function where(a: AssertionResult, cwdRelative: (file: string) => string): string {
  return a.origin ? ` (${cwdRelative(a.origin.file)}:${a.origin.line}:${a.origin.column})` : '';
}

function titleOf(a: AssertionResult): string {
  return `${a.document.uri} in source "${a.document.source}"${a.description ? ` — ${a.description}` : ''}`;
}

function checkLine(c: CheckResult): string {
  const head = c.check === 'anonymous' ? 'anonymous' : `${c.check} ${c.identity ?? ''}`;
  return `${MARK[c.status] ?? c.status} ${head}: ${c.detail}`;
}

function summaryLine(r: VerifyReport): string {
  const s = r.summary;
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.inconclusive > 0) parts.push(`${s.inconclusive} inconclusive`);
  if (s.errors > 0) parts.push(`${s.errors} could not be checked`);
  const missing = r.privileges?.missing.length ?? 0;
  const priv = r.privileges ? `; privileges: ${missing === 0 && r.privileges.problems.length === 0 ? 'complete' : `${missing} missing${r.privileges.problems.length > 0 ? `, ${r.privileges.problems.length} problem(s)` : ''}`}` : '';
  return `Verify ${r.status === 'pass' ? 'passed' : 'failed'}: ${s.assertions} assertion(s), ${parts.join(', ')}${priv}.`;
}

function filtersLine(r: VerifyReport): string | undefined {
  const f: string[] = [];
  if (r.filters.includeEntities && r.filters.includeEntities !== 'ALL') f.push(`includeEntities ${r.filters.includeEntities}`);
  if (r.filters.states && r.filters.states.length > 0) f.push(`states ${r.filters.states.join(',')}`);
  return f.length > 0 ? `Permissions read with ${f.join(' and ')}.` : undefined;
}

function renderText(r: VerifyReport, rel: (file: string) => string): string {
  const lines: string[] = [];
  if (r.privileges) {
    const p = r.privileges;
    lines.push(`Privileges (token: ${p.tokenKind === 'apiKey' ? 'API key' : 'OAuth'}): ${p.needed.length} needed by plan/apply, ${p.missing.length} missing`);
    for (const m of p.missing) lines.push(`  ✗ needs ${m.privilege} — to ${m.why.join('; ')}`);
    for (const x of p.problems) lines.push(`  ✗ ${x}`);
    for (const w of p.warnings) lines.push(`  warning: ${w}`);
    lines.push('');
  }
  const f = filtersLine(r);
  if (f) lines.push(f);
  for (const a of r.assertions) {
    lines.push(`${MARK[a.status] ?? a.status} ${titleOf(a)}${where(a, rel)}`);
    if (a.error) lines.push(`    ${a.error}`);
    for (const c of a.checks) lines.push(`    ${checkLine(c)}`);
    if (a.permissions && a.permissions.notUpToDate.length > 0) {
      lines.push(`    ${a.permissions.notUpToDate.length} permission(s) not up to date: ${a.permissions.notUpToDate.map((e) => `${e.identity} in ${e.securityProvider} ${e.state}`).join(', ')}`);
    }
  }
  lines.push(summaryLine(r));
  return `${lines.join('\n')}\n`;
}

/** Markdown table cells: no pipes or line breaks. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function renderMarkdown(r: VerifyReport, rel: (file: string) => string): string {
  const lines: string[] = [`## coveo-sync verify: ${r.status === 'pass' ? '✅ passed' : '❌ failed'}`, '', summaryLine(r), ''];
  if (r.privileges) {
    const p = r.privileges;
    lines.push('### Privileges', '');
    if (p.missing.length === 0 && p.problems.length === 0) lines.push(`The token (${p.tokenKind === 'apiKey' ? 'API key' : 'OAuth'}) holds all ${p.needed.length} privileges that plan and apply need.`, '');
    else {
      lines.push('| Missing privilege | Needed to |', '|---|---|');
      for (const m of p.missing) lines.push(`| ${cell(m.privilege)} | ${cell(m.why.join('; '))} |`);
      for (const x of p.problems) lines.push(`| — | ${cell(x)} |`);
      lines.push('');
    }
    for (const w of p.warnings) lines.push(`- ⚠️ ${cell(w)}`);
    if (p.warnings.length > 0) lines.push('');
  }
  if (r.assertions.length > 0) {
    lines.push('### Assertions', '');
    const f = filtersLine(r);
    if (f) lines.push(f, '');
    lines.push('| | Document | Check | Result |', '|---|---|---|---|');
    for (const a of r.assertions) {
      const doc = cell(`${titleOf(a)}${where(a, rel)}`);
      if (a.error) lines.push(`| ${MARK[a.status]} | ${doc} | — | ${cell(a.error)} |`);
      for (const c of a.checks) lines.push(`| ${MARK[c.status] ?? ''} | ${doc} | ${cell(c.check === 'anonymous' ? 'anonymous' : `${c.check} ${c.identity ?? ''}`)} | ${cell(c.detail)} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Renders a report; `rel` shows file paths relative to the working directory. */
export function renderVerifyReport(format: VerifyFormat, report: VerifyReport, rel: (file: string) => string = (f) => f): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report, rel);
    case 'text':
      return renderText(report, rel);
  }
}

/** Builds the report's summary and status from the results. */
export function summarizeVerify(
  assertions: readonly AssertionResult[],
  filters: VerifyReport['filters'],
  privileges?: VerifyReport['privileges'],
): VerifyReport {
  const count = (s: AssertionResult['status']): number => assertions.filter((a) => a.status === s).length;
  const summary = { assertions: assertions.length, passed: count('pass'), failed: count('fail'), inconclusive: count('inconclusive'), errors: count('error') };
  const privilegesOk = !privileges || (privileges.missing.length === 0 && privileges.problems.length === 0);
  return {
    version: 1,
    status: summary.passed === summary.assertions && privilegesOk ? 'pass' : 'fail',
    summary,
    assertions,
    filters,
    ...(privileges ? { privileges } : {}),
  };
}
