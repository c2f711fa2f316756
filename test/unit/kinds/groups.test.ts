import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { groupsSpec } from '../../../src/kinds/groups/spec.js';
import { actionsOf, dto, ORG, planFor, stepOf, written } from '../../support/builders.js';

const fieldView = { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' };
const sourceEdit = (source: string) => ({ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source } });

describe('groups: create', () => {
  it('a group that grants privileges is a security change, after sources and before API keys', () => {
    const out = planFor({ groups: [written.group('Editors', { privileges: [fieldView], invites: ['ed@example.com'] })] }, { groups: [dto.administrators()] });
    const step = stepOf(out, 'groups/Editors');
    expect(step).toMatchObject({ action: 'create', risk: 'security', wave: waveOf('groups', 'create'), notes: ['grants PLATFORM / FIELD / VIEW'] });
    expect(step?.action === 'create' && step.after).toEqual({ privileges: [fieldView], invites: ['ed@example.com'] });
    expect(waveOf('sources', 'create')).toBeLessThan(waveOf('groups', 'create'));
    expect(waveOf('groups', 'create')).toBeLessThan(waveOf('apiKeys', 'create'));
  });

  it('a group without privileges is a safe create', () => {
    const out = planFor({ groups: [written.group('Readers', { members: ['a@example.com'] })] }, { groups: [] });
    expect(stepOf(out, 'groups/Readers')).toMatchObject({ action: 'create', risk: 'safe', notes: [] });
  });
});

describe('groups: no-op after Coveo normalisation', () => {
  const live = {
    sources: [dto.source('src-docs', 'Docs')],
    groups: [
      dto.administrators(),
      dto.group('grp-ed', 'Editors', {
        privileges: [
          { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'src-docs' },
          { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' },
        ],
        members: [dto.member('b@example.com'), dto.member('a@example.com')],
        invites: [dto.invite('c@example.com')],
        realms: [{ id: 'r1', provider: 'EMAIL', displayName: 'Email' }],
        groupsThatCanEdit: [{ id: `${ORG}-administrators-x1y2`, displayName: 'Administrators' }],
      }),
    ],
  };
  it.each([
    ['privileges by target id, members with lastLogin, invites with dates, realms', written.group('Editors', {
      privileges: [fieldView, sourceEdit('Docs')],
      members: ['a@example.com', 'b@example.com'],
      invites: ['c@example.com'],
      groupsThatCanEdit: ['Administrators'],
    })],
    ['members and invites left out: left alone', written.group('Editors', { privileges: [sourceEdit('Docs'), { ...fieldView, target: '*' }] })],
    ['nothing but the name declared', written.group('Editors')],
  ])('%s', (_name, w) => {
    const out = planFor({ groups: [w] }, live);
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
  });

  it('reads privileges in the legacy targetIds[]/global form, one privilege per target id', () => {
    const ctx = { keyOf: (kind: string, id: string) => (kind === 'sources' ? ({ s1: 'One', s2: 'Two' } as Record<string, string>)[id] : undefined) } as never;
    const n = groupsSpec.normalizeLive(dto.group('g', 'G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetIds: ['s2', 's1'], global: false }, { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW', targetIds: ['*'], global: true }, { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT', targetId: 'fld' }] }), ctx);
    expect(n.managed && n.attrs['privileges']).toEqual([
      { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT', target: { id: 'fld' } },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'One' } },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Two' } },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'VIEW' },
    ]);
  });
});

describe('groups: update', () => {
  it('adding a privilege broadens the group: security, with a note', () => {
    const out = planFor({ groups: [written.group('Editors', { privileges: [fieldView, { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT' }] })] }, {
      groups: [dto.group('grp-ed', 'Editors', { privileges: [{ ...fieldView, targetId: '*' }] })],
    });
    const step = stepOf(out, 'groups/Editors');
    expect(step).toMatchObject({ action: 'update', risk: 'security', notes: ["broadens the group's privileges: adds PLATFORM / GROUP / EDIT"] });
    expect(step?.action === 'update' && step.changes).toEqual([
      { path: 'privileges', from: [fieldView], to: [{ owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW' }, { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT' }] },
    ]);
    expect(step?.action === 'update' && step.patch).toEqual([{ op: 'add', path: '/privileges/1', value: { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT' } }]);
  });

  it('removing a privilege is a safe update', () => {
    const out = planFor({ groups: [written.group('Editors', { privileges: [] })] }, { groups: [dto.group('grp-ed', 'Editors', { privileges: [{ ...fieldView, targetId: '*' }] })] });
    expect(stepOf(out, 'groups/Editors')).toMatchObject({ action: 'update', risk: 'safe', notes: [] });
  });

  it.each([
    ['a member added', { members: ['a@example.com', 'b@example.com'] }, [{ path: 'members', from: ['a@example.com'], to: ['a@example.com', 'b@example.com'] }]],
    ['an invite withdrawn', { invites: [] }, [{ path: 'invites', from: ['c@example.com'], to: [] }]],
    ['who can edit it', { groupsThatCanEdit: [] }, [{ path: 'groupsThatCanEdit', from: ['Administrators'], to: [] }]],
  ])('%s', (_name, extra, changes) => {
    const out = planFor({ groups: [written.group('Editors', extra)] }, {
      groups: [dto.administrators(), dto.group('grp-ed', 'Editors', { members: [dto.member('a@example.com')], invites: [dto.invite('c@example.com')], groupsThatCanEdit: [{ id: `${ORG}-administrators-x1y2`, displayName: 'Administrators' }] })],
    });
    const step = stepOf(out, 'groups/Editors');
    expect(step).toMatchObject({ action: 'update', risk: 'safe' });
    expect(step?.action === 'update' && step.changes).toEqual(changes);
  });
});

describe('groups: delete, built-ins, duplicates', () => {
  it('prune deletes undeclared groups but never the Administrators group (nor another undeletable one)', () => {
    const out = planFor({ groups: [written.group('Kept'), written.group('A'), written.group('B'), written.group('C')] }, {
      groups: [dto.administrators(), dto.group('grp-sys', 'Search users', { deletable: false, groupType: 'MCP_SEARCH_USERS' }), dto.group('g1', 'Kept'), dto.group('g2', 'Old'), dto.group('g3', 'A'), dto.group('g4', 'B'), dto.group('g5', 'C')],
    }, { prune: true });
    expect(out.issues).toEqual([]);
    expect(actionsOf(out)).toEqual(['groups/Old delete']);
    expect(stepOf(out, 'groups/Old')).toMatchObject({ risk: 'destructive', remoteId: 'g2', wave: waveOf('groups', 'delete') });
    expect(out.plan.undeclared.map((u) => u.id)).toEqual(['Old']);
  });

  it('the Administrators group declared in the files can be protected from updates', () => {
    const out = planFor({ groups: [written.group('Administrators', { privileges: [] })] }, { groups: [dto.administrators()] }, { protect: ['groups/Administrators'] });
    expect(out.plan.steps).toEqual([]);
    expect(out.plan.warnings).toEqual([expect.objectContaining({ code: 'protected', address: 'groups/Administrators' })]);
  });

  it('three live groups with one name are one error that names every id', () => {
    const out = planFor({ groups: [written.group('Twins')] }, { groups: [dto.group('g3', 'Twins'), dto.group('g1', 'Twins'), dto.group('g2', 'Twins')] });
    expect(out.issues).toHaveLength(1);
    expect(out.issues[0]).toMatchObject({ code: 'live_duplicate', severity: 'error' });
    expect(out.issues[0]?.message).toContain('ids g1, g2, g3');
  });
});

describe('groups: references', () => {
  it('a privilege on a source created in the same plan is known after apply and waits for it', () => {
    const out = planFor({ sources: [written.source('New docs')], groups: [written.group('Editors', { privileges: [sourceEdit('New docs')] })] }, { sources: [], groups: [] });
    const step = stepOf(out, 'groups/Editors');
    expect(step?.action === 'create' && step.refs).toEqual([{ kind: 'sources', key: 'New docs', path: 'privileges[0].target.source', remoteId: null }]);
    expect(step?.dependsOn).toEqual(['sources/New docs']);
  });

  it('a privilege on a live source resolves to its id, with no dependency', () => {
    const out = planFor({ groups: [written.group('Editors', { privileges: [sourceEdit('Docs')] })] }, { sources: [dto.source('src-docs', 'Docs')], groups: [] });
    const step = stepOf(out, 'groups/Editors');
    expect(step?.action === 'create' && step.refs).toEqual([{ kind: 'sources', key: 'Docs', path: 'privileges[0].target.source', remoteId: 'src-docs' }]);
    expect(step?.dependsOn).toEqual([]);
  });

  it('a reference to nothing is an error at the path of the reference', () => {
    const out = planFor({ groups: [{ ...written.group('Editors', { privileges: [sourceEdit('Nope')], groupsThatCanEdit: ['Ghosts'] }) }] }, { sources: [], groups: [] });
    expect(out.issues.map((i) => [i.code, i.path])).toEqual([
      ['reference_unresolved', 'groupsThatCanEdit[0]'],
      ['reference_unresolved', 'privileges[0].target.source'],
    ]);
    expect(out.issues[1]?.message).toBe('group "Editors" refers to sources "Nope", which is neither declared in the files nor present in the organization; declare it or fix the name.');
  });

  it('a group that refers to a replaced API key is updated to hold the new id (the plan after apply is empty)', () => {
    const out = planFor(
      {
        groups: [written.group('Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', target: { apiKey: 'k' } }], apiKeysThatCanEdit: ['k'] })],
        apiKeys: [written.apiKey('k', { privileges: [{ owner: 'SEARCH_API', targetDomain: 'QUERY_PIPELINE', type: 'VIEW' }] })],
      },
      {
        groups: [dto.group('grp-ed', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'key-1' }], apiKeysThatCanEdit: [{ id: 'key-1', displayName: 'Key k' }] })],
        apiKeys: [dto.apiKey('key-1', 'k')],
      },
    );
    expect(actionsOf(out)).toEqual(['groups/Editors update', 'apiKeys/k replace']);
    const step = stepOf(out, 'groups/Editors');
    expect(step).toMatchObject({ risk: 'safe', changes: [], patch: [], notes: ['writes the new id of apiKeys/k, which is replaced'] });
    expect(step?.action === 'update' && step.refs.every((r) => r.remoteId === null)).toBe(true);
    expect(step?.dependsOn).toEqual(['apiKeys/k']);
    expect(out.plan.summary).toMatchObject({ change: 1, replace: 1, unchanged: 0 });
  });
});
