import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { fieldDefault, fieldsSpec } from '../../../src/kinds/fields/spec.js';
import { actionsOf, dto, planFor, stepOf, written } from '../../support/builders.js';

describe('fields: create', () => {
  it('creates a declared field with every default filled in, safe, in the fields wave', () => {
    const out = planFor({ fields: [written.field('productcategory', 'STRING', { facet: true })] }, { fields: [] });
    expect(out.issues).toEqual([]);
    expect(actionsOf(out)).toEqual(['fields/productcategory create']);
    const step = stepOf(out, 'fields/productcategory');
    expect(step).toMatchObject({ action: 'create', risk: 'safe', wave: waveOf('fields', 'create'), dependsOn: [], refs: [] });
    expect(step?.action === 'create' && step.after).toEqual({
      type: 'STRING',
      facet: true,
      sort: false,
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
    });
    expect(out.plan.summary).toEqual({ add: 1, change: 0, replace: 0, destroy: 0, unchanged: 0 });
  });

  it.each([
    ['STRING', false],
    ['LONG', true],
    ['LONG_64', true],
    ['DOUBLE', true],
    ['DATE', true],
    ['VECTOR', true],
  ])('defaults facet and sort of a %s field to %s (FieldModel)', (type, expected) => {
    expect(fieldDefault('facet', type)).toBe(expected);
    expect(fieldDefault('sort', type)).toBe(expected);
    expect(fieldsSpec.normalizeDesired({ name: 'f', type })).toMatchObject({ facet: expected, sort: expected });
  });
});

describe('fields: no-op after Coveo normalisation', () => {
  it.each([
    ['defaults filled by Coveo', written.field('price', 'DOUBLE'), dto.field('price', 'DOUBLE')],
    ['explicit values equal to the defaults', written.field('title', 'STRING', { facet: false, sort: false, includeInQuery: true }), dto.field('title')],
    ['server fields (system, projectIds, sources, mappings)', written.field('title'), dto.field('title', 'STRING', { projectIds: ['p1'], sources: [{ id: 's1' }], mappings: [{ id: 'm' }] })],
    [
      'tags reordered',
      written.field('cat', 'STRING', { automaticFacetsCandidate: true, automaticFacetsCandidateTags: ['b', 'a', 'b'] }),
      dto.field('cat', 'STRING', { automaticFacetsCandidate: true, automaticFacetsCandidateTags: ['a', 'b'] }),
    ],
    ['options the files do not declare (label, description)', written.field('cat'), dto.field('cat', 'STRING', { label: 'Category', description: 'd', dateFormat: 'x' })],
    ['a DTO that leaves facet/sort out (defaults by type)', written.field('size', 'LONG'), (() => { const { facet: _f, sort: _s, ...d } = dto.field('size', 'LONG'); return d; })()],
  ])('%s', (_name, w, d) => {
    const out = planFor({ fields: [w] }, { fields: [d] });
    expect(out.plan.steps).toEqual([]);
    expect(out.issues).toEqual([]);
    expect(out.plan.summary.unchanged).toBe(1);
  });
});

describe('fields: update', () => {
  it.each([
    [
      'a boolean option',
      written.field('cat', 'STRING', { facet: true }),
      dto.field('cat'),
      [{ path: 'facet', from: false, to: true }],
      [{ op: 'replace', path: '/facet', value: true }],
    ],
    [
      'a label added',
      written.field('cat', 'STRING', { label: 'Category' }),
      dto.field('cat'),
      [{ path: 'label', to: 'Category' }],
      [{ op: 'add', path: '/label', value: 'Category' }],
    ],
    [
      'tags changed',
      written.field('cat', 'STRING', { automaticFacetsCandidateTags: ['x'] }),
      dto.field('cat', 'STRING', { automaticFacetsCandidateTags: ['y'] }),
      [{ path: 'automaticFacetsCandidateTags', from: ['y'], to: ['x'] }],
      [{ op: 'replace', path: '/automaticFacetsCandidateTags/0', value: 'x' }],
    ],
    [
      'an option Coveo reset to its default',
      written.field('price', 'DOUBLE', { useCacheForNumericQuery: true }),
      dto.field('price', 'DOUBLE'),
      [{ path: 'useCacheForNumericQuery', from: false, to: true }],
      [{ op: 'replace', path: '/useCacheForNumericQuery', value: true }],
    ],
  ])('%s: exact changes and RFC 6902 patch', (_name, w, d, changes, patch) => {
    const out = planFor({ fields: [w] }, { fields: [d] });
    const step = out.plan.steps[0];
    expect(out.plan.steps).toHaveLength(1);
    expect(step).toMatchObject({ action: 'update', risk: 'safe', remoteId: String(w['name']), wave: waveOf('fields', 'update') });
    expect(step?.action === 'update' && step.changes).toEqual(changes);
    expect(step?.action === 'update' && step.patch).toEqual(patch);
  });
});

describe('fields: replace', () => {
  it('a type change is a destructive replace with a reason', () => {
    const out = planFor({ fields: [written.field('size', 'LONG')] }, { fields: [dto.field('size', 'STRING')] });
    const step = stepOf(out, 'fields/size');
    expect(step).toMatchObject({ action: 'replace', risk: 'destructive', remoteId: 'size' });
    expect(step?.action === 'replace' && step.reason).toMatch(/^type cannot be changed in place: Coveo cannot change the type of an existing field/);
    expect(step?.action === 'replace' && step.changes.map((c) => c.path)).toEqual(['facet', 'sort', 'type']);
    expect(out.plan.summary).toMatchObject({ replace: 1, change: 0 });
  });
});

describe('fields: delete, built-ins, protect, ignore', () => {
  const live = { fields: [dto.field('kept'), dto.field('stale'), dto.systemField('sysuri'), dto.field('coveo_thing'), dto.field('a'), dto.field('b'), dto.field('c')] };
  const files = { fields: [written.field('kept'), written.field('a'), written.field('b'), written.field('c')] };

  it('lists undeclared fields but deletes nothing without prune', () => {
    const out = planFor(files, live);
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.undeclared.map((u) => u.id)).toEqual(['coveo_thing', 'stale']);
  });

  it('deletes undeclared fields with prune, never a system field, after every create and update', () => {
    const out = planFor({ fields: [...files.fields, written.field('fresh')] }, live, { prune: true });
    expect(actionsOf(out)).toEqual(['fields/fresh create', 'fields/coveo_thing delete', 'fields/stale delete']);
    const del = stepOf(out, 'fields/stale');
    expect(del).toMatchObject({ risk: 'destructive', remoteId: 'stale', wave: waveOf('fields', 'delete'), dependsOn: [] });
    expect(stepOf(out, 'fields/sysuri')).toBeUndefined();
  });

  it('never touches an ignored field, even when it is declared and differs', () => {
    const out = planFor({ fields: [...files.fields, written.field('coveo_thing', 'STRING', { facet: true })] }, live, { prune: true, ignore: { fields: ['^coveo_', '^sys'] } });
    expect(actionsOf(out)).toEqual(['fields/stale delete']);
    expect(out.plan.undeclared.map((u) => u.id)).toEqual(['stale']);
    expect(out.plan.warnings).toEqual([expect.objectContaining({ code: 'declared_but_ignored', address: 'fields/coveo_thing' })]);
  });

  it('leaves protected fields alone: no update, no delete, a warning each', () => {
    const out = planFor({ fields: [written.field('kept', 'STRING', { facet: true }), written.field('a'), written.field('b'), written.field('c')] }, live, {
      prune: true,
      protect: ['fields/kept', 'fields/stale'],
      ignore: { fields: ['^coveo_'] },
    });
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.warnings.map((w) => [w.code, w.address])).toEqual([
      ['protected', 'fields/kept'],
      ['protected', 'fields/stale'],
    ]);
  });
});
