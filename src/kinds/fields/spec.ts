/** Index fields: identity `name`; Coveo fills option defaults; `type` cannot change in place. */
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import { asObject, asString, pick, sortedStrings } from '../common.js';

/** Boolean options and their defaults (coveo-api-contract.md, FieldModel). `facet`/`sort` depend on type. */
export const FIELD_BOOLEAN_DEFAULTS: Readonly<Record<string, boolean>> = {
  automaticFacetsCandidate: false,
  includeInQuery: true,
  includeInResults: true,
  keyValue: false,
  multilingual: false,
  keepAccentsDisplayValueFacet: false,
  keepDistinctDisplayValueFacet: false,
  mergeWithLexicon: false,
  smartDateFacet: false,
  multiValueFacet: false,
  hierarchicalFacet: false,
  ranking: false,
  stemming: false,
  useCacheForNestedQuery: false,
  useCacheForSort: false,
  useCacheForNumericQuery: false,
  useCacheForComputedFacet: false,
};
const TYPED_DEFAULTS = ['facet', 'sort'] as const;
const STRINGS = ['description', 'label', 'dateFormat', 'multiValueFacetTokenizers'] as const;

/** Default of an option for a field type; `facet` and `sort` are true unless the type is STRING. */
export function fieldDefault(option: string, type: string | undefined): boolean | undefined {
  if ((TYPED_DEFAULTS as readonly string[]).includes(option)) return type !== 'STRING';
  return FIELD_BOOLEAN_DEFAULTS[option];
}

const OPTIONS: readonly string[] = [...TYPED_DEFAULTS, ...Object.keys(FIELD_BOOLEAN_DEFAULTS)];

// Runs for every declared and every live field of every plan (10,000 calls for a 5,000-field org): the
// object is built key by key, never by spreading another one, which made V8 fall back to a slow
// dictionary object and cost ~20x more (issue 9). No value is undefined, so nothing needs compacting.
function normalizeField(src: JsonObject): JsonObject {
  const type = asString(src['type']);
  const out: Record<string, JsonValue> = pick(src, STRINGS);
  if (type !== undefined) out['type'] = type;
  for (const opt of OPTIONS) {
    const v = src[opt];
    out[opt] = typeof v === 'boolean' ? v : (fieldDefault(opt, type) ?? false);
  }
  if (src['automaticFacetsCandidateTags'] !== undefined) out['automaticFacetsCandidateTags'] = sortedStrings(src['automaticFacetsCandidateTags']);
  return out;
}

export const fieldsSpec: KindSpec<'fields'> = {
  kind: 'fields',
  title: 'fields',
  singular: 'field',
  dependsOn: [],
  keyOfWritten: (w) => toResourceKey(IDENTITY.fields.keyOf(w)),
  normalizeDesired: (w) => normalizeField(w),
  normalizeLive(dto) {
    const d = asObject(dto);
    const name = asString(d['name']) ?? '';
    return { managed: true, key: toResourceKey(name), remoteId: toRemoteId(name), isBuiltIn: d['system'] === true, attrs: normalizeField(d) };
  },
  // System fields are Coveo's (platform notes: exclude origin=SYSTEM fields from management).
  builtInReadOnly: ['*'],
  replaceOn: ['type'],
  replaceReason: 'Coveo cannot change the type of an existing field; it is deleted and created again, and sources that use it need a rebuild',
  sensitive: [],
  writeOnly: [],
  subsetPaths: [],
  references: () => [],
};
