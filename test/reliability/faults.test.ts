/**
 * Faults (issue 10): every example is applied from an empty organization through an emulator that adds
 * latency and jitter, answers 20% of requests 500/502/503, 5% 429 with Retry-After, drops 5% of
 * connections, slows listings and caps their pages; and a third of the 5xx and drops strike *after* the
 * server acted (`afterRate`), so creates whose answer was lost happen too. `apply --resume` is run again
 * until it succeeds (a create that may have reached Coveo is never retried, so a run can end with exit 1
 * and the next one finds what it made). After every run: no duplicate resource, a readable journal. At the
 * end: the next plan is empty and every live API key's value is in the secrets file.
 *
 * SOAK=1 uses Retry-After: 1 (real seconds), more latency, and three seeds per example.
 */
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { duplicates, EXAMPLES, exampleText, lostSecrets, managedKeys, readJournalStrict, snapshotOf, SOAK, startOrg } from './support.js';

const FAULTS = {
  latencyMs: SOAK ? 20 : 2,
  jitterMs: SOAK ? 40 : 8,
  failRate: 0.2,
  failStatuses: [500, 502, 503],
  rate429: 0.05,
  retryAfterSeconds: SOAK ? 1 : 0.1,
  dropRate: 0.05,
  afterRate: 0.33,
  slowPageMs: SOAK ? 50 : 10,
  pageSizeCap: 10,
};
const MAX_RUNS = 20;
const SEEDS = SOAK ? [1, 2, 3] : [1];
const SECRETS = 'secrets.json';

describe.concurrent.each(EXAMPLES)('%s under faults', (file) => {
  it.for(SEEDS)('converges from an empty organization with no duplicate (seed %i)', { timeout: SOAK ? 600_000 : 120_000 }, async (seed, { expect }) => {
    const org = await startOrg(exampleText(file), { ...FAULTS, randomSeed: seed });
    try {
      const outcomes: number[] = [];
      for (let run = 1; run <= MAX_RUNS; run++) {
        const r = await org.run(['apply', '--resume', '--auto-approve', '--secrets-out', SECRETS]);
        outcomes.push(r.code);
        // Exit 1 is a failed step or an exhausted read; anything else is a defect.
        expect([0, 1], `run ${run}: ${r.stderr}`).toContain(r.code);
        // ... and names the request that failed.
        if (r.code === 1) expect(r.stdout + r.stderr).toMatch(/\[(GET|POST|PUT|DELETE)\] \/rest\/organizations\/\S+: /);
        expect(duplicates(org), `after run ${run}`).toEqual([]);
        readJournalStrict(org.dir);
        if (r.code === 0 && /No changes/.test(r.stdout)) break;
      }
      expect(outcomes.at(-1), `runs: ${outcomes.join(',')}`).toBe(0);
      const log = org.emu.state.requestLog();
      const injected = log.filter((e) => e.fault !== undefined).length;
      const late = log.filter((e) => e.fault?.endsWith('(after processing)') === true).length;

      org.emu.state.resetFaults();
      const plan = await org.run(['plan', '--detailed-exitcode']);
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(duplicates(org)).toEqual([]);
      expect(lostSecrets(org, [join(org.dir, SECRETS)])).toEqual([]);
      // Every live key is managed (no orphan from a lost answer).
      expect(snapshotOf(org).apiKeys.length).toBe(managedKeys(org).length);
      console.log(`${file} seed ${seed}: ${outcomes.length} runs (${outcomes.join(',')}), ${log.length} requests, ${injected} faults injected (${late} after processing)`);
    } finally {
      await org.stop();
    }
  });
});
