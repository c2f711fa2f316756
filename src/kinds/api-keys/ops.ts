/**
 * API keys over the Authorization API. The value exists once, in the create response; the applier hands
 * it to the secrets sink before anything else. Privileges and `enabled` are not in ApiKeyUpdateRequest:
 * privileges change by replacement, `enabled` through activate/disable.
 */
import type { ApiClient } from '../../client/types.js';
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asObject, asString } from '../common.js';
import type { ApplyContext, CreateResult, KindOps } from '../ops-types.js';
import { body, idList, listFrom, privilegesToWire, seg } from '../wire.js';
import { normalizeDescription, parseMarker, withMarker } from './spec.js';

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

async function setEnabled(client: ApiClient, id: RemoteId, enabled: boolean): Promise<void> {
  await client.request({ method: 'PUT', path: `/apikeys/${seg(id)}/${enabled ? 'activate' : 'disable'}`, label: 'apiKeys' });
}

/**
 * The description of a replaced key kept disabled: the user's text, then a line that is not the marker,
 * so the key no longer carries the identity its replacement now has (two keys with one marker would stop
 * every later plan).
 */
export function retiredDescription(description: string | undefined, name: string): string {
  const text = normalizeDescription(parseMarker(description).description);
  const line = `retired-by: coveo-sync name=${name}`;
  return text === '' ? line : `${text}\n\n${line}`;
}

/**
 * Retires an API key that a new one replaced: deletes it, or (`disable`, `--keep-replaced-keys`) disables
 * it and takes its marker off. A retried DELETE that finds the key gone has done its job.
 */
export async function retireApiKey(client: ApiClient, id: RemoteId, live: JsonObject | undefined, name: string, mode: 'delete' | 'disable'): Promise<void> {
  if (mode === 'delete') {
    await client.request({ method: 'DELETE', path: `/apikeys/${seg(id)}`, label: 'apiKeys' });
    return;
  }
  // Disabled first: a kill between the two writes leaves a disabled key that still has the marker, which
  // `apply --resume` recognises; the other order would leave an enabled key nobody manages.
  await setEnabled(client, id, false);
  const merged: Record<string, unknown> = {};
  for (const k of UPDATABLE) if (live?.[k] !== undefined) merged[k] = live[k];
  await client.request({ method: 'PUT', path: `/apikeys/${seg(id)}`, body: { ...merged, description: retiredDescription(asString(live?.['description']), name) }, label: 'apiKeys' });
}

export const apiKeysOps: KindOps = {
  async list({ client }) {
    return listFrom(client, '/apikeys', 'apiKeys');
  },
  create: createKey,
  async update(step, ctx) {
    const live = ctx.liveDto('apiKeys', step.remoteId) ?? {};
    const merged: Record<string, unknown> = {};
    for (const k of UPDATABLE) if (live[k] !== undefined) merged[k] = live[k];
    await ctx.client.request({ method: 'PUT', path: `/apikeys/${seg(step.remoteId)}`, body: { ...merged, ...common(step, ctx) }, label: 'apiKeys' });
    const enabled = step.after['enabled'];
    if (typeof enabled === 'boolean' && enabled !== (live['enabled'] ?? true)) await setEnabled(ctx.client, step.remoteId, enabled);
  },
  async replace(step, ctx) {
    // New key first, so there is never a moment without a working key; its value is saved (ctx.created)
    // before the old one is retired, so a failure while retiring cannot lose it.
    const created = await createKey(step, ctx);
    ctx.created?.(step, created);
    await retireApiKey(ctx.client, step.remoteId, ctx.liveDto('apiKeys', step.remoteId), step.id, ctx.replacedKeys);
    return created;
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/apikeys/${seg(step.remoteId)}`, label: 'apiKeys' });
  },
};
