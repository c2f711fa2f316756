/**
 * Reading the live organization: only the kinds needed, concurrently where there is no dependency
 * (schedules wait for sources), every list complete or an error — a failed read never becomes an empty
 * list (design §4).
 */
import type { ApiClient, ProgressEvent } from '../client/types.js';
import { InternalError } from '../errors.js';
import { isPlainObject, type JsonObject } from '../core/json.js';
import type { SpecTable } from '../core/plan-changes.js';
import { RESOURCE_KINDS, type LiveState, type RemoteId, type ResourceKind } from '../core/types.js';
import type { KindOps } from '../kinds/ops-types.js';
import type { LiveIndex } from '../apply/apply-plan.js';

/** Kinds whose ids appear in other kinds' objects, so they must be read to name those references. */
const REFERENCED: Readonly<Record<ResourceKind, readonly ResourceKind[]>> = {
  securityProviders: [],
  fields: [],
  sources: ['securityProviders', 'groups', 'apiKeys'],
  schedules: ['sources'],
  groups: ['sources', 'groups', 'apiKeys'],
  apiKeys: ['sources', 'groups', 'apiKeys'],
};

/**
 * The kinds to read for a set of managed kinds: the managed ones and the ones their objects refer to.
 * API keys are read for references only when the token may read them (`canReadApiKeys`).
 */
export function kindsToRead(managed: readonly ResourceKind[], options: { canReadApiKeys: boolean }): ResourceKind[] {
  const out = new Set<ResourceKind>(managed);
  for (const k of managed) for (const r of REFERENCED[k]) if (r !== 'apiKeys' || options.canReadApiKeys || managed.includes('apiKeys')) out.add(r);
  return RESOURCE_KINDS.filter((k) => out.has(k));
}

export type LiveDtos = { readonly [K in ResourceKind]?: readonly unknown[] };

export async function readLive(
  client: ApiClient,
  ops: { readonly [K in ResourceKind]: KindOps },
  kinds: readonly ResourceKind[],
  onProgress?: (e: ProgressEvent) => void,
  /** Told of each kind's list as soon as it is read (plan starts building while the rest is read). */
  onRead?: (kind: ResourceKind, list: readonly unknown[]) => void,
): Promise<LiveDtos> {
  const read: Partial<Record<ResourceKind, readonly unknown[]>> = {};
  const readKind = async (kind: ResourceKind): Promise<void> => {
    const list = await ops[kind].list({ client, read, ...(onProgress ? { onProgress } : {}) });
    if (!Array.isArray(list)) throw new InternalError(`reading ${kind} did not give a list`);
    read[kind] = list;
    onProgress?.({ label: kind, done: list.length, total: list.length });
    onRead?.(kind, list);
  };
  const first = kinds.filter((k) => k !== 'schedules');
  const sources = kinds.includes('sources') || kinds.includes('schedules') ? readKind('sources') : Promise.resolve();
  // Settle every read before failing, so no request is still in flight when the command reports.
  const settled = await Promise.allSettled([
    ...first.filter((k) => k !== 'sources').map(readKind),
    sources.then(() => (kinds.includes('schedules') ? readKind('schedules') : undefined)),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  // Sources may have been read only for schedules; keep what was asked for plus that.
  return read;
}

/**
 * An index over what was read, for the applier's id lookups and read-merge-write. The id → DTO table of a
 * kind is built the first time that kind is asked for: a plan that applies nothing never pays for it.
 */
export function indexLive(dtos: LiveDtos, live: LiveState, specs: SpecTable): LiveIndex {
  const byKey = new Map<string, RemoteId>();
  const all = new Map<ResourceKind, JsonObject[]>();
  const byId = new Map<ResourceKind, Map<string, JsonObject>>();
  const noRefs = { keyOf: () => undefined };
  for (const kind of RESOURCE_KINDS) {
    all.set(kind, (dtos[kind] ?? []).filter(isPlainObject) as JsonObject[]);
    for (const l of live[kind] ?? []) byKey.set(`${kind}\u0000${l.key}`, l.remoteId);
  }
  const idsOf = (kind: ResourceKind): Map<string, JsonObject> => {
    let ids = byId.get(kind);
    if (!ids) {
      ids = new Map();
      for (const dto of all.get(kind) ?? []) ids.set(specs[kind].normalizeLive(dto, noRefs).remoteId, dto);
      byId.set(kind, ids);
    }
    return ids;
  };
  return {
    idOf: (kind, key) => byKey.get(`${kind}\u0000${key}`),
    dto: (kind, id) => idsOf(kind).get(id),
    dtos: (kind) => all.get(kind) ?? [],
  };
}
