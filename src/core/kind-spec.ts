/**
 * The pure half of a resource kind (style guide §4): identity, normalisation of both sides, the paths
 * that force a replace, the sensitive and write-only paths, references to other kinds and risk. The shared
 * planner does the work from this data; there is no kind-specific `if` in the core.
 */
import type { JsonObject } from './json.js';
import type { RemoteId, ResourceKey, ResourceKind, ResourceRef, Risk, StoredFingerprint } from './types.js';

export interface LiveContext {
  /** The key of a live resource of `kind` with this server id, when that kind was read. */
  keyOf(kind: ResourceKind, remoteId: string): ResourceKey | undefined;
}

/** What `normalizeLive` makes of one DTO. */
export type NormalizedLive =
  | {
      readonly managed: true;
      readonly key: ResourceKey;
      readonly remoteId: RemoteId;
      readonly attrs: JsonObject;
      readonly isBuiltIn?: boolean;
      readonly status?: string;
      readonly fingerprints?: Readonly<Record<string, StoredFingerprint>>;
    }
  /** Objects of this kind the tool never touches, e.g. API keys without the coveo-sync marker. */
  | { readonly managed: false; readonly remoteId: RemoteId; readonly label: string; readonly reason: string };

/**
 * A path pattern into attrs: dot-separated keys where `*` matches any key of an object or any index of an
 * array, e.g. `configuration.parameters.*.value` or `privileges`.
 */
export type PathPattern = string;

export interface KindSpec<K extends ResourceKind = ResourceKind> {
  readonly kind: K;
  /** Plural title for people, e.g. `security providers`. */
  readonly title: string;
  /** Singular, e.g. `security provider`. */
  readonly singular: string;
  /** Kinds whose resources must exist before this kind's are written. */
  readonly dependsOn: readonly ResourceKind[];
  /** Identity of a written resource (see src/kinds/identity.ts). */
  keyOfWritten(written: JsonObject): ResourceKey;
  /** Written (validated YAML) → comparable attrs: defaults filled, sets sorted, references by identity. */
  normalizeDesired(written: JsonObject): JsonObject;
  /** Wire DTO → comparable attrs, or "not managed". Server-managed fields are dropped here. */
  normalizeLive(dto: unknown, ctx: LiveContext): NormalizedLive;
  /**
   * Attributes Coveo refuses to change on its built-in resources (system fields, the Administrators
   * group's privileges): a declaration that differs there is an input error, never a step that fails on
   * every apply. `*` is every attribute.
   */
  readonly builtInReadOnly?: readonly PathPattern[];
  /** A change under one of these paths is a `replace`, never an `update`. */
  readonly replaceOn: readonly PathPattern[];
  /** Why a replace is needed, for the step's `reason`. */
  readonly replaceReason?: string;
  /** Values under these paths are secrets: redacted everywhere, compared by stored fingerprint only. */
  readonly sensitive: readonly PathPattern[];
  /** Sent on create, never returned by Coveo: excluded from comparison. */
  readonly writeOnly: readonly PathPattern[];
  /**
   * Top-level attrs compared as a declared subset: keys of live objects below them that the files do not
   * declare are left alone (raw source configuration, additional configuration).
   */
  readonly subsetPaths: readonly string[];
  /** References this resource makes to others, by identity. */
  references(attrs: JsonObject): readonly ResourceRef[];
  /**
   * The resource this one lives inside (a schedule inside its source): when the owner is created or
   * replaced, this one must be created too.
   */
  ownerOf?(attrs: JsonObject): ResourceRef | undefined;
  /** Risk beyond the defaults (create/update safe, delete/replace destructive), e.g. privilege broadening. */
  classify?(before: JsonObject | undefined, after: JsonObject | undefined): { readonly risk: Risk; readonly note: string } | undefined;
}
