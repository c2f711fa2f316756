import { describe, expect, it } from 'vitest';
import { planChanges, waveOf } from '../../../src/core/plan-changes.js';
import { buildDesiredState, buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { actionsOf, dto, fingerprint, hash, ORG, planFor, randomFrom, SALT, secret, shuffled, stepOf, written, type Dtos, type Written } from '../../support/builders.js';

describe('waves', () => {
  it('creates and updates run in kind order (design §5), deletes after them in reverse', () => {
    const creates = RESOURCE_KINDS.map((k) => waveOf(k, 'create'));
    const deletes = RESOURCE_KINDS.map((k) => waveOf(k, 'delete'));
    expect(creates).toEqual([0, 1, 2, 3, 4, 5]);
    expect(RESOURCE_KINDS.map((k) => waveOf(k, 'update'))).toEqual(creates);
    expect(RESOURCE_KINDS.map((k) => waveOf(k, 'replace'))).toEqual(creates);
    expect(deletes).toEqual([11, 10, 9, 8, 7, 6]);
    expect(Math.min(...deletes)).toBeGreaterThan(Math.max(...creates));
  });

  it.each(RESOURCE_KINDS.map((k) => [k]))('every kind %s the spec of %s depends on is written in an earlier wave', (kind) => {
    for (const dep of SPECS[kind].dependsOn) expect(waveOf(dep, 'create')).toBeLessThan(waveOf(kind, 'create'));
  });

  it('orders steps by wave, then kind, then identity (code unit order)', () => {
    const out = planFor(
      {
        securityProviders: [written.provider('b'), written.provider('B'), written.provider('a')],
        fields: [written.field('zeta'), written.field('alpha')],
        apiKeys: [written.apiKey('k')],
        groups: [written.group('Zed'), written.group('ábc')],
      },
      { securityProviders: [dto.provider('old')], fields: [dto.field('old'), dto.field('x1'), dto.field('x2'), dto.field('x3'), dto.field('x4')], groups: [], apiKeys: [] },
      { prune: true, allowMassDelete: true },
    );
    expect(actionsOf(out)).toEqual([
      'securityProviders/B create',
      'securityProviders/a create',
      'securityProviders/b create',
      'fields/alpha create',
      'fields/zeta create',
      'groups/Zed create',
      'groups/ábc create',
      'apiKeys/k create',
      'fields/old delete',
      'fields/x1 delete',
      'fields/x2 delete',
      'fields/x3 delete',
      'fields/x4 delete',
      'securityProviders/old delete',
    ]);
    expect(out.plan.steps.map((s) => s.wave)).toEqual([0, 0, 0, 1, 1, 4, 4, 5, 10, 10, 10, 10, 10, 11]);
  });
});

describe('kinds the files do not manage', () => {
  it('get no steps, even with prune, and a kind that was not read is never pruned', () => {
    const out = planFor({ fields: [written.field('a')] }, { fields: [dto.field('a')], groups: [dto.group('g', 'Undeclared')] }, { prune: true });
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.undeclared).toEqual([]);
    const unread = planFor({ fields: [written.field('a')] }, {}, { prune: true });
    expect(actionsOf(unread)).toEqual(['fields/a create']);
    expect(unread.plan.basis.live).toEqual({});
  });
});

describe('policies', () => {
  const live: Dtos = { fields: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => dto.field(n)) };
  const keep = (names: string[]): Written => ({ fields: names.map((n) => written.field(n)) });

  it('mass-delete guard: more than 20% of a kind is an error unless allowed', () => {
    const two = planFor(keep(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']), live, { prune: true });
    expect(two.issues).toEqual([]);
    expect(two.plan.summary.destroy).toBe(2);
    const three = planFor(keep(['a', 'b', 'c', 'd', 'e', 'f', 'g']), live, { prune: true });
    expect(three.issues).toEqual([expect.objectContaining({ code: 'mass_delete', severity: 'error', path: 'fields' })]);
    expect(three.issues[0]?.message).toBe('Prune would delete 3 of 10 fields (more than 20%). If that is intended, pass --allow-mass-delete; if not, check that the files declare them.');
    expect(planFor(keep(['a']), live, { prune: true, allowMassDelete: true }).issues).toEqual([]);
    expect(planFor(keep(['a', 'b', 'c', 'd', 'e', 'f', 'g']), live, { prune: true, massDeleteThreshold: 0.5 }).issues).toEqual([]);
  });

  it('mass-delete guard counts only the deletes --target keeps', () => {
    const out = planFor(keep(['a']), live, { prune: true, targets: ['fields/j'] });
    expect(actionsOf(out)).toEqual(['fields/j delete']);
    expect(out.issues).toEqual([]);
  });

  it('built-in resources do not count toward the total', () => {
    const out = planFor({ fields: [written.field('a')] }, { fields: [dto.field('a'), dto.field('b'), ...['s1', 's2', 's3', 's4', 's5'].map((n) => dto.systemField(n))] }, { prune: true });
    expect(out.issues.map((i) => i.message)).toEqual(['Prune would delete 1 of 2 fields (more than 20%). If that is intended, pass --allow-mass-delete; if not, check that the files declare them.']);
  });

  it('--target keeps the targeted steps and, transitively, the steps they depend on', () => {
    const files: Written = {
      securityProviders: [written.provider('P')],
      sources: [written.source('S', { securityProviders: ['P'] }), written.source('Other')],
      schedules: [written.schedule('S')],
      groups: [written.group('G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', target: { source: 'S' } }] })],
    };
    const none: Dtos = { securityProviders: [], sources: [], schedules: [], groups: [] };
    expect(actionsOf(planFor(files, none, { targets: ['schedules/S/INCREMENTAL_REFRESH'] }))).toEqual([
      'securityProviders/P create',
      'sources/S create',
      'schedules/S/INCREMENTAL_REFRESH create',
    ]);
    expect(actionsOf(planFor(files, none, { targets: ['groups/G', 'sources/Other'] }))).toEqual(['securityProviders/P create', 'sources/Other create', 'sources/S create', 'groups/G create']);
    expect(planFor(files, none, { targets: ['fields/nothing'] }).plan.steps).toEqual([]);
  });

  it('protect drops updates, replaces and deletes (never creates) with a warning each', () => {
    const out = planFor(
      { fields: [written.field('a', 'LONG'), written.field('b', 'STRING', { facet: true }), written.field('new')] },
      { fields: [dto.field('a'), dto.field('b'), ...['c', 'd', 'e', 'f', 'g', 'h'].map((n) => dto.field(n))] },
      { prune: true, allowMassDelete: true, protect: ['fields/a', 'fields/b', 'fields/c', 'fields/new'] },
    );
    expect(actionsOf(out)).toEqual(['fields/new create', 'fields/d delete', 'fields/e delete', 'fields/f delete', 'fields/g delete', 'fields/h delete']);
    expect(out.plan.warnings.map((w) => w.message)).toEqual([
      'fields/a is protected (settings.protect); its replace was left out of the plan.',
      'fields/b is protected (settings.protect); its update was left out of the plan.',
      'fields/c is protected (settings.protect); its delete was left out of the plan.',
    ]);
  });
});

describe('basis and summary', () => {
  const files: Written = { fields: [written.field('a'), written.field('b', 'LONG')], groups: [written.group('G')] };
  const live: Dtos = { fields: [dto.field('a'), dto.field('z')], groups: [dto.group('g1', 'G')], sources: [dto.source('s1', 'Unmanaged')] };

  it('records the organization, salt, managed kinds, a config fingerprint and one etag per live object of the managed kinds', () => {
    const out = planFor(files, live);
    expect(out.plan.version).toBe(1);
    expect(out.plan.basis).toMatchObject({ organizationId: ORG, salt: SALT, kinds: ['fields', 'groups'] });
    expect(Object.keys(out.plan.basis.live)).toEqual(['fields/a', 'fields/z', 'groups/G']);
    expect(out.plan.basis.config).toMatch(/^[0-9a-f]{32}$/);
    expect(out.plan.summary).toEqual({ add: 1, change: 0, replace: 0, destroy: 0, unchanged: 2 });
  });

  it('the config fingerprint changes with the files and not with their order', () => {
    const base = planFor(files, live).plan.basis.config;
    expect(planFor({ fields: [...(files.fields ?? [])].reverse(), groups: files.groups ?? [] }, live).plan.basis.config).toBe(base);
    expect(planFor({ ...files, groups: [written.group('G', { members: ['x@example.com'] })] }, live).plan.basis.config).not.toBe(base);
  });

  it('a live object changed in Coveo changes its etag', () => {
    const a = planFor(files, live).plan.basis.live['fields/a'];
    const b = planFor(files, { ...live, fields: [dto.field('a', 'STRING', { label: 'changed' }), dto.field('z')] }).plan.basis.live['fields/a'];
    expect(a).not.toBe(b);
  });

  it('the config fingerprint covers a secret through its fingerprint, never its value', () => {
    const withSecret = (v: string): Written => ({ sources: [written.source('S', { configuration: { parameters: { P: { sensitive: true, value: secret('P', v) } } } })] });
    const one = planFor(withSecret('one'), { sources: [] });
    expect(one.plan.basis.config).not.toBe(planFor(withSecret('two'), { sources: [] }).plan.basis.config);
    expect(JSON.stringify(one.plan)).not.toContain('"one"');
  });
});

describe('determinism', () => {
  it('the same plan, warnings and issues whatever the order of the inputs', () => {
    const files: Written = {
      fields: ['a', 'b', 'coveo_x'].map((n) => written.field(n, 'STRING', { facet: true })),
      groups: [written.group('G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW', target: { source: 'Nope' } }] }), written.group('H', { groupsThatCanEdit: ['Ghost'] })],
    };
    const live: Dtos = { fields: ['a', 'b', 'c', 'd', 'e', 'coveo_x'].map((n) => dto.field(n)), groups: [dto.group('g1', 'G'), dto.group('g3', 'Dup'), dto.group('g2', 'Dup'), dto.group('g4', 'Dup')], sources: [] };
    const options = { prune: true, protect: ['fields/a', 'fields/c'], ignore: { fields: ['^coveo_'] } as Partial<Record<ResourceKind, string[]>> };
    const base = planFor(files, live, options);
    expect(base.plan.warnings.length).toBeGreaterThan(1);
    expect(base.issues.length).toBeGreaterThan(2);
    for (let seed = 1; seed <= 20; seed++) {
      const r = randomFrom(seed);
      const f: Written = { fields: shuffled(files.fields ?? [], r), groups: shuffled(files.groups ?? [], r) };
      const l: Dtos = { fields: shuffled(live.fields ?? [], r), groups: shuffled(live.groups ?? [], r), sources: [] };
      const out = planFor(f, l, options);
      expect(JSON.stringify(out.plan)).toBe(JSON.stringify(base.plan));
      expect(out.issues).toEqual(base.issues);
    }
  });

  it('a step for a key both created and pointed at is never made twice', () => {
    const out = planFor({ sources: [written.source('S', { sourceType: 'SITEMAP' })], schedules: [written.schedule('S')] }, { sources: [dto.source('s1', 'S')], schedules: [] });
    expect(actionsOf(out)).toEqual(['sources/S replace', 'schedules/S/INCREMENTAL_REFRESH create']);
    expect(stepOf(out, 'schedules/S/INCREMENTAL_REFRESH')?.notes).toEqual(['re-created with its source "S", which is replaced']);
  });
});

describe('issues', () => {
  it('a reference to nothing names the file position where the resource is declared', () => {
    const origin = { file: 'coveo/groups.yaml', line: 12, column: 5 };
    const desired = buildDesiredState({ groups: [{ written: { displayName: 'Editors', groupsThatCanEdit: ['Ghosts'] }, origin }] }, SPECS);
    const { plan, issues } = planChanges(desired, { groups: [] }, { specs: SPECS, organizationId: ORG, kinds: ['groups'], prune: false, protect: [], ignore: {}, salt: SALT, hash, fingerprint });
    expect(issues).toEqual([
      {
        severity: 'error',
        code: 'reference_unresolved',
        path: 'groupsThatCanEdit[0]',
        position: origin,
        message: 'group "Editors" refers to groups "Ghosts", which is neither declared in the files nor present in the organization; declare it or fix the name.',
      },
    ]);
    // The origin is planning input, not plan output.
    expect(JSON.stringify(plan)).not.toContain('groups.yaml');
  });
});

describe('built-in resources Coveo refuses to change', () => {
  const origin = { file: 'coveo.yaml', line: 7, column: 5 };
  const plan = (w: Written, l: Dtos): ReturnType<typeof planChanges> => {
    const kinds = Object.keys(w) as ResourceKind[];
    const desired = buildDesiredState(Object.fromEntries(kinds.map((k) => [k, (w[k] ?? []).map((x) => ({ written: x, origin }))])), SPECS);
    const live = buildLiveState(l, SPECS, hash).live;
    return planChanges(desired, live, { specs: SPECS, organizationId: ORG, kinds, prune: false, protect: [], ignore: {}, salt: SALT, hash, fingerprint });
  };

  it.each([
    ['a system field declared with other options', { fields: [written.field('sysuri', 'STRING', { facet: true })] }, { fields: [dto.systemField()] }, 'field "sysuri" is built into Coveo, which refuses changes to its facet'],
    [
      "the Administrators group's privileges",
      { groups: [written.group('Administrators', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'VIEW' }] })] },
      { groups: [dto.administrators()] },
      'group "Administrators" is built into Coveo, which refuses changes to its privileges',
    ],
  ])('%s: an input error at the declaration, and no step', (_name, w, l, message) => {
    const out = plan(w, l);
    expect(out.plan.steps).toEqual([]);
    expect(out.issues).toHaveLength(1);
    expect(out.issues[0]).toMatchObject({ severity: 'error', code: 'built_in_read_only', position: origin });
    expect(out.issues[0]?.message).toContain(message);
  });

  it('a system field declared as Coveo has it plans nothing and is no error (export --include-built-ins round-trips)', () => {
    const out = plan({ fields: [written.field('sysuri', 'STRING', { description: 'System field' })] }, { fields: [dto.systemField()] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
  });

  it("the Administrators group's members can still be managed", () => {
    const out = plan({ groups: [written.group('Administrators', { members: ['alice@example.com'] })] }, { groups: [dto.administrators()] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps.map((s) => `${s.kind}/${s.id} ${s.action}`)).toEqual(['groups/Administrators update']);
  });
});
