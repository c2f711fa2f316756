/**
 * Groups over the Authorization API. Every write sends `sendEmailToInvitedUsers=false` (it defaults to
 * true, and platform-client misspells it). Updates are read-merge-write: members and invites the files do
 * not declare stay as they are.
 */
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asArray, asObject, asString } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { body, idList, listFrom, privilegesToWire, seg } from '../wire.js';

export const SAFE_GROUP_FLAGS = { sendEmailToInvitedUsers: false } as const;

const person = (v: unknown): JsonObject => {
  const s = asString(v) ?? '';
  return s.includes('@') ? { username: s, email: s } : { username: s };
};

function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const a = step.after;
  const self = { kind: 'groups' as const, key: step.id };
  const desired = body({
    displayName: step.id,
    privileges: privilegesToWire(ctx, self, a['privileges']),
    members: a['members'] === undefined ? undefined : asArray(a['members']).map(person),
    invites: a['invites'] === undefined ? undefined : asArray(a['invites']).map(person),
    groupsThatCanEdit: idList(ctx, self, 'groups', a['groupsThatCanEdit']),
    apiKeysThatCanEdit: idList(ctx, self, 'apiKeys', a['apiKeysThatCanEdit']),
  });
  if (step.action === 'create') return desired;
  const live = ctx.liveDto('groups', step.remoteId) ?? {};
  const { groupType: _t, ...rest } = live;
  return { ...rest, ...desired, id: step.remoteId };
}

async function createGroup(step: CreateStep | ReplaceStep, ctx: ApplyContext): Promise<RemoteId> {
  const res = await ctx.client.request<JsonObject>({ method: 'POST', path: '/groups', query: { ...SAFE_GROUP_FLAGS, canEditItself: false }, body: toWire(step, ctx), label: 'groups' });
  const id = asString(asObject(res)['id']);
  if (id === undefined) throw new Error('Coveo answered the group creation without an id');
  return toRemoteId(id);
}

export const groupsOps: KindOps = {
  async list({ client }) {
    return listFrom(client, '/groups', 'groups');
  },
  async create(step, ctx) {
    return { remoteId: await createGroup(step, ctx) };
  },
  async update(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/groups/${seg(step.remoteId)}`, query: SAFE_GROUP_FLAGS, body: toWire(step, ctx), label: 'groups' });
  },
  async replace(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/groups/${seg(step.remoteId)}`, label: 'groups' });
    return { remoteId: await createGroup(step, ctx) };
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/groups/${seg(step.remoteId)}`, label: 'groups' });
  },
};
