/**
 * `apply` as a command, end to end (issue 6): --after-apply modes (and a retired applyChanges), the
 * confirmation prompt, the output (summary line, JSON envelope, plain progress lines in CI) and `demo`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { routesOf, startHarness, writesOf, type Harness } from './apply-support.js';

const config = (comment: string, extraField = '') => `version: 1
fields:
  - { name: color, type: STRING }${extraField}
sources:
  - { name: Docs, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true, additionalComments: ${comment} }
  - { name: Wiki, sourceType: PUSH, sourceVisibility: SHARED, pushEnabled: true, additionalComments: ${comment} }
`;

let h: Harness;
let version = 0;
/** A config that changes both sources (a fresh comment each time). */
const nextConfig = (extraField = '') => config(`v${++version}`, extraField);

beforeAll(async () => {
  h = await startHarness();
  h.write(nextConfig());
  expect((await h.run(['apply', '--auto-approve'])).code).toBe(0);
});
afterAll(() => h.stop());
beforeEach(() => {
  h.emu.state.resetFaults();
  h.emu.state.resetLog();
});

describe('--after-apply', () => {
  const endings = () => routesOf(h.emu.state.requestLog()).filter((r) => /applyChanges|rebuild/.test(r));

  it('apply-changes (default) calls applyChanges on each touched source', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(endings()).toEqual(['POST /sources/{sourceId}/applyChanges', 'POST /sources/{sourceId}/applyChanges']);
    expect(r.stdout).toContain('Applied changes on 2 source(s).');
    expect(r.stdout + r.stderr).not.toContain('warning');
  });

  it('rebuild calls /rebuild instead', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve', '--after-apply', 'rebuild']);
    expect(r.code, r.stderr).toBe(0);
    expect(endings()).toEqual(['POST /sources/{sourceId}/rebuild', 'POST /sources/{sourceId}/rebuild']);
    expect(r.stdout).toContain('Rebuilt 2 source(s).');
    expect(r.stdout + r.stderr).not.toContain('warning');
  });

  it('none calls neither', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve', '--after-apply', 'none']);
    expect(r.code, r.stderr).toBe(0);
    expect(routesOf(h.emu.state.requestLog())).toEqual(['PUT /sources/{sourceId}/raw', 'PUT /sources/{sourceId}/raw']);
  });

  it.each([404, 405, 410])('an applyChanges answering %i: one warning, exit 0, the changes saved', async (status) => {
    // A path Coveo no longer serves answers 404 INVALID_URI (405 and 410 carry their own codes).
    h.emu.state.addFaultRule({ method: 'POST', path: '/applyChanges$', status, count: -1, ...(status === 404 ? { errorCode: 'INVALID_URI' } : {}) });
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 2 changed');
    const warnings = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('no longer serves applyChanges'));
    // Once in the progress lines (stderr), once in the summary (stdout); not once per source.
    expect(warnings).toHaveLength(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('no longer serves applyChanges'))).toHaveLength(1);
    expect((await h.run(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a source deleted meanwhile (404 naming the resource) is a warning for that source; the other still gets its applyChanges', async () => {
    h.write(nextConfig());
    const plan = await h.run(['plan', '--format', 'json']);
    const ids = (JSON.parse(plan.stdout) as { plan: { steps: { remoteId: string }[] } }).plan.steps.map((s) => s.remoteId).sort();
    expect(ids).toHaveLength(2);
    h.emu.state.addFaultRule({ method: 'POST', path: `/sources/${ids[0]}/applyChanges$`, status: 404, errorCode: 'RESOURCE_NOT_FOUND', count: -1 });
    h.emu.state.resetLog();
    const r = await h.run(['apply', '--auto-approve', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { result: { warnings: string[]; afterApply: { retired: boolean; sources: string[] } } };
    expect(parsed.result.afterApply.retired).toBe(false);
    expect(parsed.result.afterApply.sources).toEqual([ids[1]]);
    expect(parsed.result.warnings).toEqual([expect.stringContaining(`source ${ids[0]} no longer exists in Coveo`)]);
  });

  it('an applyChanges failing otherwise (400 every time) is a warning per source, not a retired endpoint', async () => {
    h.emu.state.addFaultRule({ method: 'POST', path: '/applyChanges$', status: 400, count: -1 });
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve', '--format', 'json']);
    const parsed = JSON.parse(r.stdout) as { result: { warnings: string[]; afterApply: { retired: boolean } } };
    expect(parsed.result.afterApply.retired).toBe(false);
    expect(parsed.result.warnings.filter((w) => w.includes('applying changes on source'))).toHaveLength(2);
    expect(r.code).toBe(0);
  });
});

describe('confirmation', () => {
  it('without a TTY and without --auto-approve: exit 3, zero writes', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--auto-approve');
    expect(writesOf(h.emu.state.requestLog())).toEqual([]);
  });

  it('on a TTY, "no" aborts with exit 130 and zero writes', async () => {
    const r = await h.run(['apply'], { answers: ['no'] });
    expect(r.code).toBe(130);
    expect(r.stdout).toContain('Plan: 0 to add, 2 to change');
    expect(writesOf(h.emu.state.requestLog())).toEqual([]);
  });

  it('on a TTY, "yes" applies', async () => {
    const r = await h.run(['apply'], { answers: ['yes'] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete: 0 added, 2 changed, 0 replaced, 0 destroyed.');
  });

  describe('a plan with deletes', () => {
    beforeAll(async () => {
      h.write(nextConfig('\n  - { name: extra, type: STRING }'));
      expect((await h.run(['apply', '--auto-approve'])).code).toBe(0);
      h.write(nextConfig());
    });

    it('"yes" is not enough: exit 130, zero writes, the delete listed first as destructive', async () => {
      const r = await h.run(['apply', '--prune', '--allow-mass-delete'], { answers: ['yes'] });
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/\[destructive\] delete field extra/);
      expect(writesOf(h.emu.state.requestLog())).toEqual([]);
    });

    it('the word "delete" applies it', async () => {
      const r = await h.run(['apply', '--prune', '--allow-mass-delete'], { answers: ['delete'] });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 destroyed.');
      expect(routesOf(h.emu.state.requestLog())).toContain('DELETE /indexes/fields/batch/delete');
    });
  });
});

describe('output', () => {
  it('text: the plan, then `Apply complete: …` on stdout; one plain line per finished step on stderr', async () => {
    h.write(nextConfig('\n  - { name: newfield, type: STRING }'));
    const r = await h.run(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('Apply complete: 1 added, 2 changed, 0 replaced, 0 destroyed.');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^field newfield: created \(\d+ ms\)$/), expect.stringMatching(/^source Docs: updated \(\d+ ms\)$/), expect.stringMatching(/^source Wiki: updated \(\d+ ms\)$/)]));
    // No spinner or cursor control codes in CI.
    expect(r.stderr).not.toContain(String.fromCharCode(27));
    expect(r.stdout).not.toMatch(/field newfield: created/);
  });

  it('--format json: one JSON document on stdout, the result envelope', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply', '--auto-approve', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout) as { version: number; status: string; result: { ok: boolean; summary: Record<string, number>; steps: { address: string; status: string }[] } };
    expect(parsed).toMatchObject({ version: 1, status: 'ok', result: { ok: true, summary: { added: 0, changed: 2, replaced: 0, destroyed: 0, failed: 0, skipped: 0 } } });
    expect(parsed.result.steps.map((s) => `${s.address} ${s.status}`).sort()).toEqual(['sources/Docs applied', 'sources/Wiki applied']);
  });

  it('--format json with nothing to do: status no_changes', async () => {
    const r = await h.run(['apply', '--auto-approve', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, status: 'no_changes' });
  });

  it('--format json on a refusal (no TTY, no --auto-approve): one JSON error document, exit 3', async () => {
    h.write(nextConfig());
    const r = await h.run(['apply', '--format', 'json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ version: 1, status: 'error', error: { code: 'approval_required', exitCode: 3 } });
  });
});

describe('demo', () => {
  it('runs the whole loop and exits 0', async () => {
    const r = await runCli(['demo', '--no-color']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Apply complete:');
    expect(r.stdout).toContain('No changes');
  });
});
