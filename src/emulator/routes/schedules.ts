/**
 * Source schedules: `GET|POST /sources/{id}/schedules` (a bare array, no paging) and
 * `GET|PUT|DELETE /sources/{id}/schedules/{scheduleId}`. PUT answers 201 (contract). The server sets `id`,
 * `organizationId` and `resourceId` (the source id); unknown properties are dropped.
 */
import { newId, type RequestContext, type RouteHandlers } from '../context.js';
import { asRecord, badRequest, checkEnum, clone, noContent, notFound, ok, requireObject } from '../http.js';
import type { Doc, ScheduleRecord, SourceRecord } from '../state.js';
import { getSource } from './sources.js';

const REFRESH_TYPES = [
  'REBUILD',
  'FULL_REFRESH',
  'INCREMENTAL_REFRESH',
  'SECURITY_PROVIDER_REFRESH',
  'SECURITY_PROVIDER_REFRESH_ENTITIES_IN_ERROR',
  'SECURITY_PROVIDER_REFRESH_ENTITIES_NOT_UPDATED',
  'SECURITY_CACHE_REFRESH',
  'SECURITY_CACHE_REFRESH_ENTITIES_IN_ERROR',
] as const;
const SCHEDULE_TYPES = ['SECURITY_CACHE', 'SECURITY_PROVIDER', 'SOURCE'] as const;
const FREQUENCY_TYPES = ['MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY'] as const;
const WEEK_DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;

function intIn(o: Doc, name: string, min: number, max: number, required: boolean, where: string): number | undefined {
  const v = o[name];
  if (v === undefined || v === null) {
    if (required) throw badRequest(`'${where}.${name}' is required.`, 'MISSING_PARAMETER');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`'${where}.${name}' must be an integer between ${min} and ${max} (got ${JSON.stringify(v)}).`);
  return v;
}

function normalizeFrequency(v: unknown): Doc {
  const f = asRecord(v);
  if (!f) throw badRequest("'frequency' is required: {type, hourMinute, weekDays, monthDay, value}.", 'MISSING_PARAMETER');
  const type = checkEnum('frequency.type', f['type'], FREQUENCY_TYPES);
  const out: Doc = { type };
  const needsTime = type === 'DAILY' || type === 'WEEKLY' || type === 'MONTHLY';
  const value = intIn(f, 'value', 1, 100_000, false, 'frequency');
  if (value !== undefined) out['value'] = value;
  if ((f['hourMinute'] !== undefined && f['hourMinute'] !== null) || needsTime) {
    const hm = asRecord(f['hourMinute']);
    if (!hm) throw badRequest(`'frequency.hourMinute' is required for a ${type} schedule.`, 'MISSING_PARAMETER');
    out['hourMinute'] = { hour: intIn(hm, 'hour', 0, 23, true, 'frequency.hourMinute'), minute: intIn(hm, 'minute', 0, 59, true, 'frequency.hourMinute') };
  }
  if (type === 'WEEKLY' || (Array.isArray(f['weekDays']) && (f['weekDays'] as unknown[]).length > 0)) {
    const days = f['weekDays'];
    if (!Array.isArray(days) || days.length === 0) throw badRequest("'frequency.weekDays' is required for a WEEKLY schedule (MONDAY … SUNDAY).", 'MISSING_PARAMETER');
    out['weekDays'] = days.map((d) => checkEnum('frequency.weekDays', d, WEEK_DAYS));
  }
  const monthDay = intIn(f, 'monthDay', 1, 31, type === 'MONTHLY', 'frequency');
  if (monthDay !== undefined) out['monthDay'] = monthDay;
  const seed = f['seed'];
  if (typeof seed === 'number' && Number.isInteger(seed)) out['seed'] = seed;
  return out;
}

/** Validates a ScheduleModel and returns the stored form (server values added by the caller). */
export function normalizeSchedule(body: Doc, id: string, organizationId: string, sourceId: string): Doc {
  const refreshType = checkEnum('refreshType', body['refreshType'], REFRESH_TYPES);
  const scheduleType = body['scheduleType'] === undefined || body['scheduleType'] === null ? 'SOURCE' : checkEnum('scheduleType', body['scheduleType'], SCHEDULE_TYPES);
  const enabled = body['enabled'];
  if (enabled !== undefined && enabled !== null && typeof enabled !== 'boolean') throw badRequest("'enabled' must be true or false.", 'INVALID_BODY');
  return {
    id,
    refreshType,
    scheduleType,
    enabled: enabled ?? true,
    frequency: normalizeFrequency(body['frequency']),
    organizationId,
    resourceId: sourceId,
  };
}

function scheduleOf(ctx: RequestContext): { source: SourceRecord; schedule: ScheduleRecord } {
  const source = getSource(ctx.org, ctx.params['sourceId'] ?? '');
  const id = ctx.params['scheduleId'] ?? '';
  const schedule = source.schedules.get(id);
  if (!schedule) throw notFound(`The schedule '${id}' does not exist on the source '${source.id}'.`);
  return { source, schedule };
}

export const scheduleRoutes: RouteHandlers = {
  'GET /sources/{sourceId}/schedules': {
    listing: 'bare',
    handle: (ctx) => ok([...getSource(ctx.org, ctx.params['sourceId'] ?? '').schedules.values()].map((s) => clone(s.doc))),
  },
  'POST /sources/{sourceId}/schedules': {
    handle: (ctx) => {
      const source = getSource(ctx.org, ctx.params['sourceId'] ?? '');
      const id = newId(ctx.env, ctx.org);
      const doc = normalizeSchedule(requireObject(ctx.body, 'ScheduleModel'), id, ctx.org.id, source.id);
      source.schedules.set(id, { id, doc });
      return ok(clone(doc), 201);
    },
  },
  'GET /sources/{sourceId}/schedules/{scheduleId}': { handle: (ctx) => ok(clone(scheduleOf(ctx).schedule.doc)) },
  'PUT /sources/{sourceId}/schedules/{scheduleId}': {
    handle: (ctx) => {
      const { source, schedule } = scheduleOf(ctx);
      const body = requireObject(ctx.body, 'ScheduleModel');
      if (typeof body['id'] === 'string' && body['id'] !== schedule.id) throw badRequest(`The id in the body ('${body['id']}') differs from the one in the path ('${schedule.id}').`);
      schedule.doc = normalizeSchedule(body, schedule.id, ctx.org.id, source.id);
      return ok(clone(schedule.doc), 201);
    },
  },
  'DELETE /sources/{sourceId}/schedules/{scheduleId}': {
    handle: (ctx) => {
      const { source, schedule } = scheduleOf(ctx);
      source.schedules.delete(schedule.id);
      return noContent();
    },
  },
};
