/**
 * Items in the index and their permissions (Index API, absent from the OpenAPI specs; seeds 003 and 004),
 * plus the sliver of the Search API (`POST /rest/search/v2`) that finding an item's `index` and `uniqueId`
 * needs. Documents are loaded through the admin API (`loadDocuments`).
 */
import type { RequestContext, RouteHandlers } from '../context.js';
import { asRecord, badRequest, checkEnum, clone, enumParam, HttpError, intParam, invalidUri, notFound, ok, pageOf } from '../http.js';
import type { Random } from '../random.js';
import { touchDocuments, type Doc, type DocumentRecord, type OrgState } from '../state.js';
import { EMAIL_PROVIDER_ID } from './security-providers.js';
import { capFor } from '../context.js';

const STATES = ['UNKNOWN', 'UP_TO_DATE', 'NOT_UPDATED', 'OUT_OF_DATE', 'IN_ERROR', 'DISABLED'] as const;
const IDENTITY_TYPES = ['USER', 'GROUP', 'VIRTUAL_GROUP', 'UNKNOWN'] as const;

/** One permission as a loader gives it; everything but `identity` has a default. */
export interface PermissionInput {
  readonly identity: string;
  readonly allowed?: boolean;
  readonly identityType?: (typeof IDENTITY_TYPES)[number];
  readonly securityProvider?: string;
  readonly state?: (typeof STATES)[number];
  readonly lastUpdateDate?: number;
  readonly lastUpdateResult?: string;
  readonly lastUpdateErrorDetail?: string;
  readonly additionalInfo?: Readonly<Record<string, string>>;
}

/** A document to load into an organization's index. */
export interface DocumentInput {
  readonly uri: string;
  /** Source name or id. */
  readonly source: string;
  /** Default: `42.<n>$<uri>`, the shape of Coveo's unique ids. */
  readonly uniqueId?: string;
  readonly title?: string;
  /** Default: the organization's index. */
  readonly indexId?: string;
  readonly permissions?: readonly PermissionInput[];
  /** Shorthand: users allowed / denied through the Email Security Provider. */
  readonly allowed?: readonly string[];
  readonly denied?: readonly string[];
  readonly anonymousAllowed?: boolean;
  /** A complete DocumentPermissionModel to answer for `…/permissions` instead of the derived one. */
  readonly permissionModel?: Doc;
}

function toPermission(p: PermissionInput, now: number): Doc {
  if (typeof p.identity !== 'string' || p.identity === '') throw badRequest("Every permission needs an 'identity'.", 'INVALID_BODY');
  return {
    allowed: p.allowed ?? true,
    identityType: checkEnum('identityType', p.identityType ?? 'USER', IDENTITY_TYPES),
    identity: p.identity,
    securityProvider: p.securityProvider ?? EMAIL_PROVIDER_ID,
    additionalInfo: { ...(p.additionalInfo ?? {}) },
    lastUpdateDate: p.lastUpdateDate ?? now,
    lastUpdateResult: p.lastUpdateResult ?? 'SUCCESS',
    lastUpdateErrorDetail: p.lastUpdateErrorDetail ?? '',
    state: checkEnum('state', p.state ?? 'UP_TO_DATE', STATES),
  };
}

/**
 * Loads documents (replacing any with the same uniqueId); throws 400/404 for an unknown source or index.
 * Returns what was stored, with the ids assigned.
 */
export function loadDocuments(org: OrgState, inputs: readonly DocumentInput[], now: number, random: Random): DocumentRecord[] {
  const out: DocumentRecord[] = [];
  for (const input of inputs) {
    if (typeof input.uri !== 'string' || input.uri === '') throw badRequest("Every document needs a 'uri'.", 'INVALID_BODY');
    const sourceId = org.sources.has(input.source) ? input.source : org.sourceIdsByName.get(input.source);
    const source = sourceId === undefined ? undefined : org.sources.get(sourceId);
    if (!source) throw notFound(`The source '${input.source}' of the document ${input.uri} does not exist in organization ${org.id}.`);
    const indexId = input.indexId ?? org.defaultIndexId;
    let index = org.indexes.get(indexId);
    if (!index) {
      index = new Map();
      org.indexes.set(indexId, index);
    }
    const permissions = [
      ...(input.permissions ?? []).map((p) => toPermission(p, now)),
      ...(input.allowed ?? []).map((identity) => toPermission({ identity, allowed: true }, now)),
      ...(input.denied ?? []).map((identity) => toPermission({ identity, allowed: false }, now)),
    ];
    const record: DocumentRecord = {
      uniqueId: input.uniqueId ?? `42.${10000 + random.int(90000)}$${input.uri}`,
      uri: input.uri,
      title: input.title ?? input.uri.split('/').filter((s) => s !== '').pop() ?? input.uri,
      sourceId: source.id,
      sourceName: String(source.raw['name']),
      permissions,
      anonymousAllowed: input.anonymousAllowed ?? false,
      ...(input.permissionModel ? { permissionModel: clone(input.permissionModel) } : {}),
      lastUpdatedDate: now,
    };
    index.set(record.uniqueId, record);
    out.push(record);
  }
  touchDocuments(org);
  return out;
}

/** Accepts the W3C dates of the docs, including unpadded ones such as `2018-5-21T19:57:09.714Z`. */
export function parseW3cDate(name: string, raw: string): number {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(raw.trim());
  if (!m) throw badRequest(`'${name}' must be a W3C date and time such as 2018-05-21T19:57:09.714Z (got '${raw}').`);
  const [, y, mo, d, h, mi, s, ms, zone] = m;
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), Number((ms ?? '0').padEnd(3, '0')));
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  if (Number.isNaN(t)) throw badRequest(`'${name}' is not a valid date ('${raw}').`);
  return t;
}

/**
 * The document a request names. The router decoded the path once; the id is decoded a second time here,
 * which is why clients must encode it twice (seed 004). An id that still holds a `/` after the first
 * decoding never reaches this handler: no route matches it and the answer is 404 INVALID_URI.
 */
function documentOf(ctx: RequestContext): DocumentRecord {
  const indexId = ctx.params['indexId'] ?? '';
  const index = ctx.org.indexes.get(indexId);
  if (!index) throw notFound(`The index '${indexId}' does not exist in organization ${ctx.org.id}.`, 'INDEX_NOT_FOUND');
  let uniqueId: string;
  try {
    uniqueId = decodeURIComponent(ctx.params['documentId'] ?? '');
  } catch {
    throw invalidUri();
  }
  const doc = index.get(uniqueId);
  if (!doc) throw notFound(`No document with the unique id '${uniqueId}' in the index '${indexId}'.`, 'DOCUMENT_NOT_FOUND');
  return doc;
}

function permissionModel(doc: DocumentRecord): Doc {
  if (doc.permissionModel) return clone(doc.permissionModel);
  return {
    lastUpdatedDate: doc.lastUpdatedDate,
    state: 'VALID',
    permissionLevels: [{ name: 'Source level', permissionSets: [{ name: 'Item permissions', anonymousAllowed: doc.anonymousAllowed, permissions: clone(doc.permissions) }] }],
  };
}

function effectivePermissions(ctx: RequestContext): Doc {
  const doc = documentOf(ctx);
  const q = ctx.query;
  const include = enumParam(q, 'includeEntities', ['ALL', 'ALLOWED', 'DENIED'] as const, 'ALL');
  const statesRaw = q.get('states');
  const states = statesRaw === null || statesRaw.trim() === '' ? undefined : new Set(statesRaw.split(',').map((s) => checkEnum('states', s.trim(), STATES)));
  const from = q.get('from');
  const to = q.get('to');
  const fromMs = from === null || from === '' ? undefined : parseW3cDate('from', from);
  const toMs = to === null || to === '' ? undefined : parseW3cDate('to', to);
  const page = intParam(q, 'page', 0, { min: 0 });
  const perPage = intParam(q, 'perPage', 100, { min: 1, max: 1000 });
  const selected = doc.permissions.filter((p) => {
    const at = Number(p['lastUpdateDate']);
    return (
      (include === 'ALL' || (include === 'ALLOWED') === (p['allowed'] === true)) &&
      (states === undefined || states.has(String(p['state']) as (typeof STATES)[number])) &&
      (fromMs === undefined || at >= fromMs) &&
      (toMs === undefined || at <= toMs)
    );
  });
  const p = pageOf(selected, page, perPage, capFor(ctx.env, 'wrapped'));
  return { items: clone(p.items), anonymousAllowed: doc.anonymousAllowed, totalPages: p.totalPages, totalEntries: p.totalEntries };
}

/** `@field==value`, `@field=value`, `@field==("a","b")`, in q/aq/cq: every clause must hold. */
const CLAUSE = /@(\w+)\s*==?\s*(?:"([^"]*)"|\(([^)]*)\)|([^\s()]+))/g;
const FIELDS_OF: Record<string, (d: DocumentRecord) => string> = {
  uri: (d) => d.uri,
  clickableuri: (d) => d.uri,
  sysuri: (d) => d.uri,
  printableuri: (d) => d.uri,
  source: (d) => d.sourceName,
  syssource: (d) => d.sourceName,
  uniqueid: (d) => d.uniqueId,
  permanentid: (d) => d.uniqueId,
  title: (d) => d.title,
  systitle: (d) => d.title,
};

function matchesExpression(doc: DocumentRecord, expression: string): boolean {
  let rest = expression;
  for (const m of expression.matchAll(CLAUSE)) {
    rest = rest.replace(m[0], ' ');
    const field = (m[1] ?? '').toLowerCase();
    const get = FIELDS_OF[field];
    if (!get) throw new HttpError(400, 'INVALID_QUERY', `The emulated Search API does not know the field @${m[1] ?? ''}; it supports @uri, @source, @uniqueid, @permanentid and @title.`);
    const values = m[3] !== undefined ? m[3].split(',').map((v) => v.trim().replace(/^"|"$/g, '')) : [m[2] ?? m[4] ?? ''];
    if (!values.some((v) => v.toLowerCase() === get(doc).toLowerCase())) return false;
  }
  const words = rest.replace(/\b(AND|OR|NOT)\b/g, ' ').trim();
  if (words === '') return true;
  const haystack = `${doc.uri} ${doc.title}`.toLowerCase();
  return words.split(/\s+/).every((w) => haystack.includes(w.replace(/^"|"$/g, '').toLowerCase()));
}

/** A minimal Search API: filters the loaded documents by `q`, `aq` and `cq`; see the emulator README. */
export function search(ctx: RequestContext): Doc {
  const body = asRecord(ctx.body) ?? {};
  const text = (name: string): string => {
    const v = body[name] ?? ctx.query.get(name);
    return typeof v === 'string' ? v : '';
  };
  const numberOf = (name: string, fallback: number): number => {
    const v = body[name] ?? ctx.query.get(name);
    const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : fallback;
    if (!Number.isInteger(n) || n < 0) throw badRequest(`'${name}' must be a non-negative integer.`, 'INVALID_QUERY');
    return n;
  };
  const expressions = [text('q'), text('aq'), text('cq')].filter((e) => e.trim() !== '');
  const numberOfResults = Math.min(numberOf('numberOfResults', 10), 1000);
  const firstResult = numberOf('firstResult', 0);
  const maximumAge = body['maximumAge'] ?? ctx.query.get('maximumAge');
  const fresh = maximumAge === 0 || maximumAge === '0';
  const all: DocumentRecord[] = [];
  for (const docs of ctx.org.indexes.values()) for (const d of docs.values()) if (expressions.every((e) => matchesExpression(d, e))) all.push(d);
  const results = all.slice(firstResult, firstResult + numberOfResults).map((d) => ({
    title: d.title,
    uri: d.uri,
    printableUri: d.uri,
    clickUri: d.uri,
    uniqueId: d.uniqueId,
    raw: { source: d.sourceName, syssource: d.sourceName, uri: d.uri, sysuri: d.uri, permanentid: d.uniqueId, title: d.title },
  }));
  const first = all[0];
  const indexOfFirst = first ? [...ctx.org.indexes.entries()].find(([, docs]) => docs.has(first.uniqueId))?.[0] : undefined;
  return {
    totalCount: all.length,
    totalCountFiltered: all.length,
    duration: 1,
    indexDuration: 1,
    requestDuration: 1,
    searchUid: ctx.env.random.uuid(),
    // Without maximumAge 0 the answer may come from the cache, and `index` says "cache" (seed 004).
    index: fresh ? (indexOfFirst ?? ctx.org.defaultIndexId) : 'cache',
    results,
  };
}

export const indexRoutes: RouteHandlers = {
  'GET /indexes/{indexId}/documents/{documentId}/permissions': { handle: (ctx) => ok(permissionModel(documentOf(ctx))) },
  'GET /indexes/{indexId}/documents/{documentId}/permissions/effective': { listing: 'wrapped', handle: (ctx) => ok(effectivePermissions(ctx)) },
  'POST /rest/search/v2': { handle: (ctx) => ok(search(ctx)) },
};
