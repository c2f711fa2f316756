import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../../src/core/json.js';
import { buildDesiredState, buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { dto, hash } from '../../support/builders.js';

describe('buildDesiredState', () => {
  it('keys and normalises every kind, keeps the origin, and gives an empty list for kinds not written', () => {
    const origin = { file: 'coveo.yaml', line: 3, column: 5 };
    const d = buildDesiredState({ schedules: [{ written: { source: 'Docs', refreshType: 'REBUILD', frequency: { type: 'DAILY' } }, origin }] }, SPECS);
    expect(Object.keys(d)).toEqual([...RESOURCE_KINDS]);
    expect(d.fields).toEqual([]);
    expect(d.schedules).toEqual([{ kind: 'schedules', key: 'Docs/REBUILD', attrs: { source: 'Docs', refreshType: 'REBUILD', enabled: true, frequency: { type: 'DAILY' } }, origin }]);
  });
});

describe('buildLiveState', () => {
  it('a kind that was not read is absent, which is not the same as empty', () => {
    const { live } = buildLiveState({ fields: [] }, SPECS, hash);
    expect(live).toEqual({ fields: [] });
    expect('groups' in live).toBe(false);
  });

  it('turns ids inside objects back into identities through every kind read, whatever their order', () => {
    const dtos = {
      apiKeys: [dto.apiKey('key-2', 'second', { apiKeysThatCanEdit: [{ id: 'key-1', displayName: 'x' }] }), dto.apiKey('key-1', 'first')],
      groups: [dto.group('g1', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', targetId: 'key-2' }, { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 's1' }] })],
      schedules: [dto.schedule('sch-1', 's1', 'REBUILD')],
      sources: [dto.source('s1', 'Docs', { groupsThatCanEdit: [{ id: 'g1', displayName: 'Stale name' }] })],
    };
    const { live } = buildLiveState(dtos, SPECS, hash);
    expect(live.schedules?.[0]?.key).toBe('Docs/REBUILD');
    expect(live.sources?.[0]?.attrs['groupsThatCanEdit']).toEqual(['Editors']);
    expect(live.groups?.[0]?.attrs['privileges']).toEqual([
      { owner: 'PLATFORM', targetDomain: 'API_KEY', type: 'VIEW', target: { apiKey: 'second' } },
      { owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } },
    ]);
    expect(live.apiKeys?.find((k) => k.key === 'second')?.attrs['apiKeysThatCanEdit']).toEqual(['first']);
  });

  it('an id that names nothing read stays visible as an id (so the plan shows it as a change)', () => {
    const { live } = buildLiveState({ groups: [dto.group('g1', 'G', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 'gone' }] })] }, SPECS, hash);
    expect(live.groups?.[0]?.attrs['privileges']).toEqual([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { id: 'gone' } }]);
  });

  it('the etag is a hash of the raw object, independent of its key order', () => {
    const a = dto.field('f');
    const b = Object.fromEntries(Object.entries(a).reverse());
    const one = buildLiveState({ fields: [a] }, SPECS, hash).live.fields?.[0];
    const two = buildLiveState({ fields: [b] }, SPECS, hash).live.fields?.[0];
    expect(one?.etag).toBe(hash(stableStringify(a)));
    expect(two?.etag).toBe(one?.etag);
  });

  it('API keys without the marker are set aside as unmanaged', () => {
    const { live, unmanaged } = buildLiveState({ apiKeys: [dto.apiKey('key-1', undefined), dto.apiKey('key-2', 'mine')] }, SPECS, hash);
    expect(live.apiKeys?.map((k) => k.key)).toEqual(['mine']);
    expect(unmanaged.map((u) => [u.kind, u.remoteId])).toEqual([['apiKeys', 'key-1']]);
  });
});
