/**
 * `createPlanner` takes the live state one kind at a time and compares each kind as soon as it and the
 * kinds it refers to are there (issue 9: plan compares while schedules are still being read). Whatever
 * the order the kinds come in and whatever the budgets, the outcome is `planChanges`'s, down to the order
 * of steps, warnings and issues.
 */
import { describe, expect, it } from 'vitest';
import { compareStrings } from '../../../src/core/json.js';
import { createPlanner, planChanges, type PlanOptions } from '../../../src/core/plan-changes.js';
import { buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type LiveState, type ResourceKind } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { desiredOf, dto, fingerprint, hash, ORG, randomFrom, SALT, shuffled, written, type Dtos } from '../../support/builders.js';

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const edit = { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT' };

/** Creates, updates, a replace that cascades to schedules and re-points groups and keys, deletes, twins, references to nothing, ignored and protected resources. */
const desired = desiredOf({
  securityProviders: [written.provider('Directory')],
  fields: [written.field('title'), written.field('price', 'LONG'), written.field('new_field'), written.field('retyped', 'LONG'), written.field('ignored_x')],
  sources: [
    written.source('Docs', { sourceType: 'SITEMAP', groupsThatCanEdit: ['Editors'] }),
    written.source('Wiki', { additionalComments: 'changed' }),
    written.source('Fresh', { securityProviders: ['Directory', 'Nowhere'] }),
  ],
  schedules: [written.schedule('Docs'), written.schedule('Wiki', 'REBUILD'), written.schedule('Fresh')],
  groups: [
    written.group('Editors', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'EDIT', { source: 'Docs' })], apiKeysThatCanEdit: ['k-missing'] }),
    written.group('Twins'),
    // Old is not declared: only the live sources say it exists.
    written.group('Viewers', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'VIEW', { source: 'Wiki' }), written.privilege('PLATFORM', 'SOURCE', 'VIEW', { source: 'Old' })] }),
  ],
  apiKeys: [written.apiKey('k-1', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'EDIT', { source: 'Docs' })] }), written.apiKey('k-2')],
});

const dtos: Dtos = {
  securityProviders: [dto.emailProvider(), dto.provider('Directory')],
  fields: [dto.field('title'), dto.field('price', 'LONG', { facet: false }), dto.field('retyped'), dto.field('stale'), dto.field('ignored_x'), dto.systemField()],
  sources: [dto.source('s1', 'Docs', { groupsThatCanEdit: [{ id: 'g1', displayName: 'Editors' }] }), dto.source('s2', 'Wiki'), dto.source('s3', 'Old')],
  schedules: [dto.schedule('sch-1', 's1'), dto.schedule('sch-2', 's2', 'REBUILD'), dto.schedule('sch-3', 's1', 'FULL_REFRESH'), dto.schedule('sch-4', 's3')],
  groups: [
    dto.group('g1', 'Editors', { privileges: [{ ...edit, targetId: 's1' }] }),
    dto.group('g2', 'Twins'),
    dto.group('g0', 'Twins'),
    dto.group('g3', 'Viewers', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: 's2' }, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', targetId: 's3' }] }),
    dto.administrators(),
  ],
  apiKeys: [dto.apiKey('k1', 'k-1', { privileges: [{ ...edit, targetId: 's1' }] }), dto.apiKey('k9', 'k-old')],
};

const options = (overrides: Partial<PlanOptions> = {}): PlanOptions => ({
  specs: SPECS,
  organizationId: ORG,
  kinds: [...RESOURCE_KINDS],
  prune: true,
  protect: ['sources/Old'],
  ignore: { fields: ['^ignored_'] },
  allowMassDelete: true,
  salt: SALT,
  hash,
  fingerprint,
  ...overrides,
});

/** Adds the kinds in `order`, advancing with `budget` after each, then finishes; as JSON, where order shows. */
function incremental(live: LiveState, opts: PlanOptions, order: readonly ResourceKind[], budget: number): string {
  const planner = createPlanner(desired, order, opts);
  for (const kind of order) {
    planner.addLive(kind, live[kind] ?? []);
    for (let i = 0; i < 1000 && planner.advance(budget); i++);
  }
  return JSON.stringify(planner.finish());
}

describe('createPlanner', () => {
  const { live } = buildLiveState(dtos, SPECS, hash);

  it('gives planChanges’ outcome whatever the order the kinds come in and the budgets', () => {
    const expected = planChanges(desired, live, options());
    // The scenario plans a bit of everything.
    expect(new Set(expected.plan.steps.map((s) => s.action))).toEqual(new Set(['create', 'update', 'replace', 'delete']));
    expect(expected.plan.warnings.length).toBeGreaterThan(0);
    expect(new Set(expected.issues.map((i) => i.code))).toEqual(new Set(['live_duplicate', 'reference_unresolved']));
    // The basis lists the etags by address, in code-unit order.
    const addresses = Object.keys(expected.plan.basis.live);
    expect(addresses).toHaveLength(21);
    expect(addresses).toEqual([...addresses].sort(compareStrings));
    permutations(RESOURCE_KINDS).forEach((order, i) => expect(incremental(live, options(), order, [1, 2, 3, Infinity][i % 4] as number)).toBe(JSON.stringify(expected)));
  });

  it('and with other options: kinds not read, kinds not managed, targets, forced replaces, no prune', () => {
    const random = randomFrom(5);
    const variants: { readonly read: readonly ResourceKind[]; readonly opts: Partial<PlanOptions> }[] = [
      { read: ['securityProviders', 'fields', 'sources', 'schedules', 'groups'], opts: { kinds: ['sources', 'schedules', 'groups'] } },
      { read: [...RESOURCE_KINDS], opts: { prune: false, protect: [], targets: ['groups/Editors'] } },
      { read: [...RESOURCE_KINDS], opts: { forceReplace: ['apiKeys/k-1'], kinds: ['fields', 'apiKeys', 'groups'] } },
      { read: ['fields'], opts: { kinds: ['fields'], ignore: {} } },
      { read: [], opts: { kinds: [] } },
    ];
    for (const { read, opts } of variants) {
      const partial: LiveState = Object.fromEntries(read.map((k) => [k, live[k] ?? []]));
      const expected = planChanges(desired, partial, options(opts));
      for (let n = 0; n < 20; n++) expect(incremental(partial, options(opts), shuffled(read, random), 1 + Math.floor(random() * 4))).toBe(JSON.stringify(expected));
    }
  });

  it('compares a kind as soon as it and the kinds it refers to are there, and refuses to finish without every kind', () => {
    const planner = createPlanner(desired, ['fields', 'sources', 'schedules'], options({ kinds: ['fields', 'sources', 'schedules'] }));
    expect(planner.advance(10)).toBe(false);
    planner.addLive('schedules', live.schedules ?? []);
    // Schedules refer to sources, which are not there yet.
    expect(planner.advance(10)).toBe(false);
    planner.addLive('fields', live.fields ?? []);
    expect(planner.advance(2)).toBe(true);
    expect(planner.advance(100)).toBe(false);
    expect(() => planner.finish()).toThrow(/sources not added/);
    expect(() => planner.addLive('fields', [])).toThrow(/added twice/);
    expect(() => planner.addLive('groups', [])).toThrow(/not to be read/);
  });
});
