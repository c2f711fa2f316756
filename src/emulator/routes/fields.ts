/**
 * Index fields (Field API): `POST /indexes/fields/search`, the legacy `GET /indexes/page/fields`, single
 * and batch create/update/delete. Fields are stored with every FieldModel default filled; a field a source
 * maps, and a system field, cannot be deleted; an organization holds at most `fieldCap` user fields.
 */
import { capFor, type RequestContext, type RouteHandlers } from '../context.js';
import {
  asRecord,
  badRequest,
  checkEnum,
  checkRange,
  clone,
  conflict,
  enumParam,
  HttpError,
  intParam,
  noContent,
  notFound,
  ok,
  pageOf,
  requireArray,
  requireObject,
  textOf,
} from '../http.js';
import { sortedFieldNames, touchFields, type Doc, type OrgState } from '../state.js';

export const FIELD_TYPES = ['LONG', 'LONG_64', 'DOUBLE', 'DATE', 'STRING', 'VECTOR'] as const;
export const FIELD_NAME_PATTERN = /^[a-z][a-z0-9_]{0,254}$/;

/** Boolean options and their defaults (contract FieldModel); `facet` and `sort` depend on the type. */
const BOOLEAN_DEFAULTS: Readonly<Record<string, boolean>> = {
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
const TYPED_BOOLEANS = ['facet', 'sort'] as const;
const STRING_PROPS = ['description', 'label', 'dateFormat', 'multiValueFacetTokenizers'] as const;
const STRING_LIST_PROPS = ['automaticFacetsCandidateTags', 'projectIds'] as const;
const STRING_ONLY = ['multiValueFacet', 'hierarchicalFacet', 'ranking', 'stemming', 'mergeWithLexicon', 'multilingual', 'keepAccentsDisplayValueFacet', 'keepDistinctDisplayValueFacet'];
const NOT_ON_STRING = ['useCacheForNumericQuery', 'useCacheForComputedFacet'];

/**
 * Validates a FieldModel and returns it with every default filled and unknown properties dropped (as a
 * Jackson server ignores them). `existing` is the stored field on updates: its type is kept when the body
 * has none, and a different type is refused.
 */
export function normalizeFieldModel(input: unknown, existing?: Doc): Doc {
  const body = asRecord(input);
  if (!body) throw badRequest('Each field must be a JSON object (FieldModel).', 'INVALID_BODY');
  const name = body['name'];
  if (typeof name !== 'string' || name === '') throw badRequest("'name' is required for a field.", 'MISSING_PARAMETER');
  if (!FIELD_NAME_PATTERN.test(name)) {
    throw badRequest(`The field name '${name}' is invalid: it must match ^[a-z][a-z0-9_]{0,254}$ (lower-case letters, digits and underscores, starting with a letter).`, 'INVALID_FIELD_NAME');
  }
  const rawType = body['type'] ?? existing?.['type'];
  if (rawType === undefined) throw badRequest(`'type' is required for the field '${name}' (one of ${FIELD_TYPES.join(', ')}).`, 'MISSING_PARAMETER');
  const type = checkEnum(`type of the field '${name}'`, rawType, FIELD_TYPES);
  if (existing && existing['type'] !== type) {
    throw badRequest(`The type of the field '${name}' cannot change (from ${String(existing['type'])} to ${type}); delete the field and create it again.`, 'FIELD_TYPE_CANNOT_CHANGE');
  }
  if (body['system'] === true) throw badRequest(`'system' cannot be set to true (field '${name}').`, 'INVALID_PARAMETER');

  const out: Doc = { name, type };
  for (const p of STRING_PROPS) {
    const v = body[p];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw badRequest(`'${p}' of the field '${name}' must be a string.`, 'INVALID_BODY');
    out[p] = v;
  }
  for (const p of STRING_LIST_PROPS) {
    const v = body[p];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`'${p}' of the field '${name}' must be a list of strings.`, 'INVALID_BODY');
    out[p] = [...(v)];
  }
  const flag = (p: string, fallback: boolean): boolean => {
    const v = body[p];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw badRequest(`'${p}' of the field '${name}' must be true or false.`, 'INVALID_BODY');
    return v;
  };
  for (const p of TYPED_BOOLEANS) {
    const v = flag(p, type !== 'STRING');
    if (type !== 'STRING' && !v) throw badRequest(`'${p}' cannot be false on the ${type} field '${name}': it is always true unless the type is STRING.`, 'INVALID_PARAMETER');
    out[p] = v;
  }
  for (const [p, d] of Object.entries(BOOLEAN_DEFAULTS)) out[p] = flag(p, d);
  if (type !== 'STRING') {
    for (const p of STRING_ONLY) if (out[p] === true) throw badRequest(`'${p}' applies only to STRING fields; '${name}' is ${type}.`, 'INVALID_PARAMETER');
  } else {
    for (const p of NOT_ON_STRING) if (out[p] === true) throw badRequest(`'${p}' is not allowed on the STRING field '${name}'.`, 'INVALID_PARAMETER');
    if (out['useCacheForSort'] === true && out['sort'] !== true) throw badRequest(`'useCacheForSort' on the STRING field '${name}' needs 'sort: true'.`, 'INVALID_PARAMETER');
  }
  if (out['multilingual'] === true && out['keyValue'] !== true) throw badRequest(`'multilingual' on the field '${name}' needs 'keyValue: true'.`, 'INVALID_PARAMETER');
  out['system'] = existing?.['system'] === true;
  return out;
}

/** Names of the sources that map a field (raw `mappings[].fieldName`, and `field` on older models). */
export function sourcesMapping(org: OrgState, fieldName: string): string[] {
  const out: string[] = [];
  for (const s of org.sources.values()) {
    const mappings = [...(Array.isArray(s.raw['mappings']) ? (s.raw['mappings'] as unknown[]) : []), ...(Array.isArray(s.simple['mappings']) ? (s.simple['mappings'] as unknown[]) : [])];
    const maps = mappings.some((m) => {
      const r = asRecord(m);
      return r !== undefined && (r['fieldName'] === fieldName || r['field'] === fieldName);
    });
    if (maps) out.push(String(s.raw['name']));
  }
  return out;
}

const userFieldCount = (org: OrgState): number => {
  let n = 0;
  for (const f of org.fields.values()) if (f['system'] !== true) n++;
  return n;
};

function checkCap(ctx: RequestContext, adding: number): void {
  const count = userFieldCount(ctx.org);
  if (count + adding > ctx.env.fieldCap) {
    throw badRequest(
      `The organization cannot have more than ${ctx.env.fieldCap} fields: it has ${count} and the request adds ${adding}. Delete unused fields first.`,
      'FIELD_LIMIT_EXCEEDED',
    );
  }
}

function createFields(ctx: RequestContext, inputs: readonly unknown[]): void {
  const seen = new Set<string>();
  const fields = inputs.map((f) => {
    const field = normalizeFieldModel(f);
    const name = String(field['name']);
    if (ctx.org.fields.has(name)) throw conflict(`A field named '${name}' already exists in organization ${ctx.org.id}.`, 'FIELD_ALREADY_EXISTS');
    if (seen.has(name)) throw conflict(`The field '${name}' appears twice in the request.`, 'FIELD_ALREADY_EXISTS');
    seen.add(name);
    return field;
  });
  checkCap(ctx, fields.length);
  for (const f of fields) ctx.org.fields.set(String(f['name']), f);
  touchFields(ctx.org);
}

function updateFields(ctx: RequestContext, inputs: readonly unknown[], pathName?: string): void {
  const updates = inputs.map((f) => {
    const body = asRecord(f);
    const name = typeof body?.['name'] === 'string' ? body['name'] : pathName;
    if (pathName !== undefined && body?.['name'] !== undefined && body['name'] !== pathName) {
      throw badRequest(`The field name in the body ('${textOf(body['name'])}') differs from the one in the path ('${pathName}').`, 'INVALID_PARAMETER');
    }
    if (name === undefined) throw badRequest("'name' is required for a field.", 'MISSING_PARAMETER');
    const existing = ctx.org.fields.get(name);
    if (!existing) throw notFound(`The field '${name}' does not exist in organization ${ctx.org.id}.`);
    if (existing['system'] === true) throw badRequest(`The field '${name}' is a system field and cannot be modified.`, 'SYSTEM_FIELD');
    return normalizeFieldModel({ ...body, name }, existing);
  });
  for (const f of updates) ctx.org.fields.set(String(f['name']), f);
  touchFields(ctx.org);
}

function deleteFields(ctx: RequestContext, names: readonly string[]): void {
  for (const name of names) {
    const existing = ctx.org.fields.get(name);
    if (!existing) throw notFound(`The field '${name}' does not exist in organization ${ctx.org.id}.`);
    if (existing['system'] === true) throw badRequest(`The field '${name}' is a system field and cannot be deleted.`, 'SYSTEM_FIELD');
    const users = sourcesMapping(ctx.org, name);
    if (users.length > 0) {
      throw new HttpError(412, 'FIELD_IN_USE', `The field '${name}' cannot be deleted: it is mapped by the source(s) ${users.map((u) => `'${u}'`).join(', ')}. Remove the mappings first.`);
    }
  }
  for (const name of names) ctx.org.fields.delete(name);
  touchFields(ctx.org);
}

type Tri = 'ALL' | 'TRUE_ONLY' | 'FALSE_ONLY';
const TRI: readonly Tri[] = ['ALL', 'TRUE_ONLY', 'FALSE_ONLY'];
const SORTABLE = ['name', 'type', 'label', 'description'] as const;

interface FieldQuery {
  readonly page: number;
  readonly perPage: number;
  readonly sortBy: (typeof SORTABLE)[number];
  readonly order: 'ASC' | 'DESC';
  readonly name?: string;
  readonly type?: string;
  readonly origin: 'ALL' | 'USER' | 'SYSTEM';
  readonly facet: Tri;
  readonly sort: Tri;
  readonly automaticFacetsCandidate: Tri;
  readonly fieldNames?: readonly string[];
}

const triMatches = (t: Tri, v: unknown): boolean => t === 'ALL' || (t === 'TRUE_ONLY' ? v === true : v !== true);

function listFields(ctx: RequestContext, q: FieldQuery): Doc {
  const org = ctx.org;
  const names = sortedFieldNames(org);
  const isPlain =
    q.name === undefined && q.type === undefined && q.origin === 'ALL' && q.facet === 'ALL' && q.sort === 'ALL' && q.automaticFacetsCandidate === 'ALL' && q.fieldNames === undefined;
  let selected: readonly Doc[];
  if (isPlain && q.sortBy === 'name') {
    // The common case (a full read sorted by name) is served by slicing the cached order: O(page).
    const page = pageOf(q.order === 'ASC' ? names : [...names].reverse(), q.page, q.perPage, capFor(ctx.env, 'wrapped'));
    return { items: page.items.map((n) => clone(org.fields.get(n))), totalEntries: page.totalEntries, totalPages: page.totalPages };
  }
  const needle = q.name?.toLowerCase();
  const wanted = q.fieldNames ? new Set(q.fieldNames) : undefined;
  selected = names
    .map((n) => org.fields.get(n))
    .filter((f): f is Doc => f !== undefined)
    .filter(
      (f) =>
        (needle === undefined || String(f['name']).includes(needle)) &&
        (q.type === undefined || f['type'] === q.type) &&
        (q.origin === 'ALL' || (q.origin === 'SYSTEM') === (f['system'] === true)) &&
        triMatches(q.facet, f['facet']) &&
        triMatches(q.sort, f['sort']) &&
        triMatches(q.automaticFacetsCandidate, f['automaticFacetsCandidate']) &&
        (wanted === undefined || wanted.has(String(f['name']))),
    );
  if (q.sortBy !== 'name') {
    const key = q.sortBy;
    selected = [...selected].sort((a, b) => textOf(a[key] ?? '').localeCompare(textOf(b[key] ?? '')) || String(a['name']).localeCompare(String(b['name'])));
  }
  if (q.order === 'DESC') selected = [...selected].reverse();
  const page = pageOf(selected, q.page, q.perPage, capFor(ctx.env, 'wrapped'));
  return { items: page.items.map((f) => clone(f)), totalEntries: page.totalEntries, totalPages: page.totalPages };
}

function searchQuery(body: Doc): FieldQuery {
  const num = (name: string, fallback: number, range: { min?: number; max?: number }): number => {
    const v = body[name];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(`'${name}' must be an integer (got ${JSON.stringify(v)}).`);
    return checkRange(name, v, range);
  };
  const filters = asRecord(body['filters']) ?? {};
  if (body['filters'] !== undefined && body['filters'] !== null && asRecord(body['filters']) === undefined) throw badRequest("'filters' must be an object.");
  const str = (o: Doc, name: string): string | undefined => {
    const v = o[name];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw badRequest(`'${name}' must be a string.`);
    return v;
  };
  const type = str(filters, 'type');
  const fieldNames = filters['fieldNames'];
  if (fieldNames !== undefined && fieldNames !== null && !(Array.isArray(fieldNames) && fieldNames.every((x) => typeof x === 'string'))) {
    throw badRequest("'filters.fieldNames' must be a list of strings.");
  }
  const name = str(filters, 'name');
  return {
    page: num('page', 0, { min: 0 }),
    perPage: num('perPage', 100, { min: 1, max: 1000 }),
    sortBy: checkEnum('sortBy', str(body, 'sortBy') ?? 'name', SORTABLE),
    order: checkEnum('order', (str(body, 'order') ?? 'ASC').toUpperCase(), ['ASC', 'DESC'] as const),
    ...(name !== undefined ? { name } : {}),
    ...(type !== undefined && type !== 'ALL' ? { type: checkEnum('filters.type', type, FIELD_TYPES) } : {}),
    origin: checkEnum('filters.origin', str(filters, 'origin') ?? 'ALL', ['ALL', 'USER', 'SYSTEM'] as const),
    facet: checkEnum('filters.facet', str(filters, 'facet') ?? 'ALL', TRI),
    sort: checkEnum('filters.sort', str(filters, 'sort') ?? 'ALL', TRI),
    automaticFacetsCandidate: checkEnum('filters.automaticFacetsCandidate', str(filters, 'automaticFacetsCandidate') ?? 'ALL', TRI),
    ...(Array.isArray(fieldNames) ? { fieldNames: fieldNames } : {}),
  };
}

/** `fields=a&fields=b` or `fields=a,b`, as Spring reads a list parameter. */
function fieldNamesParam(query: URLSearchParams): string[] {
  return query
    .getAll('fields')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export const fieldRoutes: RouteHandlers = {
  'POST /indexes/fields/search': {
    listing: 'wrapped',
    handle: (ctx) => ok(listFields(ctx, searchQuery(ctx.body === undefined ? {} : requireObject(ctx.body, 'FieldListingOptions')))),
  },
  'GET /indexes/page/fields': {
    listing: 'wrapped',
    handle: (ctx) => {
      const q = ctx.query;
      const filter = q.get('filter') ?? undefined;
      const type = enumParam(q, 'type', FIELD_TYPES);
      return ok(
        listFields(ctx, {
          page: intParam(q, 'page', 0, { min: 0 }),
          perPage: intParam(q, 'perPage', 100, { min: 1, max: 1000 }),
          sortBy: enumParam(q, 'sortBy', SORTABLE, 'name'),
          order: enumParam(q, 'order', ['ASC', 'DESC'] as const, 'ASC'),
          ...(filter ? { name: filter } : {}),
          ...(type ? { type } : {}),
          origin: enumParam(q, 'origin', ['ALL', 'USER', 'SYSTEM'] as const, 'ALL'),
          facet: q.get('facetsOnly') === 'true' ? 'TRUE_ONLY' : 'ALL',
          sort: 'ALL',
          automaticFacetsCandidate: 'ALL',
        }),
      );
    },
  },
  'POST /indexes/fields': {
    handle: (ctx) => {
      createFields(ctx, [requireObject(ctx.body, 'FieldModel')]);
      return noContent();
    },
  },
  'GET /indexes/fields/{fieldId}': {
    handle: (ctx) => {
      const field = ctx.org.fields.get(ctx.params['fieldId'] ?? '');
      if (!field) throw notFound(`The field '${ctx.params['fieldId'] ?? ''}' does not exist in organization ${ctx.org.id}.`);
      return ok(clone(field));
    },
  },
  'PUT /indexes/fields/{fieldId}': {
    handle: (ctx) => {
      updateFields(ctx, [requireObject(ctx.body, 'FieldModel')], ctx.params['fieldId'] ?? '');
      return noContent();
    },
  },
  'DELETE /indexes/fields/{fieldId}': {
    handle: (ctx) => {
      deleteFields(ctx, [ctx.params['fieldId'] ?? '']);
      return noContent();
    },
  },
  'POST /indexes/fields/batch/create': {
    handle: (ctx) => {
      createFields(ctx, requireArray(ctx.body, 'a list of FieldModel'));
      return noContent();
    },
  },
  'PUT /indexes/fields/batch/update': {
    handle: (ctx) => {
      updateFields(ctx, requireArray(ctx.body, 'a list of FieldModel'));
      return noContent();
    },
  },
  'DELETE /indexes/fields/batch/delete': {
    handle: (ctx) => {
      const names = fieldNamesParam(ctx.query);
      if (names.length === 0) throw badRequest("The query parameter 'fields' is required: the names of the fields to delete.", 'MISSING_PARAMETER');
      deleteFields(ctx, [...new Set(names)]);
      return noContent();
    },
  },
};
