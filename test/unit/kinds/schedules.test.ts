import { describe, expect, it } from 'vitest';
import { waveOf } from '../../../src/core/plan-changes.js';
import { normalizeFrequency, schedulesSpec } from '../../../src/kinds/schedules/spec.js';
import { actionsOf, dto, planFor, stepOf, written } from '../../support/builders.js';

const docs = dto.source('src-docs', 'Docs');

describe('schedules: identity', () => {
  it('is (source name, refreshType), the source read back from its id', () => {
    const ctx = { keyOf: (kind: string, id: string) => (kind === 'sources' && id === 'src-docs' ? 'Docs' : undefined) } as never;
    expect(schedulesSpec.keyOfWritten({ source: 'Docs', refreshType: 'FULL_REFRESH' })).toBe('Docs/FULL_REFRESH');
    expect(schedulesSpec.normalizeLive(dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH'), ctx)).toMatchObject({ managed: true, key: 'Docs/FULL_REFRESH', remoteId: 'sch-1' });
    expect(schedulesSpec.normalizeLive(dto.schedule('sch-2', 'src-gone', 'REBUILD'), ctx)).toMatchObject({ key: 'src-gone/REBUILD' });
  });
});

describe('schedules: create', () => {
  it('a schedule of a live source resolves the source id', () => {
    const out = planFor({ schedules: [written.schedule('Docs')] }, { sources: [docs], schedules: [] });
    const step = stepOf(out, 'schedules/Docs/INCREMENTAL_REFRESH');
    expect(step).toMatchObject({ action: 'create', risk: 'safe', wave: waveOf('schedules', 'create'), dependsOn: [] });
    expect(step?.action === 'create' && step.after).toEqual({ source: 'Docs', refreshType: 'INCREMENTAL_REFRESH', enabled: true, frequency: { type: 'DAILY', hourMinute: { hour: 2, minute: 30 } } });
    expect(step?.action === 'create' && step.refs).toEqual([{ kind: 'sources', key: 'Docs', path: 'source', remoteId: 'src-docs' }]);
  });

  it('a schedule of a source created in the same plan waits for it (known after apply)', () => {
    const out = planFor({ sources: [written.source('New')], schedules: [written.schedule('New')] }, { sources: [], schedules: [] });
    expect(actionsOf(out)).toEqual(['sources/New create', 'schedules/New/INCREMENTAL_REFRESH create']);
    expect(stepOf(out, 'schedules/New/INCREMENTAL_REFRESH')).toMatchObject({ dependsOn: ['sources/New'], refs: [{ kind: 'sources', key: 'New', path: 'source', remoteId: null }] });
  });

  it('a schedule of a source that exists nowhere is an error', () => {
    const out = planFor({ schedules: [written.schedule('Nope')] }, { sources: [docs], schedules: [] });
    expect(out.issues).toEqual([expect.objectContaining({ code: 'reference_unresolved', path: 'source' })]);
  });
});

describe('schedules: no-op after Coveo normalisation', () => {
  it.each([
    ['server fields (id, seed, scheduleType, organizationId, resourceId, lastExecution)', written.schedule('Docs'), dto.schedule('sch-1', 'src-docs')],
    [
      'week days reordered and repeated',
      written.schedule('Docs', 'FULL_REFRESH', { frequency: { type: 'WEEKLY', weekDays: ['SUNDAY', 'MONDAY', 'SUNDAY'], hourMinute: { hour: 4, minute: 0 } } }),
      dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH', { frequency: { type: 'WEEKLY', weekDays: ['MONDAY', 'SUNDAY'], hourMinute: { hour: 4, minute: 0 }, seed: 9 } }),
    ],
    [
      'enabled left out means enabled',
      written.schedule('Docs', 'REBUILD', { frequency: { type: 'MONTHLY', monthDay: 1, hourMinute: { hour: 3, minute: 0 } } }),
      dto.schedule('sch-1', 'src-docs', 'REBUILD', { frequency: { type: 'MONTHLY', monthDay: 1, hourMinute: { hour: 3, minute: 0 }, seed: 2 } }),
    ],
  ])('%s', (_name, w, d) => {
    const out = planFor({ schedules: [w] }, { sources: [docs], schedules: [d] });
    expect(out.issues).toEqual([]);
    expect(out.plan.steps).toEqual([]);
  });

  it('normalises a frequency: seed dropped, week days in week order', () => {
    expect(normalizeFrequency({ type: 'WEEKLY', weekDays: ['SUNDAY', 'WEDNESDAY', 'MONDAY'], seed: 3, hourMinute: { hour: 1 } })).toEqual({
      type: 'WEEKLY',
      weekDays: ['MONDAY', 'WEDNESDAY', 'SUNDAY'],
      hourMinute: { hour: 1, minute: 0 },
    });
  });
});

describe('schedules: update, delete, protect', () => {
  it.each([
    ['disabled', { enabled: false }, [{ path: 'enabled', from: true, to: false }], [{ op: 'replace', path: '/enabled', value: false }]],
    [
      'another time',
      { frequency: { type: 'DAILY', hourMinute: { hour: 5, minute: 30 } } },
      [{ path: 'frequency.hourMinute.hour', from: 2, to: 5 }],
      [{ op: 'replace', path: '/frequency/hourMinute/hour', value: 5 }],
    ],
    [
      'another type',
      { frequency: { type: 'HOURLY', value: 4, hourMinute: { hour: 0, minute: 15 } } },
      [
        { path: 'frequency.hourMinute.hour', from: 2, to: 0 },
        { path: 'frequency.hourMinute.minute', from: 30, to: 15 },
        { path: 'frequency.type', from: 'DAILY', to: 'HOURLY' },
        { path: 'frequency.value', to: 4 },
      ],
      [
        { op: 'replace', path: '/frequency/type', value: 'HOURLY' },
        { op: 'replace', path: '/frequency/hourMinute/minute', value: 15 },
        { op: 'replace', path: '/frequency/hourMinute/hour', value: 0 },
        { op: 'add', path: '/frequency/value', value: 4 },
      ],
    ],
  ])('%s: exact changes and patch', (_name, extra, changes, patch) => {
    const out = planFor({ schedules: [written.schedule('Docs', 'INCREMENTAL_REFRESH', extra)] }, { sources: [docs], schedules: [dto.schedule('sch-1', 'src-docs')] });
    const step = stepOf(out, 'schedules/Docs/INCREMENTAL_REFRESH');
    expect(step).toMatchObject({ action: 'update', remoteId: 'sch-1', risk: 'safe' });
    expect(step?.action === 'update' && step.changes).toEqual(changes);
    expect(step?.action === 'update' && step.patch).toEqual(patch);
  });

  it('prune deletes an undeclared schedule before its source would be; protect keeps it', () => {
    const files = { schedules: ['A', 'B', 'C', 'D'].map((t) => written.schedule('Docs', t)) };
    const live = { sources: [docs], schedules: [...['A', 'B', 'C', 'D'].map((t) => dto.schedule(`sch-${t}`, 'src-docs', t)), dto.schedule('sch-old', 'src-docs', 'FULL_REFRESH')] };
    const pruned = planFor(files, live, { prune: true });
    expect(actionsOf(pruned)).toEqual(['schedules/Docs/FULL_REFRESH delete']);
    expect(waveOf('schedules', 'delete')).toBeLessThan(waveOf('sources', 'delete'));
    const kept = planFor(files, live, { prune: true, protect: ['schedules/Docs/FULL_REFRESH'] });
    expect(kept.plan.steps).toEqual([]);
    expect(kept.plan.warnings.map((w) => w.address)).toEqual(['schedules/Docs/FULL_REFRESH']);
  });

  it('an ignored schedule is not re-created when its source is replaced', () => {
    const out = planFor(
      { sources: [written.source('Docs', { sourceType: 'SITEMAP' })], schedules: [written.schedule('Docs', 'FULL_REFRESH'), written.schedule('Docs', 'REBUILD')] },
      { sources: [docs], schedules: [dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH'), dto.schedule('sch-2', 'src-docs', 'REBUILD')] },
      { ignore: { schedules: ['/REBUILD$'] } },
    );
    expect(actionsOf(out)).toEqual(['sources/Docs replace', 'schedules/Docs/FULL_REFRESH create']);
  });

  it('two live schedules of one type on one source are an error', () => {
    const out = planFor({ schedules: [written.schedule('Docs')] }, { sources: [docs], schedules: [dto.schedule('sch-1', 'src-docs'), dto.schedule('sch-2', 'src-docs')] });
    expect(out.issues.map((i) => i.code)).toEqual(['live_duplicate']);
  });
});

describe('schedules: undeclared ones of a replaced source', () => {
  it('go with the source: no delete step of their own (it would 404), and the replace says so', () => {
    const files = { sources: [written.source('Docs', { sourceType: 'SITEMAP' })], schedules: [written.schedule('Docs', 'FULL_REFRESH')] };
    const live = { sources: [docs], schedules: [dto.schedule('sch-1', 'src-docs', 'FULL_REFRESH'), dto.schedule('sch-2', 'src-docs', 'REBUILD')] };
    for (const prune of [false, true]) {
      const out = planFor(files, live, { prune, allowMassDelete: true });
      expect(actionsOf(out)).toEqual(['sources/Docs replace', 'schedules/Docs/FULL_REFRESH create']);
      expect(stepOf(out, 'sources/Docs')?.notes).toEqual(['also deletes its schedule "Docs/REBUILD", which the files do not declare']);
    }
  });
});
