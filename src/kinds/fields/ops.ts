/**
 * Fields: read with POST /indexes/fields/search (perPage up to 1000), written with the batch endpoints,
 * chunked, so 5,000 fields cost a handful of requests.
 */
import type { JsonObject } from '../../core/json.js';
import { toRemoteId, type CreateStep, type ReplaceStep, type UpdateStep } from '../../core/types.js';
import { asObject } from '../common.js';
import type { ApplyContext, KindOps } from '../ops-types.js';
import { deepMerge, seg, sourceIndex } from '../wire.js';
import { replaceField } from './replace.js';

/** Fields per batch request; also bounds the length of the delete URL (`fields=a&fields=b…`). */
export const FIELD_BATCH_SIZE = 500;
const DELETE_BATCH_SIZE = 100;

function toWire(step: CreateStep | UpdateStep | ReplaceStep, ctx: ApplyContext): JsonObject {
  const desired = { name: step.id, ...step.after };
  if (step.action !== 'update') return desired;
  const live = ctx.liveDto('fields', step.remoteId);
  const { sources: _s, mappings: _m, ...rest } = live ?? {};
  return asObject(deepMerge(rest, desired));
}

/** The sources whose mappings name a field: any string in `mappings`, as a text search of its JSON would find. */
export const sourcesMapping = sourceIndex((src) => {
  const names = new Set<string>();
  collectStrings(src['mappings'], names);
  return names;
});

/** Every string in a JSON value, object keys included (what a text search of its JSON form would find). */
function collectStrings(v: unknown, out: Set<string>): void {
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      collectStrings(x, out);
    }
  }
}

export const fieldsOps: KindOps = {
  async list({ client, onProgress }) {
    return client.listAll(
      { method: 'POST', path: '/indexes/fields/search', body: { sortBy: 'name', order: 'ASC', filters: { origin: 'ALL' } }, pagingIn: 'body', pageSize: 1000, itemsKey: 'items', label: 'fields' },
      onProgress,
    );
  },
  async create(step, ctx) {
    await ctx.client.request({ method: 'POST', path: '/indexes/fields', body: toWire(step, ctx) });
    return { remoteId: toRemoteId(step.id) };
  },
  async update(step, ctx) {
    await ctx.client.request({ method: 'PUT', path: `/indexes/fields/${seg(step.remoteId)}`, body: toWire(step, ctx) });
  },
  async replace(step, ctx) {
    // A type cannot change in place: delete, then create with the new type (mappings of it set aside meanwhile).
    await replaceField(step, ctx, toWire(step, ctx));
    return { remoteId: toRemoteId(step.id) };
  },
  async delete(step, ctx) {
    await ctx.client.request({ method: 'DELETE', path: `/indexes/fields/${seg(step.remoteId)}` });
  },
  touchedSources(step, ctx) {
    // Sources that map a changed field need their changes applied (design §5).
    return sourcesMapping(ctx.liveDtos('sources'), step.id);
  },
  batch: {
    chunkSize: FIELD_BATCH_SIZE,
    deleteChunkSize: DELETE_BATCH_SIZE,
    async create(steps, ctx) {
      // A batch create is a POST: the client does not retry it once it may have reached the server.
      await ctx.client.request({ method: 'POST', path: '/indexes/fields/batch/create', body: steps.map((s) => toWire(s, ctx)), label: 'fields' });
      return steps.map((s) => ({ remoteId: toRemoteId(s.id) }));
    },
    async update(steps, ctx) {
      await ctx.client.request({ method: 'PUT', path: '/indexes/fields/batch/update', body: steps.map((s) => toWire(s, ctx)), label: 'fields' });
    },
    async delete(steps, ctx) {
      await ctx.client.request({ method: 'DELETE', path: '/indexes/fields/batch/delete', query: { fields: steps.map((s) => s.remoteId) }, label: 'fields' });
    },
  },
};
