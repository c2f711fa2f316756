/* eslint-disable @typescript-eslint/no-explicit-any -- these tests mutate parsed JSON documents of any shape. */
/**
 * The saved plan file (src/core/plan-file.ts): round trip and every way a file can be wrong. Kept beside
 * the renderer tests because the file is the JSON renderer's plan, in the same canonical form.
 */
import { describe, expect, it } from 'vitest';
import { parsePlanFile, serializePlanFile, toPlanData } from '../../../src/core/plan-file.js';
import { isSecret, isSecretJson } from '../../../src/core/secret.js';
import { exitCodeOf, isSyncError, UsageError } from '../../../src/errors.js';
import { renderPlanJson } from '../../../src/render/json.js';
import { renderPlanText } from '../../../src/render/human.js';
import { planOf, representativePlan, SECRET_VALUES } from './plan-builder.js';
import { schemaErrors } from './support.js';

const SOURCE = 'plans/prod.json';

/** The error a parse throws (the test fails if it does not throw). */
function failureOf(text: string): UsageError {
  try {
    parsePlanFile(text, SOURCE);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('parsePlanFile accepted the text');
}

const validData = (): Record<string, any> => JSON.parse(serializePlanFile(representativePlan())) as Record<string, any>;
const textOf = (d: unknown): string => JSON.stringify(d, null, 2);

describe('serializePlanFile / parsePlanFile', () => {
  it('round-trips: parse(serialize(plan)) serializes to the same text', () => {
    const text = serializePlanFile(representativePlan());
    const parsed = parsePlanFile(text, SOURCE);
    expect(serializePlanFile(parsed)).toBe(text);
    expect(parsed).toEqual(toPlanData(representativePlan()));
  });

  it('writes canonical JSON (two spaces, newline) that validates against the plan schema and holds no secret value', () => {
    const text = serializePlanFile(representativePlan());
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "version": 1,');
    expect(schemaErrors(JSON.parse(text), 'plan')).toEqual([]);
    for (const v of SECRET_VALUES) expect(text).not.toContain(v);
  });

  it('keeps secrets as {$secret: {ref, fingerprint}} objects for the CLI to rehydrate', () => {
    const parsed = parsePlanFile(serializePlanFile(representativePlan()), SOURCE);
    const step = parsed.steps.find((s) => s.id === 'Intranet Directory');
    const value = step && step.action === 'create' ? (step.after['parameters'] as any).BindPassword.value : undefined;
    expect(isSecretJson(value)).toBe(true);
    expect(isSecret(value)).toBe(false);
    expect(value.$secret.ref).toBe('env:LDAP_BIND_PASSWORD');
  });

  it('renders the same after a round trip', () => {
    const parsed = parsePlanFile(serializePlanFile(representativePlan()), SOURCE);
    expect(renderPlanText(parsed, { color: false })).toBe(renderPlanText(representativePlan(), { color: false }));
  });

  it('also reads the envelope printed by `plan --format json`', () => {
    const parsed = parsePlanFile(renderPlanJson(representativePlan()), SOURCE);
    expect(serializePlanFile(parsed)).toBe(serializePlanFile(representativePlan()));
  });

  it('accepts a UTF-8 byte order mark and an empty plan', () => {
    expect(parsePlanFile(`\uFEFF${serializePlanFile(planOf([]))}`, SOURCE).steps).toEqual([]);
  });
});

describe('parsePlanFile failures', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty file', '', /the file is empty/],
    ['a file cut short', serializePlanFile(representativePlan()).slice(0, 900), /not valid JSON: the file ends too early \(was it cut short\?\)/],
    ['text that is not JSON', 'Plan: 3 to add, 0 to change.', /not valid JSON: Unexpected token/],
    ['trailing garbage', `${serializePlanFile(planOf([]))}x`, /not valid JSON at line \d+, column \d+/],
    ['a JSON array', '[]', /expected a JSON object, found an array/],
    ['no version', textOf({ ...validData(), version: undefined }), /no "version" field: this is not a coveo-sync plan file/],
    ['a newer version', textOf({ ...validData(), version: 2 }), /made by a newer coveo-sync \(plan version 2; this coveo-sync reads version 1\)\. Upgrade coveo-sync/],
    ['a version as a string', textOf({ ...validData(), version: '1' }), /"version" must be the integer 1, found "1"/],
    ['version 0', textOf({ ...validData(), version: 0 }), /"version" must be the integer 1, found 0/],
    ['an envelope of a newer version', textOf({ version: 1, status: 'changes', plan: { ...validData(), version: 3 } }), /"plan\.version".*newer coveo-sync|newer coveo-sync \(plan version 3/],
    ['the output of a failed run', textOf({ version: 1, status: 'error', error: { code: 'x', message: 'y' } }), /output of a failed run/],
    ['an envelope without a plan', textOf({ version: 1, status: 'no_changes' }), /holds no plan/],
  ];
  it.each(cases)('refuses %s with a clear message', (_name, text, message) => {
    const e = failureOf(text);
    expect(e.code).toBe('plan_file_invalid');
    expect(e.message.startsWith(`${SOURCE}: `)).toBe(true);
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n\s+at /);
    expect(isSyncError(e)).toBe(true);
    expect(exitCodeOf(e)).toBe(3);
  });

  const mutations: [string, (d: any) => void, string][] = [
    ['a missing basis', (d) => delete d.basis, 'basis is missing'],
    ['a missing steps list', (d) => delete d.steps, 'steps is missing'],
    ['a missing organization', (d) => delete d.basis.organizationId, 'basis.organizationId is missing'],
    ['steps that are not a list', (d) => (d.steps = {}), 'steps must be an array, found an object'],
    ['a wave as text', (d) => (d.steps[0].wave = '1'), 'steps[0].wave must be a whole number ≥ 0, found "1"'],
    ['an unknown action', (d) => (d.steps[1].action = 'upsert'), 'steps[1].action must be one of "create", "update", "replace", "delete", found "upsert"'],
    ['an unknown kind', (d) => (d.steps[0].kind = 'widgets'), 'steps[0].kind must be one of "securityProviders"'],
    ['an unknown risk', (d) => (d.steps[0].risk = 'low'), 'steps[0].risk must be one of "safe", "destructive", "security", found "low"'],
    ['a replace without its reason', (d) => delete d.steps.find((s: any) => s.action === 'replace').reason, '.reason is missing'],
    ['an update without a remote id', (d) => delete d.steps.find((s: any) => s.action === 'update').remoteId, '.remoteId is missing'],
    ['attributes that are not an object', (d) => (d.steps[0].after = 'x'), 'steps[0].after must be an object, found "x"'],
    ['a malformed secret reference', (d) => (d.steps[0].after.parameters.BindPassword.value.$secret.value = 'leak'), 'steps[0].after.parameters.BindPassword.value must be a secret reference'],
    ['a bad patch operation', (d) => (d.steps.find((s: any) => s.action === 'update').patch[0].op = 'move'), '.op must be one of "add", "remove", "replace", found "move"'],
    ['a patch path that is not a pointer', (d) => (d.steps.find((s: any) => s.action === 'update').patch[0].path = 'facet'), 'must be a JSON pointer'],
    ['an unknown field', (d) => (d.steps[0].extra = true), 'steps[0].extra is not a plan field'],
    ['a dependency that is not an address', (d) => (d.steps[0].dependsOn = ['Intranet Email']), 'steps[0].dependsOn[0] must be an address KIND/ID'],
    ['a reference id that is a number', (d) => (d.steps[0].refs[0].remoteId = 7), 'steps[0].refs[0].remoteId must be a string or null, found 7'],
    ['a summary that disagrees with the steps', (d) => (d.summary.add = 99), 'summary.add is 99 but the steps have 5'],
    ['the same resource twice', (d) => d.steps.push(d.steps[0]), 'is a second step for securityProviders/Intranet Directory'],
  ];
  it.each(mutations)('refuses %s, naming the field', (_name, mutate, expected) => {
    const d = validData();
    mutate(d);
    const e = failureOf(textOf(d));
    expect(e.code).toBe('plan_file_invalid');
    expect(e.message).toContain(`${SOURCE}: not a valid coveo-sync plan: `);
    expect(e.message).toContain(expected);
  });

  it('says a file cut anywhere was cut short', () => {
    const text = serializePlanFile(representativePlan());
    for (const at of [1, 10, 333, 901, 1777, 4000, text.length - 3]) {
      expect(failureOf(text.slice(0, at)).message, `cut at ${at}`).toMatch(/the file ends too early \(was it cut short\?\)/);
    }
  });

  it('prefixes problems inside an envelope with plan.', () => {
    const d = validData();
    delete d.basis;
    expect(failureOf(textOf({ version: 1, status: 'changes', plan: d })).message).toContain('plan.basis is missing');
  });

  it('lists several problems at once, and says how many more there are', () => {
    const d = validData();
    for (const s of d.steps) s.wave = 'x';
    const message = failureOf(textOf(d)).message;
    expect(message.match(/must be a whole number/g)?.length).toBe(8);
    expect(message).toContain(`and ${d.steps.length - 8} more`);
  });
});
