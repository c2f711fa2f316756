/**
 * The JSON renderer: a versioned envelope for pipelines (style guide §8, A4 `errorToEnvelope`),
 * described by `schemas/plan.schema.json`. The plan inside is the step data itself, in the canonical
 * form of the saved plan file, so `plan --format json > plan.json` can be applied too.
 *
 * Secrets go through `Secret.toJSON` (`{$secret: {ref, fingerprint}}`): no value can reach the output.
 */
import { canonicalJson, toPlanData } from '../core/plan-file.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { Plan } from '../core/types.js';
import { collectDrift, type DriftInput, type DriftReport } from './drift.js';

/** Version of the envelope (and of the plan inside it). */
export const JSON_OUTPUT_VERSION = 1;

export type EnvelopeStatus = 'ok' | 'no_changes' | 'changes' | 'error';

/** What the error part of an envelope is made from; a `SyncError` fits. */
export interface RenderableError {
  readonly code: string;
  readonly message: string;
  /** Issues of a `ConfigError` (file, line, column, JSON path), passed through. */
  readonly issues?: readonly unknown[];
}

function isPlan(x: Plan | RenderableError): x is Plan {
  return 'steps' in x && 'basis' in x;
}

function stringify(envelope: JsonObject): string {
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

/** `{version: 1, status: "error", error: {code, message, issues?}}`. */
export function errorEnvelope(error: RenderableError): JsonObject {
  return {
    version: JSON_OUTPUT_VERSION,
    status: 'error',
    error: {
      code: error.code,
      message: error.message,
      ...(error.issues && error.issues.length > 0 ? { issues: error.issues.map((i) => canonicalJson(i)) } : {}),
    },
  };
}

/** `{version: 1, status: "changes" | "no_changes", plan}`. */
export function planEnvelope(plan: Plan): JsonObject {
  return { version: JSON_OUTPUT_VERSION, status: plan.steps.length > 0 ? 'changes' : 'no_changes', plan: toPlanData(plan) };
}

/**
 * Renders a plan, or the error that prevented one, as the JSON envelope: pretty (two spaces),
 * deterministic, ending with a newline.
 */
export function renderPlanJson(input: Plan | RenderableError): string {
  return stringify(isPlan(input) ? planEnvelope(input) : errorEnvelope(input));
}

/** The drift part of a drift envelope. */
export function driftData(d: DriftReport): JsonObject {
  return {
    statusProblems: d.statusProblems.map((s): JsonValue => ({ kind: s.kind, id: s.id, remoteId: s.remoteId, status: s.status, message: s.message })),
    unmanaged: d.unmanaged.map((u): JsonValue => ({ kind: u.kind, remoteId: u.remoteId, label: u.label, reason: u.reason })),
  };
}

/**
 * Renders drift as `{version: 1, status, plan, drift: {statusProblems, unmanaged}}`; status is `changes`
 * when anything differs (changes, undeclared live resources or status problems), else `no_changes`.
 */
export function renderDriftJson(plan: Plan, input: DriftInput = {}): string {
  const d = collectDrift(plan, input);
  return stringify({ version: JSON_OUTPUT_VERSION, status: d.hasDrift ? 'changes' : 'no_changes', plan: toPlanData(plan), drift: driftData(d) });
}
