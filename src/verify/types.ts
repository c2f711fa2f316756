/** Data of `coveo-sync verify`: assertions, effective permissions as read, and results. Plain JSON. */
import type { SourcePosition } from '../errors.js';

/** `includeEntities` of the effective-permissions call (seed 003/004). */
export type IncludeEntities = 'ALL' | 'ALLOWED' | 'DENIED';
/** Permission states Coveo reports (SinglePermissionModel.state). */
export const PERMISSION_STATES = ['UNKNOWN', 'UP_TO_DATE', 'NOT_UPDATED', 'OUT_OF_DATE', 'IN_ERROR', 'DISABLED'] as const;
export type PermissionState = (typeof PERMISSION_STATES)[number];

/** One assertion from the files' `assertions:` section, ready to check. */
export interface VerifyAssertion {
  /** Index in the merged `assertions` list. */
  readonly index: number;
  readonly description?: string;
  readonly source: string;
  readonly uri: string;
  readonly allowed: readonly string[];
  readonly denied: readonly string[];
  readonly anonymous?: boolean;
  readonly origin?: SourcePosition;
}

/** One entry of the effective permissions of an item (SinglePermissionModel). */
export interface PermissionEntry {
  readonly allowed: boolean;
  readonly identity: string;
  readonly identityType: string;
  readonly securityProvider: string;
  readonly state: string;
  readonly lastUpdateResult?: string;
  readonly lastUpdateErrorDetail?: string;
}

/** Every page of the effective permissions of one item, as read. */
export interface EffectivePermissions {
  readonly items: readonly PermissionEntry[];
  readonly anonymousAllowed: boolean;
  readonly totalEntries: number;
  readonly pages: number;
}

/** Filters sent with the effective-permissions call. */
export interface PermissionFilters {
  /** Default ALL. */
  readonly includeEntities?: IncludeEntities;
  /** Default: every state. */
  readonly states?: readonly PermissionState[];
}

export type CheckStatus = 'pass' | 'fail' | 'inconclusive';

/** One check of an assertion: an identity allowed or denied, or anonymous access. */
export interface CheckResult {
  readonly check: 'allowed' | 'denied' | 'anonymous';
  /** The identity checked (absent for `anonymous`). */
  readonly identity?: string;
  readonly status: CheckStatus;
  /** What was found, for people. */
  readonly detail: string;
  /** The permission entries of the identity, with their providers and states. */
  readonly entries: readonly PermissionEntry[];
}

export type AssertionStatus = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface AssertionResult {
  readonly index: number;
  readonly description?: string;
  readonly document: { readonly source: string; readonly uri: string };
  readonly origin?: SourcePosition;
  readonly status: AssertionStatus;
  /** Where the item was found. */
  readonly item?: { readonly indexId: string; readonly uniqueId: string };
  readonly checks: readonly CheckResult[];
  /** Why the assertion could not be checked (item not found, …). */
  readonly error?: string;
  /** Entries read and pages walked. */
  readonly permissions?: { readonly entries: number; readonly pages: number; readonly anonymousAllowed: boolean; readonly notUpToDate: readonly PermissionEntry[] };
}

/** A privilege line of the report (what the configuration's apply needs and the token lacks). */
export interface PrivilegeLine {
  readonly privilege: string;
  readonly why: readonly string[];
}

export interface VerifyReport {
  readonly version: 1;
  /** `pass` when every assertion passed and no needed privilege is missing. */
  readonly status: 'pass' | 'fail';
  readonly summary: { readonly assertions: number; readonly passed: number; readonly failed: number; readonly inconclusive: number; readonly errors: number };
  readonly assertions: readonly AssertionResult[];
  readonly filters: PermissionFilters;
  /** Privileges section; absent when not checked. */
  readonly privileges?: {
    readonly tokenKind: 'apiKey' | 'oauth';
    readonly needed: readonly PrivilegeLine[];
    readonly missing: readonly PrivilegeLine[];
    /** Problems that are not missing privileges: an API key token for API key work, privileges the org does not offer, lint. */
    readonly problems: readonly string[];
    readonly warnings: readonly string[];
  };
}
