/** The renderer table, and what holds for every renderer: secrets never appear, output ends with a newline, cost is linear. */
import { describe, expect, it, vi } from 'vitest';
import { serializePlanFile } from '../../../src/core/plan-file.js';
import { Secret } from '../../../src/core/secret.js';
import { isOutputFormat, OUTPUT_FORMATS, RENDERERS, renderDrift, renderPlan } from '../../../src/render/index.js';
import { largePlan, planOf, representativeLive, representativePlan, representativeUnmanaged, SECRET_VALUES } from './plan-builder.js';

const driftInput = { live: representativeLive(), unmanaged: representativeUnmanaged() };

/** Every output the renderers can make of the representative plan. */
function allOutputs(): [string, string][] {
  const plan = representativePlan();
  const out: [string, string][] = [['plan file', serializePlanFile(plan)]];
  for (const format of OUTPUT_FORMATS) {
    for (const color of [false, true]) {
      out.push([`${format} plan color=${color}`, renderPlan(format, plan, { color })]);
      out.push([`${format} drift color=${color}`, renderDrift(format, plan, { color, ...driftInput })]);
    }
  }
  return out;
}

describe('the renderer table', () => {
  it('has a plan and a drift renderer for each format', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...OUTPUT_FORMATS].sort());
    expect(isOutputFormat('markdown')).toBe(true);
    expect(isOutputFormat('yaml')).toBe(false);
  });

  it.each(OUTPUT_FORMATS)('%s output ends with exactly one newline, for a plan, an empty plan and drift', (format) => {
    for (const text of [renderPlan(format, representativePlan(), { color: false }), renderPlan(format, planOf([]), { color: false }), renderDrift(format, representativePlan(), { color: false, ...driftInput })]) {
      expect(text.endsWith('\n')).toBe(true);
      expect(text.endsWith('\n\n')).toBe(false);
    }
  });

  it('dispatches to the named renderer', () => {
    expect(renderPlan('json', representativePlan(), { color: true }).startsWith('{\n  "version": 1,')).toBe(true);
    expect(renderPlan('markdown', representativePlan(), { color: true }).startsWith('<!-- coveo-sync:plan -->')).toBe(true);
    expect(renderPlan('text', representativePlan(), { color: false }).startsWith('coveo-sync will make these changes')).toBe(true);
    expect(renderDrift('markdown', representativePlan(), { color: false }).startsWith('<!-- coveo-sync:drift -->')).toBe(true);
  });
});

describe('secrets', () => {
  it('never appear in any output, and no renderer reveals a Secret', () => {
    const reveal = vi.spyOn(Secret.prototype, 'reveal');
    for (const [name, text] of allOutputs()) {
      for (const v of SECRET_VALUES) expect(text.includes(v), `${name} shows ${v}`).toBe(false);
    }
    expect(reveal).not.toHaveBeenCalled();
  });

  it('are shown by reference where the format keeps data, and as (sensitive) where it is for people', () => {
    for (const [name, text] of allOutputs()) {
      if (name.startsWith('json') || name === 'plan file') expect(text, name).toContain('"$secret"');
      else if (!name.includes('drift')) expect(text, name).toContain('(sensitive)');
    }
  });
});

describe('large plans', () => {
  it('render 7,000 steps in every format, in linear size', () => {
    const small = largePlan(3500);
    const big = largePlan(7000);
    for (const format of ['text', 'json'] as const) {
      const a = renderPlan(format, small, { color: false }).length;
      const b = renderPlan(format, big, { color: false }).length;
      expect(b / a, format).toBeGreaterThan(1.9);
      expect(b / a, format).toBeLessThan(2.1);
    }
    expect(renderPlan('markdown', big, { color: false }).length).toBeLessThan(65_000);
    expect(renderDrift('text', big, { color: false }).split('\n').length).toBeGreaterThan(7000);
  });
});
