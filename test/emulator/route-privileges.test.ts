/**
 * The privilege table (src/core/privileges/route-privileges.ts): it follows the contract's declared
 * privileges exactly, has a handler for every route and nothing more, and matches paths the way Coveo
 * routes them (decode once, then split; literal segments win).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowedMethods, matchRoute, ROUTE_PRIVILEGES, splitRoutePath } from '../../src/core/privileges/route-privileges.js';
import { checkHandlers } from '../../src/emulator/router.js';

interface ContractOperation {
  method: string;
  path: string;
  privileges: { owner: string; targetDomain: string; type?: string; targetId?: string }[];
  privilegeLogic: string;
}
const contract = JSON.parse(readFileSync('/work/shared/reference/coveo-api-contract.json', 'utf8')) as { operations: ContractOperation[] };
const operations = new Map(contract.operations.map((o) => [`${o.method} ${o.path}`, o]));

describe('ROUTE_PRIVILEGES', () => {
  it('has one entry per method and path', () => {
    const keys = ROUTE_PRIVILEGES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ROUTE_PRIVILEGES.filter((r) => !r.absolute).map((r) => [`${r.method} ${r.path}`, r] as const))('%s declares what the contract declares', (key, route) => {
    const op = operations.get(key);
    expect(op, `${key} is not in the contract`).toBeDefined();
    const expected = op!.privileges.map((p) => ({
      owner: p.owner,
      targetDomain: p.targetDomain,
      ...(p.type ? { type: p.type } : {}),
      ...(p.targetId && p.targetId !== '*' ? { targetParam: p.targetId.replace(/[{}]/g, '') } : {}),
    }));
    expect(route.privileges).toEqual(expected);
    expect(route.mode).toBe(op!.privilegeLogic === 'ANY' ? 'any' : 'all');
  });

  it('marks every API key route as refused to API keys, and the assignable-privileges listing too', () => {
    const refused = ROUTE_PRIVILEGES.filter((r) => r.refusesApiKeys).map((r) => `${r.method} ${r.path}`);
    expect(refused).toEqual(expect.arrayContaining(['GET /apikeys', 'POST /apikeys', 'PUT /apikeys/{apiKeyId}', 'GET /privileges/apikeys']));
    for (const r of ROUTE_PRIVILEGES) if (r.path.startsWith('/apikeys')) expect(r.refusesApiKeys, r.path).toBe(true);
  });

  it('records the docs-page difference in a note where the contract needs CREATE', () => {
    for (const r of ROUTE_PRIVILEGES) if (r.privileges.some((p) => p.type === 'CREATE') && r.path !== '/securityproviders/{securityProviderId}') expect(r.note, r.path).toMatch(/CREATE|docs/);
  });

  it('has exactly one emulator handler per entry', () => {
    expect(() => checkHandlers({})).toThrow(/missing handlers GET \/sources/);
    expect(() => checkHandlers({ 'GET /nope': { handle: () => ({ status: 200 }) } })).toThrow(/without a table entry GET \/nope/);
  });
});

describe('matchRoute', () => {
  it('prefers literal segments over parameters', () => {
    expect(matchRoute('GET', '/sources/pages')?.route.path).toBe('/sources/pages');
    expect(matchRoute('GET', '/sources/abc')?.params).toEqual({ sourceId: 'abc' });
    expect(matchRoute('GET', '/sources/raw/all?page=1')?.route.path).toBe('/sources/raw/all');
    expect(matchRoute('POST', '/indexes/fields/search')?.route.path).toBe('/indexes/fields/search');
    expect(matchRoute('GET', '/indexes/fields/search')?.params).toEqual({ fieldId: 'search' });
    expect(matchRoute('GET', '/securityproviders/page')?.route.path).toBe('/securityproviders/page');
  });

  it('returns the per-resource target parameter', () => {
    const m = matchRoute('PUT', '/sources/acme-x1/raw?rebuild=false');
    expect(m?.params).toEqual({ sourceId: 'acme-x1' });
    expect(m?.route.privileges).toEqual([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetParam: 'sourceId' }]);
  });

  it('decodes the path once before splitting it (why document ids are encoded twice)', () => {
    const twice = '/indexes/ix/documents/42.31537%2524file%253A%252F%252Fmovies%252Fthe-shining.txt/permissions';
    expect(matchRoute('GET', twice)?.params['documentId']).toBe('42.31537%24file%3A%2F%2Fmovies%2Fthe-shining.txt');
    const once = '/indexes/ix/documents/42.31537%24file%3A%2F%2Fmovies%2Fthe-shining.txt/permissions';
    expect(matchRoute('GET', once)).toBeUndefined();
    expect(splitRoutePath('/securityproviders/Intranet%20Email')).toEqual(['securityproviders', 'Intranet Email']);
    expect(splitRoutePath('/bad%E0%A4%A')).toBeUndefined();
  });

  it('tells which methods a path has, for 405 answers', () => {
    expect(allowedMethods('/indexes/fields/batch/create')).toEqual(['POST']);
    expect(allowedMethods('/nothing/here')).toEqual([]);
    expect(matchRoute('PATCH', '/groups')).toBeUndefined();
  });

  it('matches absolute routes only from the host root', () => {
    expect(matchRoute('POST', '/rest/search/v2')?.route.absolute).toBe(true);
    expect(matchRoute('POST', '/search/v2')).toBeUndefined();
  });
});
