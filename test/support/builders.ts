/**
 * Builders for planner tests (style guide §11): written resources as the loader hands them over, DTOs as
 * Coveo returns them (coveo-api-contract.md models, with the server-managed fields Coveo adds), a
 * `planFor` that runs the same pipeline as `getPlan` (buildDesiredState → buildLiveState → planChanges)
 * without I/O, and `liveFromDesired`, the live state a faithful apply would leave behind.
 */
import { createHash, createHmac } from 'node:crypto';
import { isPlainObject, type JsonObject, type JsonValue } from '../../src/core/json.js';
import { planChanges, type PlanOptions, type PlanOutcome } from '../../src/core/plan-changes.js';
import { isSecret, Secret } from '../../src/core/secret.js';
import { buildDesiredState, buildLiveState } from '../../src/core/state.js';
import { RESOURCE_KINDS, type DesiredState, type LiveState, type ResourceKind, type StoredFingerprint, type UnmanagedLive } from '../../src/core/types.js';
import { withMarker } from '../../src/kinds/api-keys/spec.js';
import { FINGERPRINTS_INFO_KEY } from '../../src/kinds/sources/spec.js';
import { SPECS } from '../../src/kinds/specs.js';

export const ORG = 'acmeorg1a2b3c';
/** Salt of the run that loads the files (the plan's salt). */
export const SALT = 'plan-salt';
/** Salt an earlier apply used for the fingerprints it stored on live objects. */
export const APPLY_SALT = 'apply-salt';

/** Deterministic content hash, as `hashText` (not imported: the tests must not depend on the edge). */
export const hash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);
/** Salted fingerprint of a secret value (HMAC-SHA256, as the edge's `fingerprintSecret`). */
export const fingerprint = (value: string, salt: string): string => createHmac('sha256', salt).update(value).digest('hex');

/** A secret as the loader makes it from `${env:NAME}`. */
export function secret(name: string, value: string, salt = SALT): Secret {
  return new Secret(`env:${name}`, value, fingerprint(value, salt));
}

/** The fingerprint an apply stores on the live object for a secret value. */
export function stored(value: string, salt = APPLY_SALT): StoredFingerprint {
  return { salt, hash: fingerprint(value, salt) };
}

type Obj = Record<string, unknown>;
/** Written resources per kind, as validated YAML (leaves may be `Secret`s). */
export type Written = { readonly [K in ResourceKind]?: readonly Obj[] };
/** Wire DTOs per kind, as the kinds' `list` returns them. */
export type Dtos = { [K in ResourceKind]?: unknown[] };

// ---------------------------------------------------------------------------------------------------
// Written resources (the YAML shapes of schemas/coveo-sync.schema.json)
// ---------------------------------------------------------------------------------------------------

export const written = {
  provider: (id: string, extra: Obj = {}): Obj => ({ id, type: 'EMAIL', ...extra }),
  field: (name: string, type = 'STRING', extra: Obj = {}): Obj => ({ name, type, ...extra }),
  source: (name: string, extra: Obj = {}): Obj => ({ name, sourceType: 'WEB2', ...extra }),
  schedule: (source: string, refreshType = 'INCREMENTAL_REFRESH', extra: Obj = {}): Obj => ({
    source,
    refreshType,
    frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } },
    ...extra,
  }),
  group: (displayName: string, extra: Obj = {}): Obj => ({ displayName, ...extra }),
  apiKey: (name: string, extra: Obj = {}): Obj => ({
    name,
    displayName: `Key ${name}`,
    privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY' }],
    ...extra,
  }),
  privilege: (owner: string, targetDomain: string, type?: string, target?: Obj | '*'): Obj => ({
    owner,
    targetDomain,
    ...(type === undefined ? {} : { type }),
    ...(target === undefined ? {} : { target }),
  }),
};

// ---------------------------------------------------------------------------------------------------
// DTOs as Coveo returns them
// ---------------------------------------------------------------------------------------------------

const DATE = 1_700_000_000_000;

/** FieldModel boolean defaults (coveo-api-contract.md); `facet`/`sort` are true unless the type is STRING. */
const FIELD_DEFAULTS: Readonly<Record<string, boolean>> = {
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

export const dto = {
  /** SecurityProviderModelWithStatus. */
  provider: (id: string, extra: Obj = {}): Obj => ({
    id,
    name: id,
    displayName: id,
    organizationId: ORG,
    type: 'EMAIL',
    nodeRequired: false,
    onPremisesEnabled: false,
    projectIds: [],
    caseSensitive: false,
    userIdentities: {},
    parameters: {},
    cascadingSecurityProviders: {},
    referencedBy: [],
    instanceId: `instance-${id}`,
    statistics: { numberOfEntities: 3, numberOfEntitiesInError: 0 },
    lastRefreshOperation: { refreshType: 'SECURITY_PROVIDER_REFRESH', result: 'SUCCESS', date: DATE },
    currentStatus: { status: 'IDLE' },
    ...extra,
  }),
  /** The provider every organization has. */
  emailProvider: (): Obj => dto.provider('Email Security Provider', { type: 'EMAIL' }),
  /** FieldModel with every default Coveo fills. */
  field: (name: string, type = 'STRING', extra: Obj = {}): Obj => ({
    name,
    type,
    ...FIELD_DEFAULTS,
    facet: type !== 'STRING',
    sort: type !== 'STRING',
    system: false,
    projectIds: null,
    ...extra,
  }),
  systemField: (name = 'sysuri'): Obj => dto.field(name, 'STRING', { system: true, description: 'System field' }),
  /** RawSourceConfig (GET /sources/raw/all) with the parts Coveo manages. */
  source: (id: string, name: string, extra: Obj & { configuration?: Obj } = {}): Obj => {
    const { configuration, ...rest } = extra;
    return {
      id,
      name,
      owner: 'owner@example.com-google',
      lastModifier: 'owner@example.com',
      lastModifiedDate: DATE,
      createdDate: DATE,
      sourceType: 'WEB2',
      crawlerInstanceType: 'WEB2',
      additionalInfos: {},
      configuration: {
        ...(configuration ?? {}),
        parameters: {
          SourceId: { sensitive: false, value: id },
          OrganizationId: { sensitive: false, value: ORG },
          ...((configuration?.['parameters'] as Obj | undefined) ?? {}),
        },
        sourceInformation: { sourceStatus: { type: 'IDLE' }, rebuildRequired: false, numberOfDocuments: 42 },
      },
      preConversionExtensions: [],
      postConversionExtensions: [],
      mappings: [],
      securityProviders: [],
      securityProviderReferences: [],
      fromRaw: true,
      pushEnabled: false,
      onPremisesEnabled: false,
      streamEnabled: false,
      logicalIndex: 'default',
      performFieldMappingUsingAllOrigins: false,
      resourceId: id,
      groupsThatCanEdit: [],
      apiKeysThatCanEdit: [],
      information: { numberOfDocuments: 42, rebuildRequired: false },
      ...rest,
    };
  },
  /** ScheduleModel plus the `sourceId` the reader tags it with. */
  schedule: (id: string, sourceId: string, refreshType = 'INCREMENTAL_REFRESH', extra: Obj = {}): Obj => ({
    id,
    refreshType,
    scheduleType: 'SOURCE',
    enabled: true,
    frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 }, seed: 17 },
    organizationId: ORG,
    resourceId: sourceId,
    lastExecution: DATE,
    sourceId,
    ...extra,
  }),
  /** GroupModel_Response. */
  group: (id: string, displayName: string, extra: Obj = {}): Obj => ({
    id,
    displayName,
    deletable: true,
    groupType: 'CUSTOM',
    realms: [],
    members: [],
    invites: [],
    privileges: [],
    groupsThatCanEdit: [],
    apiKeysThatCanEdit: [],
    resourceId: id,
    ...extra,
  }),
  /** The group every organization has. */
  administrators: (extra: Obj = {}): Obj =>
    dto.group(`${ORG}-administrators-x1y2`, 'Administrators', {
      groupType: 'ADMINISTRATOR',
      deletable: false,
      privileges: [{ owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'EDIT', targetId: '*' }],
      ...extra,
    }),
  /** MemberModel_Response (with the lastLogin platform-client adds). */
  member: (username: string): Obj => ({ username, email: username, displayName: username, providerUsername: username, provider: 'EMAIL', id: `m-${username}`, lastLogin: DATE }),
  /** InviteModel_Response. */
  invite: (email: string): Obj => ({ email, provider: 'EMAIL', invitedDate: DATE, expirationDate: DATE + 86_400_000, id: `i-${email}`, displayName: email }),
  /** ApiKeyResponse; `name` undefined means no coveo-sync marker. */
  apiKey: (id: string, name: string | undefined, extra: Obj & { text?: string } = {}): Obj => {
    const { text, ...rest } = extra;
    return {
      id,
      value: 'xx1f****',
      tokenId: `token-${id}`,
      organizationId: ORG,
      displayName: `Key ${name ?? id}`,
      description: name === undefined ? (text ?? '') : withMarker(text, name),
      privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }],
      enabled: true,
      createdDate: DATE,
      createdBy: { username: 'owner@example.com' },
      allowedIps: [],
      deniedIps: [],
      additionalConfiguration: {},
      lastUsedDate: DATE,
      privacyLevel: 'PRIVATE',
      status: 'ENABLED',
      expirationDate: DATE + 31_536_000_000,
      activationDate: DATE,
      resourceId: id,
      groupsThatCanEdit: [],
      apiKeysThatCanEdit: [],
      ...rest,
    };
  },
};

// ---------------------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------------------

export type PlanForOptions = Partial<Omit<PlanOptions, 'specs' | 'hash' | 'fingerprint'>>;

export interface PlanForResult extends PlanOutcome {
  readonly desired: DesiredState;
  readonly live: LiveState;
  readonly unmanaged: readonly UnmanagedLive[];
}

/** The desired state of written resources (through each kind's `normalizeDesired`). */
export function desiredOf(w: Written): DesiredState {
  const input: Partial<Record<ResourceKind, { written: JsonObject }[]>> = {};
  for (const kind of RESOURCE_KINDS) {
    const list = w[kind];
    if (list) input[kind] = list.map((r) => ({ written: r as JsonObject }));
  }
  return buildDesiredState(input, SPECS);
}

/**
 * Plans written resources against DTOs, as `getPlan` does. Managed kinds default to the kinds present in
 * `w` (even with an empty list, so prune can be tested); the live state holds the kinds present in `dtos`.
 */
export function planFor(w: Written, dtos: Dtos, options: PlanForOptions = {}): PlanForResult {
  const desired = desiredOf(w);
  const { live, unmanaged } = buildLiveState(dtos, SPECS, hash);
  const outcome = planChanges(desired, live, {
    specs: SPECS,
    organizationId: ORG,
    kinds: RESOURCE_KINDS.filter((k) => w[k] !== undefined),
    prune: false,
    protect: [],
    ignore: {},
    salt: SALT,
    hash,
    fingerprint,
    ...options,
  });
  return { ...outcome, desired, live, unmanaged };
}

/** The one step for an address, or undefined. */
export function stepOf(outcome: PlanOutcome, address: string): PlanOutcome['plan']['steps'][number] | undefined {
  return outcome.plan.steps.find((s) => `${s.kind}/${s.id}` === address);
}

/** `kind/id action` of every step, in plan order. */
export function actionsOf(outcome: PlanOutcome): string[] {
  return outcome.plan.steps.map((s) => `${s.kind}/${s.id} ${s.action}`);
}

// ---------------------------------------------------------------------------------------------------
// The live state a faithful apply leaves behind
// ---------------------------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so shuffles repeat from a seed. */
export function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Re-orders the keys of every object (JSON key order means nothing to Coveo or to us). */
function shuffleKeys(v: unknown, random: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, random));
  if (isPlainObject(v)) return Object.fromEntries(shuffled(Object.entries(v), random).map(([k, x]) => [k, shuffleKeys(x, random)]));
  return v;
}

export interface LiveFromDesiredOptions {
  /** Seed of the shuffles of set-like arrays and object keys (no shuffle when undefined). */
  readonly seed?: number;
  /** Return privileges in the legacy `targetIds[]`/`global` form. */
  readonly legacyPrivileges?: boolean;
  /** Live resources to add as they are (built-ins, resources referenced but not declared). */
  readonly extra?: Dtos;
  /** Only these desired resources get a DTO (default: all). */
  readonly only?: (kind: ResourceKind, key: string) => boolean;
  /** Ids to use instead of the generated ones (existing ids, ids an apply assigned). */
  readonly ids?: (kind: ResourceKind, key: string) => string | undefined;
}

const idFor = (prefix: string, key: string): string => `${ORG}-${prefix}-${hash(key).slice(0, 10)}`;

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The DTOs Coveo would return after an apply of `desired` to an empty organization: ids assigned,
 * references by identity turned into ids, every default filled, server-managed fields added, sensitive
 * values masked (and their fingerprints stored, as the sources' ops do), set-like arrays shuffled.
 */
export function liveFromDesired(desired: DesiredState, options: LiveFromDesiredOptions = {}): Dtos {
  const random = options.seed === undefined ? undefined : randomFrom(options.seed);
  const mix = <T>(xs: readonly T[]): T[] => (random ? shuffled(xs, random) : [...xs]);
  const extra = options.extra ?? {};
  const idIndex = new Map<string, string>();
  const extraId = (kind: ResourceKind, key: string): string | undefined => {
    for (const d of extra[kind] ?? []) {
      const o = obj(d);
      const k = kind === 'groups' ? str(o['displayName']) : kind === 'securityProviders' ? str(o['id']) : str(o['name']);
      if (k === key) return str(o['id']) ?? str(o['name']);
    }
    return undefined;
  };
  const idOf = (kind: ResourceKind, key: string): string => options.ids?.(kind, key) ?? idIndex.get(`${kind}/${key}`) ?? extraId(kind, key) ?? `unknown-${key}`;
  const only = options.only;
  const pick = <T extends { key: string }>(kind: ResourceKind, list: readonly T[]): readonly T[] => (only ? list.filter((d) => only(kind, d.key)) : list);
  for (const d of desired.securityProviders) idIndex.set(`securityProviders/${d.key}`, d.key);
  for (const d of desired.fields) idIndex.set(`fields/${d.key}`, d.key);
  for (const d of desired.sources) idIndex.set(`sources/${d.key}`, idFor('src', d.key));
  for (const d of desired.schedules) idIndex.set(`schedules/${d.key}`, idFor('sch', d.key));
  for (const d of desired.groups) idIndex.set(`groups/${d.key}`, idFor('grp', d.key));
  for (const d of desired.apiKeys) idIndex.set(`apiKeys/${d.key}`, idFor('key', d.key));

  const PROP_KIND: Readonly<Record<string, ResourceKind>> = { source: 'sources', group: 'groups', apiKey: 'apiKeys', securityProvider: 'securityProviders' };
  const privilegesWire = (ps: unknown): Obj[] =>
    mix(
      arr(ps).map((raw) => {
        const p = obj(raw);
        const target = Object.entries(obj(p['target']))[0];
        const targetKind = target ? PROP_KIND[target[0]] : undefined;
        const targetId = target ? (targetKind ? idOf(targetKind, String(target[1])) : String(target[1])) : '*';
        const base: Obj = { owner: p['owner'], targetDomain: p['targetDomain'], ...(p['type'] === undefined ? {} : { type: p['type'] }) };
        return options.legacyPrivileges ? { ...base, targetIds: targetId === '*' ? [] : [targetId], global: targetId === '*' } : { ...base, targetId };
      }),
    );
  const idList = (kind: ResourceKind, names: unknown): Obj[] => mix(arr(names).map((n) => ({ id: idOf(kind, String(n)), displayName: String(n) })));
  const strings = (v: unknown): string[] => mix(arr(v).map(String));

  const out: Dtos = {};
  out.securityProviders = [
    ...pick('securityProviders', desired.securityProviders).map((d) => {
      const a = d.attrs;
      const cascading: Obj = {};
      for (const id of arr(a['cascadingSecurityProviders'])) cascading[String(id)] = { id, name: id, type: 'EMAIL', typeName: 'Email' };
      return dto.provider(d.key, {
        type: a['type'],
        displayName: a['displayName'] ?? d.key,
        caseSensitive: a['caseSensitive'],
        nodeRequired: a['nodeRequired'],
        ...(a['crawlingModuleId'] === undefined ? {} : { crawlingModuleId: a['crawlingModuleId'] }),
        cascadingSecurityProviders: cascading,
        parameters: Object.fromEntries(
          Object.entries(obj(a['parameters'])).map(([k, raw]) => {
            const p = obj(raw);
            // Coveo never returns a sensitive value; a plain one comes back as sent.
            return [k, p['sensitive'] === true ? { sensitive: true } : { sensitive: false, value: isSecret(p['value']) ? p['value'].reveal() : p['value'] }];
          }),
        ),
      });
    }),
    ...(extra.securityProviders ?? []),
  ];
  out.fields = [
    ...pick('fields', desired.fields).map((d) => {
      const a = d.attrs;
      return dto.field(d.key, str(a['type']) ?? 'STRING', { ...a, ...(a['automaticFacetsCandidateTags'] === undefined ? {} : { automaticFacetsCandidateTags: strings(a['automaticFacetsCandidateTags']) }) });
    }),
    ...(extra.fields ?? []),
  ];
  out.sources = [
    ...pick('sources', desired.sources).map((d) => {
      const a = d.attrs;
      const id = idOf('sources', d.key);
      const fingerprints: Obj = {};
      const walk = (v: unknown, path: string[]): unknown => {
        if (isSecret(v)) {
          fingerprints[path.join('.')] = stored(v.reveal());
          const isParameterValue = path[0] === 'configuration' && path[1] === 'parameters' && path[3] === 'value';
          const isSensitiveParameter = isParameterValue && obj(obj(obj(obj(a['configuration'])['parameters'])[String(path[2])]))['sensitive'] === true;
          const isPassword = path[0] === 'configuration' && path[1] === 'userIdentities' && path[3] === 'password';
          return isSensitiveParameter || isPassword ? undefined : v.reveal();
        }
        if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, String(i)]));
        if (isPlainObject(v)) {
          const o: Obj = {};
          for (const [k, x] of Object.entries(v)) {
            const r = walk(x, [...path, k]);
            if (r !== undefined) o[k] = r;
          }
          return o;
        }
        return v;
      };
      const configuration = obj(walk(a['configuration'] ?? {}, ['configuration']));
      const { securityProviders: _sp, groupsThatCanEdit: _g, apiKeysThatCanEdit: _k, configuration: _c, mappings, ...plain } = a;
      return dto.source(id, d.key, {
        ...plain,
        configuration,
        mappings: arr(mappings).map((m, i) => ({ id: `${id}-map-${i}`, kind: 'MAPPING', ...obj(m) })),
        preConversionExtensions: arr(a['preConversionExtensions']).map((e) => ({ actionOnError: 'SKIP_EXTENSION', condition: '', parameters: {}, ...obj(e) })),
        postConversionExtensions: arr(a['postConversionExtensions']).map((e) => ({ actionOnError: 'SKIP_EXTENSION', condition: '', parameters: {}, ...obj(e) })),
        securityProviderReferences: strings(a['securityProviders']),
        groupsThatCanEdit: idList('groups', a['groupsThatCanEdit']),
        apiKeysThatCanEdit: idList('apiKeys', a['apiKeysThatCanEdit']),
        additionalInfos: { crawlerVersion: '7.1', ...(Object.keys(fingerprints).length > 0 ? { [FINGERPRINTS_INFO_KEY]: fingerprints } : {}) },
      });
    }),
    ...(extra.sources ?? []),
  ];
  out.schedules = [
    ...pick('schedules', desired.schedules).map((d) => {
      const a = d.attrs;
      const f = obj(a['frequency']);
      return dto.schedule(idOf('schedules', d.key), idOf('sources', str(a['source']) ?? ''), str(a['refreshType']) ?? '', {
        enabled: a['enabled'],
        frequency: { ...f, ...(f['weekDays'] === undefined ? {} : { weekDays: strings(f['weekDays']) }), seed: 1 + (hash(d.key).charCodeAt(0) % 50) },
      });
    }),
    ...(extra.schedules ?? []),
  ];
  out.groups = [
    ...pick('groups', desired.groups).map((d) => {
      const a = d.attrs;
      return dto.group(idOf('groups', d.key), d.key, {
        privileges: privilegesWire(a['privileges']),
        members: mix(arr(a['members']).map((m) => dto.member(String(m)))),
        invites: mix(arr(a['invites']).map((m) => dto.invite(String(m)))),
        groupsThatCanEdit: idList('groups', a['groupsThatCanEdit']),
        apiKeysThatCanEdit: idList('apiKeys', a['apiKeysThatCanEdit']),
      });
    }),
    ...(extra.groups ?? []),
  ];
  out.apiKeys = [
    ...pick('apiKeys', desired.apiKeys).map((d) => {
      const a = d.attrs;
      const description = str(a['description']);
      return dto.apiKey(idOf('apiKeys', d.key), d.key, {
        ...(description === undefined || description === '' ? {} : { text: description }),
        displayName: a['displayName'],
        privileges: privilegesWire(a['privileges']),
        enabled: a['enabled'],
        allowedIps: strings(a['allowedIps']),
        deniedIps: strings(a['deniedIps']),
        additionalConfiguration: { search: { apiKeyQueryAuthentication: [] }, ...obj(a['additionalConfiguration']) },
        groupsThatCanEdit: idList('groups', a['groupsThatCanEdit']),
        apiKeysThatCanEdit: idList('apiKeys', a['apiKeysThatCanEdit']),
      });
    }),
    ...(extra.apiKeys ?? []),
  ];
  const result: Dtos = {};
  for (const kind of RESOURCE_KINDS) {
    const list = out[kind] ?? [];
    result[kind] = random ? mix(list).map((x) => shuffleKeys(x, random)) : list;
  }
  return result;
}

/**
 * The organization after a faithful apply of `plan` to `dtos` (the live state it was planned against):
 * created and replaced resources get new ids, written ones are as `liveFromDesired` makes them (with the
 * ids current after the apply), resources without a step keep their DTO as it was (so a reference inside
 * them still holds the id it held), deleted ones are gone, and a source's schedules go with it.
 */
export function applyToLive(desired: DesiredState, dtos: Dtos, plan: PlanOutcome['plan'], options: { readonly seed?: number } = {}): Dtos {
  const noRefs = { keyOf: () => undefined };
  const { live } = buildLiveState(dtos, SPECS, hash);
  const ids = new Map<string, string>();
  const keyById = new Map<string, string>();
  for (const kind of RESOURCE_KINDS) {
    for (const l of live[kind] ?? []) {
      ids.set(`${kind}/${l.key}`, l.remoteId);
      keyById.set(`${kind}\u0000${l.remoteId}`, l.key);
    }
  }
  const steps = new Map(plan.steps.map((s) => [`${s.kind}/${s.id}`, s]));
  const gone = new Set<string>();
  for (const s of plan.steps) {
    const address = `${s.kind}/${s.id}`;
    if (s.action === 'delete') {
      gone.add(`${s.kind}\u0000${s.remoteId}`);
      ids.delete(address);
    }
    if (s.action === 'replace') gone.add(`${s.kind}\u0000${s.remoteId}`);
    // Ids chosen from the identity (fields, security providers) survive a replace; server ids do not.
    if (s.action === 'create' || s.action === 'replace') ids.set(address, s.kind === 'fields' || s.kind === 'securityProviders' ? s.id : `${ORG}-new-${hash(address).slice(0, 10)}`);
  }
  const written = (kind: ResourceKind, key: string): boolean => {
    const s = steps.get(`${kind}/${key}`);
    return s !== undefined && s.action !== 'delete';
  };
  const fresh = liveFromDesired(desired, { only: written, ids: (kind, key) => ids.get(`${kind}/${key}`), ...(options.seed === undefined ? {} : { seed: options.seed }) });
  const goneSources = new Set([...gone].filter((g) => g.startsWith('sources\u0000')).map((g) => g.slice('sources\u0000'.length)));
  const out: Dtos = {};
  for (const kind of RESOURCE_KINDS) {
    const kept = (dtos[kind] ?? []).filter((d) => {
      const n = SPECS[kind].normalizeLive(d, noRefs);
      if (gone.has(`${kind}\u0000${n.remoteId}`)) return false;
      // Coveo deletes a source's schedules with it.
      if (kind === 'schedules' && goneSources.has(str(obj(d)['sourceId']) ?? '')) return false;
      // A written resource is replaced by its fresh DTO (an update keeps the id).
      const key = keyById.get(`${kind}\u0000${n.remoteId}`);
      return !(key !== undefined && steps.get(`${kind}/${key}`)?.action === 'update');
    });
    if (dtos[kind] !== undefined || (fresh[kind] ?? []).length > 0) out[kind] = [...kept, ...(fresh[kind] ?? [])];
  }
  return out;
}

/** Every string value in a JSON-like tree (to assert that a secret never appears in output). */
export function containsText(value: unknown, text: string): boolean {
  return JSON.stringify(value).includes(text);
}

export type { JsonObject, JsonValue };
