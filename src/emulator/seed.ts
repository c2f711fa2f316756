/**
 * What every new organization has (system fields, the Administrators group, the Email Security Provider),
 * and a generator of large organizations for the benchmark: thousands of fields, hundreds of sources with
 * schedules and mappings, groups, API keys and providers, all deterministic for a given random seed.
 */
import type { EmulatorEnv } from './context.js';
import { allPrivileges } from './privilege-catalog.js';
import type { Random } from './random.js';
import { normalizeFieldModel } from './routes/fields.js';
import { normalizeSchedule } from './routes/schedules.js';
import { EMAIL_PROVIDER_ID } from './routes/security-providers.js';
import { seedSource } from './routes/sources.js';
import { ADMIN_USERNAME, createEmptyOrg, touchFields, type Doc, type OrgState } from './state.js';

/** How much to generate. */
export interface SeedSize {
  readonly fields?: number;
  readonly sources?: number;
  readonly schedulesPerSource?: number;
  readonly groups?: number;
  readonly apiKeys?: number;
  readonly providers?: number;
}

/** Named sizes for `--seed S|M|L`; L is the benchmark's organization. */
export const SEED_PRESETS: Readonly<Record<'S' | 'M' | 'L', Required<SeedSize>>> = {
  S: { fields: 50, sources: 10, schedulesPerSource: 1, groups: 5, apiKeys: 5, providers: 2 },
  M: { fields: 500, sources: 50, schedulesPerSource: 2, groups: 20, apiKeys: 30, providers: 5 },
  L: { fields: 5000, sources: 500, schedulesPerSource: 2, groups: 200, apiKeys: 300, providers: 20 },
};

/** Reads `S`, `M`, `L` or `fields=5000,sources=500,…`; undefined when it is neither. */
export function parseSeedSize(text: string): Required<SeedSize> | undefined {
  const preset = SEED_PRESETS[text.toUpperCase() as 'S' | 'M' | 'L'];
  if (preset) return preset;
  const out: Record<string, number> = { fields: 0, sources: 0, schedulesPerSource: 0, groups: 0, apiKeys: 0, providers: 0 };
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (key === undefined || value === undefined || !(key in out) || !/^\d+$/.test(value)) return undefined;
    out[key] = Number(value);
  }
  return out as Required<SeedSize>;
}

/** Built-in system fields (a handful of Coveo's defaults). */
const SYSTEM_FIELDS: readonly [string, string][] = [
  ['sysuri', 'STRING'],
  ['syssource', 'STRING'],
  ['sysdate', 'DATE'],
  ['permanentid', 'STRING'],
  ['uri', 'STRING'],
  ['urihash', 'STRING'],
  ['source', 'STRING'],
  ['title', 'STRING'],
  ['date', 'DATE'],
  ['size', 'LONG'],
  ['filetype', 'STRING'],
  ['language', 'STRING'],
];

/** A new organization with its built-ins. */
export function createOrganization(id: string, env: EmulatorEnv): OrgState {
  const now = env.now();
  const org = createEmptyOrg(id, now, `${id}-${env.random.alnum(26)}-Indexer-1-${env.random.alnum(26)}`);
  for (const [name, type] of SYSTEM_FIELDS) {
    const field = normalizeFieldModel({ name, type, label: name, description: `System field ${name}` });
    org.fields.set(name, { ...field, system: true });
  }
  touchFields(org);
  const adminsId = `${id}-administrators-${env.random.alnum(18)}`;
  org.groups.set(adminsId, {
    id: adminsId,
    displayName: 'Administrators',
    privileges: allPrivileges().map((p) => ({ ...p })),
    members: [{ id: env.random.uuid(), username: ADMIN_USERNAME, email: ADMIN_USERNAME, displayName: 'Emulator administrator', provider: 'EMAIL', providerUsername: ADMIN_USERNAME }],
    invites: [],
    realms: [],
    deletable: false,
    groupType: 'ADMINISTRATOR',
    groupsThatCanEdit: [],
    apiKeysThatCanEdit: [],
    resourceId: adminsId,
  });
  org.providers.set(EMAIL_PROVIDER_ID, {
    id: EMAIL_PROVIDER_ID,
    doc: { displayName: EMAIL_PROVIDER_ID, type: 'EMAIL', nodeRequired: false, onPremisesEnabled: false, caseSensitive: false, parameters: {}, userIdentities: {}, cascadingSecurityProviders: {} },
  });
  return org;
}

const WORDS = ['product', 'price', 'brand', 'color', 'size', 'region', 'author', 'topic', 'version', 'audience', 'category', 'rating', 'sku', 'team', 'status'];
const FIELD_TYPES = ['STRING', 'STRING', 'STRING', 'LONG', 'DOUBLE', 'DATE', 'LONG_64'];
const SOURCE_TYPES = ['WEB2', 'SITEMAP', 'PUSH', 'SHAREPOINT_ONLINE2', 'CONFLUENCE2'];

const pick = <T>(random: Random, list: readonly T[]): T => list[random.int(list.length)] as T;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Fills an organization with generated resources (straight into the state: the field cap and the
 * privilege checks do not apply). API key values are generated too and work as tokens.
 */
export function seedOrganization(org: OrgState, size: SeedSize, env: EmulatorEnv): void {
  const { random } = env;
  const now = env.now();
  const providers: string[] = [];
  for (let i = 0; i < (size.providers ?? 0); i++) {
    const id = `Seed provider ${pad(i, 3)}`;
    providers.push(id);
    org.providers.set(id, {
      id,
      doc: {
        displayName: `Seeded provider ${i}`,
        type: i % 2 === 0 ? 'EMAIL' : 'CLAIMS',
        caseSensitive: false,
        nodeRequired: false,
        parameters: i % 2 === 0 ? {} : { ClientId: { sensitive: false, value: `client-${i}` }, ClientSecret: { sensitive: true, value: `secret-${random.alnum(12)}` } },
        userIdentities: {},
        cascadingSecurityProviders: i > 0 && i % 2 === 0 ? { [EMAIL_PROVIDER_ID]: { id: EMAIL_PROVIDER_ID, name: EMAIL_PROVIDER_ID } } : {},
      },
    });
  }

  const fieldNames: string[] = [];
  for (let i = 0; i < (size.fields ?? 0); i++) {
    const name = `${pick(random, WORDS)}_${pad(i, 5)}`;
    const type = pick(random, FIELD_TYPES);
    const isString = type === 'STRING';
    const field = normalizeFieldModel({
      name,
      type,
      label: name.replace('_', ' '),
      ...(isString ? { facet: random.next() < 0.3, multiValueFacet: random.next() < 0.1, sort: random.next() < 0.2 } : {}),
      includeInResults: random.next() < 0.9,
    });
    org.fields.set(name, field);
    fieldNames.push(name);
  }
  touchFields(org);

  const sourceIds: string[] = [];
  for (let i = 0; i < (size.sources ?? 0); i++) {
    const sourceType = pick(random, SOURCE_TYPES);
    const secured = providers.length > 0 && i % 3 === 0;
    const mapped = fieldNames.length > 0 ? [pick(random, fieldNames), pick(random, fieldNames)] : [];
    const raw: Doc = {
      name: `Seed source ${pad(i, 4)}`,
      sourceType,
      sourceVisibility: secured ? 'SECURED' : 'SHARED',
      pushEnabled: sourceType === 'PUSH',
      ...(secured ? { securityProviderReferences: [pick(random, providers)] } : {}),
      configuration: {
        ...(sourceType === 'PUSH' ? {} : { startingAddresses: [`https://site${i}.example.com/`] }),
        parameters: { UserAgent: { sensitive: false, value: 'SeedBot' }, ...(i % 4 === 0 ? { Password: { sensitive: true, value: `pw-${random.alnum(10)}` } } : {}) },
      },
      mappings: [...new Set(mapped)].map((fieldName) => ({ id: random.alnum(26), type: 'COMMON', fieldName, extractionMethod: 'METADATA', rules: [`%[${fieldName}]`] })),
    };
    const id = `${org.id}-${random.alnum(26)}`;
    const source = seedSource(org, id, raw, now, ADMIN_USERNAME);
    sourceIds.push(id);
    const refreshTypes = ['INCREMENTAL_REFRESH', 'FULL_REFRESH', 'REBUILD'];
    for (let j = 0; j < (size.schedulesPerSource ?? 0) && sourceType !== 'PUSH'; j++) {
      const scheduleId = `${org.id}-${random.alnum(26)}`;
      const doc = normalizeSchedule(
        {
          refreshType: refreshTypes[j % refreshTypes.length],
          enabled: j === 0,
          frequency: j % 2 === 0 ? { type: 'DAILY', hourMinute: { hour: random.int(24), minute: random.int(60) } } : { type: 'WEEKLY', weekDays: ['SUNDAY'], hourMinute: { hour: 3, minute: 0 } },
        },
        scheduleId,
        org.id,
        id,
      );
      source.schedules.set(scheduleId, { id: scheduleId, doc });
    }
  }

  for (let i = 0; i < (size.groups ?? 0); i++) {
    const id = `${org.id}-${random.alnum(26)}`;
    const privileges: Doc[] = [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: '*' }];
    if (sourceIds.length > 0) privileges.push({ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: pick(random, sourceIds) });
    if (i % 2 === 0) privileges.push({ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' });
    org.groups.set(id, {
      id,
      displayName: `Seed group ${pad(i, 4)}`,
      privileges,
      members: [{ id: random.uuid(), username: `user${i}@example.com`, email: `user${i}@example.com`, displayName: `User ${i}`, provider: 'EMAIL', providerUsername: `user${i}@example.com` }],
      invites: [],
      realms: [],
      deletable: true,
      groupType: 'CUSTOM',
      groupsThatCanEdit: [],
      apiKeysThatCanEdit: [],
      resourceId: id,
    });
  }

  for (let i = 0; i < (size.apiKeys ?? 0); i++) {
    const id = `${org.id}-${random.alnum(26)}`;
    const search = i % 2 === 0;
    const privileges: Doc[] = search
      ? [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }]
      : [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: sourceIds.length > 0 ? pick(random, sourceIds) : '*' }];
    const value = `xx${random.uuid()}`;
    org.apiKeys.set(id, {
      id,
      value,
      doc: {
        id,
        tokenId: random.uuid(),
        organizationId: org.id,
        displayName: `Seed key ${pad(i, 4)}`,
        description: `Generated key ${i}`,
        privileges,
        enabled: i % 10 !== 9,
        status: i % 10 !== 9 ? 'ENABLED' : 'DISABLED',
        allowedIps: [],
        deniedIps: [],
        groupsThatCanEdit: [],
        apiKeysThatCanEdit: [],
        createdDate: now,
        createdBy: { username: ADMIN_USERNAME, displayName: ADMIN_USERNAME },
        activationDate: now,
        privacyLevel: search ? 'PUBLIC' : 'PRIVATE',
        resourceId: id,
      },
    });
    env.state.apiKeyValues.set(value, { organizationId: org.id, keyId: id });
  }
}
