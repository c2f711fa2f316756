/**
 * Sources, managed through their raw configuration (design §5). Identity `name` (unique per org).
 * Server-managed parts are dropped; the raw `configuration` is compared as a declared subset, so keys
 * Coveo adds (sourceInformation, SourceId parameters, …) never show as drift.
 */
import type { JsonValue } from '../../core/json.js';
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey, type StoredFingerprint } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import { asArray, asBool, asObject, asString, compact, listRefs, liveIdList, pick, sortedStrings } from '../common.js';

/** Where an apply records the salted fingerprints of write-only values, inside `additionalInfos`. */
export const FINGERPRINTS_INFO_KEY = 'coveoSyncFingerprints';

const PASSTHROUGH = ['configuration', 'mappings', 'preConversionExtensions', 'postConversionExtensions'] as const;
const STRINGS = ['sourceType', 'sourceVisibility', 'crawlingModuleId', 'logicalIndex', 'additionalComments'] as const;
const BOOLEANS = ['pushEnabled', 'streamEnabled', 'onPremisesEnabled'] as const;

/** Reads the fingerprints an earlier apply stored on the source. */
export function readFingerprints(additionalInfos: unknown): Record<string, StoredFingerprint> {
  const raw = asObject(asObject(additionalInfos)[FINGERPRINTS_INFO_KEY]);
  const out: Record<string, StoredFingerprint> = {};
  for (const [path, v] of Object.entries(raw)) {
    const salt = asString(asObject(v)['salt']);
    const hash = asString(asObject(v)['hash']);
    if (salt !== undefined && hash !== undefined) out[path] = { salt, hash };
  }
  return out;
}

/** Removes values Coveo never returns, so live and desired compare on what can be seen. */
function stripSensitive(configuration: JsonValue | undefined): JsonValue | undefined {
  const c = asObject(configuration);
  if (configuration === undefined) return undefined;
  const params = c['parameters'] === undefined ? undefined : asObject(c['parameters']);
  const identities = c['userIdentities'] === undefined ? undefined : asObject(c['userIdentities']);
  return compact({
    ...c,
    parameters: params
      ? Object.fromEntries(
          Object.entries(params).map(([k, v]) => {
            const p = asObject(v);
            return [k, p['sensitive'] === true ? compact({ ...p, value: undefined }) : p];
          }),
        )
      : undefined,
    userIdentities: identities ? Object.fromEntries(Object.entries(identities).map(([k, v]) => [k, compact({ ...asObject(v), password: undefined })])) : undefined,
  });
}

export const sourcesSpec: KindSpec<'sources'> = {
  kind: 'sources',
  title: 'sources',
  singular: 'source',
  dependsOn: ['securityProviders', 'fields'],
  keyOfWritten: (w) => toResourceKey(IDENTITY.sources.keyOf(w)),
  normalizeDesired(w) {
    return compact({
      ...pick(w, STRINGS),
      ...Object.fromEntries(BOOLEANS.map((b) => [b, asBool(w[b], false)])),
      ...pick(w, PASSTHROUGH),
      securityProviders: w['securityProviders'] === undefined ? undefined : sortedStrings(w['securityProviders']),
      groupsThatCanEdit: w['groupsThatCanEdit'] === undefined ? undefined : sortedStrings(w['groupsThatCanEdit']),
      apiKeysThatCanEdit: w['apiKeysThatCanEdit'] === undefined ? undefined : sortedStrings(w['apiKeysThatCanEdit']),
    });
  },
  normalizeLive(dto, ctx) {
    const d = asObject(dto);
    const name = asString(d['name']) ?? '';
    return {
      managed: true,
      key: toResourceKey(name),
      remoteId: toRemoteId(asString(d['id']) ?? ''),
      fingerprints: readFingerprints(d['additionalInfos']),
      attrs: compact({
        ...pick(d, STRINGS),
        ...Object.fromEntries(BOOLEANS.map((b) => [b, asBool(d[b], false)])),
        ...pick(d, ['mappings', 'preConversionExtensions', 'postConversionExtensions']),
        configuration: stripSensitive(d['configuration']),
        securityProviders: sortedStrings(asArray(d['securityProviderReferences'])),
        groupsThatCanEdit: liveIdList(d['groupsThatCanEdit'], 'groups', ctx),
        apiKeysThatCanEdit: liveIdList(d['apiKeysThatCanEdit'], 'apiKeys', ctx),
      }),
    };
  },
  replaceOn: ['sourceType'],
  replaceReason: 'Coveo does not change the type of an existing source; it is deleted and created again, and its content is re-indexed',
  sensitive: ['configuration.userIdentities.*.password'],
  writeOnly: [],
  subsetPaths: ['configuration', 'mappings', 'preConversionExtensions', 'postConversionExtensions'],
  references: (a) => [
    ...listRefs(a['securityProviders'], 'securityProviders', 'securityProviders'),
    ...listRefs(a['groupsThatCanEdit'], 'groups', 'groupsThatCanEdit'),
    ...listRefs(a['apiKeysThatCanEdit'], 'apiKeys', 'apiKeysThatCanEdit'),
  ],
};
