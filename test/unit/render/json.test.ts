/* eslint-disable @typescript-eslint/no-explicit-any -- these tests mutate parsed JSON documents of any shape. */
import { describe, expect, it } from 'vitest';
import { planChanges } from '../../../src/core/plan-changes.js';
import { serializePlanFile } from '../../../src/core/plan-file.js';
import { Secret } from '../../../src/core/secret.js';
import { buildDesiredState } from '../../../src/core/state.js';
import { toRemoteId, toResourceKey, type LiveResource, type Plan } from '../../../src/core/types.js';
import { ConfigError, UsageError } from '../../../src/errors.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { renderDriftJson, renderPlanJson } from '../../../src/render/json.js';
import { asLeaf, createStep, planOf, representativeLive, representativePlan, representativeUnmanaged, SECRET_VALUES } from './plan-builder.js';
import { allStrings, schemaErrors } from './support.js';

const parse = (s: string): Record<string, any> => JSON.parse(s) as Record<string, any>;

/** A plan made by the real planner: creates with a secret and references, an update with a patch, a replace, a delete. */
function plannerPlan(): Plan {
  const secret = new Secret('env:DOCS_PASSWORD', SECRET_VALUES[0], 'ab'.repeat(32));
  const desired = buildDesiredState(
    {
      fields: [{ written: { name: 'productcategory', type: 'STRING', facet: true } }, { written: { name: 'legacyid', type: 'LONG' } }, { written: { name: 'brandnew', type: 'STRING' } }],
      sources: [
        {
          written: {
            name: 'Product docs',
            sourceType: 'WEB2',
            sourceVisibility: 'SECURED',
            securityProviders: ['Intranet Email'],
            configuration: { startingAddresses: ['https://docs.example.com/'], parameters: { Password: { sensitive: true, value: asLeaf(secret) } } },
          },
        },
      ],
      securityProviders: [{ written: { id: 'Intranet Email', type: 'EMAIL' } }],
      groups: [{ written: { displayName: 'Editors', privileges: [{ owner: 'PLATFORM', targetDomain: 'SOURCE', type: 'EDIT', target: { source: 'Product docs' } }] } }],
    },
    SPECS,
  );
  const live = (key: string, attrs: Record<string, unknown>): LiveResource => ({ kind: 'fields', key: toResourceKey(key), remoteId: toRemoteId(key), attrs: attrs as never, etag: `etag-${key}` });
  const fieldsLive = [
    live('productcategory', { ...SPECS.fields.normalizeDesired({ name: 'productcategory', type: 'STRING' }) }),
    live('legacyid', { ...SPECS.fields.normalizeDesired({ name: 'legacyid', type: 'STRING' }) }),
    live('oldfield', { ...SPECS.fields.normalizeDesired({ name: 'oldfield', type: 'STRING' }) }),
  ];
  const { plan } = planChanges(desired, { fields: fieldsLive, sources: [], securityProviders: [], groups: [] }, {
    specs: SPECS,
    organizationId: 'org1',
    kinds: ['securityProviders', 'fields', 'sources', 'groups'],
    prune: true,
    protect: [],
    ignore: {},
    allowMassDelete: true,
    salt: 'salt',
    hash: (t) => `h${t.length}`,
    fingerprint: () => 'f',
  });
  return plan;
}

describe('renderPlanJson', () => {
  it('matches the golden file', async () => {
    await expect(renderPlanJson(representativePlan())).toMatchFileSnapshot('../../golden/plan.json');
  });

  it('validates against schemas/plan.schema.json', () => {
    expect(schemaErrors(parse(renderPlanJson(representativePlan())))).toEqual([]);
    expect(schemaErrors(parse(renderPlanJson(planOf([]))))).toEqual([]);
  });

  it('is the versioned envelope, pretty and ending with a newline', () => {
    const text = renderPlanJson(representativePlan());
    expect(text.startsWith('{\n  "version": 1,\n  "status": "changes",\n  "plan": {\n    "version": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parse(renderPlanJson(planOf([]))).status).toBe('no_changes');
  });

  it('carries the planner output whole: every field of every step, nothing dropped or added', () => {
    const plan = plannerPlan();
    expect(new Set(plan.steps.map((s) => s.action))).toEqual(new Set(['create', 'update', 'replace', 'delete']));
    expect(plan.steps.some((s) => s.action !== 'delete' && s.refs.some((r) => r.remoteId === null))).toBe(true);
    const out = parse(renderPlanJson(plan));
    expect(schemaErrors(out)).toEqual([]);
    expect(JSON.stringify(out)).toContain('"$secret"');
    const { checksum, ...content } = out.plan as Record<string, unknown>;
    expect(content).toEqual(JSON.parse(JSON.stringify(plan)));
    expect(checksum).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(out)).not.toContain(SECRET_VALUES[0]);
  });

  it('is deterministic: the order keys were built in does not matter', () => {
    const plan = representativePlan();
    const reversed = (v: unknown): unknown => {
      if (v instanceof Secret || v === null || typeof v !== 'object') return v;
      if (Array.isArray(v)) return v.map(reversed);
      return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversed(x)]));
    };
    const shuffled = reversed(plan) as Plan;
    expect(renderPlanJson(shuffled)).toBe(renderPlanJson(plan));
    expect(renderPlanJson(plan)).toBe(renderPlanJson(representativePlan()));
  });

  it('writes secrets only as {$secret: {ref, fingerprint}}', () => {
    const out = parse(renderPlanJson(representativePlan()));
    const strings = allStrings(out);
    for (const v of SECRET_VALUES) expect(strings.some((s) => s.includes(v))).toBe(false);
    const step = out.plan.steps.find((s: { id: string }) => s.id === 'Intranet Directory');
    expect(step.after.parameters.BindPassword.value).toEqual({ $secret: { fingerprint: '24abab9561811c34f5b680bd45e18d47e86c03f141918a7993fe05f245df4592', ref: 'env:LDAP_BIND_PASSWORD' } });
  });

  it('renders an error as {status: "error", error: {code, message}}, with config issues when there are some', () => {
    const out = parse(renderPlanJson(new UsageError('Bad flag.', 'usage_invalid')));
    expect(out).toEqual({ version: 1, status: 'error', error: { code: 'usage_invalid', message: 'Bad flag.' } });
    expect(schemaErrors(out)).toEqual([]);
    const issues = [{ severity: 'error' as const, code: 'schema', message: 'unknown key', path: 'fields[0].nmae', position: { file: 'a.yaml', line: 3, column: 5 } }];
    const withIssues = parse(renderPlanJson(new ConfigError(issues)));
    expect(withIssues.error.issues).toEqual(issues);
    expect(schemaErrors(withIssues)).toEqual([]);
  });
});

describe('renderDriftJson', () => {
  it('adds status problems and unmanaged objects to the plan, and validates', () => {
    const out = parse(renderDriftJson(representativePlan(), { live: representativeLive(), unmanaged: representativeUnmanaged() }));
    expect(schemaErrors(out)).toEqual([]);
    expect(out.status).toBe('changes');
    expect(out.drift.statusProblems.map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(['legacy-import:DISABLED_EXPOSED', 'storefront-search:EXPIRED']);
    expect(out.drift.unmanaged.map((u: { label: string }) => u.label)).toEqual(['Analytics export', 'Old integration']);
  });

  it('is no_changes when nothing differs, and changes for a status problem alone', () => {
    expect(parse(renderDriftJson(planOf([]))).status).toBe('no_changes');
    expect(parse(renderDriftJson(planOf([]), { live: representativeLive() })).status).toBe('changes');
  });
});

describe('schemas/plan.schema.json', () => {
  const valid = (): Record<string, any> => parse(renderPlanJson(representativePlan()));

  it('also describes a saved plan file (the bare plan)', () => {
    expect(schemaErrors(JSON.parse(serializePlanFile(representativePlan())))).toEqual([]);
    expect(schemaErrors(JSON.parse(serializePlanFile(representativePlan())), 'plan')).toEqual([]);
  });

  it('accepts the apply envelopes the CLI prints', () => {
    expect(schemaErrors({ version: 1, status: 'ok', result: { ok: true } })).toEqual([]);
    expect(schemaErrors({ version: 1, status: 'error', result: { ok: false } })).toEqual([]);
    expect(schemaErrors({ version: 1, status: 'no_changes' })).toEqual([]);
  });

  it.each([
    ['a secret reference that also carries a value', (d: any) => (d.plan.steps[0].after.parameters.BindPassword.value.$secret.value = 'x')],
    ['a secret reference without a fingerprint', (d: any) => delete d.plan.steps[0].after.parameters.BindPassword.value.$secret.fingerprint],
    ['an unknown action', (d: any) => (d.plan.steps[0].action = 'upsert')],
    ['an unknown kind', (d: any) => (d.plan.steps[0].kind = 'widgets')],
    ['a replace without its reason', (d: any) => delete d.plan.steps.find((s: any) => s.action === 'replace').reason],
    ['an update without its patch', (d: any) => delete d.plan.steps.find((s: any) => s.action === 'update').patch],
    ['a patch "add" without a value', (d: any) => delete d.plan.steps.find((s: any) => s.action === 'update').patch[0].value],
    ['an unknown step field', (d: any) => (d.plan.steps[0].extra = 1)],
    ['a negative wave', (d: any) => (d.plan.steps[0].wave = -1)],
    ['a version 2 envelope', (d: any) => (d.version = 2)],
    ['status changes without a plan', (d: any) => delete d.plan],
    ['an error envelope without an error', (d: any) => ((d.status = 'error'), delete d.plan)],
    ['an ok envelope with an error', (d: any) => Object.assign(d, { status: 'ok', result: {}, error: { code: 'x', message: 'y' } })],
    ['a live fingerprint keyed by something other than an address', (d: any) => (d.plan.basis.live['nokind'] = 'e')],
  ])('rejects %s', (_name, mutate) => {
    const d = valid();
    mutate(d);
    expect(schemaErrors(d)).not.toEqual([]);
  });
});

describe('secrets in the JSON output', () => {
  it('no string anywhere in the output equals or contains a secret value, however deep the secret sits', () => {
    const deep = new Secret('env:DEEP', 'deep-secret-value-7f7f', 'cd'.repeat(32));
    const step = createStep('sources', 'Deep', { configuration: { a: [{ b: { c: [asLeaf(deep)] } }] } });
    const text = renderPlanJson(planOf([step]));
    expect(text).not.toContain('deep-secret-value-7f7f');
    expect(parse(text).plan.steps[0].after.configuration.a[0].b.c[0]).toEqual({ $secret: { fingerprint: 'cd'.repeat(32), ref: 'env:DEEP' } });
    expect(schemaErrors(parse(text))).toEqual([]);
  });
});
