/**
 * TEMPLATE: the pure half of a new kind (style guide §4). Copy this folder to `src/kinds/<kind-kebab>/`,
 * rename `templateSpec`, and type it `KindSpec<'<kind>'>` once the kind is in `RESOURCE_KINDS`
 * (src/core/types.ts). Everything here is data and small pure functions: no I/O, no `node:*`, no clock.
 * See README.md in this folder for the whole checklist.
 */
import type { KindSpec } from '../../core/kind-spec.js';
import { toRemoteId, toResourceKey } from '../../core/types.js';
import { asBool, asObject, asString, classifyPrivileges, compact, listRefs, liveIdList, liveNormalizePrivileges, normalizeWrittenPrivileges, privilegeRefs, sortedStrings } from '../common.js';

/** `KindSpec` without its `kind` until the kind exists; then `export const <kind>Spec: KindSpec<'<kind>'>`. */
export const templateSpec: Omit<KindSpec, 'kind'> = {
  title: 'templates',
  singular: 'template',
  // Kinds whose resources must exist before these are written (ids in references). They must come earlier
  // in RESOURCE_KINDS, whose order is the apply order (a test checks this).
  dependsOn: ['sources', 'groups'],
  // The identity as written in YAML. Add it to IDENTITY in ../identity.ts and use it here, so the loader's
  // duplicate check and the planner agree. Never a server id.
  keyOfWritten: (w) => toResourceKey(asString(w['name']) ?? ''),
  // Written (validated YAML) → comparable attrs. Fill every default Coveo fills, sort every set, keep
  // references by identity. Leave out what the files did not declare: undeclared = unmanaged.
  normalizeDesired(w) {
    return compact({
      displayName: asString(w['displayName']),
      enabled: asBool(w['enabled'], true),
      privileges: w['privileges'] === undefined ? undefined : normalizeWrittenPrivileges(w['privileges']),
      groupsThatCanEdit: w['groupsThatCanEdit'] === undefined ? undefined : sortedStrings(w['groupsThatCanEdit']),
    });
  },
  // Wire DTO → the same shape. Drop every server-managed field (ids, dates, status, counts); turn ids
  // inside the object back into identities through `ctx.keyOf`; fill the same defaults.
  normalizeLive(dto, ctx) {
    const d = asObject(dto);
    const id = asString(d['id']) ?? '';
    return {
      managed: true,
      key: toResourceKey(asString(d['name']) ?? ''),
      remoteId: toRemoteId(id),
      // Built-in resources are never deleted, even with prune.
      isBuiltIn: d['deletable'] === false,
      attrs: compact({
        displayName: asString(d['displayName']),
        enabled: asBool(d['enabled'], true),
        privileges: liveNormalizePrivileges(d['privileges'], ctx),
        groupsThatCanEdit: liveIdList(d['groupsThatCanEdit'], 'groups', ctx),
      }),
    };
    // Objects the tool must never touch are `{ managed: false, remoteId, label, reason }` (see api-keys).
  },
  // Paths Coveo cannot change in place: a change there is a `replace`. Say why in `replaceReason`.
  replaceOn: [],
  // Secrets: redacted everywhere, compared through stored fingerprints only (see sources).
  sensitive: [],
  // Sent on create, never returned by Coveo: never compared.
  writeOnly: [],
  // Top-level attrs compared as a declared subset (raw configuration that Coveo adds keys to).
  subsetPaths: [],
  // Every reference by identity, with its path: checked (a reference to nothing is an error), resolved to
  // ids, and turned into `dependsOn` when the target is created or replaced by the same plan.
  references: (a) => [...privilegeRefs(a['privileges']), ...listRefs(a['groupsThatCanEdit'], 'groups', 'groupsThatCanEdit')],
  // Risk beyond the defaults (create/update safe, delete/replace destructive).
  classify: (before, after) => classifyPrivileges(before, after, 'template'),
};
