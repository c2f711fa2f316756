/**
 * The edge half of a kind (style guide §4): how it is read from and written to Coveo through the client.
 * Bodies are built from a step's desired attrs plus the live object as read (read-merge-write), with
 * references resolved to ids through the apply context.
 */
import type { ApiClient, ProgressEvent } from '../client/types.js';
import type { JsonObject } from '../core/json.js';
import type { CreateStep, DeleteStep, RemoteId, ReplaceStep, ResourceKey, ResourceKind, StoredFingerprint, UpdateStep } from '../core/types.js';

export interface ListContext {
  readonly client: ApiClient;
  /** DTOs of kinds already read (a schedule listing needs the sources). */
  readonly read: { readonly [K in ResourceKind]?: readonly unknown[] };
  readonly onProgress?: (e: ProgressEvent) => void;
}

export interface ApplyContext {
  readonly client: ApiClient;
  /**
   * The id of a resource by identity: live ids, and ids created earlier in this apply. `undefined` when the
   * resource is created later in this apply; the caller then calls `defer` and the reference is written
   * in the cross-references pass.
   */
  idOf(kind: ResourceKind, key: string): RemoteId | undefined;
  /** Records that this resource has references that can only be written once their targets exist. */
  defer(kind: ResourceKind, key: ResourceKey): void;
  /** The live DTO as read for this plan (for read-merge-write), if any. */
  liveDto(kind: ResourceKind, remoteId: string): JsonObject | undefined;
  /** Every live DTO of a kind as read for this plan (empty when the kind was not read). */
  liveDtos(kind: ResourceKind): readonly JsonObject[];
  /** A fresh salted fingerprint of a secret value, stored on the object so later plans can see changes. */
  fingerprint(value: string): StoredFingerprint;
  /** Checks a value against a stored fingerprint. */
  matchesFingerprint(value: string, stored: StoredFingerprint): boolean;
  /** What to do with API keys replaced by new ones. */
  readonly replacedKeys: 'delete' | 'disable';
  /**
   * Called by a `replace` that creates the new object before retiring the old one (API keys), as soon as
   * the new one exists: the applier saves a new key's value there, so a failure or a kill while the old
   * key is retired cannot lose it.
   */
  created?(step: ReplaceStep, result: CreateResult): void;
}

export interface CreateResult {
  readonly remoteId: RemoteId;
  /** The new API key's value, returned once by Coveo. The applier writes it to the secrets sink. */
  readonly secretValue?: string;
}

export interface KindOps {
  /** Reads every live object of the kind (complete, or throws: never a partial list). */
  list(ctx: ListContext): Promise<readonly unknown[]>;
  create(step: CreateStep, ctx: ApplyContext): Promise<CreateResult>;
  update(step: UpdateStep, ctx: ApplyContext): Promise<void>;
  /**
   * Replaces: for most kinds delete then create; for API keys create the new key first, then delete or
   * disable the old one.
   */
  replace(step: ReplaceStep, ctx: ApplyContext): Promise<CreateResult>;
  delete(step: DeleteStep, ctx: ApplyContext): Promise<void>;
  /**
   * Batch endpoints, when the kind has them: one request per chunk instead of one per object. Each call
   * gets one chunk (at most `chunkSize` steps, `deleteChunkSize` for deletes); the applier runs chunks
   * concurrently.
   */
  readonly batch?: {
    readonly chunkSize: number;
    readonly deleteChunkSize: number;
    create(steps: readonly CreateStep[], ctx: ApplyContext): Promise<readonly CreateResult[]>;
    update(steps: readonly UpdateStep[], ctx: ApplyContext): Promise<void>;
    delete(steps: readonly DeleteStep[], ctx: ApplyContext): Promise<void>;
  };
  /** The source ids a step touches (for applyChanges at the end). */
  touchedSources?(step: CreateStep | UpdateStep | ReplaceStep | DeleteStep, ctx: ApplyContext, created?: RemoteId): readonly RemoteId[];
}
