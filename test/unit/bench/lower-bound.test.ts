/**
 * The benchmark's round-trip lower bound (bench/lower-bound.mjs, issue 9): the ratio it reports is only as
 * good as this arithmetic, so it is checked here against hand-computed cases.
 */
import { describe, expect, it } from 'vitest';
import { kindLevels, lowerBound, pagesOf, readWaves, roundsOf, writeRequests, writeWaves } from '../../../bench/lower-bound.mjs';
import { SPECS } from '../../../src/kinds/registry.js';

const DEPENDS_ON = Object.fromEntries(Object.entries(SPECS).map(([k, s]) => [k, [...s.dependsOn]]));
const ORG_L = { fields: 5012, sources: 500, schedules: 1000, groups: 201, apiKeys: 300, securityProviders: 21 };

describe('roundsOf', () => {
  it('is the sum over waves of ceil(requests / parallelism)', () => {
    expect(roundsOf([[{ route: 'a', count: 8 }], [{ route: 'b', count: 9 }]], 8)).toBe(1 + 2);
    expect(roundsOf([[{ route: 'a', count: 3 }, { route: 'b', count: 6 }]], 8)).toBe(2);
    expect(roundsOf([[{ route: 'a', count: 500 }]], 1)).toBe(500);
    expect(roundsOf([[], [{ route: 'a', count: 0 }]], 8)).toBe(0);
  });

  it('refuses a parallelism below 1', () => {
    expect(() => roundsOf([], 0)).toThrow(/parallelism/);
  });
});

describe('pagesOf', () => {
  it('counts pages at a page size, one for an empty listing', () => {
    expect(pagesOf(5012, 1000)).toBe(6);
    expect(pagesOf(1000, 1000)).toBe(1);
    expect(pagesOf(0, 1000)).toBe(1);
  });
});

describe('readWaves', () => {
  it('reads org L in two waves: first pages, then the other field pages and one schedule listing per source', () => {
    const waves = readWaves(['securityProviders', 'fields', 'sources', 'schedules', 'groups', 'apiKeys'], ORG_L);
    expect(waves).toEqual([
      [
        { route: 'securityProviders', count: 1 },
        { route: 'groups', count: 1 },
        { route: 'apiKeys', count: 1 },
        { route: 'fields', count: 1 },
        { route: 'sources', count: 1 },
      ],
      [
        { route: 'fields', count: 5 },
        { route: 'schedules', count: 500 },
      ],
    ]);
    // 5 requests (1 round trip), then 505 at 8 in flight (64 round trips): 65 × 50 ms.
    expect(lowerBound(waves, { parallelism: 8, latencyMs: 50 })).toEqual({ rounds: 65, requests: 510, ms: 3250, byRoute: { securityProviders: 1, groups: 1, apiKeys: 1, fields: 6, sources: 1, schedules: 500 } });
  });

  it('puts schedules of sources beyond the first page in a third wave', () => {
    const waves = readWaves(['schedules'], { sources: 2500 });
    expect(waves).toEqual([[{ route: 'sources', count: 1 }], [{ route: 'sources', count: 2 }, { route: 'schedules', count: 1000 }], [{ route: 'schedules', count: 1500 }]]);
  });

  it('reads only the kinds asked for (a targeted plan of a source: sources, groups, API keys)', () => {
    const waves = readWaves(['sources', 'groups', 'apiKeys'], ORG_L);
    expect(lowerBound(waves, { parallelism: 8, latencyMs: 50 })).toMatchObject({ rounds: 1, requests: 3, ms: 50 });
  });
});

describe('writes', () => {
  it('lays the kinds on the levels of their dependsOn graph', () => {
    expect(kindLevels(DEPENDS_ON)).toEqual({ securityProviders: 0, fields: 0, sources: 1, schedules: 2, groups: 2, apiKeys: 3 });
    expect(() => kindLevels({ a: ['b'], b: ['a'] })).toThrow(/cycle/);
  });

  it('counts batches for fields, one request per object elsewhere, two per replace', () => {
    expect(writeRequests('fields', 'create', 5000)).toBe(10);
    expect(writeRequests('fields', 'delete', 167)).toBe(2);
    expect(writeRequests('fields', 'replace', 3)).toBe(6);
    expect(writeRequests('sources', 'create', 500)).toBe(500);
    expect(writeRequests('apiKeys', 'replace', 4)).toBe(8);
    expect(writeRequests('groups', 'update', 0)).toBe(0);
  });

  it('creates org L from nothing: providers and fields together, sources, schedules with groups, keys, then applyChanges', () => {
    const waves = writeWaves(
      { securityProviders: { create: 20 }, fields: { create: 5000 }, sources: { create: 500 }, schedules: { create: 1000 }, groups: { create: 200 }, apiKeys: { create: 300 } },
      DEPENDS_ON,
      { touchedSources: 500 },
    );
    expect(waves).toEqual([
      [
        { route: 'securityProviders', count: 20 },
        { route: 'fields', count: 10 },
      ],
      [{ route: 'sources', count: 500 }],
      [
        { route: 'schedules', count: 1000 },
        { route: 'groups', count: 200 },
      ],
      [{ route: 'apiKeys', count: 300 }],
      [{ route: 'applyChanges', count: 500 }],
    ]);
    // ceil(30/8) + ceil(500/8) + ceil(1200/8) + ceil(300/8) + ceil(500/8) = 4 + 63 + 150 + 38 + 63.
    expect(roundsOf(waves, 8)).toBe(318);
  });

  it('runs deletes after creates and updates, on the reverse levels, with the extra requests of a step', () => {
    const waves = writeWaves({ fields: { update: 10, delete: 150 }, sources: { delete: 3 }, apiKeys: { update: 2, delete: 1 } }, DEPENDS_ON, { extraRequests: { apiKeys: 1 } });
    expect(waves).toEqual([[{ route: 'fields', count: 1 }], [{ route: 'apiKeys', count: 3 }], [{ route: 'apiKeys', count: 1 }], [{ route: 'sources', count: 3 }], [{ route: 'fields', count: 2 }]]);
    expect(roundsOf(waves, 8)).toBe(5);
  });
});
