/** Typed progress events of an apply (style guide §7); the CLI adapts them to listr2 or plain lines. */
import type { PlanStep, ResourceAddress } from '../core/types.js';

export type ApplyPhase = 'waves' | 'cross-references' | 'after-apply';

export type ApplyEvent =
  | { readonly type: 'plan:start'; readonly total: number; readonly waves: readonly (readonly PlanStep[])[] }
  | { readonly type: 'wave:start'; readonly wave: number; readonly steps: readonly PlanStep[] }
  | { readonly type: 'step:start'; readonly step: PlanStep }
  | { readonly type: 'step:done'; readonly step: PlanStep; readonly durationMs: number }
  | { readonly type: 'step:failed'; readonly step: PlanStep; readonly message: string }
  | { readonly type: 'step:skipped'; readonly step: PlanStep; readonly reason: string }
  | { readonly type: 'wave:done'; readonly wave: number }
  | { readonly type: 'phase:start'; readonly phase: ApplyPhase; readonly count: number }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'plan:done'; readonly ok: boolean };

export type ApplyEventSink = (e: ApplyEvent) => void;

export const addressOfStep = (s: PlanStep): ResourceAddress => `${s.kind}/${s.id}`;
