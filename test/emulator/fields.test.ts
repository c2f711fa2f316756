/**
 * Fields over real HTTP: defaults filled, search paging (perPage 1..1000) and filters, the legacy page,
 * single and batch writes, 409 on duplicates, 400 validation, system fields, mapped fields, the cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, rawSource, SAFE_SOURCE, startTestApi, type Api, type Json } from './support.js';

let api: Api;
beforeAll(async () => {
  api = await startTestApi({ fieldCap: 40 });
});
afterAll(async () => {
  await api.emu.stop();
});

const names = (r: { body: { items: Json[] } }): string[] => r.body.items.map((f: Json) => f.name as string);

describe('creating and reading fields', () => {
  it('fills every FieldModel default (facet/sort true unless STRING)', async () => {
    const created = await api.call('POST', '/indexes/fields/batch/create', {
      body: [
        { name: 'productcategory', type: 'STRING', facet: true, multiValueFacet: true },
        { name: 'price', type: 'DOUBLE', ignoredProperty: 1 },
      ],
    });
    expect(created.status).toBe(204);
    expect(created.text).toBe('');
    const s = await api.call('GET', '/indexes/fields/productcategory');
    expect(s.body).toEqual({
      name: 'productcategory',
      type: 'STRING',
      facet: true,
      sort: false,
      multiValueFacet: true,
      includeInQuery: true,
      includeInResults: true,
      automaticFacetsCandidate: false,
      keyValue: false,
      multilingual: false,
      keepAccentsDisplayValueFacet: false,
      keepDistinctDisplayValueFacet: false,
      mergeWithLexicon: false,
      smartDateFacet: false,
      hierarchicalFacet: false,
      ranking: false,
      stemming: false,
      useCacheForNestedQuery: false,
      useCacheForSort: false,
      useCacheForNumericQuery: false,
      useCacheForComputedFacet: false,
      system: false,
    });
    const d = await api.call('GET', '/indexes/fields/price');
    expect(d.body).toMatchObject({ type: 'DOUBLE', facet: true, sort: true, system: false });
    expect(d.body.ignoredProperty).toBeUndefined();
  });

  it('creates one field with POST /indexes/fields (204) and answers 409 for a duplicate', async () => {
    expect((await api.call('POST', '/indexes/fields', { body: { name: 'single', type: 'LONG' } })).status).toBe(204);
    const dup = await api.call('POST', '/indexes/fields', { body: { name: 'single', type: 'LONG' } });
    expect(dup.status).toBe(409);
    expect(errorOf(dup).message).toContain("'single'");
    const dupInBatch = await api.call('POST', '/indexes/fields/batch/create', { body: [{ name: 'twice', type: 'LONG' }, { name: 'twice', type: 'LONG' }] });
    expect(dupInBatch.status).toBe(409);
    expect((await api.call('GET', '/indexes/fields/twice')).status).toBe(404);
  });

  it('validates with a useful message, and a failed batch creates nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'Bad-Name', type: 'STRING' }, /\^\[a-z\]\[a-z0-9_\]\{0,254\}\$/],
      [{ name: '1abc', type: 'STRING' }, /invalid/],
      [{ name: 'notype' }, /'type' is required/],
      [{ type: 'STRING' }, /'name' is required/],
      [{ name: 'weird', type: 'TEXT' }, /LONG, LONG_64, DOUBLE, DATE, STRING, VECTOR/],
      [{ name: 'nofacet', type: 'LONG', facet: false }, /'facet' cannot be false on the LONG field/],
      [{ name: 'nosort', type: 'DATE', sort: false }, /'sort' cannot be false/],
      [{ name: 'stemmed', type: 'LONG', stemming: true }, /'stemming' applies only to STRING/],
      [{ name: 'numcache', type: 'STRING', useCacheForNumericQuery: true }, /not allowed on the STRING field/],
      [{ name: 'multi', type: 'STRING', multilingual: true }, /needs 'keyValue: true'/],
      [{ name: 'sys', type: 'STRING', system: true }, /'system' cannot be set/],
      [{ name: 'flag', type: 'STRING', facet: 'yes' }, /must be true or false/],
    ];
    for (const [field, message] of cases) {
      const r = await api.call('POST', '/indexes/fields/batch/create', { body: [{ name: 'okfirst', type: 'STRING' }, field] });
      expect(r.status, JSON.stringify(field)).toBe(400);
      expect(errorOf(r).message).toMatch(message);
    }
    expect((await api.call('GET', '/indexes/fields/okfirst')).status).toBe(404);
    expect((await api.call('POST', '/indexes/fields/batch/create', { body: { name: 'x' } })).status).toBe(400);
  });
});

describe('updating and deleting fields', () => {
  it('PUT replaces the field (204): options left out go back to their defaults; the type cannot change', async () => {
    await api.call('POST', '/indexes/fields', { body: { name: 'editable', type: 'STRING', facet: true, label: 'Editable' } });
    expect((await api.call('PUT', '/indexes/fields/editable', { body: { name: 'editable', type: 'STRING', stemming: true } })).status).toBe(204);
    const after = await api.call('GET', '/indexes/fields/editable');
    expect(after.body).toMatchObject({ stemming: true, facet: false });
    expect(after.body.label).toBeUndefined();
    const typeChange = await api.call('PUT', '/indexes/fields/editable', { body: { name: 'editable', type: 'LONG' } });
    expect(typeChange.status).toBe(400);
    expect(errorOf(typeChange).errorCode).toBe('FIELD_TYPE_CANNOT_CHANGE');
    const mismatch = await api.call('PUT', '/indexes/fields/editable', { body: { name: 'other', type: 'STRING' } });
    expect(mismatch.status).toBe(400);
    expect((await api.call('PUT', '/indexes/fields/missing', { body: { name: 'missing', type: 'STRING' } })).status).toBe(404);
  });

  it('batch update (204) needs every field to exist', async () => {
    await api.call('POST', '/indexes/fields/batch/create', { body: [{ name: 'bu1', type: 'STRING' }, { name: 'bu2', type: 'LONG' }] });
    const ok = await api.call('PUT', '/indexes/fields/batch/update', { body: [{ name: 'bu1', type: 'STRING', facet: true }, { name: 'bu2', type: 'LONG', useCacheForNumericQuery: true }] });
    expect(ok.status).toBe(204);
    expect((await api.call('GET', '/indexes/fields/bu2')).body.useCacheForNumericQuery).toBe(true);
    const missing = await api.call('PUT', '/indexes/fields/batch/update', { body: [{ name: 'bu1', type: 'STRING' }, { name: 'nothere', type: 'STRING' }] });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).message).toContain("'nothere'");
  });

  it('deletes one (204) or a batch by ?fields=a&fields=b or a,b', async () => {
    await api.call('POST', '/indexes/fields/batch/create', { body: ['d1', 'd2', 'd3', 'd4'].map((name) => ({ name, type: 'STRING' })) });
    expect((await api.call('DELETE', '/indexes/fields/d1')).status).toBe(204);
    expect((await api.call('DELETE', '/indexes/fields/batch/delete', { query: { fields: ['d2', 'd3'] } })).status).toBe(204);
    expect((await api.call('DELETE', '/indexes/fields/batch/delete', { query: { fields: 'd4' } })).status).toBe(204);
    for (const n of ['d1', 'd2', 'd3', 'd4']) expect((await api.call('GET', `/indexes/fields/${n}`)).status).toBe(404);
    const none = await api.call('DELETE', '/indexes/fields/batch/delete');
    expect(none.status).toBe(400);
    expect(errorOf(none).message).toMatch(/'fields' is required/);
    expect((await api.call('DELETE', '/indexes/fields/d1')).status).toBe(404);
  });

  it('refuses to delete or modify a system field, and to delete a field a source maps', async () => {
    const sys = await api.call('DELETE', '/indexes/fields/sysuri');
    expect(sys.status).toBe(400);
    expect(errorOf(sys).errorCode).toBe('SYSTEM_FIELD');
    expect((await api.call('PUT', '/indexes/fields/title', { body: { name: 'title', type: 'STRING' } })).status).toBe(400);
    await api.call('POST', '/indexes/fields', { body: { name: 'mapped', type: 'STRING' } });
    await api.call('POST', '/sources/raw', { query: SAFE_SOURCE, body: rawSource('Mapper', { mappings: [{ type: 'COMMON', fieldName: 'mapped', extractionMethod: 'METADATA', rules: ['%[x]'] }] }) });
    const inUse = await api.call('DELETE', '/indexes/fields/batch/delete', { query: { fields: 'mapped' } });
    expect(inUse.status).toBe(412);
    expect(errorOf(inUse)).toMatchObject({ errorCode: 'FIELD_IN_USE' });
    expect(errorOf(inUse).message).toContain("'Mapper'");
  });

  it('enforces the field cap (configurable, 5,000 by default)', async () => {
    const count = (await api.call('POST', '/indexes/fields/search', { body: { perPage: 1000, filters: { origin: 'USER' } } })).body.totalEntries as number;
    const tooMany = Array.from({ length: 41 - count }, (_, i) => ({ name: `cap${i}`, type: 'LONG' }));
    const r = await api.call('POST', '/indexes/fields/batch/create', { body: tooMany });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toMatchObject({ errorCode: 'FIELD_LIMIT_EXCEEDED' });
    expect(errorOf(r).message).toMatch(/more than 40 fields/);
    expect((await api.call('POST', '/indexes/fields/batch/create', { body: tooMany.slice(1) })).status).toBe(204);
  });
});

describe('listing fields', () => {
  let list: Api;
  beforeAll(async () => {
    list = await startTestApi({ seed: { fields: 250 } });
  });
  afterAll(async () => {
    await list.emu.stop();
  });

  it('POST /indexes/fields/search pages {items, totalEntries, totalPages} sorted by name', async () => {
    const all = await list.call('POST', '/indexes/fields/search', { body: { perPage: 1000 } });
    expect(all.body.totalEntries).toBe(262);
    expect(all.body.totalPages).toBe(1);
    const sorted = [...names(all)].sort();
    expect(names(all)).toEqual(sorted);
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const r = await list.call('POST', '/indexes/fields/search', { body: { page, perPage: 100 } });
      expect(r.body).toMatchObject({ totalEntries: 262, totalPages: 3 });
      seen.push(...names(r));
    }
    expect(seen).toEqual(names(all));
    const beyond = await list.call('POST', '/indexes/fields/search', { body: { page: 9, perPage: 100 } });
    expect(beyond.body.items).toEqual([]);
    const defaults = await list.call('POST', '/indexes/fields/search', { body: {} });
    expect(defaults.body.items.length).toBe(100);
  });

  it('filters by origin, name, type, facet and fieldNames, and sorts DESC', async () => {
    const system = await list.call('POST', '/indexes/fields/search', { body: { filters: { origin: 'SYSTEM' } } });
    expect(system.body.items.every((f: Json) => f.system === true)).toBe(true);
    expect(names(system)).toContain('sysuri');
    const user = await list.call('POST', '/indexes/fields/search', { body: { perPage: 1000, filters: { origin: 'USER' } } });
    expect(user.body.totalEntries).toBe(250);
    const byName = await list.call('POST', '/indexes/fields/search', { body: { filters: { name: 'sys' } } });
    expect(names(byName).every((n) => n.includes('sys'))).toBe(true);
    const dates = await list.call('POST', '/indexes/fields/search', { body: { perPage: 1000, filters: { type: 'DATE' } } });
    expect(dates.body.items.every((f: Json) => f.type === 'DATE')).toBe(true);
    const facets = await list.call('POST', '/indexes/fields/search', { body: { perPage: 1000, filters: { facet: 'TRUE_ONLY' } } });
    expect(facets.body.items.every((f: Json) => f.facet === true)).toBe(true);
    const some = await list.call('POST', '/indexes/fields/search', { body: { filters: { fieldNames: ['title', 'date', 'nothere'] } } });
    expect(names(some)).toEqual(['date', 'title']);
    const desc = await list.call('POST', '/indexes/fields/search', { body: { perPage: 1000, order: 'DESC' } });
    expect(names(desc)).toEqual([...names(desc)].sort().reverse());
  });

  it('answers 400 for perPage outside 1..1000 and bad filters', async () => {
    for (const body of [{ perPage: 0 }, { perPage: 1001 }, { page: -1 }, { perPage: 'ten' }, { filters: { origin: 'SOMEONE' } }, { sortBy: 'color' }, { order: 'UP' }]) {
      const r = await list.call('POST', '/indexes/fields/search', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(r).message.length).toBeGreaterThan(10);
    }
  });

  it('serves the legacy GET /indexes/page/fields with the same page shape', async () => {
    const r = await list.call('GET', '/indexes/page/fields', { query: { page: 1, perPage: 50 } });
    expect(r.body).toMatchObject({ totalEntries: 262, totalPages: 6 });
    expect(r.body.items).toHaveLength(50);
    const sys = await list.call('GET', '/indexes/page/fields', { query: { origin: 'SYSTEM', perPage: 100 } });
    expect(sys.body.totalEntries).toBe(12);
    expect((await list.call('GET', '/indexes/page/fields', { query: { perPage: 5000 } })).status).toBe(400);
  });
});
