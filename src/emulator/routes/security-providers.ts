/**
 * Security identity providers (Security Cache API). The id is chosen by the client and cannot change;
 * `PUT /securityproviders/{id}` creates or updates (200); `POST /securityproviders` creates (200) and
 * answers 409 when the id is taken. `referencedBy` is computed from the sources that reference the
 * provider. Sensitive parameters and identity passwords are never returned; a write without them keeps
 * the stored ones. The built-in `Email Security Provider` and providers still referenced cannot be deleted.
 */
import { type RequestContext, type RouteHandlers } from '../context.js';
import { asRecord, badRequest, checkEnum, clone, conflict, HttpError, intParam, noContent, notFound, ok, pageOf, requireObject, textOf } from '../http.js';
import { capFor } from '../context.js';
import { keepStoredSecrets, removeSecrets } from '../secrets.js';
import { providerReferences, type Doc, type OrgState, type ProviderRecord } from '../state.js';

export const PROVIDER_TYPES = [
  'ACTIVE_DIRECTORY2',
  'BOX',
  'CLAIMS',
  'CLAIMS_TO_EMAIL',
  'CONFLUENCE',
  'CONFLUENCE2',
  'CUSTOM',
  'DATABASE',
  'DROPBOX_FOR_BUSINESS',
  'EMAIL',
  'EXPANDED',
  'FILE',
  'GOOGLE_DRIVE_DOMAIN_WIDE',
  'GENERIC_REST',
  'GRAPHQL',
  'JIRA2',
  'JIVE',
  'KHOROS_COMMUNITY',
  'MICROSOFT_DYNAMICS',
  'OFFICE365',
  'SALESFORCE',
  'SERVICENOW',
  'SHAREPOINT',
  'SHAREPOINT_ONLINE',
  'SITECORE',
  'SLACK',
  'ZENDESK',
] as const;

export const EMAIL_PROVIDER_ID = 'Email Security Provider';
const SERVER_MANAGED = ['organizationId', 'instanceId', 'referencedBy', 'statistics', 'lastRefreshOperation', 'currentStatus'];

/** The security provider with this id; 404 when there is none. */
export function getProvider(org: OrgState, id: string): ProviderRecord {
  const p = org.providers.get(id);
  if (!p) throw notFound(`The security provider '${id}' does not exist in organization ${org.id}.`);
  return p;
}

/** Removes sensitive parameter values and identity passwords from a copy. */
function mask(doc: Doc): Doc {
  const out = clone(doc);
  removeSecrets(out);
  return out;
}

/** Keeps stored secrets that a write sends without a value. */
function keepSecrets(next: Doc, previous: Doc | undefined): void {
  if (previous) keepStoredSecrets(next, previous);
}

/** The SecurityProviderModelWithStatus view. */
export function toProviderModel(org: OrgState, p: ProviderRecord, withStatus = true): Doc {
  const refs = providerReferences(org).get(p.id) ?? [];
  return {
    ...mask(p.doc),
    id: p.id,
    name: p.id,
    organizationId: org.id,
    instanceId: `${org.id}-${p.id.replace(/[^A-Za-z0-9]/g, '').toLowerCase()}`,
    referencedBy: refs.map((id) => ({ id, type: 'SOURCE' })),
    ...(withStatus
      ? {
          statistics: { numberOfEntitiesByState: {}, totalNumberOfEntities: 0, numberOfEntitiesInError: 0 },
          currentStatus: { type: 'IDLE' },
        }
      : {}),
  };
}

/** Validates a SecurityProviderModel for the provider `id`; returns what is stored. */
export function normalizeProvider(body: Doc, id: string, previous?: Doc): Doc {
  if (typeof body['id'] === 'string' && body['id'] !== id) throw badRequest(`The id in the body ('${body['id']}') differs from the one in the path ('${id}'); a security provider id cannot change.`);
  const type = checkEnum('type', body['type'] ?? previous?.['type'], PROVIDER_TYPES);
  for (const key of ['parameters', 'userIdentities', 'cascadingSecurityProviders']) {
    const v = body[key];
    if (v !== undefined && v !== null && !asRecord(v)) throw badRequest(`'${key}' of the security provider must be an object.`, 'INVALID_BODY');
  }
  const out = clone(body);
  for (const k of SERVER_MANAGED) delete out[k];
  delete out['id'];
  delete out['name'];
  out['type'] = type;
  out['displayName'] = typeof body['displayName'] === 'string' ? body['displayName'] : id;
  keepSecrets(out, previous);
  return out;
}

function idFromBody(body: Doc): string {
  const id = typeof body['id'] === 'string' && body['id'] !== '' ? body['id'] : typeof body['name'] === 'string' && body['name'] !== '' ? body['name'] : undefined;
  if (id === undefined) throw badRequest("'id' is required to create a security provider (the id is chosen by the client and cannot change).", 'MISSING_PARAMETER');
  return id;
}

const providerOf = (ctx: RequestContext): ProviderRecord => getProvider(ctx.org, ctx.params['securityProviderId'] ?? '');

export const providerRoutes: RouteHandlers = {
  'GET /securityproviders': { listing: 'bare', handle: (ctx) => ok([...ctx.org.providers.values()].map((p) => toProviderModel(ctx.org, p))) },
  'POST /securityproviders': {
    handle: (ctx) => {
      const body = requireObject(ctx.body, 'SecurityProviderModel');
      const id = idFromBody(body);
      if (ctx.org.providers.has(id)) throw conflict(`A security provider with the id '${id}' already exists in organization ${ctx.org.id}.`, 'SECURITY_PROVIDER_ALREADY_EXISTS');
      const doc = normalizeProvider({ ...body, id }, id);
      const record: ProviderRecord = { id, doc };
      ctx.org.providers.set(id, record);
      return ok(toProviderModel(ctx.org, record, false));
    },
  },
  'GET /securityproviders/page': {
    listing: 'wrapped',
    handle: (ctx) => {
      const filter = (ctx.query.get('filter') ?? '').toLowerCase();
      const all = [...ctx.org.providers.values()].filter((p) => filter === '' || p.id.toLowerCase().includes(filter) || textOf(p.doc['displayName'] ?? '').toLowerCase().includes(filter));
      const page = pageOf(all, intParam(ctx.query, 'page', 0, { min: 0 }), intParam(ctx.query, 'perPage', 100, { min: 1 }), capFor(ctx.env, 'wrapped'));
      return ok({ items: page.items.map((p) => toProviderModel(ctx.org, p)), totalEntries: page.totalEntries, totalPages: page.totalPages });
    },
  },
  'GET /securityproviders/{securityProviderId}': { handle: (ctx) => ok(toProviderModel(ctx.org, providerOf(ctx))) },
  'PUT /securityproviders/{securityProviderId}': {
    handle: (ctx) => {
      const id = ctx.params['securityProviderId'] ?? '';
      const existing = ctx.org.providers.get(id);
      const doc = normalizeProvider(requireObject(ctx.body, 'SecurityProviderModel'), id, existing?.doc);
      const record: ProviderRecord = existing ?? { id, doc };
      record.doc = doc;
      ctx.org.providers.set(id, record);
      return ok(toProviderModel(ctx.org, record));
    },
  },
  'DELETE /securityproviders/{securityProviderId}': {
    handle: (ctx) => {
      const p = providerOf(ctx);
      if (p.id === EMAIL_PROVIDER_ID) throw badRequest(`The built-in '${EMAIL_PROVIDER_ID}' cannot be deleted.`, 'SECURITY_PROVIDER_NOT_DELETABLE');
      const refs = providerReferences(ctx.org).get(p.id) ?? [];
      if (refs.length > 0) {
        const names = refs.map((id) => `'${textOf(ctx.org.sources.get(id)?.raw['name'] ?? id)}'`).join(', ');
        throw new HttpError(412, 'SECURITY_PROVIDER_IN_USE', `The security provider '${p.id}' cannot be deleted: the source(s) ${names} reference it.`);
      }
      for (const other of ctx.org.providers.values()) {
        const cascading = asRecord(other.doc['cascadingSecurityProviders']);
        if (other.id !== p.id && cascading && Object.entries(cascading).some(([k, v]) => (asRecord(v)?.['id'] ?? k) === p.id)) {
          throw new HttpError(412, 'SECURITY_PROVIDER_IN_USE', `The security provider '${p.id}' cannot be deleted: the provider '${other.id}' cascades to it.`);
        }
      }
      ctx.org.providers.delete(p.id);
      return noContent();
    },
  },
  'GET /securityproviders/{securityProviderId}/raw': {
    handle: (ctx) => {
      const p = providerOf(ctx);
      const raw = p.raw ?? { ...p.doc, name: p.id };
      return ok({ ...mask(raw), name: p.id, organizationId: ctx.org.id, type: p.doc['type'] });
    },
  },
  'PUT /securityproviders/{securityProviderId}/raw': {
    handle: (ctx) => {
      const id = ctx.params['securityProviderId'] ?? '';
      const body = requireObject(ctx.body, 'RawSecurityProviderConfig');
      if (typeof body['name'] === 'string' && body['name'] !== id) throw badRequest(`The name in the body ('${body['name']}') differs from the id in the path ('${id}').`);
      const existing = ctx.org.providers.get(id);
      const raw = clone(body);
      delete raw['organizationId'];
      keepSecrets(raw, existing?.raw ?? existing?.doc);
      const doc = normalizeProvider({ ...(existing?.doc ?? {}), type: body['type'] ?? existing?.doc['type'], displayName: body['displayName'] ?? existing?.doc['displayName'] }, id, existing?.doc);
      const record: ProviderRecord = existing ?? { id, doc };
      record.doc = doc;
      record.raw = raw;
      ctx.org.providers.set(id, record);
      return noContent();
    },
  },
};
