/**
 * Domain types of the pure core: desired and live resources, plan steps and plans.
 * Everything is readonly plain data (style guide §3); the core never does I/O.
 */
import type { SourcePosition } from '../errors.js';
import type { JsonObject, JsonValue } from './json.js';

/** The six kinds, spelt as the YAML top-level keys, in apply order (design §5). */
export const RESOURCE_KINDS = ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** How people call one resource and several of a kind, in messages, plans and progress lines. */
export const KIND_SINGULAR: { readonly [K in ResourceKind]: string } = {
  securityProviders: 'security provider',
  fields: 'field',
  sources: 'source',
  schedules: 'schedule',
  groups: 'group',
  apiKeys: 'API key',
};
export const KIND_PLURAL: { readonly [K in ResourceKind]: string } = {
  securityProviders: 'security providers',
  fields: 'fields',
  sources: 'sources',
  schedules: 'schedules',
  groups: 'groups',
  apiKeys: 'API keys',
};

export function isResourceKind(s: string): s is ResourceKind {
  return (RESOURCE_KINDS as readonly string[]).includes(s);
}

declare const keyBrand: unique symbol;
declare const idBrand: unique symbol;
/** The stable identity a user writes in YAML (field name, source name, `source/refreshType`, …). */
export type ResourceKey = string & { readonly [keyBrand]: 'ResourceKey' };
/** The id Coveo assigned. Never appears in YAML. */
export type RemoteId = string & { readonly [idBrand]: 'RemoteId' };

export const toResourceKey = (s: string): ResourceKey => s as ResourceKey;
export const toRemoteId = (s: string): RemoteId => s as RemoteId;

/** `kind/key`, the address of a resource in plans, `--target` and `protect`. */
export type ResourceAddress = `${ResourceKind}/${string}`;
export const addressOf = (kind: ResourceKind, key: string): ResourceAddress => `${kind}/${key}`;

/** A reference from one resource to another, by identity. */
export interface ResourceRef {
  readonly kind: ResourceKind;
  readonly key: ResourceKey;
  /** JSON path inside the referring resource's attrs, e.g. `privileges[0].target`. */
  readonly path: string;
}

/**
 * A resource as the files declare it, normalised by its kind's spec: defaults filled, sets sorted,
 * references by identity. Leaves may be `Secret` instances.
 */
export interface DesiredResource {
  readonly kind: ResourceKind;
  readonly key: ResourceKey;
  readonly attrs: JsonObject;
  /** Where it was declared. */
  readonly origin?: SourcePosition;
}

/** Fingerprint of a write-only value as stored on the live object by an earlier apply. */
export interface StoredFingerprint {
  readonly salt: string;
  readonly hash: string;
}

/** A resource as read from Coveo, normalised into the same shape as a desired one. */
export interface LiveResource {
  readonly kind: ResourceKind;
  readonly key: ResourceKey;
  readonly remoteId: RemoteId;
  readonly attrs: JsonObject;
  /** Built-in or system resources (Administrators group, system fields, Email Security Provider). */
  readonly isBuiltIn?: boolean;
  /** Status Coveo reports that drift should show (API key EXPIRED, DISABLED_EXPOSED, …). */
  readonly status?: string;
  /** Fingerprints of write-only values keyed by attrs path (`configuration.parameters.Password.value`). */
  readonly fingerprints?: Readonly<Record<string, StoredFingerprint>>;
  /** Fingerprint of the raw object as read (for the plan basis). Set by the edge that read it. */
  readonly etag: string;
}

export type DesiredState = { readonly [K in ResourceKind]: readonly DesiredResource[] };

/**
 * Live state of the kinds that were read. A kind that was not read is absent, which is different from an
 * empty list: the planner never deletes from a kind it did not read.
 */
export type LiveState = { readonly [K in ResourceKind]?: readonly LiveResource[] };

/** Live resources of managed kinds that the tool must never touch (API keys without our marker, …). */
export interface UnmanagedLive {
  readonly kind: ResourceKind;
  readonly remoteId: RemoteId;
  readonly label: string;
  readonly reason: string;
}

export type Risk = 'safe' | 'destructive' | 'security';
export type StepAction = 'create' | 'update' | 'replace' | 'delete';

/** One changed value inside a resource. `from`/`to` are already redacted. */
export interface FieldChange {
  readonly path: string;
  readonly from?: JsonValue;
  readonly to?: JsonValue;
  readonly isSensitive?: boolean;
}

/** RFC 6902 operation (fast-json-patch shape), values redacted. */
export interface PatchOperation {
  readonly op: 'add' | 'remove' | 'replace';
  readonly path: string;
  readonly value?: JsonValue;
}

/** A reference resolved at plan time: a remote id, or `null` when known only after apply. */
export interface ResolvedRef {
  readonly kind: ResourceKind;
  readonly key: ResourceKey;
  readonly path: string;
  readonly remoteId: RemoteId | null;
}

interface StepBase {
  readonly kind: ResourceKind;
  /** The resource's identity (ResourceKey). */
  readonly id: ResourceKey;
  readonly action: StepAction;
  readonly risk: Risk;
  /** Index of the wave this step runs in (0-based); steps of one wave can run concurrently. */
  readonly wave: number;
  /** Addresses of steps that must succeed before this one. */
  readonly dependsOn: readonly ResourceAddress[];
  /** Human notes attached by specs and policies (privilege broadening, write-only values, …). */
  readonly notes: readonly string[];
}

export interface CreateStep extends StepBase {
  readonly action: 'create';
  readonly after: JsonObject;
  readonly refs: readonly ResolvedRef[];
}
export interface UpdateStep extends StepBase {
  readonly action: 'update';
  readonly remoteId: RemoteId;
  readonly before: JsonObject;
  readonly after: JsonObject;
  readonly changes: readonly FieldChange[];
  readonly patch: readonly PatchOperation[];
  readonly refs: readonly ResolvedRef[];
}
export interface ReplaceStep extends StepBase {
  readonly action: 'replace';
  readonly remoteId: RemoteId;
  readonly before: JsonObject;
  readonly after: JsonObject;
  readonly changes: readonly FieldChange[];
  readonly reason: string;
  readonly refs: readonly ResolvedRef[];
}
export interface DeleteStep extends StepBase {
  readonly action: 'delete';
  readonly remoteId: RemoteId;
  readonly before: JsonObject;
}

export type PlanStep = CreateStep | UpdateStep | ReplaceStep | DeleteStep;
export type StepOf<A extends StepAction> = Extract<PlanStep, { action: A }>;

export interface PlanSummary {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
  readonly unchanged: number;
}

/** What the plan was computed from, so `apply plan.json` can refuse a stale plan (design §4). */
export interface PlanBasis {
  readonly organizationId: string;
  /** Fingerprint of the desired state (the configuration after loading and normalising). */
  readonly config: string;
  /** Kinds that were read. */
  readonly kinds: readonly ResourceKind[];
  /** `kind/key` → etag of each live object read (managed ones). */
  readonly live: Readonly<Record<string, string>>;
  /** Salt used for the secret fingerprints in this plan. */
  readonly salt: string;
}

export interface PlanWarning {
  readonly code: string;
  readonly message: string;
  readonly address?: string;
}

export const PLAN_VERSION = 1;

export interface Plan {
  readonly version: typeof PLAN_VERSION;
  readonly basis: PlanBasis;
  readonly steps: readonly PlanStep[];
  readonly summary: PlanSummary;
  readonly warnings: readonly PlanWarning[];
  /** Live resources of the read kinds that the files do not declare (shown by drift, deleted only with prune). */
  readonly undeclared: readonly { readonly kind: ResourceKind; readonly id: ResourceKey; readonly remoteId: RemoteId }[];
}
