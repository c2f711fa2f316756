/**
 * The renderer table (style guide §8, A6 `reporters/index.ts`): format name → renderer, for plans and for
 * drift. Every renderer returns a string ending with a newline; only `cli/` writes it out.
 */
import type { Plan } from '../core/types.js';
import type { DriftInput } from './drift.js';
import { renderDriftText, renderPlanText } from './human.js';
import { renderDriftJson, renderPlanJson } from './json.js';
import { renderDriftMarkdown, renderPlanMarkdown } from './markdown.js';

export const OUTPUT_FORMATS = ['text', 'json', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(s: string): s is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(s);
}

/** Options every renderer accepts; each uses the ones that concern it. */
export interface RenderOptions {
  /** ANSI colour (text only). */
  readonly color: boolean;
  /** Line width used to cut long values (text, markdown). */
  readonly width?: number;
  /** Heading of a markdown comment. */
  readonly title?: string;
  /** Hard cap on a markdown comment's length (default 65,000). */
  readonly maxChars?: number;
}

export type DriftRenderOptions = RenderOptions & DriftInput;

export interface Renderer {
  readonly plan: (plan: Plan, options: RenderOptions) => string;
  readonly drift: (plan: Plan, options: DriftRenderOptions) => string;
}

/** Exhaustive: adding a format to OUTPUT_FORMATS fails to compile until it has a renderer here. */
export const RENDERERS: { readonly [F in OutputFormat]: Renderer } = {
  text: {
    plan: (plan, o) => renderPlanText(plan, o),
    drift: (plan, o) => renderDriftText(plan, o),
  },
  json: {
    plan: (plan) => renderPlanJson(plan),
    drift: (plan, o) => renderDriftJson(plan, o),
  },
  markdown: {
    plan: (plan, o) => renderPlanMarkdown(plan, o),
    drift: (plan, o) => renderDriftMarkdown(plan, o),
  },
};

/** Renders a plan in the given format. */
export function renderPlan(format: OutputFormat, plan: Plan, options: RenderOptions): string {
  return RENDERERS[format].plan(plan, options);
}

/** Renders drift (the plan read as "what changed in Coveo outside the files") in the given format. */
export function renderDrift(format: OutputFormat, plan: Plan, options: DriftRenderOptions): string {
  return RENDERERS[format].drift(plan, options);
}

export { renderPlanText, renderDriftText, planSummaryLine, NO_CHANGES_LINE } from './human.js';
export { renderPlanJson, renderDriftJson, errorEnvelope, planEnvelope, JSON_OUTPUT_VERSION, type RenderableError, type EnvelopeStatus } from './json.js';
export { renderPlanMarkdown, renderDriftMarkdown, DEFAULT_MAX_CHARS, type MarkdownOptions } from './markdown.js';
export { collectDrift, collectStatusProblems, describeStatus, type DriftInput, type DriftReport, type StatusProblem } from './drift.js';
export { KNOWN_AFTER_APPLY } from './format-value.js';
