/**
 * API keys. Display names are not unique, so the identity is our marker line in the description
 * (`managed-by: coveo-sync name=<name>`); keys without it are never touched. Privileges cannot be changed
 * by PUT (ApiKeyUpdateRequest has none), so a privilege change is a replace: a new key with a new secret.
 */
import { jsonEquals } from '../../core/compare.js';
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import {
  asBool,
  asObject,
  asString,
  classifyPrivileges,
  compact,
  listRefs,
  liveIdList,
  liveNormalizePrivileges,
  normalizeWrittenPrivileges,
  pick,
  privilegeRefs,
  sortedStrings,
} from '../common.js';

// The last line; trailing white space (a newline Coveo or an editor may add) does not hide it.
const MARKER = /(?:^|\r?\n)managed-by: coveo-sync name=(\S+)\s*$/;

/**
 * The user's part of a description as compared and stored: trailing white space dropped, since the marker
 * line follows it (a YAML block scalar ends with a newline that would otherwise be drift forever).
 */
export const normalizeDescription = (description: string | undefined): string => (description ?? '').replace(/\s+$/, '');

/** The description Coveo stores: the user's text, a blank line, then the marker. */
export function withMarker(description: string | undefined, name: string): string {
  const marker = `managed-by: coveo-sync name=${name}`;
  const text = normalizeDescription(description);
  return text === '' ? marker : `${text}\n\n${marker}`;
}

/** Splits a stored description into the user's text and the marker name (if any). */
export function parseMarker(description: string | undefined): { readonly name: string | undefined; readonly description: string | undefined } {
  if (description === undefined) return { name: undefined, description: undefined };
  const m = MARKER.exec(description);
  if (!m) return { name: undefined, description };
  const rest = normalizeDescription(description.slice(0, m.index));
  return { name: m[1], description: rest === '' ? undefined : rest };
}

/** Statuses that drift reports: the key no longer works as declared. */
export const PROBLEM_STATUSES: readonly string[] = ['EXPIRED', 'DISABLED', 'DISABLED_FOR_INACTIVITY', 'DISABLED_EXPOSED', 'SOON_TO_BE_EXPIRED', 'SOON_TO_BE_DISABLED'];

export const apiKeysSpec: KindSpec<'apiKeys'> = {
  kind: 'apiKeys',
  title: 'API keys',
  singular: 'API key',
  dependsOn: ['sources', 'groups'],
  keyOfWritten: (w) => toResourceKey(IDENTITY.apiKeys.keyOf(w)),
  normalizeDesired(w) {
    return compact({
      displayName: asString(w['displayName']),
      description: normalizeDescription(asString(w['description'])),
      privileges: normalizeWrittenPrivileges(w['privileges']),
      enabled: asBool(w['enabled'], true),
      ...pick(w, ['additionalConfiguration', 'lifetimeDuration']),
      allowedIps: w['allowedIps'] === undefined ? undefined : sortedStrings(w['allowedIps']),
      deniedIps: w['deniedIps'] === undefined ? undefined : sortedStrings(w['deniedIps']),
      groupsThatCanEdit: w['groupsThatCanEdit'] === undefined ? undefined : sortedStrings(w['groupsThatCanEdit']),
      apiKeysThatCanEdit: w['apiKeysThatCanEdit'] === undefined ? undefined : sortedStrings(w['apiKeysThatCanEdit']),
    });
  },
  normalizeLive(dto, ctx) {
    const d = asObject(dto);
    const id = toRemoteId(asString(d['id']) ?? '');
    const { name, description } = parseMarker(asString(d['description']));
    if (name === undefined) {
      return { managed: false, remoteId: id, label: asString(d['displayName']) ?? id, reason: 'no coveo-sync marker in its description' };
    }
    const status = asString(d['status']);
    return {
      managed: true,
      key: toResourceKey(name),
      remoteId: id,
      ...(status !== undefined && PROBLEM_STATUSES.includes(status) ? { status } : {}),
      attrs: compact({
        displayName: asString(d['displayName']),
        description: description ?? '',
        privileges: liveNormalizePrivileges(d['privileges'], ctx),
        enabled: asBool(d['enabled'], true),
        additionalConfiguration: d['additionalConfiguration'] === undefined || d['additionalConfiguration'] === null ? undefined : asObject(d['additionalConfiguration']),
        allowedIps: sortedStrings(d['allowedIps']),
        deniedIps: sortedStrings(d['deniedIps']),
        groupsThatCanEdit: liveIdList(d['groupsThatCanEdit'], 'groups', ctx),
        apiKeysThatCanEdit: liveIdList(d['apiKeysThatCanEdit'], 'apiKeys', ctx),
      }),
    };
  },
  replaceOn: ['privileges'],
  replaceReason: 'Coveo cannot change an API key\'s privileges (ApiKeyUpdateRequest has none); a new key with a new secret replaces it',
  sensitive: [],
  writeOnly: ['lifetimeDuration'],
  subsetPaths: ['additionalConfiguration'],
  references: (a) => [
    ...privilegeRefs(a['privileges']),
    ...listRefs(a['groupsThatCanEdit'], 'groups', 'groupsThatCanEdit'),
    ...listRefs(a['apiKeysThatCanEdit'], 'apiKeys', 'apiKeysThatCanEdit'),
  ],
  classify(before, after) {
    if (after && !before) return { risk: 'security', note: 'creates an API key: a new secret that grants access' };
    if (after && before && !jsonEquals(before['privileges'], after['privileges'])) {
      const broad = classifyPrivileges(before, after, 'API key');
      return { risk: 'security', note: broad ? `${broad.note}; the key is replaced, so clients need the new value` : 'replaces the key: clients need the new value' };
    }
    return classifyPrivileges(before, after, 'API key');
  },
};
