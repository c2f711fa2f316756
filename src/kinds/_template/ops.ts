/**
 * TEMPLATE: the edge half of a new kind (style guide §4): how it is read from and written to Coveo. Copy
 * with spec.ts; rename `templateOps` and add it to OPS in ../registry.ts. Take every path, query default
 * and privilege from `shared/reference/coveo-api-contract.md`, and send the safe flags explicitly where a
 * call has a dangerous default (rebuild, updateSecurityProviders, sendEmail…).
 */
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asObject, asString } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { body, idList, privilegesToWire, seg } from '../wire.js';

/** Desired attrs → request body: references by identity become ids (deferred when not created yet). */
function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const a = step.after;
  const self = { kind: 'groups' as const, key: step.id }; // the new kind, once it exists
  const desired = body({
    name: step.id,
    displayName: a['displayName'],
    privileges: privilegesToWire(ctx, self, a['privileges']),
    groupsThatCanEdit: idList(ctx, self, 'groups', a['groupsThatCanEdit']),
  });
  if (step.action === 'create') return desired;
  // Read-merge-write: keep what the files do not declare, as read for this plan.
  return { ...(ctx.liveDto('groups', step.remoteId) ?? {}), ...desired };
}

async function create(step: CreateStep | ReplaceStep, ctx: ApplyContext): Promise<RemoteId> {
  // A POST is never retried once it may have reached Coveo (the client's rule): a retry could duplicate.
  const res = await ctx.client.request<JsonObject>({ method: 'POST', path: '/templates', body: toWire(step, ctx), label: 'templates' });
  const id = asString(asObject(res)['id']);
  if (id === undefined) throw new Error('Coveo answered the creation without an id');
  return toRemoteId(id);
}

export const templateOps: KindOps = {
  // Complete or throw: a failed or partial read must never look like an empty list (design §4). Use
  // `client.listAll` with the endpoint's own paging shape and largest page size.
  async list({ client }) {
    return client.request<unknown[]>({ method: 'GET', path: '/templates', label: 'templates' });
  },
  async create(step, ctx) {
    return { remoteId: await create(step, ctx) };
  },
  async update(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/templates/${seg(step.remoteId)}`, body: toWire(step, ctx), label: 'templates' });
  },
  async replace(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/templates/${seg(step.remoteId)}`, label: 'templates' });
    return { remoteId: await create(step, ctx) };
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/templates/${seg(step.remoteId)}`, label: 'templates' });
  },
};
