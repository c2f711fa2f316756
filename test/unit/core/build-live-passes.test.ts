/**
 * `buildLiveState` normalises each DTO once when its spec needs no other object's identity (issue 9:
 * 5,000 fields were normalised twice per plan, and once more by the live index), or only identities of
 * kinds already complete (a schedule's source), and twice when it needs identities of its own kind or a
 * later one, so references read in the first pass are resolved in the second.
 */
import { describe, expect, it } from 'vitest';
import type { SpecTable } from '../../../src/core/plan-changes.js';
import { buildLiveState } from '../../../src/core/state.js';
import { RESOURCE_KINDS, type ResourceKind } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { dto, hash } from '../../support/builders.js';

function counting(): { specs: SpecTable; calls: Record<ResourceKind, number> } {
  const calls = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, 0])) as Record<ResourceKind, number>;
  const specs = Object.fromEntries(
    RESOURCE_KINDS.map((k) => [
      k,
      {
        ...SPECS[k],
        normalizeLive: (d: unknown, ctx: Parameters<(typeof SPECS)[typeof k]['normalizeLive']>[1]) => {
          calls[k]++;
          return SPECS[k].normalizeLive(d, ctx);
        },
      },
    ]),
  ) as unknown as SpecTable;
  return { specs, calls };
}

describe('buildLiveState passes', () => {
  it('normalises a DTO that refers to nothing or to earlier kinds once, and one that refers to its kind or later ones twice, with the same result as before', () => {
    const dtos = {
      fields: [dto.field('alpha'), dto.field('beta')],
      sources: [dto.source('s1', 'Docs')],
      schedules: [dto.schedule('sch-1', 's1', 'REBUILD')],
      groups: [dto.group('g1', 'Editors', { privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', targetId: 's1' }], groupsThatCanEdit: [{ id: 'g1', displayName: 'x' }] })],
    };
    const { specs, calls } = counting();
    const counted = buildLiveState(dtos, specs, hash);
    expect(calls.fields).toBe(2);
    // Schedules name their source, complete by then; the group names a group (its own kind) too.
    expect(calls.schedules).toBe(1);
    expect(calls.groups).toBe(2);
    expect(counted).toEqual(buildLiveState(dtos, SPECS, hash));
    expect(counted.live.schedules?.[0]?.key).toBe('Docs/REBUILD');
    expect(counted.live.groups?.[0]?.attrs['privileges']).toEqual([{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Docs' } }]);
    expect(counted.live.groups?.[0]?.attrs['groupsThatCanEdit']).toEqual(['Editors']);
  });
});
