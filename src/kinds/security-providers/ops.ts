/** Security providers over the Security Cache API: list, PUT upsert by client-chosen id, DELETE. */
import type { JsonObject, JsonValue } from '../../core/json.js';
import { toRemoteId, type CreateStep, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asArray, asObject, asString } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { isSecret } from '../../core/secret.js';
import { body, deepMerge, listFrom, reveal, seg, sourceIndex } from '../wire.js';
import { FINGERPRINTS_PARAMETER } from './spec.js';

function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const a = step.after;
  const cascading: Record<string, JsonValue> = {};
  for (const id of asArray(a['cascadingSecurityProviders'])) {
    const s = asString(id);
    if (s !== undefined) cascading[s] = { id: s, name: s };
  }
  const desired = body({
    id: step.id,
    name: step.id,
    displayName: asString(a['displayName']) ?? step.id,
    type: a['type'],
    caseSensitive: a['caseSensitive'],
    nodeRequired: a['nodeRequired'],
    crawlingModuleId: a['crawlingModuleId'],
    cascadingSecurityProviders: a['cascadingSecurityProviders'] === undefined ? undefined : cascading,
    parameters: a['parameters'] === undefined ? undefined : withFingerprints(a['parameters'], ctx),
  });
  const live = step.action === 'create' ? undefined : ctx.liveDto('securityProviders', step.remoteId);
  const merged = asObject(deepMerge(live ? stripStatus(live) : undefined, desired));
  // Cascading providers are a set the files own: replace, do not merge.
  return desired['cascadingSecurityProviders'] === undefined ? merged : { ...merged, cascadingSecurityProviders: desired['cascadingSecurityProviders'] };
}

/**
 * The parameters to send: sensitive values revealed (sent on every write), plus their salted fingerprints
 * in a parameter of their own, so a later plan sees a rotated secret it cannot read back.
 */
function withFingerprints(parameters: JsonValue, ctx: ApplyContext): JsonValue {
  const fingerprints: Record<string, JsonValue> = {};
  for (const [name, p] of Object.entries(asObject(parameters))) {
    const value = asObject(p)['value'];
    if (!isSecret(value)) continue;
    const f = ctx.fingerprint(value.reveal());
    fingerprints[`parameters.${name}.value`] = { salt: f.salt, hash: f.hash };
  }
  const revealed = asObject(reveal(parameters));
  return Object.keys(fingerprints).length === 0 ? revealed : { ...revealed, [FINGERPRINTS_PARAMETER]: { sensitive: false, value: JSON.stringify(fingerprints) } };
}

/** Read-only parts of SecurityProviderModelWithStatus that the PUT body (SecurityProviderModel) does not take. */
function stripStatus(dto: JsonObject): JsonObject {
  const { statistics: _s, lastRefreshOperation: _l, currentStatus: _c, ...rest } = dto;
  return rest;
}

/** The sources that reference a provider. */
export const sourcesSecuredBy = sourceIndex((src) => asArray(src['securityProviderReferences']).filter((r): r is string => typeof r === 'string'));

export const securityProvidersOps: KindOps = {
  async list({ client }) {
    return listFrom(client, '/securityproviders', 'security providers');
  },
  async create(step, ctx) {
    // PUT is an upsert and needs SECURITY_PROVIDER:CREATE (contract); it is idempotent, so safe to retry.
    await ctx.client.request({ method: 'PUT', path: `/securityproviders/${seg(step.id)}`, body: toWire(step, ctx) });
    return { remoteId: toRemoteId(step.id) };
  },
  async update(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/securityproviders/${seg(step.remoteId)}`, body: toWire(step, ctx) });
  },
  async replace(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/securityproviders/${seg(step.remoteId)}`, body: toWire(step, ctx) });
    return { remoteId: step.remoteId };
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/securityproviders/${seg(step.remoteId)}` });
  },
  touchedSources(step, ctx) {
    // Sources secured by a changed provider need their changes applied (design §5).
    return sourcesSecuredBy(ctx.liveDtos('sources'), step.id);
  },
};
