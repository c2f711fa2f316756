/**
 * Sources (Source API): the simple model (`/sources`, `/sources/{id}`), the raw configuration
 * (`/sources/raw`, `/sources/{id}/raw`, `/sources/raw/all`), the paged listing and the operations. The raw
 * configuration is stored as sent; server-managed values (id, dates, owner, `information`, injected
 * `SourceId`/`OrganizationId` parameters, mapping ids) are added; sensitive values are never returned.
 */
import { principalName, privilegesIn } from '../auth.js';
import { capFor, newId, recordSideEffect, type RequestContext, type RouteHandlers } from '../context.js';
import { asRecord, badRequest, boolParam, clone, conflict, enumParam, HttpError, intParam, noContent, notFound, ok, pageOf, requireObject, requireString, textOf } from '../http.js';
import { keepStoredSecrets, removeSecrets } from '../secrets.js';
import { documentCounts, sortedSourceIds, touchDocuments, touchSources, type Doc, type OrgState, type SourceRecord } from '../state.js';

/** Set by the server; ignored when a client sends them. */
const SERVER_MANAGED = ['id', 'owner', 'createdDate', 'lastModifiedDate', 'lastModifier', 'resourceId', 'information', 'configurationError', 'pendingCrawlingModuleId'];
/** Docs/en/1685: changes to these in the JSON are not saved. */
const FIXED_AFTER_CREATE = ['pushEnabled', 'crawlerInstanceType'];
/** Properties of the simple model that the raw configuration holds at its top level too. */
const COMMON = [
  'name',
  'sourceType',
  'sourceVisibility',
  'pushEnabled',
  'onPremisesEnabled',
  'streamEnabled',
  'logicalIndex',
  'crawlingModuleId',
  'securityProviderReferences',
  'mappings',
  'groupsThatCanEdit',
  'apiKeysThatCanEdit',
  'preConversionExtensions',
  'postConversionExtensions',
  'projectIds',
];
const SIMPLE_SECRETS = ['password', 'clientSecret', 'secretKey', 'apiKey', 'accessToken', 'refreshToken', 'certificatePassword', 'organizationsApiKey', 'oauthRefreshToken'];
const SERVER_PARAMETERS = ['SourceId', 'OrganizationId'];

/** The source with this id; 404 when there is none. */
export function getSource(org: OrgState, id: string): SourceRecord {
  const s = org.sources.get(id);
  if (!s) throw notFound(`The source '${id}' does not exist in organization ${org.id}.`);
  return s;
}

function checkReferences(ctx: RequestContext, raw: Doc): void {
  const refs = raw['securityProviderReferences'];
  if (refs === undefined || refs === null) return;
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string')) throw badRequest("'securityProviderReferences' must be a list of security provider ids.", 'INVALID_BODY');
  for (const r of refs) {
    if (!ctx.org.providers.has(r)) throw badRequest(`The security provider '${r}' referenced by the source does not exist in organization ${ctx.org.id}.`, 'INVALID_PARAMETER');
  }
}

function checkShape(raw: Doc): void {
  for (const key of ['configuration', 'additionalInfos']) {
    const v = raw[key];
    if (v !== undefined && v !== null && asRecord(v) === undefined) throw badRequest(`'${key}' of the source must be an object.`, 'INVALID_BODY');
  }
  for (const key of ['mappings', 'preConversionExtensions', 'postConversionExtensions', 'groupsThatCanEdit', 'apiKeysThatCanEdit']) {
    const v = raw[key];
    if (v !== undefined && v !== null && !Array.isArray(v)) throw badRequest(`'${key}' of the source must be a list.`, 'INVALID_BODY');
  }
  for (const key of ['pushEnabled', 'onPremisesEnabled', 'streamEnabled']) {
    const v = raw[key];
    if (v !== undefined && v !== null && typeof v !== 'boolean') throw badRequest(`'${key}' of the source must be true or false.`, 'INVALID_BODY');
  }
  const visibility = raw['sourceVisibility'];
  if (visibility !== undefined && visibility !== null && !['PRIVATE', 'SECURED', 'SHARED'].includes(textOf(visibility))) {
    throw badRequest(`'sourceVisibility' must be one of PRIVATE, SECURED, SHARED (got ${JSON.stringify(visibility)}).`, 'INVALID_PARAMETER');
  }
}

function checkNameFree(ctx: RequestContext, name: string, selfId?: string): void {
  const owner = ctx.org.sourceIdsByName.get(name);
  if (owner !== undefined && owner !== selfId) throw conflict(`A source named '${name}' already exists in organization ${ctx.org.id}.`, 'SOURCE_NAME_ALREADY_USED');
}

/**
 * Keeps the stored value of each sensitive parameter (and identity password) that a write sends without
 * one, so a client can PUT back what it read.
 */
function keepSecrets(next: Doc, previous: Doc | undefined): void {
  const nextConf = asRecord(next['configuration']);
  const prevConf = asRecord(previous?.['configuration']);
  if (nextConf && prevConf) keepStoredSecrets(nextConf, prevConf);
}

/** A copy of a raw configuration with every sensitive value removed (what any read returns). */
export function maskRaw(raw: Doc): Doc {
  const out = clone(raw);
  const conf = asRecord(out['configuration']);
  if (!conf) return out;
  removeSecrets(conf);
  const files = asRecord(conf['dataFiles']);
  if (files) for (const v of Object.values(files)) {
    const f = asRecord(v);
    if (f && f['sensitive'] === true) delete f['data'];
  }
  return out;
}

function withServerValues(ctx: RequestContext, raw: Doc, id: string): Doc {
  const conf = asRecord(raw['configuration']) ?? {};
  const params = asRecord(conf['parameters']) ?? {};
  params['SourceId'] = { sensitive: false, value: id };
  params['OrganizationId'] = { sensitive: false, value: ctx.org.id };
  conf['parameters'] = params;
  raw['configuration'] = conf;
  if (Array.isArray(raw['mappings'])) {
    for (const m of raw['mappings'] as unknown[]) {
      const r = asRecord(m);
      if (r && typeof r['id'] !== 'string') r['id'] = ctx.env.random.alnum(26);
    }
  }
  return raw;
}

function initialInformation(now: number): Doc {
  return {
    sourceStatus: { type: 'IDLE', allowedOperations: ['DELETE', 'REBUILD', 'FULL_REFRESH', 'INCREMENTAL_REFRESH'], initialBuild: false, timestamp: now },
    rebuildRequired: false,
    rebuildRequiredReasons: [],
    numberOfDocuments: 0,
    documentsTotalSize: 0,
  };
}

const documentCount = (org: OrgState, sourceId: string): number => documentCounts(org).get(sourceId) ?? 0;

type Operation = 'REBUILD' | 'FULL_REFRESH' | 'INCREMENTAL_REFRESH';
const END_DATE: Record<Operation, string> = { REBUILD: 'lastRebuildEndDate', FULL_REFRESH: 'lastFullRefreshEndDate', INCREMENTAL_REFRESH: 'lastIncrementalRefreshEndDate' };

/** Runs an operation instantly: it succeeds at once and is recorded in `information`. */
function runOperation(ctx: RequestContext, s: SourceRecord, operation: Operation): void {
  const now = ctx.env.now();
  const numberOfDocuments = documentCount(ctx.org, s.id);
  s.information = {
    ...s.information,
    lastOperation: { id: ctx.env.random.uuid(), operationType: operation, result: 'SUCCESS', timestamp: now, startedDate: now, initialBuild: false, numberOfDocuments },
    lastRefreshEndDate: now,
    [END_DATE[operation]]: now,
    numberOfDocuments,
    ...(operation === 'REBUILD' ? { rebuildRequired: false, rebuildRequiredReasons: [] } : {}),
  };
}

/** The SourceModel (simple) view of a source. */
export function toSourceModel(org: OrgState, s: SourceRecord): Doc {
  const raw = s.raw;
  const simple: Doc = {};
  for (const [k, v] of Object.entries(s.simple)) {
    if (SIMPLE_SECRETS.includes(k)) simple[`has${k[0]?.toUpperCase() ?? ''}${k.slice(1)}`] = v !== undefined && v !== null && v !== '';
    else simple[k] = clone(v);
  }
  const model: Doc = {
    ...simple,
    id: s.id,
    name: raw['name'],
    sourceType: raw['sourceType'],
    sourceVisibility: raw['sourceVisibility'] ?? 'SHARED',
    owner: s.owner,
    lastModifier: s.lastModifier,
    createdDate: s.createdDate,
    lastModifiedDate: s.lastModifiedDate,
    information: { ...clone(s.information), numberOfDocuments: documentCount(org, s.id) },
    pushEnabled: raw['pushEnabled'] === true,
    onPremisesEnabled: raw['onPremisesEnabled'] === true,
    streamEnabled: raw['streamEnabled'] === true,
    securityProviderReferences: clone(Array.isArray(raw['securityProviderReferences']) ? raw['securityProviderReferences'] : []),
    mappings: clone(Array.isArray(raw['mappings']) ? raw['mappings'] : []),
    preConversionExtensions: clone(Array.isArray(raw['preConversionExtensions']) ? raw['preConversionExtensions'] : []),
    postConversionExtensions: clone(Array.isArray(raw['postConversionExtensions']) ? raw['postConversionExtensions'] : []),
    groupsThatCanEdit: clone(Array.isArray(raw['groupsThatCanEdit']) ? raw['groupsThatCanEdit'] : []),
    apiKeysThatCanEdit: clone(Array.isArray(raw['apiKeysThatCanEdit']) ? raw['apiKeysThatCanEdit'] : []),
    resourceId: s.id,
  };
  for (const k of ['logicalIndex', 'crawlingModuleId', 'projectIds']) if (raw[k] !== undefined) model[k] = clone(raw[k]);
  return model;
}

/** The RawSourceConfig view of a source (sensitive values removed). */
export function toRawModel(org: OrgState, s: SourceRecord, includeMappings = true): Doc {
  const masked = maskRaw(s.raw);
  const conf = asRecord(masked['configuration']) ?? {};
  conf['sourceInformation'] = { ...clone(s.information), numberOfDocuments: documentCount(org, s.id) };
  masked['configuration'] = conf;
  if (!includeMappings) delete masked['mappings'];
  return {
    ...masked,
    id: s.id,
    owner: s.owner,
    lastModifier: s.lastModifier,
    createdDate: s.createdDate,
    lastModifiedDate: s.lastModifiedDate,
    resourceId: s.id,
  };
}

interface WriteFlags {
  readonly rebuild: boolean;
  readonly updateProviders: boolean;
}

/** The write flags every create/update takes, with their (dangerous) defaults of `true`; read before any change. */
function readWriteFlags(ctx: RequestContext): WriteFlags {
  return { rebuild: boolParam(ctx.query, 'rebuild', true), updateProviders: boolParam(ctx.query, 'updateSecurityProviders', true) };
}

function applyWriteFlags(ctx: RequestContext, { rebuild, updateProviders }: WriteFlags, s: SourceRecord, changedContent: boolean): void {
  if (rebuild) {
    runOperation(ctx, s, 'REBUILD');
    recordSideEffect(ctx, 'rebuild', s.id, ctx.query.has('rebuild') ? 'rebuild=true' : 'rebuild defaults to true');
  } else if (changedContent) {
    s.information = { ...s.information, rebuildRequired: true, rebuildRequiredReasons: ['SOURCE_CONFIGURATION_CHANGED'] };
  }
  if (updateProviders && s.raw['sourceVisibility'] === 'SECURED') {
    recordSideEffect(ctx, 'securityProviderUpdate', s.id, ctx.query.has('updateSecurityProviders') ? 'updateSecurityProviders=true' : 'updateSecurityProviders defaults to true');
  }
}

function stripServerManaged(body: Doc): Doc {
  const out = clone(body);
  for (const k of SERVER_MANAGED) delete out[k];
  const conf = asRecord(out['configuration']);
  if (conf) {
    delete conf['sourceInformation'];
    const params = asRecord(conf['parameters']);
    if (params) for (const p of SERVER_PARAMETERS) delete params[p];
  }
  return out;
}

/** Splits a simple SourceModel body into its raw top-level part and its connector-specific part. */
function splitSimple(body: Doc): { raw: Doc; simple: Doc } {
  const raw: Doc = {};
  const simple: Doc = {};
  for (const [k, v] of Object.entries(stripServerManaged(body))) {
    if (COMMON.includes(k)) raw[k] = v;
    else if (!k.startsWith('has')) simple[k] = v;
  }
  const urls = simple['urls'];
  raw['configuration'] = Array.isArray(urls) ? { startingAddresses: clone(urls) } : {};
  return { raw, simple };
}

function createSource(ctx: RequestContext, raw: Doc, simple: Doc): SourceRecord {
  const flags = readWriteFlags(ctx);
  const name = requireString(raw, 'name', 'a source');
  requireString(raw, 'sourceType', `the source '${name}'`);
  checkShape(raw);
  checkNameFree(ctx, name);
  checkReferences(ctx, raw);
  const now = ctx.env.now();
  const id = newId(ctx.env, ctx.org);
  const who = principalName(ctx.principal);
  const record: SourceRecord = {
    id,
    raw: withServerValues(ctx, raw, id),
    simple,
    createdDate: now,
    lastModifiedDate: now,
    owner: who,
    lastModifier: who,
    information: initialInformation(now),
    schedules: new Map(),
  };
  ctx.org.sources.set(id, record);
  ctx.org.sourceIdsByName.set(name, id);
  touchSources(ctx.org);
  applyWriteFlags(ctx, flags, record, false);
  return record;
}

function updateSource(ctx: RequestContext, s: SourceRecord, raw: Doc, simple: Doc | undefined): void {
  const flags = readWriteFlags(ctx);
  const name = requireString(raw, 'name', 'a source');
  checkShape(raw);
  const type = raw['sourceType'] ?? s.raw['sourceType'];
  if (type !== s.raw['sourceType']) {
    throw badRequest(`The type of the source '${String(s.raw['name'])}' cannot change (from ${String(s.raw['sourceType'])} to ${String(type)}); delete the source and create it again.`, 'SOURCE_TYPE_CANNOT_CHANGE');
  }
  checkNameFree(ctx, name, s.id);
  checkReferences(ctx, raw);
  raw['sourceType'] = type;
  for (const k of FIXED_AFTER_CREATE) {
    if (s.raw[k] === undefined) delete raw[k];
    else raw[k] = s.raw[k];
  }
  keepSecrets(raw, s.raw);
  const before = JSON.stringify([s.raw['configuration'], s.raw['mappings']]);
  ctx.org.sourceIdsByName.delete(String(s.raw['name']));
  s.raw = withServerValues(ctx, raw, s.id);
  if (simple) s.simple = { ...simple, ...keepSimpleSecrets(simple, s.simple) };
  ctx.org.sourceIdsByName.set(name, s.id);
  s.lastModifiedDate = Math.max(ctx.env.now(), s.createdDate);
  s.lastModifier = principalName(ctx.principal);
  touchSources(ctx.org);
  applyWriteFlags(ctx, flags, s, JSON.stringify([s.raw['configuration'], s.raw['mappings']]) !== before);
}

function keepSimpleSecrets(next: Doc, previous: Doc): Doc {
  const kept: Doc = {};
  for (const k of SIMPLE_SECRETS) if ((next[k] === undefined || next[k] === null) && previous[k] !== undefined) kept[k] = previous[k];
  return kept;
}

function deleteSource(org: OrgState, s: SourceRecord): void {
  org.sources.delete(s.id);
  org.sourceIdsByName.delete(String(s.raw['name']));
  for (const docs of org.indexes.values()) for (const [uid, d] of docs) if (d.sourceId === s.id) docs.delete(uid);
  touchSources(org);
  touchDocuments(org);
}

const SORTING_TYPES = ['TYPE', 'NAME', 'STATUS', 'CONTENT', 'LAST_MODIFIED_DATE', 'LAST_OPERATION', 'CONTENT_TOTAL_DOCUMENT_SIZE', 'STATUS_PRIORITY'] as const;

function hostTypeOf(s: SourceRecord): 'CLOUD' | 'CRAWLING_MODULE' | 'PUSH' {
  return s.raw['pushEnabled'] === true ? 'PUSH' : s.raw['onPremisesEnabled'] === true ? 'CRAWLING_MODULE' : 'CLOUD';
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** Sources matching the listing's query parameters, sorted; the plain case reuses the cached order. */
function selectSources(ctx: RequestContext): SourceRecord[] {
  const q = ctx.query;
  const filter = q.get('filter') ?? '';
  const sortingType = enumParam(q, 'sortingType', SORTING_TYPES, 'NAME');
  const sortingOrder = enumParam(q, 'sortingOrder', ['ASC', 'DESC'] as const, 'ASC');
  const stringFilterType = enumParam(q, 'stringFilterType', ['WILDCARD', 'EXACTMATCH'] as const);
  const hostType = enumParam(q, 'filterHostType', ['CLOUD', 'CRAWLING_MODULE', 'PUSH'] as const);
  const statusType = enumParam(q, 'filterStatusType', ['CREATING', 'REFRESHING', 'PAUSED', 'PAUSED_ON_ERROR', 'IDLE', 'ERROR'] as const);
  enumParam(q, 'filterLastOperationType', ['INCREMENTAL_REFRESH', 'FULL_REFRESH', 'REBUILD'] as const);
  enumParam(q, 'filterLastOperationResultType', ['SUCCESS', 'ERROR', 'ABORT'] as const);
  const writeAccessOnly = boolParam(q, 'writeAccessOnly', false);
  let list = sortedSourceIds(ctx.org).map((id) => getSource(ctx.org, id));
  if (filter !== '') {
    const exact = stringFilterType === 'EXACTMATCH';
    const re = stringFilterType === 'WILDCARD' ? wildcard(filter) : undefined;
    const needle = filter.toLowerCase();
    list = list.filter((s) => {
      const name = String(s.raw['name']);
      return exact ? name === filter : re ? re.test(name) : name.toLowerCase().includes(needle);
    });
  }
  if (hostType) list = list.filter((s) => hostTypeOf(s) === hostType);
  if (statusType) list = list.filter((s) => (asRecord(s.information['sourceStatus'])?.['type'] ?? 'IDLE') === statusType);
  if (writeAccessOnly) {
    const held = privilegesIn(ctx.principal, ctx.org);
    const canEdit = (id: string): boolean =>
      (ctx.principal.kind === 'user' && ctx.principal.user.isAdmin) ||
      held.some((p) => p.owner === 'PLATFORM' && p.targetDomain === 'SOURCE' && p.type === 'EDIT' && (p.targetId === undefined || p.targetId === '*' || p.targetId === id));
    list = list.filter((s) => canEdit(s.id));
  }
  if (sortingType === 'TYPE') list = [...list].sort((a, b) => String(a.raw['sourceType']).localeCompare(String(b.raw['sourceType'])));
  if (sortingType === 'LAST_MODIFIED_DATE') list = [...list].sort((a, b) => a.lastModifiedDate - b.lastModifiedDate);
  if (sortingOrder === 'DESC') list = [...list].reverse();
  return list;
}

function sourcesPage(ctx: RequestContext, listing: 'wrapped' | 'bare'): { items: Doc[]; totalEntries: number; totalPages: number } {
  const page = intParam(ctx.query, 'page', 0, { min: 0 });
  const perPage = intParam(ctx.query, 'perPage', 100, { min: 1 });
  const p = pageOf(selectSources(ctx), page, perPage, capFor(ctx.env, listing));
  return { items: p.items.map((s) => toSourceModel(ctx.org, s)), totalEntries: p.totalEntries, totalPages: p.totalPages };
}

const sourceOf = (ctx: RequestContext): SourceRecord => getSource(ctx.org, ctx.params['sourceId'] ?? '');

function operation(op: Operation) {
  return {
    handle: (ctx: RequestContext) => {
      const s = sourceOf(ctx);
      runOperation(ctx, s, op);
      return ok(toSourceModel(ctx.org, s));
    },
  };
}

export const sourceRoutes: RouteHandlers = {
  'GET /sources': { listing: 'bare', handle: (ctx) => ok(sourcesPage(ctx, 'bare').items) },
  'GET /sources/pages': {
    listing: 'wrapped',
    handle: (ctx) => {
      const p = sourcesPage(ctx, 'wrapped');
      return ok({ sourceModels: p.items, totalEntries: p.totalEntries, totalPages: p.totalPages });
    },
  },
  'GET /sources/raw/all': {
    listing: 'bare',
    handle: (ctx) => {
      const page = intParam(ctx.query, 'page', 0, { min: 0 });
      const pageSize = intParam(ctx.query, 'pageSize', 20, { min: 1 });
      const includeMappings = boolParam(ctx.query, 'includeMappings', true);
      const ids = sortedSourceIds(ctx.org);
      const p = pageOf(ids, page, pageSize, capFor(ctx.env, 'bare'));
      return ok(p.items.map((id) => toRawModel(ctx.org, getSource(ctx.org, id), includeMappings)));
    },
  },
  'POST /sources': {
    handle: (ctx) => {
      const { raw, simple } = splitSimple(requireObject(ctx.body, 'SourceModel'));
      return ok(toSourceModel(ctx.org, createSource(ctx, raw, simple)), 201);
    },
  },
  'POST /sources/raw': {
    handle: (ctx) => ok(toSourceModel(ctx.org, createSource(ctx, stripServerManaged(requireObject(ctx.body, 'RawSourceConfig')), {})), 201),
  },
  'GET /sources/{sourceId}': { handle: (ctx) => ok(toSourceModel(ctx.org, sourceOf(ctx))) },
  'PUT /sources/{sourceId}': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      const { raw, simple } = splitSimple(requireObject(ctx.body, 'SourceModel'));
      // The simple model does not carry the raw configuration: keep it, with any new starting addresses.
      const conf = { ...(asRecord(clone(s.raw['configuration'])) ?? {}), ...(asRecord(raw['configuration']) ?? {}) };
      const merged: Doc = { ...stripServerManaged(s.raw), ...raw, configuration: conf };
      updateSource(ctx, s, merged, simple);
      return ok(toSourceModel(ctx.org, s));
    },
  },
  'DELETE /sources/{sourceId}': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      const model = toSourceModel(ctx.org, s);
      deleteSource(ctx.org, s);
      return ok(model);
    },
  },
  'GET /sources/{sourceId}/raw': { handle: (ctx) => ok(toRawModel(ctx.org, sourceOf(ctx), boolParam(ctx.query, 'includeMappings', true))) },
  'PUT /sources/{sourceId}/raw': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      const body = requireObject(ctx.body, 'RawSourceConfig');
      if (typeof body['id'] === 'string' && body['id'] !== s.id) throw badRequest(`The id in the body ('${body['id']}') differs from the one in the path ('${s.id}').`);
      updateSource(ctx, s, stripServerManaged(body), undefined);
      return ok(toSourceModel(ctx.org, s));
    },
  },
  'POST /sources/{sourceId}/applyChanges': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      if (s.information['rebuildRequired'] === true) runOperation(ctx, s, 'REBUILD');
      return noContent();
    },
  },
  'POST /sources/{sourceId}/rebuild': operation('REBUILD'),
  'POST /sources/{sourceId}/fullRefresh': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      if (s.raw['pushEnabled'] === true) throw new HttpError(400, 'INVALID_OPERATION', `The Push source '${String(s.raw['name'])}' cannot be refreshed by Coveo; push its content instead.`);
      runOperation(ctx, s, 'FULL_REFRESH');
      return ok(toSourceModel(ctx.org, s));
    },
  },
  'POST /sources/{sourceId}/incrementalRefresh': {
    handle: (ctx) => {
      const s = sourceOf(ctx);
      if (s.raw['pushEnabled'] === true) throw new HttpError(400, 'INVALID_OPERATION', `The Push source '${String(s.raw['name'])}' cannot be refreshed by Coveo; push its content instead.`);
      runOperation(ctx, s, 'INCREMENTAL_REFRESH');
      return ok(toSourceModel(ctx.org, s));
    },
  },
};

/** Builds a source directly (seeding): the same record a `POST /sources/raw?rebuild=false` makes. */
export function seedSource(org: OrgState, id: string, raw: Doc, now: number, owner: string): SourceRecord {
  const conf = asRecord(raw['configuration']) ?? {};
  const params = asRecord(conf['parameters']) ?? {};
  params['SourceId'] = { sensitive: false, value: id };
  params['OrganizationId'] = { sensitive: false, value: org.id };
  conf['parameters'] = params;
  raw['configuration'] = conf;
  const record: SourceRecord = { id, raw, simple: {}, createdDate: now, lastModifiedDate: now, owner, lastModifier: owner, information: initialInformation(now), schedules: new Map() };
  org.sources.set(id, record);
  org.sourceIdsByName.set(String(raw['name']), id);
  touchSources(org);
  return record;
}
