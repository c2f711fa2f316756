/**
 * Source schedules: listed per source (GET /sources/{id}/schedules, a bare array), all sources
 * concurrently through the client's shared limit. Each DTO is tagged with its `sourceId` so the spec can
 * name its source.
 */
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type RemoteId, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asObject, asString } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { body, deepMerge, listFrom, seg } from '../wire.js';

function sourceIdOf(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): RemoteId {
  const source = asString(step.after['source']) ?? '';
  const id = ctx.idOf('sources', source);
  // The planner orders sources before schedules, so a missing id means the source step failed.
  if (id === undefined) throw new Error(`the source "${source}" of schedule "${step.id}" does not exist`);
  return id;
}

function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext, sourceId: string): JsonObject {
  const a = step.after;
  const desired = body({ refreshType: a['refreshType'], enabled: a['enabled'], frequency: a['frequency'], scheduleType: 'SOURCE' });
  if (step.action !== 'update') return desired;
  const live = ctx.liveDto('schedules', step.remoteId);
  const { sourceId: _s, lastExecution: _l, ...rest } = live ?? {};
  return { ...asObject(deepMerge(rest, desired)), frequency: desired['frequency'] ?? null, id: step.remoteId, resourceId: sourceId };
}

async function createSchedule(step: CreateStep | ReplaceStep, ctx: ApplyContext): Promise<RemoteId> {
  const sourceId = sourceIdOf(step, ctx);
  const res = await ctx.client.request<JsonObject>({ method: 'POST', path: `/sources/${seg(sourceId)}/schedules`, body: toWire(step, ctx, sourceId), label: 'schedules' });
  const id = asString(asObject(res)['id']);
  if (id === undefined) throw new Error('Coveo answered the schedule creation without an id');
  return toRemoteId(id);
}

/** The source a live schedule belongs to, as tagged when it was listed. */
function liveSourceId(ctx: ApplyContext, remoteId: string): string {
  return asString(ctx.liveDto('schedules', remoteId)?.['sourceId']) ?? '';
}

export const schedulesOps: KindOps = {
  async list({ client, read }) {
    const sources = (read.sources ?? []).map((s) => asString(asObject(s)['id'])).filter((x): x is string => x !== undefined);
    const perSource = await Promise.all(
      sources.map(async (sourceId) => {
        const list = await listFrom(client, `/sources/${seg(sourceId)}/schedules`, 'schedules');
        return list.map((s) => ({ ...asObject(s), sourceId }));
      }),
    );
    return perSource.flat();
  },
  async create(step, ctx) {
    return { remoteId: await createSchedule(step, ctx) };
  },
  async update(step, ctx) {
    const sourceId = sourceIdOf(step, ctx);
    await ctx.client.request({ method: 'PUT', path: `/sources/${seg(sourceId)}/schedules/${seg(step.remoteId)}`, body: toWire(step, ctx, sourceId), label: 'schedules' });
  },
  async replace(step, ctx) {
    const oldSource = liveSourceId(ctx, step.remoteId);
    if (oldSource !== '') await ctx.client.request({ method: 'DELETE', path: `/sources/${seg(oldSource)}/schedules/${seg(step.remoteId)}`, label: 'schedules' });
    return { remoteId: await createSchedule(step, ctx) };
  },
  async delete(step, ctx) {
    const sourceId = liveSourceId(ctx, step.remoteId);
    await ctx.client.request({ method: 'DELETE', path: `/sources/${seg(sourceId)}/schedules/${seg(step.remoteId)}`, label: 'schedules' });
  },
};
