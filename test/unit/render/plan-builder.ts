/**
 * Builders for renderer tests: a representative plan with every action and kind, a replace with its
 * reason, security steps, secrets, references known after apply, warnings and undeclared resources.
 */
import { waveOf } from '../../../src/core/plan-changes.js';
import type { JsonObject, JsonValue } from '../../../src/core/json.js';
import { Secret } from '../../../src/core/secret.js';
import {
  toRemoteId,
  toResourceKey,
  type CreateStep,
  type DeleteStep,
  type FieldChange,
  type LiveResource,
  type LiveState,
  type PatchOperation,
  type Plan,
  type PlanStep,
  type PlanWarning,
  type ReplaceStep,
  type ResolvedRef,
  type ResourceAddress,
  type ResourceKind,
  type Risk,
  type UnmanagedLive,
  type UpdateStep,
} from '../../../src/core/types.js';

/** Values that must never appear in any output. */
export const SECRET_VALUES = ['hunter2-DOCS-PASSWORD-must-not-leak', 'ldap-BIND-PASSWORD-must-not-leak', 'crawler-PASSWORD-must-not-leak'] as const;

/** A Secret as an attrs leaf: the loader puts Secret instances in attrs (see DesiredResource), which JsonValue does not spell. */
export const asLeaf = (s: Secret): JsonValue => s as unknown as JsonValue;

export const docsPassword = new Secret('env:DOCS_CRAWLER_PASSWORD', SECRET_VALUES[0], 'a1f9e5a35c7632615e9aee27ca52ad6702f18221dca40a8d721cfc323ed5e9f9');
export const ldapPassword = new Secret('env:LDAP_BIND_PASSWORD', SECRET_VALUES[1], '24abab9561811c34f5b680bd45e18d47e86c03f141918a7993fe05f245df4592');
export const crawlerPassword = new Secret('env:CRAWLER_PASSWORD', SECRET_VALUES[2], 'fe33ed3fc874ca00848af7552ccc317ef5e7d70f27c2b456f1ff8c29f15bd94f');

interface Common {
  readonly risk?: Risk;
  readonly notes?: readonly string[];
  readonly dependsOn?: readonly ResourceAddress[];
}

const ref = (kind: ResourceKind, key: string, path: string, remoteId: string | null): ResolvedRef => ({
  kind,
  key: toResourceKey(key),
  path,
  remoteId: remoteId === null ? null : toRemoteId(remoteId),
});

export function createStep(kind: ResourceKind, id: string, after: JsonObject, o: Common & { refs?: readonly ResolvedRef[] } = {}): CreateStep {
  const refs = o.refs ?? [];
  return {
    kind,
    id: toResourceKey(id),
    action: 'create',
    risk: o.risk ?? 'safe',
    wave: waveOf(kind, 'create'),
    dependsOn: o.dependsOn ?? (refs.filter((r) => r.remoteId === null).map((r) => `${r.kind}/${r.key}`) as ResourceAddress[]),
    notes: o.notes ?? [],
    after,
    refs,
  };
}

export function updateStep(
  kind: ResourceKind,
  id: string,
  before: JsonObject,
  after: JsonObject,
  changes: readonly FieldChange[],
  patch: readonly PatchOperation[],
  o: Common & { refs?: readonly ResolvedRef[]; remoteId?: string } = {},
): UpdateStep {
  const refs = o.refs ?? [];
  return {
    kind,
    id: toResourceKey(id),
    action: 'update',
    risk: o.risk ?? 'safe',
    wave: waveOf(kind, 'update'),
    dependsOn: o.dependsOn ?? (refs.filter((r) => r.remoteId === null).map((r) => `${r.kind}/${r.key}`) as ResourceAddress[]),
    notes: o.notes ?? [],
    remoteId: toRemoteId(o.remoteId ?? `${kind}-${id}-id`.replace(/[^A-Za-z0-9-]/g, '-')),
    before,
    after,
    changes,
    patch,
    refs,
  };
}

export function replaceStep(
  kind: ResourceKind,
  id: string,
  before: JsonObject,
  after: JsonObject,
  changes: readonly FieldChange[],
  reason: string,
  o: Common & { refs?: readonly ResolvedRef[]; remoteId?: string } = {},
): ReplaceStep {
  return {
    kind,
    id: toResourceKey(id),
    action: 'replace',
    risk: o.risk ?? 'destructive',
    wave: waveOf(kind, 'replace'),
    dependsOn: o.dependsOn ?? [],
    notes: o.notes ?? [],
    remoteId: toRemoteId(o.remoteId ?? `${kind}-${id}-id`.replace(/[^A-Za-z0-9-]/g, '-')),
    before,
    after,
    changes,
    reason,
    refs: o.refs ?? [],
  };
}

export function deleteStep(kind: ResourceKind, id: string, before: JsonObject, o: Common & { remoteId?: string } = {}): DeleteStep {
  return {
    kind,
    id: toResourceKey(id),
    action: 'delete',
    risk: o.risk ?? 'destructive',
    wave: waveOf(kind, 'delete'),
    dependsOn: [],
    notes: o.notes ?? [],
    remoteId: toRemoteId(o.remoteId ?? `${kind}-${id}-id`.replace(/[^A-Za-z0-9-]/g, '-')),
    before,
  };
}

/** A plan around the given steps, with a consistent summary. */
export function planOf(steps: readonly PlanStep[], extra: { warnings?: readonly PlanWarning[]; undeclared?: Plan['undeclared']; organizationId?: string; unchanged?: number } = {}): Plan {
  const count = (a: PlanStep['action']): number => steps.filter((s) => s.action === a).length;
  return {
    version: 1,
    basis: {
      organizationId: extra.organizationId ?? 'acmeproduction7x2k',
      config: '5cb09e606e6fa81a551f33ad52e27d84',
      kinds: ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'],
      live: { 'fields/productcategory': 'e1', 'apiKeys/storefront-search': 'e2', 'fields/legacyid': 'e3', 'sources/Product docs': 'e4' },
      salt: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    },
    steps,
    summary: { add: count('create'), change: count('update'), replace: count('replace'), destroy: count('delete'), unchanged: extra.unchanged ?? 4 },
    warnings: extra.warnings ?? [],
    undeclared: extra.undeclared ?? [],
  };
}

const LONG_URL = `https://docs.example.com/${'very-long-path-segment/'.repeat(12)}index.html`;

/** Every action, every kind, a replace with a reason, security steps, secrets, pending references, warnings. */
export function representativePlan(): Plan {
  const steps: PlanStep[] = [
    createStep('securityProviders', 'Intranet Directory', {
      type: 'ACTIVE_DIRECTORY2',
      displayName: 'Intranet Active Directory',
      cascadingSecurityProviders: ['Intranet Email'],
      parameters: { ServerAddress: { sensitive: false, value: 'ldap.example.com' }, BindPassword: { sensitive: true, value: asLeaf(ldapPassword) } },
    }, { refs: [ref('securityProviders', 'Intranet Email', 'cascadingSecurityProviders[0]', null)] }),
    createStep('securityProviders', 'Intranet Email', { type: 'EMAIL', displayName: 'Intranet e-mail identities', caseSensitive: false }),
    createStep('fields', 'catalogcategory', { type: 'STRING', facet: true, multiValueFacet: true, label: 'Product category', automaticFacetsCandidateTags: ['catalog'] }),
    replaceStep(
      'fields',
      'legacyid',
      { type: 'STRING', facet: false },
      { type: 'LONG', facet: false },
      [{ path: 'type', from: 'STRING', to: 'LONG' }],
      'type cannot be changed in place: Coveo keeps a field\'s type for its whole life; the field is deleted and created again, and sources must rebuild to fill it',
    ),
    updateStep(
      'fields',
      'productcategory',
      { type: 'STRING', facet: false, label: 'Category', sort: true },
      { type: 'STRING', facet: true, multiValueFacet: true, sort: true },
      [
        { path: 'facet', from: false, to: true },
        { path: 'label', from: 'Category' },
        { path: 'multiValueFacet', to: true },
      ],
      [
        { op: 'replace', path: '/facet', value: true },
        { op: 'remove', path: '/label' },
        { op: 'add', path: '/multiValueFacet', value: true },
      ],
    ),
    updateStep(
      'sources',
      'Product docs',
      {
        sourceType: 'WEB2',
        configuration: { startingAddresses: ['https://docs.example.com/'], parameters: { Password: { sensitive: true } } },
        securityProviders: ['Intranet Email'],
      },
      {
        sourceType: 'WEB2',
        configuration: { startingAddresses: [LONG_URL], parameters: { Password: { sensitive: true, value: asLeaf(docsPassword) } } },
        securityProviders: ['Intranet Directory'],
      },
      [
        { path: 'configuration.parameters.Password.value', from: '(sensitive)', to: '(sensitive)', isSensitive: true },
        { path: 'configuration.startingAddresses[0]', from: 'https://docs.example.com/', to: LONG_URL },
        { path: 'securityProviders[0]', from: 'Intranet Email', to: 'Intranet Directory' },
      ],
      [
        { op: 'replace', path: '/configuration/parameters/Password/value', value: '(sensitive)#new' },
        { op: 'replace', path: '/configuration/startingAddresses/0', value: LONG_URL },
        { op: 'replace', path: '/securityProviders/0', value: 'Intranet Directory' },
      ],
      { refs: [ref('securityProviders', 'Intranet Directory', 'securityProviders[0]', null)], remoteId: 'acmeproduction7x2k-nxq4l3mbbrmvwz2uyhb7k4vyfu' },
    ),
    createStep('sources', 'Internal wiki', {
      sourceType: 'CONFLUENCE2',
      sourceVisibility: 'SECURED',
      configuration: { startingAddresses: ['https://wiki.example.com/'], userIdentities: { Crawler: { name: 'Crawler account', userName: 'svc-coveo-crawler', password: asLeaf(crawlerPassword) } } },
      securityProviders: ['Intranet Directory'],
    }, { refs: [ref('securityProviders', 'Intranet Directory', 'securityProviders[0]', null)] }),
    createStep('schedules', 'Internal wiki/INCREMENTAL_REFRESH', {
      source: 'Internal wiki',
      refreshType: 'INCREMENTAL_REFRESH',
      enabled: true,
      frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } },
    }, { refs: [ref('sources', 'Internal wiki', 'source', null)] }),
    updateStep(
      'groups',
      'Search editors',
      { privileges: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }] },
      {
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' },
          { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Internal wiki' } },
        ],
      },
      [{ path: 'privileges[1]', to: { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Internal wiki' } } }],
      [{ op: 'add', path: '/privileges/1', value: { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Internal wiki' } } }],
      { risk: 'security', notes: ['broadens privileges: adds PLATFORM / SOURCE / EDIT on source Internal wiki'], refs: [ref('sources', 'Internal wiki', 'privileges[1].target.source', null)] },
    ),
    replaceStep(
      'apiKeys',
      'storefront-search',
      { displayName: 'Storefront search', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }], enabled: true },
      { displayName: 'Storefront search', privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }, { owner: 'SEARCH_API', targetDomain: 'IMPERSONATE' }], enabled: true },
      [{ path: 'privileges[1]', to: { owner: 'SEARCH_API', targetDomain: 'IMPERSONATE' } }],
      'privileges cannot be changed in place: Coveo fixes an API key\'s privileges when it is created; a new key is created, then the old one is deleted',
      { risk: 'security', notes: ['broadens privileges: adds SEARCH_API / IMPERSONATE', 'a new key value is written to --secrets-out'], remoteId: 'k-7f3a9c' },
    ),
    deleteStep('groups', 'Old team', { privileges: [] }, { remoteId: 'g-0042' }),
    deleteStep('fields', 'oldfield', { type: 'STRING' }),
    deleteStep('schedules', 'Product docs/FULL_REFRESH', { source: 'Product docs', refreshType: 'FULL_REFRESH' }, { remoteId: 'sch-91' }),
  ];
  const order = ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'];
  steps.sort((a, b) => a.wave - b.wave || order.indexOf(a.kind) - order.indexOf(b.kind) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return planOf(steps, {
    warnings: [
      { code: 'protected', message: 'groups/Administrators is protected (settings.protect); its update was left out of the plan.', address: 'groups/Administrators' },
      { code: 'declared_but_ignored', message: 'field "sysuri" is declared but matches settings.ignore; it is left alone.', address: 'fields/sysuri' },
    ],
    undeclared: [
      { kind: 'fields', id: toResourceKey('oldfield'), remoteId: toRemoteId('fields-oldfield-id') },
      { kind: 'schedules', id: toResourceKey('Product docs/FULL_REFRESH'), remoteId: toRemoteId('sch-91') },
      { kind: 'groups', id: toResourceKey('Old team'), remoteId: toRemoteId('g-0042') },
      { kind: 'groups', id: toResourceKey('Partners'), remoteId: toRemoteId('g-0077') },
      { kind: 'apiKeys', id: toResourceKey('legacy-import'), remoteId: toRemoteId('k-1b2c3d') },
    ],
  });
}

const live = (kind: ResourceKind, key: string, remoteId: string, status?: string): LiveResource => ({
  kind,
  key: toResourceKey(key),
  remoteId: toRemoteId(remoteId),
  attrs: {},
  etag: 'e',
  ...(status === undefined ? {} : { status }),
});

/** Live state beside the representative plan: two API keys with status problems. */
export function representativeLive(): LiveState {
  return {
    apiKeys: [live('apiKeys', 'storefront-search', 'k-7f3a9c', 'EXPIRED'), live('apiKeys', 'legacy-import', 'k-1b2c3d', 'DISABLED_EXPOSED'), live('apiKeys', 'ok-key', 'k-0000')],
    fields: [live('fields', 'productcategory', 'f-1')],
  };
}

export function representativeUnmanaged(): UnmanagedLive[] {
  return [
    { kind: 'apiKeys', remoteId: toRemoteId('k-zz'), label: 'Old integration', reason: 'no coveo-sync marker in its description' },
    { kind: 'apiKeys', remoteId: toRemoteId('k-aa'), label: 'Analytics export', reason: 'no coveo-sync marker in its description' },
  ];
}

/** A large plan: `n` steps over every kind and action (for the size cap and linear-time checks). */
export function largePlan(n: number): Plan {
  const kinds: ResourceKind[] = ['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'];
  const steps: PlanStep[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length] as ResourceKind;
    const id = `${kind}-${String(i).padStart(5, '0')}`;
    switch (i % 4) {
      case 0:
        steps.push(createStep(kind, id, { type: 'STRING', facet: true, description: `Resource number ${i}`, tags: ['a', 'b'] }));
        break;
      case 1:
        steps.push(updateStep(kind, id, { facet: false }, { facet: true }, [{ path: 'facet', from: false, to: true }], [{ op: 'replace', path: '/facet', value: true }]));
        break;
      case 2:
        steps.push(replaceStep(kind, id, { type: 'STRING' }, { type: 'LONG' }, [{ path: 'type', from: 'STRING', to: 'LONG' }], 'type cannot be changed in place'));
        break;
      default:
        steps.push(deleteStep(kind, id, { type: 'STRING' }));
    }
  }
  return planOf(steps);
}
