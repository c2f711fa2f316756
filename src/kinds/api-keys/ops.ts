/**
 * API keys over the Authorization API. The value exists once, in the create response; the applier hands
 * it to the secrets sink before anything else. Privileges and `enabled` are not in ApiKeyUpdateRequest:
 * privileges change by replacement, `enabled` through activate/disable.
 */
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asObject, asString } from '../common.js';
import type { ApplyContext, CreateResult, KindOps } from '../ops-types.js';
import { body, idList, privilegesToWire, seg } from '../wire.js';
import { withMarker } from './spec.js';

/** Fields of ApiKeyUpdateRequest (coveo-api-contract.md): the only ones a PUT takes. */
const UPDATABLE = ['displayName', 'description', 'allowedIps', 'deniedIps', 'additionalConfiguration', 'groupsThatCanEdit', 'apiKeysThatCanEdit'] as const;

function common(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const a = step.after;
  const self = { kind: 'apiKeys' as const, key: step.id };
  return body({
    displayName: a['displayName'],
    description: withMarker(asString(a['description']), step.id),
    allowedIps: a['allowedIps'],
    deniedIps: a['deniedIps'],
    additionalConfiguration: a['additionalConfiguration'],
    groupsThatCanEdit: idList(ctx, self, 'groups', a['groupsThatCanEdit']),
    apiKeysThatCanEdit: idList(ctx, self, 'apiKeys', a['apiKeysThatCanEdit']),
  });
}

async function createKey(step: CreateStep | ReplaceStep, ctx: ApplyContext): Promise<CreateResult> {
  const a = step.after;
  const self = { kind: 'apiKeys' as const, key: step.id };
  const req = body({
    ...common(step, ctx),
    privileges: privilegesToWire(ctx, self, a['privileges']),
    enabled: a['enabled'],
    lifetimeDuration: a['lifetimeDuration'],
  });
  // Never retried once it may have reached Coveo (POST): a retry could mint a second key.
  const res = asObject(await ctx.client.request<JsonObject>({ method: 'POST', path: '/apikeys', body: req, label: 'apiKeys' }));
  const id = asString(res['id']);
  const value = asString(res['value']);
  if (id === undefined || value === undefined) throw new Error('Coveo answered the API key creation without an id or value');
  return { remoteId: toRemoteId(id), secretValue: value };
}

async function setEnabled(ctx: ApplyContext, id: RemoteId, enabled: boolean): Promise<void> {
  await ctx.client.request({ method: 'PUT', path: `/apikeys/${seg(id)}/${enabled ? 'activate' : 'disable'}`, label: 'apiKeys' });
}

export const apiKeysOps: KindOps = {
  async list({ client }) {
    return client.request<unknown[]>({ method: 'GET', path: '/apikeys', label: 'apiKeys' });
  },
  create: createKey,
  async update(step, ctx) {
    const live = ctx.liveDto('apiKeys', step.remoteId) ?? {};
    const merged: Record<string, unknown> = {};
    for (const k of UPDATABLE) if (live[k] !== undefined) merged[k] = live[k];
    await ctx.client.request({ method: 'PUT', path: `/apikeys/${seg(step.remoteId)}`, body: { ...merged, ...common(step, ctx) }, label: 'apiKeys' });
    const enabled = step.after['enabled'];
    if (typeof enabled === 'boolean' && enabled !== (live['enabled'] ?? true)) await setEnabled(ctx, step.remoteId, enabled);
  },
  async replace(step, ctx) {
    // New key first, so there is never a moment without a working key; then retire the old one.
    const created = await createKey(step, ctx);
    if (ctx.replacedKeys === 'disable') await setEnabled(ctx, step.remoteId, false);
    else await ctx.client.request({ method: 'DELETE', path: `/apikeys/${seg(step.remoteId)}`, label: 'apiKeys' });
    return created;
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/apikeys/${seg(step.remoteId)}`, label: 'apiKeys' });
  },
};
