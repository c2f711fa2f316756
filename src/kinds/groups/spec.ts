/**
 * Groups: identity `displayName` (Coveo does not document it as unique; two live groups with one name
 * stop the plan). Members and invites are managed only when declared. The Administrators group is built in.
 */
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey } from '../../core/types.js';
import { IDENTITY } from '../identity.js';
import {
  asArray,
  asObject,
  asString,
  classifyPrivileges,
  compact,
  listRefs,
  liveIdList,
  liveNormalizePrivileges,
  normalizeWrittenPrivileges,
  privilegeRefs,
  sortedStrings,
} from '../common.js';

const identityOfPerson = (v: unknown): string | undefined => {
  const o = asObject(v);
  return asString(o['username']) ?? asString(o['email']) ?? asString(o['providerUsername']);
};

export const groupsSpec: KindSpec<'groups'> = {
  kind: 'groups',
  title: 'groups',
  singular: 'group',
  dependsOn: ['sources', 'securityProviders'],
  keyOfWritten: (w) => toResourceKey(IDENTITY.groups.keyOf(w)),
  normalizeDesired(w) {
    return compact({
      privileges: w['privileges'] === undefined ? undefined : normalizeWrittenPrivileges(w['privileges']),
      members: w['members'] === undefined ? undefined : sortedStrings(w['members']),
      invites: w['invites'] === undefined ? undefined : sortedStrings(w['invites']),
      groupsThatCanEdit: w['groupsThatCanEdit'] === undefined ? undefined : sortedStrings(w['groupsThatCanEdit']),
      apiKeysThatCanEdit: w['apiKeysThatCanEdit'] === undefined ? undefined : sortedStrings(w['apiKeysThatCanEdit']),
    });
  },
  normalizeLive(dto, ctx) {
    const d = asObject(dto);
    return {
      managed: true,
      key: toResourceKey(asString(d['displayName']) ?? ''),
      remoteId: toRemoteId(asString(d['id']) ?? ''),
      isBuiltIn: d['groupType'] === 'ADMINISTRATOR' || d['deletable'] === false,
      attrs: compact({
        privileges: liveNormalizePrivileges(d['privileges'], ctx),
        members: sortedStrings(asArray(d['members']).map(identityOfPerson)),
        invites: sortedStrings(asArray(d['invites']).map(identityOfPerson)),
        groupsThatCanEdit: liveIdList(d['groupsThatCanEdit'], 'groups', ctx),
        apiKeysThatCanEdit: liveIdList(d['apiKeysThatCanEdit'], 'apiKeys', ctx),
      }),
    };
  },
  // Coveo keeps the Administrators group's privileges whatever a PUT says; its members can change.
  builtInReadOnly: ['privileges'],
  replaceOn: [],
  sensitive: [],
  writeOnly: [],
  subsetPaths: [],
  references: (a) => [
    ...privilegeRefs(a['privileges']),
    ...listRefs(a['groupsThatCanEdit'], 'groups', 'groupsThatCanEdit'),
    ...listRefs(a['apiKeysThatCanEdit'], 'apiKeys', 'apiKeysThatCanEdit'),
  ],
  classify: (before, after) => classifyPrivileges(before, after, 'group'),
};
