/**
 * Wire DTOs of an organization (the shapes the kinds' `list` returns) and the round trip the export must
 * survive: DTOs → live state → written config → YAML files → loader → desired state → planner.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { planChanges, type PlanOutcome } from '../../../src/core/plan-changes.js';
import { buildDesiredState, buildLiveState, type BuiltLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../../src/core/types.js';
import { emitYaml, type EmittedFile } from '../../../src/export/emit-yaml.js';
import { toWrittenConfig, type ExportResult, type ToWrittenOptions } from '../../../src/export/to-written.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { fingerprintSecret, hashText } from '../../../src/plan/hashing.js';

export type Dtos = { [K in ResourceKind]?: readonly unknown[] };

export const provider = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  name: id,
  displayName: id,
  type: 'EMAIL',
  caseSensitive: false,
  nodeRequired: false,
  cascadingSecurityProviders: {},
  parameters: {},
  organizationId: 'orga',
  statistics: { numberOfEntities: 3 },
  ...extra,
});

export const field = (name: string, type = 'STRING', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name,
  type,
  facet: type !== 'STRING',
  sort: type !== 'STRING',
  includeInQuery: true,
  includeInResults: true,
  multiValueFacet: false,
  ranking: false,
  system: false,
  sources: [],
  ...extra,
});

export const source = (id: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  name,
  sourceType: 'WEB',
  sourceVisibility: 'SHARED',
  pushEnabled: false,
  streamEnabled: false,
  onPremisesEnabled: false,
  owner: 'someone@example.com',
  createdDate: 1_700_000_000_000,
  configuration: {
    startingAddresses: ['https://docs.example.com/'],
    parameters: { SourceId: { sensitive: false, value: id }, OrganizationId: { sensitive: false, value: 'orga' } },
    sourceInformation: { sourceId: id, lastOperation: 'REFRESH' },
  },
  mappings: [],
  securityProviderReferences: [],
  groupsThatCanEdit: [],
  apiKeysThatCanEdit: [],
  additionalInfos: {},
  information: { numberOfDocuments: 12, rebuildRequired: false },
  ...extra,
});

export const schedule = (id: string, sourceId: string, refreshType: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  sourceId,
  refreshType,
  scheduleType: 'SOURCE',
  enabled: true,
  frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 }, seed: 17 },
  organizationId: 'orga',
  resourceId: sourceId,
  ...extra,
});

export const group = (id: string, displayName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  displayName,
  privileges: [],
  members: [],
  invites: [],
  realms: [],
  groupType: 'CUSTOM',
  deletable: true,
  groupsThatCanEdit: [],
  apiKeysThatCanEdit: [],
  ...extra,
});

export const apiKey = (id: string, displayName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  displayName,
  enabled: true,
  privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }],
  allowedIps: [],
  deniedIps: [],
  status: 'ENABLED',
  createdDate: 1_700_000_000_000,
  value: 'xx-masked-xx',
  ...extra,
});

export const marker = (name: string, text?: string): string => (text ? `${text}\n\nmanaged-by: coveo-sync name=${name}` : `managed-by: coveo-sync name=${name}`);

/** An organization using every kind, every reference and every secret the export handles. */
export function richOrg(): Dtos {
  return {
    securityProviders: [
      provider('Email Security Provider'),
      provider('Intranet Email', { displayName: 'Intranet email identities', caseSensitive: true }),
      provider('Intranet Claims', {
        type: 'CLAIMS',
        cascadingSecurityProviders: { 'Intranet Email': { id: 'Intranet Email', name: 'Intranet Email' } },
        parameters: { ClientId: { sensitive: false, value: 'abc' }, ClientSecret: { sensitive: true } },
      }),
    ],
    fields: [
      field('sysuri', 'STRING', { system: true }),
      field('productcategory', 'STRING', { facet: true, multiValueFacet: true, label: 'Category', description: 'What the product is' }),
      field('price', 'DOUBLE', { useCacheForNumericQuery: true }),
      field('size', 'LONG', { automaticFacetsCandidateTags: [] }),
    ],
    sources: [
      source('orga-src1', 'Product docs', {
        sourceVisibility: 'SECURED',
        securityProviderReferences: ['Intranet Email'],
        configuration: {
          startingAddresses: ['https://docs.example.com/'],
          parameters: {
            SourceId: { sensitive: false, value: 'orga-src1' },
            OrganizationId: { sensitive: false, value: 'orga' },
            Password: { sensitive: true },
            UserAgent: { sensitive: false, value: 'Bot ${not a variable}' },
          },
          userIdentities: { Crawler: { name: 'Crawler', userName: 'crawler@example.com' } },
          sourceInformation: { sourceId: 'orga-src1' },
        },
        mappings: [{ id: 'map-1', type: 'COMMON', fieldName: 'productcategory', rules: ['%[category]'] }],
        groupsThatCanEdit: [{ id: 'grp-editors', displayName: 'Search editors' }],
        apiKeysThatCanEdit: [{ id: 'key-1', displayName: 'Storefront search' }],
      }),
      source('orga-src2', 'Catalog', { sourceType: 'PUSH', pushEnabled: true, configuration: {} }),
    ],
    schedules: [
      schedule('sch-1', 'orga-src1', 'INCREMENTAL_REFRESH'),
      schedule('sch-2', 'orga-src1', 'FULL_REFRESH', { enabled: false, frequency: { type: 'WEEKLY', weekDays: ['SUNDAY', 'MONDAY'], hourMinute: { hour: 1, minute: 0 }, seed: 4 } }),
    ],
    groups: [
      group('grp-admins', 'Administrators', { groupType: 'ADMINISTRATOR', deletable: false, privileges: [{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'EDIT', targetId: '*' }] }),
      group('grp-editors', 'Search editors', {
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'orga-src1' },
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' },
          { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'key-1' },
        ],
        members: [{ username: 'ann@example.com', email: 'ann@example.com', lastLogin: 1 }],
        invites: [{ email: 'bob@example.com', invitedDate: 2 }],
        groupsThatCanEdit: [{ id: 'grp-admins', displayName: 'Administrators' }],
      }),
    ],
    apiKeys: [
      apiKey('key-1', 'Storefront search', { description: marker('storefront-search', 'Used by the storefront'), allowedIps: ['10.0.0.0/8'] }),
      apiKey('key-2', 'Source pusher', {
        description: marker('pusher'),
        privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'orga-src2' }],
        groupsThatCanEdit: [{ id: 'grp-editors', displayName: 'Search editors' }],
      }),
      apiKey('key-3', 'Made by hand', { description: 'no marker here' }),
    ],
  };
}

export function liveOf(dtos: Dtos): BuiltLiveState {
  return buildLiveState(dtos, SPECS, hashText);
}

export function exportOf(dtos: Dtos, options: ToWrittenOptions = {}): ExportResult {
  const { live, unmanaged } = liveOf(dtos);
  return toWrittenConfig(live, unmanaged, options);
}

export function writeFiles(files: readonly EmittedFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'coveo-sync-export-'));
  for (const f of files) writeFileSync(join(dir, f.path), f.text);
  return dir;
}

/** Env values for every placeholder the export wrote (any value: Coveo has no fingerprint to compare). */
export function envFor(result: ExportResult): Record<string, string> {
  return Object.fromEntries(result.secrets.map((s) => [s.name, `value-of-${s.name}`]));
}

/** Loads the exported files as `plan` would and plans them against the live state they came from. */
export async function planExported(dtos: Dtos, result: ExportResult, options: { splitByKind?: boolean } = {}): Promise<PlanOutcome> {
  const dir = writeFiles(emitYaml(result.config, { schemaRef: 'schema.json', ...options }));
  const salt = 'salt';
  const loaded = await loadConfig([dir], { env: envFor(result), salt, fingerprint: fingerprintSecret, cwd: dir });
  const desired = buildDesiredState(loaded.resources, SPECS);
  const { live } = liveOf(dtos);
  return planChanges(desired, live, {
    specs: SPECS,
    organizationId: 'orga',
    kinds: RESOURCE_KINDS.filter((k) => loaded.resources[k].length > 0),
    prune: false,
    protect: [],
    ignore: {},
    salt,
    hash: hashText,
    fingerprint: fingerprintSecret,
  });
}
