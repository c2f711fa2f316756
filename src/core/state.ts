/**
 * Building the two sides the planner compares: desired state from the loaded files, live state from the
 * DTOs the client read. Pure: the hash function comes in as an argument.
 */
import type { SourcePosition } from '../errors.js';
import { stableStringify, type JsonObject } from './json.js';
import type { LiveContext, NormalizedLive } from './kind-spec.js';
import type { SpecTable } from './plan-changes.js';
import {
  RESOURCE_KINDS,
  type DesiredResource,
  type DesiredState,
  type LiveResource,
  type LiveState,
  type ResourceKey,
  type ResourceKind,
  type UnmanagedLive,
} from './types.js';

export interface WrittenResource {
  readonly written: JsonObject;
  readonly origin?: SourcePosition;
}

/** Normalises every written resource through its kind's spec. */
export function buildDesiredState(written: { readonly [K in ResourceKind]?: readonly WrittenResource[] }, specs: SpecTable): DesiredState {
  const out = {} as Record<ResourceKind, DesiredResource[]>;
  for (const kind of RESOURCE_KINDS) {
    const spec = specs[kind];
    out[kind] = (written[kind] ?? []).map((r) => ({
      kind,
      key: spec.keyOfWritten(r.written),
      attrs: spec.normalizeDesired(r.written),
      ...(r.origin ? { origin: r.origin } : {}),
    }));
  }
  return out;
}

export interface BuiltLiveState {
  readonly live: LiveState;
  readonly unmanaged: readonly UnmanagedLive[];
}

/**
 * Normalises the DTOs read for each kind. Ids inside live objects (privilege targets, schedules' source,
 * `groupsThatCanEdit`) are turned back into identities through an index of every kind that was read.
 */
export function buildLiveState(dtos: { readonly [K in ResourceKind]?: readonly unknown[] }, specs: SpecTable, hash: (text: string) => string): BuiltLiveState {
  const index = new Map<string, ResourceKey>();
  // Whether the normalisation running now asked for another object's identity: its result may then
  // change once every identity is known, and it is made again in pass 2.
  let askedForKeys = false;
  const ctx: LiveContext = {
    keyOf: (kind, id) => {
      askedForKeys = true;
      return index.get(`${kind}\u0000${id}`);
    },
  };
  // Pass 1: keys of every kind, in dependency order (a schedule's key needs its source's name). A
  // result that used no other identity is final (specs are pure), so pass 2 keeps it.
  const first = new Map<ResourceKind, (NormalizedLive | undefined)[]>();
  for (const kind of RESOURCE_KINDS) {
    const list = dtos[kind];
    if (list === undefined) continue;
    const kept = new Array<NormalizedLive | undefined>(list.length);
    list.forEach((dto, i) => {
      askedForKeys = false;
      const n = specs[kind].normalizeLive(dto, ctx);
      if (n.managed) index.set(`${kind}\u0000${n.remoteId}`, n.key);
      kept[i] = askedForKeys ? undefined : n;
    });
    first.set(kind, kept);
  }
  const live: Partial<Record<ResourceKind, LiveResource[]>> = {};
  const unmanaged: UnmanagedLive[] = [];
  for (const kind of RESOURCE_KINDS) {
    const list = dtos[kind];
    if (list === undefined) continue;
    const kept = first.get(kind) ?? [];
    const out: LiveResource[] = [];
    list.forEach((dto, i) => {
      const n = kept[i] ?? specs[kind].normalizeLive(dto, ctx);
      if (!n.managed) {
        unmanaged.push({ kind, remoteId: n.remoteId, label: n.label, reason: n.reason });
        return;
      }
      const { managed: _m, ...rest } = n;
      out.push({ kind, ...rest, etag: hash(stableStringify(dto)) });
    });
    live[kind] = out;
  }
  return { live, unmanaged };
}
