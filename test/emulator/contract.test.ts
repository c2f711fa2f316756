/**
 * Every served operation against the models of ../shared/reference/coveo-api-contract.json, with ajv: a
 * scenario calls each operation with contract-valid requests (every query parameter that has a default is
 * sent with that default), and each request body, response status and response body is validated against
 * the operation's schemas. Response objects may not carry properties the contract does not know
 * (`unevaluatedProperties: false`) except the few additions listed in EXTRA_ALLOWED, so the emulator cannot
 * drift from the contract silently. Dates typed `date-time` in the specs are epoch milliseconds on the wire
 * (contract note "date fields"). The test fails if any route of the privilege table was not exercised.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchRoute, ROUTE_PRIVILEGES } from '../../src/core/privileges/route-privileges.js';
import { startTestApi, type Api, type Json } from './support.js';

interface QueryParam {
  name: string;
  required?: boolean;
  default?: unknown;
}
interface Operation {
  method: string;
  path: string;
  queryParams: QueryParam[];
  requestBody: { schema: Json } | null;
  successCodes: string[];
  responses: Record<string, { schema?: Json }>;
}
interface Contract {
  operations: Operation[];
  schemas: Record<string, Json>;
  unions: Record<string, string[]>;
}

const contract = JSON.parse(readFileSync('/work/shared/reference/coveo-api-contract.json', 'utf8')) as Contract;
const operations = new Map(contract.operations.map((o) => [`${o.method} ${o.path}`, o]));

/**
 * Properties the emulator adds on purpose, by schema (each is in the README's list of differences): the
 * legacy privilege form of the docs samples (seeds 001/002), and `sourceVisibility` in the raw source
 * configuration, where the emulator keeps a source's visibility although RawSourceConfig does not list it.
 */
const EXTRA_ALLOWED: Record<string, readonly string[]> = {
  GlobalPrivilegeModel: ['targetIds', 'global'],
  PrivilegeModel: ['targetIds', 'global'],
  RawSourceConfig: ['sourceVisibility'],
};

type Mode = 'request' | 'response';
const KEYWORDS_DROPPED = new Set(['spec', 'example', 'description', 'deprecated', 'discriminator', 'origin', 'readOnly', 'nullable', 'writeOnly', 'format']);

/**
 * Turns one contract schema node into JSON Schema 2020-12. `open`: the node is a part of an `allOf`, whose
 * parent closes the object (closing the parts would reject the other parts' properties).
 */
function convert(node: Json, mode: Mode, name?: string, open = false): Json {
  if (node === null || typeof node !== 'object') return node;
  if (node.ref) return { $ref: `#/$defs/${node.ref}` };
  if (node.oneOfUnion) return { anyOf: contract.unions[node.oneOfUnion]!.map((m) => ({ $ref: `#/$defs/${m === 'SourceModel' ? 'SourceModelStrict' : m}` })) };
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (KEYWORDS_DROPPED.has(k) || k.startsWith('desc') || (k === 'required' && !Array.isArray(v))) continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, mode === 'response' && (s as Json).writeOnly ? false : convert(s, mode)]));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = convert(v, mode);
    else if (k === 'allOf') out.allOf = (v as Json[]).map((s) => convert(s, mode, undefined, true));
    else out[k] = v;
  }
  if (node.format === 'date-time') out.type = mode === 'response' ? 'integer' : ['integer', 'string'];
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  // No unknown properties in answers; a base model used through allOf (SourceModel) stays open: its variants close it.
  const closable = mode === 'response' && !open && name !== 'SourceModel' && out.additionalProperties === undefined && (out.properties !== undefined || out.allOf !== undefined);
  if (closable) {
    for (const p of EXTRA_ALLOWED[name ?? ''] ?? []) out.properties[p] = true;
    out.unevaluatedProperties = false;
  }
  return out;
}

function defsFor(mode: Mode): Json {
  const defs: Json = {};
  for (const [name, schema] of Object.entries(contract.schemas)) defs[name] = convert(schema, mode, name);
  defs.SourceModelStrict = mode === 'response' ? { allOf: [{ $ref: '#/$defs/SourceModel' }], unevaluatedProperties: false } : { $ref: '#/$defs/SourceModel' };
  return defs;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema({ $id: 'request', $defs: defsFor('request') });
ajv.addSchema({ $id: 'response', $defs: defsFor('response') });
const compiled = new Map<string, ValidateFunction>();

function validator(mode: Mode, schema: Json): ValidateFunction {
  const key = `${mode}:${JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) {
    const converted = convert(schema, mode);
    const rebased = JSON.parse(JSON.stringify(converted).replace(/"#\/\$defs\//g, `"${mode}#/$defs/`));
    v = ajv.compile(rebased);
    compiled.set(key, v);
  }
  return v;
}

function check(mode: Mode, schema: Json, data: unknown, where: string): void {
  const v = validator(mode, schema);
  if (!v(data)) {
    const errors = (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    throw new Error(`${where}: ${mode} does not match the contract:\n  ${errors.join('\n  ')}`);
  }
}

let api: Api;
const covered = new Set<string>();

/** Calls an operation with every defaulted query parameter set to its default, and validates both sides. */
async function op(method: string, path: string, options: { body?: unknown; query?: Record<string, string | string[]>; expect?: number } = {}): Promise<Json> {
  const match = matchRoute(method, path);
  expect(match, `${method} ${path} is served`).toBeDefined();
  const key = `${method} ${match!.route.path}`;
  const operation = operations.get(key);
  expect(operation, `${key} is in the contract`).toBeDefined();
  const query: Record<string, string | string[]> = {};
  for (const q of operation!.queryParams) if (q.default !== undefined) query[q.name] = typeof q.default === 'string' ? q.default : JSON.stringify(q.default);
  Object.assign(query, options.query ?? {});
  if (options.body !== undefined && operation!.requestBody) check('request', operation!.requestBody.schema, options.body, key);
  const reply = await api.call(method, path, { query, ...(options.body !== undefined ? { body: options.body } : {}) });
  const status = String(reply.status);
  expect(reply.headers.get('x-request-id'), key).toBeTruthy();
  expect(operation!.successCodes, `${key} answered ${status}: ${reply.text.slice(0, 300)}`).toContain(status);
  if (options.expect !== undefined) expect(reply.status).toBe(options.expect);
  const schema = operation!.responses[status]?.schema;
  if (schema) check('response', schema, reply.body, key);
  else expect(reply.text, `${key} answers no body`).toBe('');
  covered.add(key);
  return reply.body;
}

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await api.emu.stop();
});

describe('the served operations against the contract', () => {
  it('converts the contract into schemas ajv accepts', () => {
    expect(() => validator('response', { ref: 'SourceModel' })).not.toThrow();
    expect(() => check('response', { ref: 'FieldModel' }, { name: 'x', bogus: 1 }, 'self-test')).toThrow(/unevaluated/);
    expect(() => check('response', { ref: 'FieldModel' }, { name: 'x', type: 'TEXT' }, 'self-test')).toThrow(/allowed values/);
    expect(() => check('response', { oneOfUnion: 'SourceModelVariants' }, { name: 'x', bogus: 1 }, 'self-test')).toThrow(/does not match/);
    expect(() => check('response', { oneOfUnion: 'SourceModelVariants' }, { name: 'x', urls: ['u'], hasPassword: true }, 'self-test')).not.toThrow();
    expect(() => check('response', { ref: 'SourceModel' }, { createdDate: '2024-01-01T00:00:00Z' }, 'self-test')).toThrow(/integer/);
    expect(() => check('response', { ref: 'ApiKeyWithValueResponse' }, { lifetimeDuration: 'P1Y' }, 'self-test')).toThrow(/does not match/);
  });

  it('security providers', async () => {
    const provider = { id: 'Contract Provider', name: 'Contract Provider', displayName: 'Contract provider', type: 'CLAIMS', caseSensitive: false, nodeRequired: false, parameters: { Secret: { sensitive: true, value: 's' } } };
    await op('PUT', '/securityproviders/Contract%20Provider', { body: provider });
    await op('POST', '/securityproviders', { body: { ...provider, id: 'Posted Provider', name: 'Posted Provider' } });
    await op('GET', '/securityproviders');
    await op('GET', '/securityproviders/page');
    await op('GET', '/securityproviders/Contract%20Provider');
    await op('PUT', '/securityproviders/Contract%20Provider/raw', { body: { name: 'Contract Provider', type: 'CLAIMS', displayName: 'Raw', parameters: { Secret: { sensitive: true, value: 't' } } } });
    await op('GET', '/securityproviders/Contract%20Provider/raw');
    await op('DELETE', '/securityproviders/Posted%20Provider');
  });

  it('fields', async () => {
    await op('POST', '/indexes/fields', { body: { name: 'contractone', type: 'STRING', facet: true } });
    await op('POST', '/indexes/fields/batch/create', { body: [{ name: 'contracttwo', type: 'LONG' }, { name: 'contractthree', type: 'DATE', label: 'Three' }] });
    await op('PUT', '/indexes/fields/batch/update', { body: [{ name: 'contracttwo', type: 'LONG', useCacheForNumericQuery: true }] });
    await op('PUT', '/indexes/fields/contractone', { body: { name: 'contractone', type: 'STRING', multiValueFacet: true } });
    await op('GET', '/indexes/fields/contractone');
    await op('POST', '/indexes/fields/search', { body: { page: 0, perPage: 1000, sortBy: 'name', order: 'ASC', filters: { origin: 'ALL', facet: 'ALL' } } });
    await op('GET', '/indexes/page/fields', { query: { page: '0', perPage: '50', origin: 'ALL' } });
    await op('DELETE', '/indexes/fields/contractthree');
    await op('DELETE', '/indexes/fields/batch/delete', { query: { fields: ['contracttwo'] } });
  });

  it('sources and schedules', async () => {
    const raw = {
      name: 'Contract raw',
      sourceType: 'WEB2',
      configuration: { startingAddresses: ['https://c.example.com/'], parameters: { Password: { sensitive: true, value: 'p' } }, userIdentities: { U: { name: 'U', userName: 'u', password: 'p' } } },
      mappings: [{ type: 'COMMON', fieldName: 'contractone', extractionMethod: 'METADATA', rules: ['%[x]'] }],
      securityProviderReferences: ['Contract Provider'],
    };
    const created = await op('POST', '/sources/raw', { body: raw, expect: 201 });
    const simple = await op('POST', '/sources', { body: { name: 'Contract simple', sourceType: 'WEB2', sourceVisibility: 'SECURED', urls: ['https://s.example.com/'], password: 'x' }, expect: 201 });
    await op('GET', '/sources');
    await op('GET', '/sources/pages');
    await op('GET', '/sources/raw/all');
    await op('GET', `/sources/${created.id}`);
    const current = await op('GET', `/sources/${created.id}/raw`);
    await op('PUT', `/sources/${created.id}/raw`, { body: current });
    await op('PUT', `/sources/${simple.id}`, { body: { name: 'Contract simple', sourceType: 'WEB2', sourceVisibility: 'SHARED', urls: ['https://t.example.com/'] } });
    await op('POST', `/sources/${created.id}/applyChanges`);
    await op('POST', `/sources/${created.id}/rebuild`);
    await op('POST', `/sources/${created.id}/fullRefresh`);
    await op('POST', `/sources/${created.id}/incrementalRefresh`);
    const schedule = await op('POST', `/sources/${created.id}/schedules`, { body: { refreshType: 'FULL_REFRESH', scheduleType: 'SOURCE', enabled: true, frequency: { type: 'WEEKLY', weekDays: ['SUNDAY'], hourMinute: { hour: 1, minute: 0 } } } });
    await op('GET', `/sources/${created.id}/schedules`);
    await op('GET', `/sources/${created.id}/schedules/${schedule.id}`);
    await op('PUT', `/sources/${created.id}/schedules/${schedule.id}`, { body: { ...schedule, frequency: { type: 'MONTHLY', monthDay: 1, hourMinute: { hour: 2, minute: 0 } } } });
    await op('DELETE', `/sources/${created.id}/schedules/${schedule.id}`);
    await op('DELETE', `/sources/${simple.id}`);
  });

  it('groups, members, invites, realms', async () => {
    const { id } = await op('POST', '/groups', {
      body: { displayName: 'Contract group', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: '*' }], members: [{ username: 'a@example.com', email: 'a@example.com' }] },
      query: { sendEmailToInvitedUsers: 'false' },
    });
    await op('GET', '/groups');
    const group = await op('GET', `/groups/${id}`);
    await op('PUT', `/groups/${id}`, { body: { ...group, displayName: 'Contract group 2', invites: [{ email: 'i@example.com', username: 'i@example.com' }] }, query: { sendEmailToInvitedUsers: 'false' } });
    await op('POST', `/groups/${id}/members`, { body: { username: 'b@example.com' }, query: { sendEmailOnInvite: 'false' } });
    await op('GET', `/groups/${id}/members`);
    await op('GET', `/groups/${id}/members/b@example.com`);
    await op('DELETE', `/groups/${id}/members/b@example.com`);
    await op('POST', `/groups/${id}/invites`, { body: { email: 'c@example.com', provider: 'EMAIL' }, query: { sendEmail: 'false' } });
    await op('GET', `/groups/${id}/invites`);
    await op('DELETE', `/groups/${id}/invites/c@example.com`);
    const realm = await op('POST', `/groups/${id}/realms`, { body: { provider: 'SAML', displayName: 'SSO', samlIdentityProviderId: 'idp' } });
    await op('GET', `/groups/${id}/realms`);
    await op('GET', `/groups/${id}/realms/${realm.id}`);
    await op('DELETE', `/groups/${id}/realms/${realm.id}`);
    await op('DELETE', `/groups/${id}`);
  });

  it('API keys and privileges', async () => {
    const key = await op('POST', '/apikeys', {
      body: {
        displayName: 'Contract key',
        description: 'd',
        privileges: [{ owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targetId: '*' }],
        allowedIps: [],
        deniedIps: [],
        additionalConfiguration: { search: { enforcedQueryPipelineConfiguration: { searchHub: 'web' } } },
        lifetimeDuration: 'P90D',
        rotationEnabled: true,
      },
      expect: 201,
    });
    expect(key.value).toMatch(/^xx/);
    expect(key.rotationSecret).toBeDefined();
    await op('GET', '/apikeys');
    await op('GET', `/apikeys/${key.id}`);
    await op('PUT', `/apikeys/${key.id}`, { body: { displayName: 'Contract key 2', description: 'e', allowedIps: ['10.0.0.1'], deniedIps: [] } });
    await op('PUT', `/apikeys/${key.id}/disable`);
    await op('PUT', `/apikeys/${key.id}/activate`);
    await op('GET', '/privileges');
    await op('GET', '/privileges/apikeys');
    await op('GET', '/privileges/me');
    await op('GET', '/privileges/token', { query: { accessToken: key.value } });
    await op('POST', '/privileges/token', { query: { accessToken: key.value } });
    await op('DELETE', `/apikeys/${key.id}`);
  });

  it('item permissions', async () => {
    const [doc] = api.emu.state.loadDocuments(api.emu.organizationId, [{ uri: 'https://c.example.com/page', source: 'Contract raw', allowed: ['a@example.com'], denied: ['b@example.com'] }]);
    const index = (api.emu.state.snapshot(api.emu.organizationId) as Json).defaultIndexId as string;
    const id = encodeURIComponent(encodeURIComponent(doc!.uniqueId));
    await op('GET', `/indexes/${index}/documents/${id}/permissions`);
    await op('GET', `/indexes/${index}/documents/${id}/permissions/effective`, { query: { states: 'UP_TO_DATE', perPage: '10' } });
  });

  it('exercised every route of the privilege table that the contract has', () => {
    const served = ROUTE_PRIVILEGES.filter((r) => operations.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
    expect(served.length).toBe(ROUTE_PRIVILEGES.length - 1);
    expect(served.filter((k) => !covered.has(k))).toEqual([]);
  });
});
