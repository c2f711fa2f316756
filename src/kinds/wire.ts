/**
 * Edge helpers shared by the kinds' ops: attrs → wire bodies (references to ids, secrets revealed),
 * read-merge-write, and path segments.
 */
import type { ApiClient } from '../client/types.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import { ApiError } from '../errors.js';
import { isSecret } from '../core/secret.js';
import { toRemoteId, type RemoteId, type ResourceKey, type ResourceKind } from '../core/types.js';
import { asArray, asObject, asString, TARGET_KIND } from './common.js';
import type { ApplyContext } from './ops-types.js';

/** A path segment from data (ids, names): encoded, and never `.` or `..` (the client's rule). */
export { pathSegment as seg } from '../client/index.js';

/**
 * Reads a listing that Coveo answers as a bare JSON array (`GET /groups`, `GET /apikeys`, …). Anything
 * else (an error object with a 200, `null`, a page object) is an `ApiError`, never an empty list and
 * never a crash: a read that does not give the list must not plan as "nothing there" (design §4).
 */
export async function listFrom(client: ApiClient, path: string, label: string): Promise<unknown[]> {
  const body = await client.request<unknown>({ method: 'GET', path, label });
  if (Array.isArray(body)) return body as unknown[];
  const found = body === null ? 'null' : body === undefined ? 'an empty body' : typeof body === 'object' ? 'an object' : `a ${typeof body}`;
  const fullPath = `/rest/organizations/${encodeURIComponent(client.organizationId)}${path}`;
  throw new ApiError({
    method: 'GET',
    path: fullPath,
    status: 200,
    errorCode: 'invalid_page',
    message: `[GET] ${fullPath}: 200 — the answer is ${found}, not the list of ${label}; nothing was planned from it. Run again; if it persists, check the token's privileges and the platform URL.`,
  });
}

/** A deep copy where every Secret is replaced by its value: only for request bodies. */
export function reveal(v: unknown): JsonValue {
  if (isSecret(v)) return v.reveal();
  if (Array.isArray(v)) return v.map(reveal);
  if (isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = reveal(x);
    return out;
  }
  return v as JsonValue;
}

/**
 * Merges desired values into the live object: objects recursively (keys the files do not declare
 * survive), anything else replaced.
 */
export function deepMerge(live: JsonValue | undefined, desired: JsonValue | undefined): JsonValue | undefined {
  if (desired === undefined) return live;
  if (isPlainObject(live) && isPlainObject(desired)) {
    const out: Record<string, JsonValue> = { ...(live as Record<string, JsonValue>) };
    for (const [k, v] of Object.entries(desired)) {
      const merged = deepMerge(live[k], v);
      if (merged !== undefined) out[k] = merged;
    }
    return out;
  }
  return desired;
}

/** Resolves a reference for a body; defers the resource when the target does not exist yet. */
export function resolveId(ctx: ApplyContext, self: { kind: ResourceKind; key: ResourceKey }, kind: ResourceKind, key: string): string | undefined {
  const id = ctx.idOf(kind, key);
  if (id === undefined) ctx.defer(self.kind, self.key);
  return id;
}

/** `[name]` → `[{id, displayName}]` for groupsThatCanEdit/apiKeysThatCanEdit, skipping targets not created yet. */
export function idList(ctx: ApplyContext, self: { kind: ResourceKind; key: ResourceKey }, kind: ResourceKind, names: unknown): JsonObject[] | undefined {
  if (names === undefined) return undefined;
  return asArray(names).flatMap((n) => {
    const name = asString(n);
    if (name === undefined) return [];
    const id = resolveId(ctx, self, kind, name);
    return id === undefined ? [] : [{ id, displayName: name }];
  });
}

/** Privileges in the wire form `{owner, targetDomain, type, targetId}`. */
export function privilegesToWire(ctx: ApplyContext, self: { kind: ResourceKind; key: ResourceKey }, privileges: unknown): JsonObject[] | undefined {
  if (privileges === undefined) return undefined;
  return asArray(privileges).flatMap((raw) => {
    const p = asObject(raw);
    const target = asObject(p['target']);
    const out: Record<string, JsonValue> = { owner: p['owner'] ?? null, targetDomain: p['targetDomain'] ?? null };
    if (p['type'] !== undefined) out['type'] = p['type'];
    const entry = Object.entries(target)[0];
    if (entry) {
      const [prop, value] = entry;
      if (prop === 'id') out['targetId'] = value as JsonValue;
      else {
        const t = Object.values(TARGET_KIND).find((x) => x.prop === prop);
        const key = asString(value) ?? '';
        const id = t === undefined ? key : t.kind === 'securityProviders' ? key : resolveId(ctx, self, t.kind, key);
        if (id === undefined) return []; // written in the cross-references pass
        out['targetId'] = id;
      }
    }
    return [out];
  });
}

/** Drops undefined values so bodies are plain JSON. */
export function body(o: Record<string, JsonValue | undefined>): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * A lookup of the sources of a listing by the strings `keysOf` finds in each (the field names of its
 * mappings, the providers it references). The index is built once per listing, so a plan that changes
 * thousands of fields or providers never scans every source for each step.
 */
export function sourceIndex(keysOf: (source: JsonObject) => Iterable<string>): (sources: readonly JsonObject[], key: string) => readonly RemoteId[] {
  const cache = new WeakMap<readonly JsonObject[], Map<string, RemoteId[]>>();
  return (sources, key) => {
    let index = cache.get(sources);
    if (!index) {
      index = new Map();
      for (const src of sources) {
        const id = toRemoteId(src['id'] as string);
        for (const k of new Set(keysOf(src))) {
          const list = index.get(k);
          if (list) list.push(id);
          else index.set(k, [id]);
        }
      }
      cache.set(sources, index);
    }
    return index.get(key) ?? [];
  };
}
