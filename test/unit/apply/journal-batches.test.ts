/**
 * The journal of a batch request (issue 9): the intents of all steps of a chunk go to disk in one write
 * and one flush, before the request is sent, and so do their results after it. One flush per entry cost
 * 10,000 flushes for 5,000 fields (seconds of a blocked event loop, more on slower disks).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/apply/apply-plan.js';
import { openJournal, readJournal, type Journal } from '../../../src/apply/journal.js';
import type { ApiClient, ApiRequest } from '../../../src/client/types.js';
import { indexLive } from '../../../src/plan/read-live.js';
import { OPS, SPECS } from '../../../src/kinds/registry.js';
import { planFor, written } from '../../support/builders.js';

type Entry = Parameters<Journal['record']>[0];

function fakeClient(log: string[], failPath?: string): ApiClient {
  return {
    organizationId: 'acmeorg1a2b3c',
    baseUrl: 'http://127.0.0.1:1',
    async request<T>(req: ApiRequest): Promise<T> {
      log.push(`request ${req.method} ${req.path}`);
      await Promise.resolve();
      if (req.path === failPath) throw new Error('refused');
      if (req.method === 'POST' && req.path === '/sources/raw') return { id: 'new-source' } as T;
      return undefined as T;
    },
    listAll: () => Promise.reject(new Error('not used')),
  };
}

async function run(failPath?: string) {
  const names = Array.from({ length: 1200 }, (_, i) => `field_${String(i).padStart(4, '0')}`);
  const outcome = planFor({ fields: names.map((n) => written.field(n)), sources: [written.source('Docs')] }, { fields: [], sources: [] });
  const log: string[] = [];
  const journal: Journal = {
    record: (e: Entry) => log.push(`record ${e.phase} ${e.address}`),
    recordAll: (entries: readonly Entry[]) => log.push(`recordAll ${entries.length} ${[...new Set(entries.map((e) => e.phase))].join(',')}`),
  };
  const result = await applyPlan(outcome.plan.steps, {
    ops: OPS,
    client: fakeClient(log, failPath),
    live: indexLive({ fields: [], sources: [] }, outcome.live, SPECS),
    parallelism: 1,
    afterApply: 'none',
    replacedKeys: 'delete',
    events: () => undefined,
    journal,
    fingerprint: () => ({ salt: 's', hash: 'h' }),
    matchesFingerprint: () => false,
    now: () => 0,
  });
  return { result, log };
}

describe('the journal of batch requests', () => {
  it('writes the intents of a chunk together before its request, and the results together after it', async () => {
    const { result, log } = await run();
    expect(result.ok).toBe(true);
    expect(log).toEqual([
      'recordAll 500 intent',
      'request POST /indexes/fields/batch/create',
      'recordAll 500 done',
      'recordAll 500 intent',
      'request POST /indexes/fields/batch/create',
      'recordAll 500 done',
      'recordAll 200 intent',
      'request POST /indexes/fields/batch/create',
      'recordAll 200 done',
      // A step of its own keeps its own entries.
      'record intent sources/Docs',
      'request POST /sources/raw',
      'record done sources/Docs',
    ]);
  });

  it('writes the failures of a chunk together', async () => {
    const { result, log } = await run('/indexes/fields/batch/create');
    expect(result.ok).toBe(false);
    expect(log.filter((l) => l.startsWith('recordAll'))).toEqual(['recordAll 500 intent', 'recordAll 500 failed', 'recordAll 500 intent', 'recordAll 500 failed', 'recordAll 200 intent', 'recordAll 200 failed']);
  });

  it('openJournal writes every entry of recordAll, in order', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'coveo-sync-journal-')), 'journal.jsonl');
    const journal = openJournal(path, 'run-1', 'org', () => new Date(0));
    journal.record({ address: 'fields/a', action: 'create', phase: 'intent' });
    journal.recordAll?.([
      { address: 'fields/b', action: 'create', phase: 'intent' },
      { address: 'fields/c', action: 'create', phase: 'intent' },
    ]);
    journal.recordAll?.([]);
    expect(readJournal(path).map((e) => `${e.address} ${e.phase} ${e.run}`)).toEqual(['fields/a intent run-1', 'fields/b intent run-1', 'fields/c intent run-1']);
  });
});
