/**
 * Sources through the raw configuration (design §5): every write sends `rebuild=false` and
 * `updateSecurityProviders=false` (both default to true in Coveo). Fingerprints of secrets sent are stored
 * in `additionalInfos` so later plans can tell when a secret changed without ever reading it.
 */
import { isPlainObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { isSecret } from '../../core/secret.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type StoredFingerprint, type UpdateStep } from '../../core/types.js';
import { asObject, asString } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { body, deepMerge, idList, reveal, seg } from '../wire.js';
import { FINGERPRINTS_INFO_KEY, readFingerprints } from './spec.js';

export const SAFE_SOURCE_FLAGS = { rebuild: false, updateSecurityProviders: false } as const;
/**
 * Raw listing page size (GET /sources/raw/all, which documents no maximum): 1000, the largest page the
 * fields listing allows, so most organizations take one request. The count from GET /sources/pages
 * guards it: a server that serves smaller pages is detected and read at its own size (client `countWith`).
 */
export const SOURCE_PAGE_SIZE = 1000;

/**
 * Secrets in the desired attrs: their dotted paths, the value to send (or undefined when the stored
 * fingerprint shows Coveo already has it: write-only values are sent only when they change), and the
 * fingerprint to store.
 */
function secretsOf(attrs: JsonObject, stored: Readonly<Record<string, StoredFingerprint>>, ctx: ApplyContext) {
  const out: { path: string[]; send: boolean; fingerprint: StoredFingerprint }[] = [];
  const walk = (v: unknown, path: string[]): void => {
    if (isSecret(v)) {
      const old = stored[path.join('.')];
      const same = old !== undefined && ctx.matchesFingerprint(v.reveal(), old);
      out.push({ path, send: !same, fingerprint: same && old ? old : ctx.fingerprint(v.reveal()) });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, String(i)]));
    else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(attrs, []);
  return out;
}

function unset(obj: JsonValue, path: readonly string[]): JsonValue {
  if (path.length === 0 || !isPlainObject(obj)) return obj;
  const [head, ...rest] = path as [string, ...string[]];
  const o = obj as Record<string, JsonValue>;
  if (!(head in o)) return obj;
  if (rest.length === 0) {
    const { [head]: _drop, ...others } = o;
    return others;
  }
  return { ...o, [head]: unset(o[head] as JsonValue, rest) };
}

function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const a = step.after;
  const self = { kind: 'sources' as const, key: step.id };
  const live = step.action === 'update' ? ctx.liveDto('sources', step.remoteId) : undefined;
  const stored = readFingerprints(live?.['additionalInfos']);
  const secrets = secretsOf(a, stored, ctx);
  let desired: JsonValue = body({
    name: step.id,
    sourceType: a['sourceType'],
    sourceVisibility: a['sourceVisibility'],
    pushEnabled: a['pushEnabled'],
    streamEnabled: a['streamEnabled'],
    onPremisesEnabled: a['onPremisesEnabled'],
    crawlingModuleId: a['crawlingModuleId'],
    logicalIndex: a['logicalIndex'],
    additionalComments: a['additionalComments'],
    configuration: a['configuration'] === undefined ? undefined : reveal(a['configuration']),
    mappings: a['mappings'] === undefined ? undefined : reveal(a['mappings']),
    preConversionExtensions: a['preConversionExtensions'],
    postConversionExtensions: a['postConversionExtensions'],
    securityProviderReferences: a['securityProviders'],
    groupsThatCanEdit: idList(ctx, self, 'groups', a['groupsThatCanEdit']),
    apiKeysThatCanEdit: idList(ctx, self, 'apiKeys', a['apiKeysThatCanEdit']),
  });
  // An unchanged write-only value is not sent again (design §4); Coveo keeps the one it has.
  for (const s of secrets) if (!s.send) desired = unset(desired, s.path);
  const merged = asObject(deepMerge(live ? stripServerManaged(live) : undefined, desired));
  // The files own these lists as wholes (sets), so they replace rather than merge.
  const owned: Record<string, JsonValue> = {};
  for (const k of ['mappings', 'securityProviderReferences', 'preConversionExtensions', 'postConversionExtensions', 'groupsThatCanEdit', 'apiKeysThatCanEdit']) {
    const v = (desired as JsonObject)[k];
    if (v !== undefined) owned[k] = v;
  }
  const fingerprints: Record<string, JsonValue> = { ...(stored as unknown as Record<string, JsonValue>) };
  for (const s of secrets) fingerprints[s.path.join('.')] = { salt: s.fingerprint.salt, hash: s.fingerprint.hash };
  const additionalInfos = { ...asObject(merged['additionalInfos']), ...(secrets.length > 0 ? { [FINGERPRINTS_INFO_KEY]: fingerprints } : {}) };
  return { ...merged, ...owned, ...(Object.keys(additionalInfos).length > 0 ? { additionalInfos } : {}) };
}

/** Read-only parts of a raw source that a PUT must not echo back. */
export function stripServerManaged(dto: JsonObject): JsonObject {
  const { information: _i, lastModifiedDate: _l, createdDate: _c, lastModifier: _m, owner: _o, resourceId: _r, ...rest } = dto;
  return rest;
}

async function createSource(step: CreateStep | ReplaceStep, ctx: ApplyContext): Promise<RemoteId> {
  // POST is not idempotent: the client never retries it after it may have reached Coveo, and Coveo
  // answers 409 on a duplicate name, so a retry after a lost answer cannot duplicate the source.
  const res = await ctx.client.request<JsonObject>({ method: 'POST', path: '/sources/raw', query: SAFE_SOURCE_FLAGS, body: toWire(step, ctx), label: 'sources' });
  const id = asString(asObject(res)['id']);
  if (id === undefined) throw new Error('Coveo answered the source creation without an id');
  return toRemoteId(id);
}

export const sourcesOps: KindOps = {
  async list({ client, onProgress }) {
    // The raw form carries the full configuration, so no per-source GET is needed. The count goes with
    // page 0, so every page can be asked for at once and the total checked.
    return client.listAll(
      {
        method: 'GET',
        path: '/sources/raw/all',
        query: { includeMappings: true },
        pagingIn: 'query',
        sizeParam: 'pageSize',
        pageSize: SOURCE_PAGE_SIZE,
        itemsKey: '',
        shape: 'bare',
        countWith: { request: { method: 'GET', path: '/sources/pages', query: { page: 0, perPage: 1 } }, totalKey: 'totalEntries' },
        label: 'sources',
      },
      onProgress,
    );
  },
  async create(step, ctx) {
    return { remoteId: await createSource(step, ctx) };
  },
  async update(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/sources/${seg(step.remoteId)}/raw`, query: SAFE_SOURCE_FLAGS, body: toWire(step, ctx), label: 'sources' });
  },
  async replace(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/sources/${seg(step.remoteId)}`, label: 'sources' });
    return { remoteId: await createSource(step, ctx) };
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/sources/${seg(step.remoteId)}`, label: 'sources' });
  },
  touchedSources(step, _ctx, created) {
    if (step.action === 'delete') return [];
    return [created ?? (step.action === 'create' ? undefined : step.remoteId)].filter((x): x is RemoteId => x !== undefined);
  },
};

