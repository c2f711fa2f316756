/**
 * What a step says to a person, derived from the step data alone, one function per action (style guide
 * §8, A3's `…FromMeta`). The text and markdown renderers only lay these views out, so they cannot
 * disagree with each other or with the JSON, which is the step data itself.
 */
import { isPlainObject, type JsonObject } from '../core/json.js';
import { REDACTED } from '../core/secret.js';
import type { CreateStep, DeleteStep, PlanStep, ReplaceStep, ResourceKind, Risk, UpdateStep } from '../core/types.js';
import { SPECS } from '../kinds/specs.js';
import { NOT_SET, flattenForDisplay, displayPathOf, formatValue, parseDisplayPath, sanitizeText, type PathSeg, type ValueContext } from './format-value.js';

export type StepSymbol = '+' | '~' | '-/+' | '-';

/** One shown value: `+ path: to`, `- path: from` or `~ path: from → to` (values already formatted). */
export interface ViewLine {
  readonly sign: '+' | '-' | '~';
  readonly path: string;
  readonly from?: string;
  readonly to?: string;
}

export interface StepView {
  readonly step: PlanStep;
  readonly symbol: StepSymbol;
  /** `field "productcategory"`. */
  readonly subject: string;
  /** `will be created`, `must be replaced`, … */
  readonly verb: string;
  /** Reason of a replace, then the notes: free text, control characters escaped. */
  readonly comments: readonly string[];
  readonly lines: readonly ViewLine[];
}

export interface ViewOptions {
  /** Characters a line may take; values are cut to fit (default 100). */
  readonly width?: number;
}

export const SYMBOLS: { readonly [A in PlanStep['action']]: StepSymbol } = { create: '+', update: '~', replace: '-/+', delete: '-' };

const VERBS: { readonly [A in PlanStep['action']]: string } = {
  create: 'will be created',
  update: 'will be updated in place',
  replace: 'must be replaced',
  delete: 'will be deleted',
};

export const SYMBOL_LEGEND: { readonly [A in PlanStep['action']]: string } = {
  create: 'create',
  update: 'update in place',
  replace: 'replace',
  delete: 'delete',
};

/** `Security providers`, `API keys`: the heading of a kind's block. */
export function kindHeading(kind: ResourceKind): string {
  const t = SPECS[kind].title;
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function kindSingular(kind: ResourceKind): string {
  return SPECS[kind].singular;
}

/** `kind/id`, with control characters escaped. */
export function addressText(kind: ResourceKind, id: string): string {
  return sanitizeText(`${kind}/${id}`);
}

/** The word for a risk, or undefined for `safe`. */
export function riskLabel(risk: Risk): string | undefined {
  return risk === 'safe' ? undefined : risk;
}

/** Value context of a step: its kind's sensitive paths and the references known only after apply. */
export function contextOf(step: PlanStep): ValueContext {
  const refs = step.action === 'delete' ? [] : step.refs;
  return {
    sensitive: SPECS[step.kind].sensitive,
    pendingRefs: new Set(refs.filter((r) => r.remoteId === null).map((r) => r.path)),
  };
}

/** The view of any step. */
export function viewOfStep(step: PlanStep, options: ViewOptions = {}): StepView {
  const width = options.width ?? 100;
  switch (step.action) {
    case 'create':
      return viewOfCreate(step, width);
    case 'update':
      return viewOfUpdate(step, width);
    case 'replace':
      return viewOfReplace(step, width);
    case 'delete':
      return viewOfDelete(step);
  }
}

function base(step: PlanStep, lines: readonly ViewLine[], extraComments: readonly string[] = []): StepView {
  return {
    step,
    symbol: SYMBOLS[step.action],
    subject: `${kindSingular(step.kind)} ${sanitizeText(JSON.stringify(step.id))}`,
    verb: VERBS[step.action],
    comments: [...commentsOf(step), ...extraComments.map(sanitizeText)],
    lines,
  };
}

/** Room for a value on a line that shows `path` after the sign and indentation. */
function budgetFor(width: number, path: string): number {
  return Math.max(40, width - 10 - path.length);
}

/** What a step says in words beside its values: the reason of a replace, then the notes (escaped). */
export function commentsOf(step: PlanStep): string[] {
  return (step.action === 'replace' ? [step.reason, ...step.notes] : [...step.notes]).map(sanitizeText);
}

function viewOfCreate(step: CreateStep, width: number): StepView {
  const ctx = contextOf(step);
  const lines = flattenForDisplay(step.after, ctx).map(({ path, value, parent }): ViewLine => {
    const p = displayPathOf(path);
    return { sign: '+', path: p, to: formatValue(value, path, ctx, budgetFor(width, p), parent) };
  });
  return base(step, lines);
}

function viewOfUpdate(step: UpdateStep, width: number): StepView {
  return base(step, changeLines(step, width));
}

function viewOfReplace(step: ReplaceStep, width: number): StepView {
  return base(step, changeLines(step, width));
}

function viewOfDelete(step: DeleteStep): StepView {
  return base(step, [], [`id in Coveo: ${step.remoteId}`]);
}

/** The value at a path inside attrs, or undefined. */
export function valueAt(obj: JsonObject, path: readonly PathSeg[]): unknown {
  let v: unknown = obj;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isPlainObject(v) && typeof seg === 'string') v = v[seg];
    else return undefined;
  }
  return v;
}

/** A field change's two sides, formatted; a side that is not set is `undefined`. */
export interface ShownChange {
  readonly path: string;
  readonly from?: string;
  readonly to?: string;
}

/** Formats the field changes of an update or replace (from = live, to = the files). */
export function shownChanges(step: UpdateStep | ReplaceStep, width: number, options: { readonly showPending?: boolean } = {}): ShownChange[] {
  const full = contextOf(step);
  const ctx: ValueContext = options.showPending === false ? { ...full, pendingRefs: new Set() } : full;
  const liveCtx: ValueContext = { ...ctx, pendingRefs: new Set() };
  return step.changes.map((c) => {
    const segs = parseDisplayPath(c.path);
    const parentPath = segs.slice(0, -1);
    // Room for a value on a line of its own (the layout puts long changes on two lines).
    const budget = Math.max(40, width - 14);
    const show = (v: unknown, parent: unknown, c2: ValueContext): string => (c.isSensitive === true ? REDACTED : formatValue(v, segs, c2, budget, parent));
    return {
      path: sanitizeText(c.path),
      // Only the files' side refers to resources this apply creates; the live side has real ids.
      ...(c.from === undefined ? {} : { from: show(c.from, valueAt(step.before, parentPath), liveCtx) }),
      ...(c.to === undefined ? {} : { to: show(c.to, valueAt(step.after, parentPath), ctx) }),
    };
  });
}

function changeLines(step: UpdateStep | ReplaceStep, width: number): ViewLine[] {
  return shownChanges(step, width).map((c): ViewLine => {
    if (c.from === undefined) return { sign: '+', path: c.path, to: c.to ?? NOT_SET };
    if (c.to === undefined) return { sign: '-', path: c.path, from: c.from };
    return { sign: '~', path: c.path, from: c.from, to: c.to };
  });
}
