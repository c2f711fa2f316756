/**
 * Required privileges of a plan (pure), and the proof that the route model in required.ts is the one the
 * kinds' ops and the applier really follow: a real apply through a recording client, every request
 * matched to the route table, compared with what `callsOfRun` predicted.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import type { ApiClient, ApiRequest } from '../../../src/client/types.js';
import {
  afterApplyRoute,
  callsOfRun,
  covers,
  describeNeeded,
  findMissing,
  KIND_ROUTES,
  parseHeldPrivileges,
  privilegesOfCalls,
  requiredPrivileges,
  routeEntry,
  type RouteCall,
  type RouteKey,
} from '../../../src/core/privileges/required.js';
import { matchRoute, ROUTE_PRIVILEGES } from '../../../src/core/privileges/route-privileges.js';
import { RESOURCE_KINDS, type PlanStep } from '../../../src/core/types.js';
import { OPS, SPECS } from '../../../src/kinds/registry.js';
import { indexLive } from '../../../src/plan/read-live.js';
import { touchedSourcesOf } from '../../../src/privileges/needs.js';
import { VERIFY_CALLS } from '../../../src/verify/index.js';
import { dto, planFor, written, type Dtos, type Written } from '../../support/builders.js';

const P = (owner: string, targetDomain: string, type?: string, targetId?: string) => ({
  owner,
  targetDomain,
  ...(type ? { type } : {}),
  ...(targetId ? { targetId } : {}),
});
const strip = (list: readonly { owner: string; targetDomain: string; type?: string; targetId?: string }[]) =>
  list.map((n) => P(n.owner, n.targetDomain, n.type, n.targetId));

/** A fake Coveo that records every request and answers creates with new ids. */
function recordingClient(): { client: ApiClient; requests: ApiRequest[] } {
  const requests: ApiRequest[] = [];
  let n = 0;
  const client: ApiClient = {
    organizationId: 'acmeorg1a2b3c',
    baseUrl: 'http://127.0.0.1:1',
    async request<T>(req: ApiRequest): Promise<T> {
      requests.push(req);
      await Promise.resolve();
      if (req.method === 'POST' && ['/sources/raw', '/groups', '/apikeys'].includes(req.path)) return { id: `new-${++n}`, value: 'xx-secret' } as T;
      if (req.method === 'POST' && /^\/sources\/[^/]+\/schedules$/.test(req.path)) return { id: `new-${++n}` } as T;
      return undefined as T;
    },
    listAll: () => Promise.reject(new Error('not used')),
  };
  return { client, requests };
}

/** Routes and target ids of recorded requests, as calls. */
function callsOfRequests(requests: readonly ApiRequest[]): RouteCall[] {
  return requests.map((r) => {
    const m = matchRoute(r.method, r.path);
    if (!m) throw new Error(`no route in the table for ${r.method} ${r.path}`);
    const param = m.route.privileges.find((p) => p.targetParam)?.targetParam;
    const id = param ? m.params[param] : undefined;
    return { route: `${m.route.method} ${m.route.path}` as RouteKey, ...(id !== undefined ? { target: { kind: 'sources' as const, key: id, id } } : {}), why: 'recorded' };
  });
}

// One plan with every action of every kind: creates, updates, replaces, deletes (prune), cross-references.
const W: Written = {
  securityProviders: [written.provider('Intranet'), written.provider('Changed provider', { displayName: 'New name' })],
  fields: [written.field('newfield'), written.field('changed', 'STRING', { facet: true }), written.field('retyped', 'LONG')],
  sources: [
    written.source('New docs', { groupsThatCanEdit: ['New group'] }),
    written.source('Product docs', { sourceVisibility: 'SECURED' }),
    written.source('Retyped docs', { sourceType: 'SITEMAP' }),
  ],
  schedules: [written.schedule('New docs'), written.schedule('Product docs', 'INCREMENTAL_REFRESH', { enabled: false })],
  groups: [written.group('New group', { apiKeysThatCanEdit: ['new-key'] }), written.group('Editors', { privileges: [written.privilege('PLATFORM', 'SOURCE', 'EDIT', { source: 'Product docs' })] })],
  apiKeys: [
    written.apiKey('new-key'),
    written.apiKey('old-key', { displayName: 'Renamed', enabled: false }),
    written.apiKey('rekey', { privileges: [written.privilege('SEARCH_API', 'EXECUTE_QUERY'), written.privilege('USAGE_ANALYTICS', 'ANALYTICS_DATA', 'EDIT')] }),
  ],
};
const LIVE: Dtos = {
  securityProviders: [dto.provider('Changed provider'), dto.provider('Gone provider')],
  fields: [dto.field('changed'), dto.field('retyped'), dto.field('oldfield'), dto.field('mapped')],
  sources: [
    dto.source('src-product', 'Product docs', { mappings: [{ id: 'm1', kind: 'MAPPING', fieldName: 'changed', extractionMethod: 'METADATA', content: '%[title]' }] }),
    dto.source('src-retyped', 'Retyped docs'),
    dto.source('src-gone', 'Gone docs'),
  ],
  schedules: [dto.schedule('sch-product', 'src-product'), dto.schedule('sch-gone', 'src-product', 'FULL_REFRESH')],
  groups: [dto.group('grp-editors', 'Editors'), dto.group('grp-gone', 'Gone group')],
  apiKeys: [dto.apiKey('key-old', 'old-key'), dto.apiKey('key-rekey', 'rekey'), dto.apiKey('key-gone', 'gone-key')],
};

describe('the route model matches what the ops and the applier call', () => {
  it('every route the model names is in the route table', () => {
    const routes: RouteKey[] = [
      ...RESOURCE_KINDS.flatMap((k) => KIND_ROUTES[k].list),
      afterApplyRoute('apply-changes')!,
      afterApplyRoute('rebuild')!,
      ...VERIFY_CALLS.map((c) => c.route),
    ];
    for (const r of routes) expect(() => routeEntry(r), r).not.toThrow();
    expect(() => routeEntry('GET /nowhere')).toThrow(/no entry for GET \/nowhere/);
  });

  it.each(['apply-changes', 'rebuild'] as const)('a real apply (after-apply %s) calls exactly the predicted routes and needs nothing more than predicted', async (afterApply) => {
    const outcome = planFor(W, LIVE, { prune: true });
    const actions = new Set(outcome.plan.steps.map((s) => s.action));
    expect(actions).toEqual(new Set(['create', 'update', 'replace', 'delete']));
    expect(new Set(outcome.plan.steps.map((s) => s.kind))).toEqual(new Set(RESOURCE_KINDS));
    const live = indexLive(LIVE, outcome.live, SPECS);
    const { client, requests } = recordingClient();
    const result = await applyPlan(outcome.plan.steps, {
      ops: OPS,
      client,
      live,
      parallelism: 4,
      afterApply,
      replacedKeys: 'delete',
      events: () => undefined,
      secrets: { description: 'test', write: () => undefined },
      fingerprint: () => ({ salt: 's', hash: 'h' }),
      matchesFingerprint: () => false,
      now: () => 0,
    });
    expect(result.ok, JSON.stringify(result.steps.filter((s) => s.status !== 'applied'))).toBe(true);
    expect(result.steps.some((s) => s.action === 'cross-references')).toBe(false);

    const recorded = callsOfRequests(requests);
    const predicted = callsOfRun({ read: [], steps: outcome.plan.steps, afterApply, touchedSources: touchedSourcesOf(outcome.plan.steps, live), idOf: (k, key) => live.idOf(k, key) });
    // Same routes, both ways: nothing called that was not predicted, nothing predicted that is not called.
    expect(new Set(recorded.map((c) => c.route))).toEqual(new Set(predicted.map((c) => c.route)));
    // Every privilege a recorded call needs (bound to the ids actually used) is covered by the prediction.
    const needed = privilegesOfCalls(predicted);
    const asHeld = parseHeldPrivileges(needed.map((n) => ({ ...n, targetId: n.targetId ?? '*' })));
    expect(findMissing(privilegesOfCalls(recorded), asHeld)).toEqual([]);
  });

  it('every route the emulator-facing table holds is matched back to itself', () => {
    for (const r of ROUTE_PRIVILEGES) {
      const concrete = r.path.replace(/\{[^}]+\}/g, 'x1');
      expect(matchRoute(r.method, concrete)?.route, `${r.method} ${r.path}`).toBe(r);
    }
  });
});

describe('requiredPrivileges', () => {
  it('reading needs the wildcard VIEW of each kind read', () => {
    expect(strip(requiredPrivileges({ read: ['sources', 'schedules', 'fields', 'groups', 'apiKeys', 'securityProviders'] }))).toEqual([
      P('PLATFORM', 'API_KEY', 'VIEW'),
      P('PLATFORM', 'FIELD', 'VIEW'),
      P('PLATFORM', 'GROUP', 'VIEW'),
      P('PLATFORM', 'SECURITY_PROVIDER', 'VIEW'),
      P('PLATFORM', 'SOURCE', 'VIEW'),
    ]);
  });

  it('updates need EDIT on the resource id; the after-apply call needs EDIT on each touched source', () => {
    const outcome = planFor(
      { sources: [written.source('Product docs', { sourceVisibility: 'SECURED' })], groups: [written.group('Editors', { invites: ['a@example.com'] })] },
      { sources: [dto.source('src-product', 'Product docs')], groups: [dto.group('grp-editors', 'Editors')] },
    );
    const needed = requiredPrivileges({ read: ['sources', 'groups'], steps: outcome.plan.steps });
    expect(strip(needed)).toEqual([P('PLATFORM', 'GROUP', 'EDIT', 'grp-editors'), P('PLATFORM', 'GROUP', 'VIEW'), P('PLATFORM', 'SOURCE', 'EDIT', 'src-product'), P('PLATFORM', 'SOURCE', 'VIEW')]);
    const edit = needed.find((n) => n.targetDomain === 'SOURCE' && n.type === 'EDIT')!;
    expect(edit.targetLabel).toBe('source Product docs');
    expect(edit.why).toEqual(['update source "Product docs"', 'apply the changes of source "Product docs" after the apply']);
    expect(describeNeeded(edit)).toBe('PLATFORM / SOURCE / EDIT on source Product docs');
    // With --after-apply none, the update alone needs it.
    expect(requiredPrivileges({ read: [], steps: outcome.plan.steps, afterApply: 'none' }).find((n) => n.targetDomain === 'SOURCE')!.why).toEqual(['update source "Product docs"']);
  });

  it('creates need the domain-wide CREATE; edits of a resource created in the same apply need EDIT on every resource', () => {
    const outcome = planFor({ sources: [written.source('New docs')], schedules: [written.schedule('New docs')] }, { sources: [], schedules: [] });
    const needed = requiredPrivileges({ read: [], steps: outcome.plan.steps });
    expect(strip(needed)).toEqual([P('PLATFORM', 'SOURCE', 'CREATE'), P('PLATFORM', 'SOURCE', 'EDIT')]);
    const edit = needed.find((n) => n.type === 'EDIT')!;
    expect(describeNeeded(edit)).toBe('PLATFORM / SOURCE / EDIT on every source');
    expect(edit.why.join('\n')).toMatch(/create schedule "New docs\/INCREMENTAL_REFRESH" \(source "New docs" is created by this apply/);
    expect(edit.why.join('\n')).toMatch(/apply the changes of source "New docs"/);
  });

  it('a wildcard need absorbs the per-resource needs of the same privilege', () => {
    const outcome = planFor(
      { sources: [written.source('New docs'), written.source('Product docs', { sourceVisibility: 'SECURED' })] },
      { sources: [dto.source('src-product', 'Product docs')] },
    );
    const needed = requiredPrivileges({ read: [], steps: outcome.plan.steps });
    const edits = needed.filter((n) => n.type === 'EDIT');
    expect(strip(edits)).toEqual([P('PLATFORM', 'SOURCE', 'EDIT')]);
    expect(edits[0]!.why).toContain('update source "Product docs"');
  });

  it('deleting a schedule needs EDIT on its live source (by identity)', () => {
    const outcome = planFor({ schedules: [] }, { sources: [dto.source('src-product', 'Product docs')], schedules: [dto.schedule('sch-1', 'src-product')] }, { prune: true });
    const steps: readonly PlanStep[] = outcome.plan.steps;
    expect(steps.map((s) => s.action)).toEqual(['delete']);
    const idOf = (kind: string, key: string) => (kind === 'sources' && key === 'Product docs' ? 'src-product' : undefined);
    expect(strip(requiredPrivileges({ read: [], steps, idOf }))).toEqual([P('PLATFORM', 'SOURCE', 'EDIT', 'src-product')]);
    // Without the live ids the source id is unknown: only the wildcard is certain to cover it.
    const unknown = requiredPrivileges({ read: [], steps });
    expect(strip(unknown)).toEqual([P('PLATFORM', 'SOURCE', 'EDIT')]);
    expect(unknown[0]!.why[0]).toMatch(/the id of source "Product docs" is not known/);
  });

  it('API key updates need EDIT on the key; enabling or disabling too', () => {
    const outcome = planFor({ apiKeys: [written.apiKey('k', { enabled: false })] }, { apiKeys: [dto.apiKey('key-1', 'k')] });
    const calls = callsOfRun({ read: [], steps: outcome.plan.steps });
    expect(calls.map((c) => c.route)).toEqual(['PUT /apikeys/{apiKeyId}', 'PUT /apikeys/{apiKeyId}/disable']);
    expect(strip(privilegesOfCalls(calls))).toEqual([P('PLATFORM', 'API_KEY', 'EDIT', 'key-1')]);
  });
});

describe('held privileges', () => {
  it('reads both wire forms (targetId and the legacy targetIds[]/global)', () => {
    const held = parseHeldPrivileges([
      { targetDomain: 'EXECUTE_QUERY', targetIds: [], owner: 'SEARCH_API', global: false },
      { type: 'EDIT', targetDomain: 'ANALYTICS_DATA', targetIds: [], owner: 'USAGE_ANALYTICS', global: false },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetIds: ['s1', 's2'], global: false },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT', targetIds: ['g1'], global: true },
      { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targetId: '*' },
      { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT', targetId: 'k1' },
      { owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW' },
      { targetDomain: 'NO_OWNER' },
      'junk',
    ]);
    expect(held).toEqual([
      { owner: 'SEARCH_API', targetDomain: 'EXECUTE_QUERY', targets: '*' },
      { owner: 'USAGE_ANALYTICS', targetDomain: 'ANALYTICS_DATA', type: 'EDIT', targets: '*' },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targets: ['s1', 's2'] },
      { owner: 'PLATFORM', targetDomain: 'GROUP', type: 'EDIT', targets: '*' },
      { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'VIEW', targets: '*' },
      { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'EDIT', targets: ['k1'] },
      { owner: 'PLATFORM', targetDomain: 'ORGANIZATION', type: 'VIEW', targets: '*' },
    ]);
  });

  it('a wildcard covers every id; a per-resource grant covers only its ids and never the wildcard need', () => {
    const [sources, field] = parseHeldPrivileges([
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetIds: ['s1'] },
      { owner: 'PLATFORM', targetDomain: 'FIELD', type: 'EDIT', targetId: '*' },
    ]);
    expect(covers(sources!, P('PLATFORM', 'SOURCE', 'EDIT', 's1'))).toBe(true);
    expect(covers(sources!, P('PLATFORM', 'SOURCE', 'EDIT', 's2'))).toBe(false);
    expect(covers(sources!, P('PLATFORM', 'SOURCE', 'EDIT'))).toBe(false);
    expect(covers(sources!, P('PLATFORM', 'SOURCE', 'VIEW', 's1'))).toBe(false);
    expect(covers(field!, P('PLATFORM', 'FIELD', 'EDIT'))).toBe(true);
    expect(covers(field!, P('PLATFORM', 'FIELD', 'VIEW'))).toBe(false);
    expect(covers(field!, P('SEARCH_API', 'FIELD', 'EDIT'))).toBe(false);
  });

  it('findMissing keeps what nothing covers, and honours alternatives', () => {
    const held = parseHeldPrivileges([{ owner: 'PLATFORM', targetDomain: 'SECURITY_CACHE', type: 'VIEW' }]);
    const needed = [
      { ...P('PLATFORM', 'SECURITY_PROVIDER', 'VIEW'), why: ['x'], alternatives: [P('PLATFORM', 'SECURITY_CACHE', 'VIEW')] },
      { ...P('PLATFORM', 'SOURCE', 'VIEW'), why: ['y'] },
    ];
    expect(findMissing(needed, held).map((n) => n.targetDomain)).toEqual(['SOURCE']);
  });

  it('describes privileges for people', () => {
    expect(describeNeeded(P('PLATFORM', 'FIELD', 'CREATE'))).toBe('PLATFORM / FIELD / CREATE');
    expect(describeNeeded(P('PLATFORM', 'SOURCE', 'CREATE'))).toBe('PLATFORM / SOURCE / CREATE');
    expect(describeNeeded(P('PLATFORM', 'GROUP', 'EDIT'))).toBe('PLATFORM / GROUP / EDIT on every group');
    expect(describeNeeded(P('SEARCH_API', 'EXECUTE_QUERY'))).toBe('SEARCH_API / EXECUTE_QUERY');
    expect(describeNeeded({ ...P('PLATFORM', 'API_KEY', 'EDIT', 'k1') })).toBe('PLATFORM / API_KEY / EDIT on id k1');
  });
});
