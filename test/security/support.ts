/** Shared helpers of the security suite (issue 10): a small plan, emulator writes, output checks. */
import type { Plan } from '../../src/core/types.js';
import type { RequestLogEntry } from '../../src/emulator/index.js';
import { createStep, planOf } from '../unit/render/plan-builder.js';

/** A one-step plan (create field `f`, type STRING) for organization `org`. */
export function minimalPlan(organizationId = 'emulatororg'): Plan {
  return planOf([createStep('fields', 'f', { name: 'f', type: 'STRING' })], { organizationId });
}

/** Requests that can change an organization: everything but GETs and the read-only POSTs. */
export function writesIn(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  const isRead = (e: RequestLogEntry): boolean =>
    e.method === 'GET' || e.method === 'HEAD' || (e.method === 'POST' && /\/(indexes\/fields\/search|privileges\/token|privileges\/effective|search\/v2)/.test(e.path));
  return log.filter((e) => !isRead(e));
}

/** A stack trace line, as V8 prints it. */
export const STACK_LINE = /^\s+at .+(\(|\s)\S+:\d+:\d+\)?$/m;
