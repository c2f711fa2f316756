/**
 * Source schedules: identity `(source, refreshType)`; they live inside their source, so a source that is
 * created anew takes its schedules with it.
 */
import type { JsonObject } from '../../core/json.js';
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import { asArray, asBool, asObject, asString, compact } from '../common.js';

const WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** The frequency in a canonical shape: server-assigned `seed` dropped, week days in week order. */
export function normalizeFrequency(v: unknown): JsonObject {
  const f = asObject(v);
  const hm = f['hourMinute'] === undefined || f['hourMinute'] === null ? undefined : asObject(f['hourMinute']);
  const days = asArray(f['weekDays']).filter((d): d is string => typeof d === 'string');
  return compact({
    type: asString(f['type']),
    value: typeof f['value'] === 'number' ? f['value'] : undefined,
    hourMinute: hm ? compact({ hour: typeof hm['hour'] === 'number' ? hm['hour'] : 0, minute: typeof hm['minute'] === 'number' ? hm['minute'] : 0 }) : undefined,
    monthDay: typeof f['monthDay'] === 'number' ? f['monthDay'] : undefined,
    weekDays: days.length > 0 ? [...new Set(days)].sort((a, b) => WEEK.indexOf(a) - WEEK.indexOf(b)) : undefined,
  });
}

export const schedulesSpec: KindSpec<'schedules'> = {
  kind: 'schedules',
  title: 'schedules',
  singular: 'schedule',
  dependsOn: ['sources'],
  keyOfWritten: (w) => toResourceKey(IDENTITY.schedules.keyOf(w)),
  normalizeDesired(w) {
    return compact({
      source: asString(w['source']),
      refreshType: asString(w['refreshType']),
      enabled: asBool(w['enabled'], true),
      frequency: normalizeFrequency(w['frequency']),
    });
  },
  normalizeLive(dto, ctx) {
    const d = asObject(dto);
    const sourceId = asString(d['sourceId']) ?? '';
    const source = ctx.keyOf('sources', sourceId) ?? sourceId;
    const refreshType = asString(d['refreshType']) ?? '';
    return {
      managed: true,
      key: toResourceKey(`${source}/${refreshType}`),
      remoteId: toRemoteId(asString(d['id']) ?? ''),
      attrs: compact({ source, refreshType, enabled: asBool(d['enabled'], true), frequency: normalizeFrequency(d['frequency']) }),
    };
  },
  replaceOn: ['source', 'refreshType'],
  sensitive: [],
  writeOnly: [],
  subsetPaths: [],
  references: (a) => {
    const s = asString(a['source']);
    return s === undefined ? [] : [{ kind: 'sources', key: toResourceKey(s), path: 'source' }];
  },
  ownerOf: (a) => {
    const s = asString(a['source']);
    return s === undefined ? undefined : { kind: 'sources', key: toResourceKey(s), path: 'source' };
  },
};
