/**
 * coveo-sync as a library: load files, read an organization, plan, render and apply, with the same
 * functions the CLI uses. Nothing here reads `process`; inputs come in as arguments.
 */
export * from './errors.js';
export * from './core/types.js';
export { Secret, isSecret } from './core/secret.js';
export { planChanges, type PlanOptions, type PlanOutcome, type SpecTable } from './core/plan-changes.js';
export { buildDesiredState, buildLiveState } from './core/state.js';
export { parsePlanFile, serializePlanFile } from './core/plan-file.js';
export { SPECS, OPS } from './kinds/registry.js';
export { loadConfig, type LoadedConfig } from './config/index.js';
export { createApiClient, resolvePlatformUrl } from './client/index.js';
export type { ApiClient } from './client/types.js';
export { getPlan, type PlanInput, type PlanContext } from './plan/get-plan.js';
export { applyPlan, type ApplyOptions, type ApplyResult } from './apply/apply-plan.js';
export { startEmulator } from './emulator/index.js';
