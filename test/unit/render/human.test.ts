import { describe, expect, it, vi } from 'vitest';
import { Secret } from '../../../src/core/secret.js';
import { renderDriftText, renderPlanText } from '../../../src/render/human.js';
import { asLeaf, createStep, deleteStep, planOf, replaceStep, representativeLive, representativePlan, representativeUnmanaged, SECRET_VALUES, updateStep } from './plan-builder.js';
import { stripAnsi } from './support.js';

describe('renderPlanText', () => {
  it('matches the golden file (reviewed like code)', async () => {
    await expect(renderPlanText(representativePlan(), { color: false })).toMatchFileSnapshot('../../golden/plan.txt');
  });

  it('matches the golden file with colour', async () => {
    await expect(renderPlanText(representativePlan(), { color: true })).toMatchFileSnapshot('../../golden/plan-color.txt');
  });

  it('with colour is the plain text plus ANSI codes, and without colour has none', () => {
    const plan = representativePlan();
    const colored = renderPlanText(plan, { color: true });
    const plain = renderPlanText(plan, { color: false });
    expect(colored).toContain('\u001b[');
    expect(plain).not.toContain('\u001b');
    expect(stripAnsi(colored)).toBe(plain);
  });

  it('ends with the exact summary line', () => {
    const lines = renderPlanText(representativePlan(), { color: false }).trimEnd().split('\n');
    expect(lines.at(-1)).toBe('Plan: 5 to add, 3 to change, 2 to replace, 3 to destroy.');
  });

  it('says there is nothing to do for an empty plan', () => {
    expect(renderPlanText(planOf([]), { color: false })).toBe('No changes. The organization matches the configuration.\n');
  });

  it('shows warnings and untouched undeclared resources even when there are no changes', () => {
    const plan = { ...planOf([], { warnings: [{ code: 'protected', message: 'groups/Administrators is protected.' }] }), undeclared: representativePlan().undeclared };
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain('5 live resources are not declared in the files');
    expect(text).toContain('  ! groups/Administrators is protected.');
    expect(text.trimEnd().split('\n').at(-1)).toBe('No changes. The organization matches the configuration.');
  });

  it('uses one symbol per action and groups steps by kind in apply order', () => {
    const text = renderPlanText(representativePlan(), { color: false });
    expect(text).toContain('  + field "catalogcategory" will be created');
    expect(text).toContain('  ~ field "productcategory" will be updated in place');
    expect(text).toContain('-/+ field "legacyid" must be replaced [destructive]');
    expect(text).toContain('  - group "Old team" will be deleted [destructive]');
    const headings = ['Security providers', 'Fields', 'Sources', 'Schedules', 'Groups', 'API keys'].map((h) => text.indexOf(`\n${h}\n`));
    expect(headings.every((i) => i > 0)).toBe(true);
    expect([...headings].sort((a, b) => a - b)).toEqual(headings);
    // The delete of a field sits with the fields, not at the end.
    expect(text.indexOf('field "oldfield"')).toBeLessThan(text.indexOf('\nSources\n'));
  });

  it('lists each field change of an update as path: from → to, with additions and removals', () => {
    const text = renderPlanText(representativePlan(), { color: false });
    expect(text).toContain('      ~ facet: false → true\n');
    expect(text).toContain('      - label: "Category"\n');
    expect(text).toContain('      + multiValueFacet: true\n');
  });

  it('shows the reason of a replace, the notes and the risk', () => {
    const text = renderPlanText(representativePlan(), { color: false });
    expect(text).toContain('-/+ API key "storefront-search" must be replaced [security]\n      # privileges cannot be changed in place');
    expect(text).toContain('      # broadens privileges: adds SEARCH_API / IMPERSONATE\n');
    expect(text).toContain('  ~ group "Search editors" will be updated in place [security]\n');
  });

  it('shows references to resources created by the same apply as (known after apply), on the files side only', () => {
    const text = renderPlanText(representativePlan(), { color: false });
    expect(text).toContain('      + source: "Internal wiki" (known after apply)\n');
    expect(text).toContain('      + cascadingSecurityProviders: ["Intranet Email" (known after apply)]\n');
    expect(text).toContain('      ~ securityProviders[0]: "Intranet Email" → "Intranet Directory" (known after apply)\n');
  });

  it('does not mark references whose id is known', () => {
    const step = createStep('schedules', 'Docs/FULL_REFRESH', { source: 'Docs', refreshType: 'FULL_REFRESH' }, { refs: [{ kind: 'sources', key: 'Docs' as never, path: 'source', remoteId: 'src-1' as never }] });
    expect(renderPlanText(planOf([step]), { color: false })).not.toContain('known after apply');
  });

  it('shows secrets and sensitive values as (sensitive) and never reveals a Secret', () => {
    const reveal = vi.spyOn(Secret.prototype, 'reveal');
    const step = createStep('sources', 'S', {
      configuration: {
        // A plain string under the kind's sensitive path, and beside `sensitive: true`: both redacted anyway.
        userIdentities: { A: { userName: 'u', password: 'plain-password-under-sensitive-path' } },
        parameters: { Token: { sensitive: true, value: 'plain-value-beside-sensitive-true' }, Depth: { value: '10' } },
      },
      secretish: { $secret: { ref: 'env:X', fingerprint: 'abcdef0123456789' } },
    });
    const text = renderPlanText(planOf([step, ...representativePlan().steps]), { color: false });
    expect(text).toContain('      + configuration.userIdentities.A.password: (sensitive)\n');
    expect(text).toContain('      + configuration.parameters.Token.value: (sensitive)\n');
    expect(text).toContain('      + configuration.parameters.Depth.value: "10"\n');
    expect(text).toContain('      + secretish: (sensitive)\n');
    expect(text).toContain('      ~ configuration.parameters.Password.value: (sensitive) → (sensitive)\n');
    for (const v of [...SECRET_VALUES, 'plain-password-under-sensitive-path', 'plain-value-beside-sensitive-true']) expect(text).not.toContain(v);
    expect(reveal).not.toHaveBeenCalled();
  });

  it('shows a Secret as (sensitive) wherever it sits, even where no sensitive path or flag says so', () => {
    const secret = new Secret('env:ANYWHERE', 'value-somewhere-unexpected', 'ef'.repeat(32));
    const step = createStep('groups', 'G', { a: asLeaf(secret), b: [{ c: asLeaf(secret) }], d: { e: [asLeaf(secret)] } });
    const text = renderPlanText(planOf([step]), { color: false });
    expect(text).toContain('      + a: (sensitive)\n');
    expect(text).toContain('      + b[0]: {c: (sensitive)}\n');
    expect(text).toContain('      + d.e: [(sensitive)]\n');
    expect(text).not.toContain('value-somewhere-unexpected');
  });

  it('cuts long values to the width, and the cost does not grow with the value', () => {
    const huge = 'x'.repeat(1_000_000);
    const step = updateStep('fields', 'f', { description: 'short' }, { description: huge }, [{ path: 'description', from: 'short', to: huge }], [], {});
    const text = renderPlanText(planOf([step]), { color: false, width: 80 });
    expect(text.length).toBeLessThan(2_000);
    expect(text).toMatch(/\+ "x+…\n/);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('puts a long change on two lines, and a short one on one', () => {
    const long = `"${'y'.repeat(90)}"`;
    const step = updateStep('fields', 'f', { a: 1, d: 'short' }, { a: 2, d: long }, [{ path: 'a', from: 1, to: 2 }, { path: 'd', from: 'short', to: long }], []);
    const text = renderPlanText(planOf([step]), { color: false, width: 100 });
    expect(text).toContain('      ~ a: 1 → 2\n');
    expect(text).toContain('      ~ d:\n          - "short"\n          + ');
  });

  it('escapes control characters and line breaks in names, notes, reasons and warnings', () => {
    const evil = 'evil\u001b[2J\nname\u202e';
    const step = replaceStep('fields', evil, { type: 'A' }, { type: evil }, [{ path: 'type', from: 'A', to: evil }], `reason ${evil}`, { notes: [`note ${evil}`] });
    const plan = planOf([step], { warnings: [{ code: 'w', message: `warning ${evil}` }] });
    for (const color of [false, true]) {
      const text = renderPlanText(plan, { color });
      // eslint-disable-next-line no-control-regex -- the point: no control character reaches the terminal.
      expect(stripAnsi(text)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
      expect(text).toContain('evil\\u001b[2J\\nname\\u202e');
    }
  });

  it('names the organization and gives a legend of the symbols used', () => {
    const text = renderPlanText(planOf([deleteStep('groups', 'G', {})]), { color: false });
    expect(text.split('\n').slice(0, 2)).toEqual(['coveo-sync will make these changes in organization "acmeproduction7x2k":', '  - delete']);
  });
});

describe('renderDriftText', () => {
  const input = { color: false, live: representativeLive(), unmanaged: representativeUnmanaged() };

  it('matches the golden file', async () => {
    await expect(renderDriftText(representativePlan(), input)).toMatchFileSnapshot('../../golden/drift.txt');
  });

  it('reads each update as "files say X, Coveo has Y"', () => {
    const text = renderDriftText(representativePlan(), input);
    expect(text).toContain('  ~ field "productcategory"\n      facet: files say true, Coveo has false\n');
    expect(text).toContain('      label: files say (not set), Coveo has "Category"\n');
  });

  it('lists undeclared live resources as a list, not as deletes', () => {
    const text = renderDriftText(representativePlan(), input);
    expect(text).toContain('In Coveo but not in the files\n');
    expect(text).toContain('  - groups/Partners (id g-0077)\n');
    expect(text).toContain('  - groups/Old team (id g-0042) (prune is on: apply deletes it)\n');
  });

  it('lists API key status problems with what to do', () => {
    const text = renderDriftText(representativePlan(), input);
    expect(text).toContain('  ! API key "storefront-search" (id k-7f3a9c): EXPIRED — the key has expired');
    expect(text).toContain('DISABLED_EXPOSED — Coveo disabled the key because its value was exposed publicly');
    expect(text).not.toContain('ok-key');
  });

  it('does not show a sensitive value as drift, only that the files changed it', () => {
    const text = renderDriftText(representativePlan(), input);
    expect(text).toContain('configuration.parameters.Password.value: (sensitive) — the files hold a different value than the last apply sent');
    for (const v of SECRET_VALUES) expect(text).not.toContain(v);
  });

  it('says there is no drift when nothing differs', () => {
    expect(renderDriftText(planOf([]), { color: false })).toBe('No drift. The organization matches the configuration.\n');
  });

  it('counts a status problem alone as drift', () => {
    const text = renderDriftText(planOf([]), { color: false, live: representativeLive() });
    expect(text.trimEnd().split('\n').at(-1)).toBe('Drift: 0 changed, 0 missing, 0 not in the files, 2 status problems.');
  });
});
