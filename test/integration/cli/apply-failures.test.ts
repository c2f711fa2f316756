/**
 * `apply` failures end to end (issue 6, design §5): a permanent failure of one step ends with exit 1 and
 * the right done / failed / skipped sets (dependents skipped, independent steps done, no delete after a
 * failure); a re-run finishes the job. Transient 503/429 answers are retried and the apply converges.
 * (Heavy fault and crash suites live in test/reliability.)
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, writesOf, type Harness } from './apply-support.js';

const BEFORE = `version: 1
fields:
  - { name: color, type: STRING }
sources:
  - { name: Other, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true, additionalComments: v1 }
groups:
  - { displayName: Old group }
`;
const AFTER = `version: 1
fields:
  - { name: color, type: STRING }
  - { name: size2, type: LONG }
sources:
  - { name: Other, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true, additionalComments: v2 }
  - name: Docs
    sourceType: WEB2
    sourceVisibility: SHARED
    configuration: { startingAddresses: ['https://docs.example.com/'] }
schedules:
  - { source: Docs, refreshType: INCREMENTAL_REFRESH, frequency: { type: DAILY, hourMinute: { hour: 2, minute: 0 } } }
groups:
  - displayName: Editors
    privileges:
      - { owner: PLATFORM, targetDomain: SOURCE, type: EDIT, target: { source: Docs } }
`;

interface JsonResult {
  status: string;
  result: { ok: boolean; steps: { address: string; action: string; status: string; error?: string }[]; summary: Record<string, number>; afterApply: { sources: string[] } };
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());
beforeEach(() => {
  h.emu.state.resetFaults();
  h.emu.state.resetLog();
});

describe('a permanent failure (400 on creating one source)', () => {
  let parsed: JsonResult;

  beforeAll(async () => {
    h.write(BEFORE);
    expect((await h.run(['apply', '--auto-approve'])).code).toBe(0);
    h.write(AFTER);
    h.emu.state.resetLog();
    h.emu.state.addFaultRule({ method: 'POST', path: '/sources/raw$', status: 400, count: -1, message: 'Injected: the connector refused the configuration.' });
    const r = await h.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    parsed = JSON.parse(r.stdout) as JsonResult;
  });

  it('exit 1 with one JSON result: the failed step with its API error, dependents skipped, independent steps done', () => {
    expect(parsed.status).toBe('error');
    expect((parsed as unknown as { error: unknown }).error).toMatchObject({ code: 'apply_failed', exitCode: 1 });
    const by = (status: string) => parsed.result.steps.filter((s) => s.status === status).map((s) => `${s.action} ${s.address}`).sort();
    expect(by('failed')).toEqual(['create sources/Docs']);
    expect(by('skipped')).toEqual(['create groups/Editors', 'create schedules/Docs/INCREMENTAL_REFRESH', 'delete groups/Old group']);
    expect(by('applied')).toEqual(['create fields/size2', 'update sources/Other']);
    const failed = parsed.result.steps.find((s) => s.status === 'failed')!;
    expect(failed.error).toMatch(/POST.*\/sources\/raw.*400.*Injected: the connector refused/);
    expect(parsed.result.summary).toMatchObject({ added: 1, changed: 1, destroyed: 0, failed: 1, skipped: 3 });
  });

  it('no delete ran after the failure, and the source that was updated got its changes applied', async () => {
    const writes = writesOf(h.emu.state.requestLog());
    expect(writes.filter((e) => e.method === 'DELETE')).toEqual([]);
    expect(writes.filter((e) => e.route === 'POST /sources/{sourceId}/schedules' || e.route === 'POST /groups')).toEqual([]);
    const other = (await h.api<{ id: string; name: string }[]>('GET', '/sources')).find((s) => s.name === 'Other')!;
    expect(parsed.result.afterApply.sources).toEqual([other.id]);
  });

  it('a re-run without the fault finishes the job, and the next plan is empty', async () => {
    const r = await h.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 3 added, 0 changed, 0 replaced, 1 destroyed.');
    const again = await h.run(['plan', '--prune', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
  });

  it('text output: exit 1, the failure and the skipped steps on stdout, the error on stderr', async () => {
    h.write(AFTER.replace('name: Docs', 'name: Docs two').replace('source: Docs,', 'source: Docs two,').replace('target: { source: Docs }', 'target: { source: Docs two }'));
    h.emu.state.addFaultRule({ method: 'POST', path: '/sources/raw$', status: 400, count: 1 });
    const r = await h.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ sources\/Docs two \(create\): failed — .*400/);
    expect(r.stdout).toMatch(/○ schedules\/Docs two\/INCREMENTAL_REFRESH \(create\): skipped — depends on sources\/Docs two/);
    expect(r.stdout).toMatch(/Apply incomplete: .*1 failed, \d+ skipped\./);
    expect(r.stderr).toMatch(/source Docs two: FAILED/);
    expect(r.stderr).toMatch(/error: Apply incomplete/);
    expect((await h.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete'])).code).toBe(0);
  });
});

describe('transient failures', () => {
  it('503 with Retry-After on a source update and 429 on a source create are retried; the apply converges with no duplicate', async () => {
    h.write(AFTER.replace('v2', 'v3').replace('name: Docs', 'name: Docs three').replace('source: Docs,', 'source: Docs three,').replace('target: { source: Docs }', 'target: { source: Docs three }'));
    h.emu.state.addFaultRule({ method: 'PUT', path: '/sources/[^/]+/raw$', status: 503, retryAfter: 0, count: 2 });
    h.emu.state.addFaultRule({ method: 'POST', path: '/sources/raw$', status: 429, retryAfter: 0, count: 1 });
    h.emu.state.addFaultRule({ method: 'POST', path: '/applyChanges$', status: 503, retryAfter: 0, count: 1 });
    const r = await h.run(['apply', '--auto-approve', '--prune', '--allow-mass-delete']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const log = h.emu.state.requestLog();
    const statuses = (route: string) => log.filter((e) => e.route === route).map((e) => e.status);
    expect(statuses('PUT /sources/{sourceId}/raw')).toEqual([503, 503, 200]);
    expect(statuses('POST /sources/raw')).toEqual([429, 201]);
    expect(statuses('POST /sources/{sourceId}/applyChanges')).toContain(503);
    expect(h.emu.state.faults().rules).toEqual([]);
    const names = (await h.api<{ name: string }[]>('GET', '/sources')).map((s) => s.name).sort();
    expect(names).toEqual(['Docs three', 'Other']);
    const again = await h.run(['plan', '--prune', '--detailed-exitcode']);
    expect(again.code, again.stdout).toBe(0);
  });
});
