import { describe, expect, it } from 'vitest';
import { renderDriftMarkdown, renderPlanMarkdown, escapeMarkdown, inlineCode } from '../../../src/render/markdown.js';
import { toRemoteId, toResourceKey, type Plan } from '../../../src/core/types.js';
import { createStep, deleteStep, largePlan, planOf, replaceStep, representativeLive, representativePlan, representativeUnmanaged, SECRET_VALUES } from './plan-builder.js';

/** Structural checks every comment must pass: balanced folds and fences, nothing after a broken block. */
function expectWellFormed(md: string): void {
  const prose = outsideCode(md);
  expect(prose.match(/<details>/g)?.length ?? 0).toBe(prose.match(/<\/details>/g)?.length ?? 0);
  const fences = md.split('\n').filter((l) => /^ {0,3}```/.test(l));
  expect(fences.length % 2).toBe(0);
  expect(md.endsWith('\n')).toBe(true);
}

/** The markdown without fenced blocks and inline code spans (CommonMark: a span opens on an unescaped run of backticks and closes on a run of the same length). */
function outsideCode(md: string): string {
  return md.replace(/^```diff\n[\s\S]*?^```$/gm, '').replace(/(?<![`\\])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

describe('renderPlanMarkdown', () => {
  it('matches the golden file', async () => {
    await expect(renderPlanMarkdown(representativePlan())).toMatchFileSnapshot('../../golden/plan.md');
  });

  it('has a heading, the summary line and a table of kind × action with totals', () => {
    const md = renderPlanMarkdown(representativePlan());
    expect(md).toContain('## coveo-sync plan for `acmeproduction7x2k`\n');
    expect(md).toContain('**Plan: 5 to add, 3 to change, 2 to replace, 3 to destroy.**');
    expect(md).toContain('| Kind | Add | Change | Replace | Destroy |\n|---|---:|---:|---:|---:|\n');
    expect(md).toContain('| Fields | 1 | 1 | 1 | 1 |\n');
    expect(md).toContain('| **Total** | **5** | **3** | **2** | **3** |\n');
    expectWellFormed(md);
  });

  it('calls out destructive and security steps before the details, one line each with the reason and notes', () => {
    const md = renderPlanMarkdown(representativePlan());
    const risky = md.indexOf('### ⚠️ Destructive and security changes');
    expect(risky).toBeGreaterThan(0);
    expect(risky).toBeLessThan(md.indexOf('<details>'));
    const section = md.slice(risky, md.indexOf('<details>'));
    expect(section.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(6);
    expect(section).toContain('- 🔐 **security** · replace API key `storefront-search` — privileges cannot be changed in place');
    expect(section).toContain('- 🗑️ **destructive** · delete group `Old team`');
  });

  it('folds the steps of each kind into a diff block with +/- lines', () => {
    const md = renderPlanMarkdown(representativePlan());
    expect(md).toContain('<details><summary><b>Fields</b> (4)</summary>\n\n```diff\n');
    expect(md).toContain('! field "productcategory" will be updated in place\n-     facet: false\n+     facet: true\n');
    expect(md).toContain('-/+ field "legacyid" must be replaced [destructive]\n#     type cannot be changed in place');
  });

  it('lists the warnings', () => {
    expect(renderPlanMarkdown(representativePlan())).toContain('### Warnings\n\n- groups/Administrators is protected (settings.protect); its update was left out of the plan.\n');
  });

  it('takes a title', () => {
    expect(renderPlanMarkdown(representativePlan(), { title: 'Plan for **prod**' })).toContain('\n## Plan for **prod**\n');
  });

  it('says when there are no changes', () => {
    const md = renderPlanMarkdown(planOf([]));
    expect(md).toContain('**No changes. The organization matches the configuration.**');
    expect(md).not.toContain('<details>');
  });

  it('never shows a secret value', () => {
    const md = renderPlanMarkdown(representativePlan());
    for (const v of SECRET_VALUES) expect(md).not.toContain(v);
    expect(md).toContain('+     configuration.userIdentities.Crawler.password: (sensitive)');
  });

  it('escapes names and notes so they cannot inject markup or close a block', () => {
    const evil = 'x`</details><img src=x onerror=alert(1)>\n```\n@everyone';
    const plan = planOf(
      [
        createStep('groups', evil, { displayName: evil }, { risk: 'security', notes: [`note ${evil}`] }),
        replaceStep('fields', `f${evil}`, { type: 'A' }, { type: 'B' }, [{ path: 'type', from: 'A', to: evil }], `reason ${evil}`),
      ],
      { warnings: [{ code: 'w', message: `warning ${evil}` }] },
    );
    const md = renderPlanMarkdown(plan);
    expectWellFormed(md);
    // Outside code (where GitHub would interpret it) there is no HTML from the data, and the folds balance.
    const prose = outsideCode(md);
    expect(prose).not.toContain('<img');
    expect(prose.match(/<details>/g)?.length).toBe(2);
    expect(prose.match(/<\/details>/g)?.length).toBe(2);
    expect(prose).toContain('&lt;img src=x');
    // Inside code blocks every line starts with a sign or #, so no content line can be a fence.
    const inDiff = md.split('```diff\n').slice(1).map((b) => b.split('\n```\n')[0] ?? '');
    for (const block of inDiff) for (const line of block.split('\n')) expect(line === '' || /^[-+!#]/.test(line)).toBe(true);
  });

  it('escapes markdown and HTML outside code, and fences inline code longer than any backtick run', () => {
    expect(escapeMarkdown('<b>*x*</b> & [y](z) | a_b')).toBe('&lt;b&gt;\\*x\\*&lt;/b&gt; &amp; \\[y\\](z) \\| a\\_b');
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('`x')).toBe('`` `x ``');
  });

  describe('the size cap', () => {
    it('keeps a 7,000-step plan under 65,000 characters and says what was left out', () => {
      const plan = largePlan(7000);
      const md = renderPlanMarkdown(plan);
      expect(md.length).toBeLessThan(65_000);
      expectWellFormed(md);
      const note = /(\d+) of 7000 steps are not shown in the details/.exec(md);
      expect(note).not.toBeNull();
      const leftOut = Number(note?.[1]);
      expect(leftOut).toBeGreaterThan(0);
      expect(leftOut).toBeLessThan(7000);
      expect(md).toContain('Run `coveo-sync plan` locally');
      // What is shown plus what is counted is everything.
      const shownHeaders = md.split('\n').filter((l) => /^(\+|!|-\/\+|-) [a-zA-Z ]+ "[^"]+" (will|must) /.test(l)).length;
      expect(shownHeaders + leftOut).toBe(7000);
      // The summary table is complete even when the details are cut.
      expect(md).toContain('| **Total** | **1750** | **1750** | **1750** | **1750** |');
    });

    it('honours a smaller cap, cutting the risky list too', () => {
      const md = renderPlanMarkdown(largePlan(500), { maxChars: 5_000 });
      expect(md.length).toBeLessThan(5_000);
      expectWellFormed(md);
      expect(md).toMatch(/\d+ of 250 destructive or security steps are not listed/);
      expect(md).toMatch(/\d+ of 500 steps are not shown in the details/);
    });

    it('does not add a note when everything fits', () => {
      expect(renderPlanMarkdown(representativePlan())).not.toContain('This comment was cut');
    });

    it('is linear: twice the steps is about twice the work, and only shown steps are rendered', () => {
      // Text size is a proxy for work here (no timing assertions): the uncapped output doubles.
      const a = renderPlanMarkdown(largePlan(3500), { maxChars: 100_000_000 }).length;
      const b = renderPlanMarkdown(largePlan(7000), { maxChars: 100_000_000 }).length;
      expect(b / a).toBeGreaterThan(1.9);
      expect(b / a).toBeLessThan(2.1);
    });
  });
});

describe('renderDriftMarkdown', () => {
  const input = { live: representativeLive(), unmanaged: representativeUnmanaged() };

  it('matches the golden file', async () => {
    await expect(renderDriftMarkdown(representativePlan(), input)).toMatchFileSnapshot('../../golden/drift.md');
  });

  it('puts status problems first, then what changed, what is missing and what is undeclared', () => {
    const md = renderDriftMarkdown(representativePlan(), input);
    expectWellFormed(md);
    const order = ['### ⚠️ Status problems reported by Coveo', '<b>Changed in Coveo', '<b>Declared in the files but missing in Coveo', '<b>In Coveo but not in the files'].map((h) => md.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(md).toContain('-     facet: false   (Coveo)\n+     facet: true   (files)\n');
    expect(md).toContain('- group `Partners` (id `g-0077`)\n');
  });

  it('says when there is no drift', () => {
    expect(renderDriftMarkdown(planOf([]))).toContain('**No drift. The organization matches the configuration.**');
  });

  it('keeps a drift of 7,000 undeclared resources under the cap, with a note', () => {
    const undeclared: Plan['undeclared'] = Array.from({ length: 7000 }, (_, i) => ({ kind: 'fields' as const, id: toResourceKey(`field${i}`), remoteId: toRemoteId(`f${i}`) }));
    const md = renderDriftMarkdown({ ...planOf([deleteStep('fields', 'field0', {})]), undeclared });
    expect(md.length).toBeLessThan(65_000);
    expectWellFormed(md);
    expect(md).toMatch(/\d+ of 7000 differences are not shown/);
    expect(md).toContain('Run `coveo-sync drift` locally');
  });
});
