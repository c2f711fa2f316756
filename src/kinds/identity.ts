/**
 * The identity of each kind as written in YAML (design §2). Shared by the config loader (duplicate
 * checks) and the kind specs (keys), so the two can never disagree.
 */
import type { JsonObject } from '../core/json.js';
import type { ResourceKind } from '../core/types.js';

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const IDENTITY: { readonly [K in ResourceKind]: { readonly paths: readonly string[]; keyOf(w: JsonObject): string } } = {
  securityProviders: { paths: ['id'], keyOf: (w) => str(w['id']) },
  fields: { paths: ['name'], keyOf: (w) => str(w['name']) },
  sources: { paths: ['name'], keyOf: (w) => str(w['name']) },
  schedules: { paths: ['source', 'refreshType'], keyOf: (w) => `${str(w['source'])}/${str(w['refreshType'])}` },
  groups: { paths: ['displayName'], keyOf: (w) => str(w['displayName']) },
  apiKeys: { paths: ['name'], keyOf: (w) => str(w['name']) },
};
