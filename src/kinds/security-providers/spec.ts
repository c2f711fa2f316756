/** Security identity providers: id chosen by the client and immutable (docs/en/85). */
import type { JsonObject, JsonValue } from '../../core/json.js';
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey, type StoredFingerprint } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import { asBool, asObject, asString, compact, listRefs, sortedStrings } from '../common.js';

/** Providers Coveo creates in every organization; never updated or deleted by this tool. */
export const BUILT_IN_PROVIDERS: readonly string[] = ['Email Security Provider'];

/**
 * The parameter where an apply records the salted fingerprints of the provider's sensitive values (keyed
 * `parameters.<name>.value`), so a later plan sees a rotated secret it cannot read back. The model has no
 * free-form field like a source's `additionalInfos`; the parameter map is the only place. Hidden from
 * plans, drift and export.
 */
export const FINGERPRINTS_PARAMETER = 'CoveoSyncFingerprints';

/** Reads the fingerprints an earlier apply stored on the provider. */
export function readProviderFingerprints(parameters: unknown): Record<string, StoredFingerprint> {
  const value = asString(asObject(asObject(parameters)[FINGERPRINTS_PARAMETER])['value']);
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {};
  }
  const out: Record<string, StoredFingerprint> = {};
  for (const [path, v] of Object.entries(asObject(parsed))) {
    const salt = asString(asObject(v)['salt']);
    const hash = asString(asObject(v)['hash']);
    if (salt !== undefined && hash !== undefined) out[path] = { salt, hash };
  }
  return out;
}

function normalizeParameters(v: unknown, isLive: boolean): JsonObject | undefined {
  if (v === undefined || v === null) return undefined;
  const out: Record<string, JsonValue> = {};
  for (const [name, raw] of Object.entries(asObject(v))) {
    if (isLive && name === FINGERPRINTS_PARAMETER) continue;
    const p = asObject(raw);
    const sensitive = asBool(p['sensitive'], false);
    // Coveo never returns sensitive values; a live copy carries none.
    out[name] = compact({ sensitive, value: sensitive && isLive ? undefined : p['value'] });
  }
  return out;
}

export const securityProvidersSpec: KindSpec<'securityProviders'> = {
  kind: 'securityProviders',
  title: 'security providers',
  singular: 'security provider',
  dependsOn: [],
  keyOfWritten: (w) => toResourceKey(IDENTITY.securityProviders.keyOf(w)),
  normalizeDesired(w) {
    return compact({
      type: asString(w['type']),
      displayName: asString(w['displayName']),
      caseSensitive: asBool(w['caseSensitive'], false),
      nodeRequired: asBool(w['nodeRequired'], false),
      crawlingModuleId: asString(w['crawlingModuleId']),
      cascadingSecurityProviders: w['cascadingSecurityProviders'] === undefined ? undefined : sortedStrings(w['cascadingSecurityProviders']),
      parameters: normalizeParameters(w['parameters'], false),
    });
  },
  normalizeLive(dto) {
    const d = asObject(dto);
    const id = asString(d['id']) ?? '';
    return {
      managed: true,
      key: toResourceKey(id),
      remoteId: toRemoteId(id),
      isBuiltIn: BUILT_IN_PROVIDERS.includes(id),
      fingerprints: readProviderFingerprints(d['parameters']),
      attrs: compact({
        type: asString(d['type']),
        displayName: asString(d['displayName']),
        caseSensitive: asBool(d['caseSensitive'], false),
        nodeRequired: asBool(d['nodeRequired'], false),
        crawlingModuleId: asString(d['crawlingModuleId']),
        cascadingSecurityProviders: sortedStrings(Object.values(asObject(d['cascadingSecurityProviders'])).map((c) => asString(asObject(c)['id']))),
        parameters: normalizeParameters(d['parameters'], true) ?? {},
      }),
    };
  },
  replaceOn: [],
  sensitive: ['userIdentities.*.password'],
  writeOnly: [],
  subsetPaths: ['parameters'],
  references: (a) => listRefs(a['cascadingSecurityProviders'], 'securityProviders', 'cascadingSecurityProviders'),
};
