/**
 * API keys (Authorization API). `POST /apikeys` answers 201 with the value, once; every later read masks
 * it. `PUT /apikeys/{id}` takes ApiKeyUpdateRequest only: `privileges`, `enabled` and expiry in the body are
 * ignored, as a server that drops unknown properties does (the contract has no way to change them).
 * Activate/disable answer 204. A key created here works as a Bearer token with exactly its privileges.
 */
import { principalName } from '../auth.js';
import { newId, type RequestContext, type RouteHandlers } from '../context.js';
import { asRecord, badRequest, clone, enumParam, idNames, noContent, notFound, ok, requireObject } from '../http.js';
import { checkAssignableToApiKey, parsePrivilege } from '../privilege-catalog.js';
import type { ApiKeyRecord, Doc, OrgState } from '../state.js';

const STATUS_FILTERS = ['ACTIVE', 'SOON_TO_BE_DISABLED', 'SOON_TO_BE_EXPIRED', 'ACTIVE_AND_EXPOSED', 'WITH_WARNING', 'ALL_EXPOSED', 'DEACTIVATED'] as const;

/** `xx590a****-****-****-****-************`: the shape of a key value with all but its start hidden. */
export function maskValue(value: string): string {
  return value.slice(0, 6) + value.slice(6).replace(/[0-9a-zA-Z]/g, '*');
}

/** The API key with this id; 404 when there is none. */
export function getKey(org: OrgState, id: string): ApiKeyRecord {
  const k = org.apiKeys.get(id);
  if (!k) throw notFound(`The API key '${id}' does not exist in organization ${org.id}.`);
  return k;
}

/** ISO-8601 durations such as `P1Y`, `P90D`, `PT12H` → milliseconds; undefined when malformed. */
export function durationMs(iso: string): number | undefined {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m || iso === 'P' || iso.endsWith('T')) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number, number];
  return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

function stringList(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`'${what}' must be a list of strings.`, 'INVALID_BODY');
  return [...(v)];
}

function text(o: Doc, name: string, max: number): string | undefined {
  const v = o[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${name}' must be a string.`, 'INVALID_BODY');
  if (v.length > max) throw badRequest(`'${name}' is longer than ${max} characters.`, 'INVALID_PARAMETER');
  return v;
}

/** The fields of ApiKeyUpdateRequest, validated (shared by create and update). */
function updatable(body: Doc): Doc {
  const out: Doc = {};
  const displayName = text(body, 'displayName', 125);
  if (displayName !== undefined) out['displayName'] = displayName;
  const description = text(body, 'description', 1000);
  if (description !== undefined) out['description'] = description;
  out['allowedIps'] = stringList(body['allowedIps'], 'allowedIps');
  out['deniedIps'] = stringList(body['deniedIps'], 'deniedIps');
  if (body['additionalConfiguration'] !== undefined && body['additionalConfiguration'] !== null) {
    if (!asRecord(body['additionalConfiguration'])) throw badRequest("'additionalConfiguration' must be an object.", 'INVALID_BODY');
    out['additionalConfiguration'] = clone(body['additionalConfiguration']);
  }
  out['groupsThatCanEdit'] = idNames(body['groupsThatCanEdit'], 'groupsThatCanEdit');
  out['apiKeysThatCanEdit'] = idNames(body['apiKeysThatCanEdit'], 'apiKeysThatCanEdit');
  return out;
}

function keyPrivileges(v: unknown): Doc[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest("'privileges' must be a list of {owner, targetDomain, type, targetId}.", 'INVALID_BODY');
  const seen = new Set<string>();
  const out: Doc[] = [];
  for (const raw of v as unknown[]) {
    const p = parsePrivilege(raw);
    if (typeof p === 'string') throw badRequest(`Invalid privilege: ${p}.`, 'INVALID_BODY');
    const problem = checkAssignableToApiKey(p);
    if (problem) throw badRequest(problem, 'INVALID_PRIVILEGE');
    const doc: Doc = { owner: p.owner, targetDomain: p.targetDomain, ...(p.type !== undefined ? { type: p.type } : {}), targetId: p.targetId ?? '*' };
    const key = JSON.stringify([doc['owner'], doc['targetDomain'], doc['type'], doc['targetId']]);
    if (!seen.has(key)) out.push(doc);
    seen.add(key);
  }
  return out;
}

/** What every read returns: the stored key with its value masked. */
export function toKeyResponse(k: ApiKeyRecord): Doc {
  return { ...clone(k.doc), value: maskValue(k.value) };
}

/** Builds and stores a key; returns the record (its value is new). */
export function createKey(ctx: RequestContext, body: Doc): { record: ApiKeyRecord; rotationSecret?: string } {
  const fields = updatable(body);
  if (fields['displayName'] === undefined || fields['displayName'] === '') throw badRequest("'displayName' is required for an API key created without a template.", 'MISSING_PARAMETER');
  const privileges = keyPrivileges(body['privileges']);
  if (privileges.length === 0) throw badRequest('An API key needs at least one privilege.', 'MISSING_PARAMETER');
  const enabled = body['enabled'];
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') throw badRequest("'enabled' must be true or false.", 'INVALID_BODY');
  const now = ctx.env.now();
  let expirationDate: number | undefined;
  if (body['lifetimeDuration'] !== undefined && body['lifetimeDuration'] !== null) {
    const ms = typeof body['lifetimeDuration'] === 'string' ? durationMs(body['lifetimeDuration']) : undefined;
    if (ms === undefined || ms <= 0) throw badRequest(`'lifetimeDuration' must be an ISO-8601 duration such as P1Y or P90D (got ${JSON.stringify(body['lifetimeDuration'])}).`, 'INVALID_PARAMETER');
    expirationDate = now + ms;
  }
  const id = newId(ctx.env, ctx.org);
  const isEnabled = enabled !== false;
  const doc: Doc = {
    id,
    tokenId: ctx.env.random.uuid(),
    organizationId: ctx.org.id,
    ...fields,
    privileges,
    enabled: isEnabled,
    status: isEnabled ? 'ENABLED' : 'DISABLED',
    createdDate: now,
    createdBy: { username: principalName(ctx.principal), displayName: principalName(ctx.principal) },
    activationDate: now,
    ...(isEnabled ? {} : { disabledDate: now }),
    ...(expirationDate !== undefined ? { expirationDate } : {}),
    privacyLevel: privileges.every((p) => p['owner'] === 'SEARCH_API' || p['owner'] === 'USAGE_ANALYTICS') ? 'PUBLIC' : 'PRIVATE',
    resourceId: id,
  };
  const record: ApiKeyRecord = { id, doc, value: `xx${ctx.env.random.uuid()}` };
  ctx.org.apiKeys.set(id, record);
  ctx.env.state.apiKeyValues.set(record.value, { organizationId: ctx.org.id, keyId: id });
  return body['rotationEnabled'] === true ? { record, rotationSecret: ctx.env.random.uuid() } : { record };
}

const keyOf = (ctx: RequestContext): ApiKeyRecord => getKey(ctx.org, ctx.params['apiKeyId'] ?? '');

function setEnabled(ctx: RequestContext, enabled: boolean): void {
  const k = keyOf(ctx);
  const doc: Doc = { ...k.doc, enabled, status: enabled ? 'ENABLED' : 'DISABLED' };
  if (enabled) {
    delete doc['disabledDate'];
    doc['activationDate'] = ctx.env.now();
  } else doc['disabledDate'] = ctx.env.now();
  k.doc = doc;
}

export const apiKeyRoutes: RouteHandlers = {
  'GET /apikeys': {
    listing: 'bare',
    handle: (ctx) => {
      const status = enumParam(ctx.query, 'status', STATUS_FILTERS);
      const soon = ctx.env.now() + 30 * 86_400_000;
      const keep = (k: ApiKeyRecord): boolean => {
        const enabled = k.doc['enabled'] === true;
        const expiration = k.doc['expirationDate'];
        switch (status) {
          case undefined:
            return true;
          case 'ACTIVE':
            return enabled;
          case 'DEACTIVATED':
            return !enabled;
          case 'SOON_TO_BE_EXPIRED':
            return enabled && typeof expiration === 'number' && expiration < soon;
          case 'SOON_TO_BE_DISABLED':
          case 'ACTIVE_AND_EXPOSED':
          case 'WITH_WARNING':
          case 'ALL_EXPOSED':
            // The emulator never disables keys for inactivity nor finds them exposed.
            return false;
        }
      };
      const keys = [...ctx.org.apiKeys.values()].filter(keep);
      return ok(keys.map(toKeyResponse));
    },
  },
  'POST /apikeys': {
    handle: (ctx) => {
      if (ctx.query.get('apiKeyTemplateId')) throw badRequest('API key templates are not emulated; create the key with displayName and privileges.', 'INVALID_PARAMETER');
      const { record, rotationSecret } = createKey(ctx, requireObject(ctx.body, 'ApiKeyCreationRequest'));
      return ok({ ...clone(record.doc), value: record.value, ...(rotationSecret !== undefined ? { rotationSecret } : {}) }, 201);
    },
  },
  'GET /apikeys/{apiKeyId}': { handle: (ctx) => ok(toKeyResponse(keyOf(ctx))) },
  'PUT /apikeys/{apiKeyId}': {
    handle: (ctx) => {
      const k = keyOf(ctx);
      const body = requireObject(ctx.body, 'ApiKeyUpdateRequest');
      const fields = updatable(body);
      if (fields['displayName'] === undefined || fields['displayName'] === '') throw badRequest("'displayName' is required.", 'MISSING_PARAMETER');
      const doc = { ...k.doc, ...fields };
      if (fields['description'] === undefined) delete doc['description'];
      if (fields['additionalConfiguration'] === undefined) delete doc['additionalConfiguration'];
      k.doc = doc;
      return noContent();
    },
  },
  'DELETE /apikeys/{apiKeyId}': {
    handle: (ctx) => {
      const k = keyOf(ctx);
      ctx.org.apiKeys.delete(k.id);
      ctx.env.state.apiKeyValues.delete(k.value);
      return noContent();
    },
  },
  'PUT /apikeys/{apiKeyId}/activate': {
    handle: (ctx) => {
      setEnabled(ctx, true);
      return noContent();
    },
  },
  'PUT /apikeys/{apiKeyId}/disable': {
    handle: (ctx) => {
      setEnabled(ctx, false);
      return noContent();
    },
  },
};
