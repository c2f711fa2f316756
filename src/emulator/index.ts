/**
 * The Coveo Platform API emulator (design §6): `startEmulator` for tests, the demo and the benchmark;
 * `runEmulatorCommand` for `coveo-sync emulator`. Behaviour, operations served and known differences
 * from Coveo are in README.md beside this file.
 */
export { startEmulator, DEFAULT_ORGANIZATION_ID, type EmulatorControl, type EmulatorHandle, type EmulatorOptions, type HeldWrite } from './server.js';
export { runEmulatorCommand, type EmulatorCommandIo, type EmulatorCommandOptions } from './command.js';
export type { FaultConfig, FaultRule, FaultRuleInput, FaultSettings } from './faults.js';
export type { RequestLogEntry, ServedWrite } from './router.js';
export type { SideEffect } from './context.js';
export type { DocumentInput, PermissionInput } from './routes/indexes.js';
export type { SeedSize } from './seed.js';
export { SEED_PRESETS } from './seed.js';
