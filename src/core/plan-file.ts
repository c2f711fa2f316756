/**
 * The saved plan (`plan --out`, `apply PLAN_FILE`): its canonical JSON form and a strict reader.
 * Pure: text in, Plan out; the CLI reads and writes the file.
 *
 * The file holds the Plan itself, `{version: 1, basis, steps, summary, warnings, undeclared}`, described by
 * `$defs/plan` of `schemas/plan.schema.json`. The reader also takes the JSON envelope `plan --format json`
 * prints, so either output can be applied. Secrets are stored as `{$secret: {ref, fingerprint}}` and stay
 * that way in the parsed plan; the CLI reads each value again and checks its fingerprint.
 *
 * Model: A1 `getPublishPlan.ts` (`CURRENT_PUBLISH_PLAN_VERSION`, `readPlanFile`); old files stay
 * loadable or fail clearly (style guide §11).
 */
import { UsageError } from '../errors.js';
import { compareStrings, isPlainObject, stableStringify, type JsonObject, type JsonValue } from './json.js';
import { isSecret, isSecretJson } from './secret.js';
import { sha256Hex } from './sha256.js';
import { PLAN_VERSION, RESOURCE_KINDS, type Plan, type PlanStep } from './types.js';

export const PLAN_FILE_ERROR = 'plan_file_invalid';
/** Deepest nesting a plan's attribute values may have (the loader allows 64 levels of configuration). */
export const MAX_PLAN_DEPTH = 100;

/**
 * Plain JSON copy of a value with object keys sorted and `undefined` dropped; a `Secret` becomes its
 * `{$secret}` form (through `toJSON`), so no value can ever reach the output.
 */
export function canonicalJson(value: unknown): JsonValue {
  if (isSecret(value)) return canonicalJson(value.toJSON());
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map((v: unknown) => (v === undefined ? null : canonicalJson(v)));
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (typeof value === 'object') {
    // Like JSON.stringify, any other object is its own enumerable properties.
    const o = value as Record<string, unknown>;
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(o).sort(compareStrings)) {
      const v = o[k];
      if (v !== undefined && typeof v !== 'function' && typeof v !== 'symbol') out[k] = canonicalJson(v);
    }
    return out;
  }
  // Functions, symbols, bigints: never plan data.
  return null;
}

function canonicalStep(s: PlanStep): JsonObject {
  const head = { kind: s.kind, id: s.id, action: s.action, risk: s.risk, wave: s.wave, dependsOn: [...s.dependsOn], notes: [...s.notes] };
  const refs = (r: readonly { kind: string; key: string; path: string; remoteId: string | null }[]): JsonValue[] =>
    r.map((x) => ({ kind: x.kind, key: x.key, path: x.path, remoteId: x.remoteId }));
  const changes = (c: Extract<PlanStep, { changes: unknown }>['changes']): JsonValue[] =>
    c.map((x) => ({
      path: x.path,
      ...(x.from === undefined ? {} : { from: canonicalJson(x.from) }),
      ...(x.to === undefined ? {} : { to: canonicalJson(x.to) }),
      ...(x.isSensitive === undefined ? {} : { isSensitive: x.isSensitive }),
    }));
  switch (s.action) {
    case 'create':
      return { ...head, refs: refs(s.refs), after: canonicalJson(s.after) };
    case 'update':
      return {
        ...head,
        remoteId: s.remoteId,
        changes: changes(s.changes),
        patch: s.patch.map((o) => ({ op: o.op, path: o.path, ...(o.value === undefined ? {} : { value: canonicalJson(o.value) }) })),
        refs: refs(s.refs),
        before: canonicalJson(s.before),
        after: canonicalJson(s.after),
      };
    case 'replace':
      return { ...head, remoteId: s.remoteId, reason: s.reason, changes: changes(s.changes), refs: refs(s.refs), before: canonicalJson(s.before), after: canonicalJson(s.after) };
    case 'delete':
      return { ...head, remoteId: s.remoteId, before: canonicalJson(s.before) };
  }
}

/**
 * The plan as plain JSON data in a fixed shape: fixed key order for the plan and its steps, sorted keys
 * inside resource attributes, secrets as `{$secret}`. Equal plans give equal data.
 */
export function toPlanData(plan: Plan): JsonObject {
  const live: Record<string, string> = {};
  for (const k of Object.keys(plan.basis.live).sort(compareStrings)) {
    const v = plan.basis.live[k];
    if (v !== undefined) live[k] = v;
  }
  const data: JsonObject = {
    version: plan.version,
    basis: { organizationId: plan.basis.organizationId, config: plan.basis.config, kinds: [...plan.basis.kinds], live, salt: plan.basis.salt },
    summary: { add: plan.summary.add, change: plan.summary.change, replace: plan.summary.replace, destroy: plan.summary.destroy, unchanged: plan.summary.unchanged },
    steps: plan.steps.map(canonicalStep),
    warnings: plan.warnings.map((w) => ({ code: w.code, message: w.message, ...(w.address === undefined ? {} : { address: w.address }) })),
    undeclared: plan.undeclared.map((u) => ({ kind: u.kind, id: u.id, remoteId: u.remoteId })),
  };
  return { ...data, checksum: checksumOf(data) };
}

/**
 * `sha256:` and the SHA-256 of the plan's content in a canonical form (sorted keys, no whitespace), so
 * reformatting the file keeps it valid while any change to what it says does not. It detects edits and
 * damage; it is not a signature (whoever can write the file can compute it again).
 */
export function checksumOf(data: Readonly<Record<string, unknown>>): string {
  return `sha256:${sha256Hex(stableStringify(data))}`;
}


/** The text of a plan file: canonical JSON, two-space indent, final newline. */
export function serializePlanFile(plan: Plan): string {
  return `${JSON.stringify(toPlanData(plan), null, 2)}\n`;
}

/**
 * Parses and checks a plan file's text. Every problem (not JSON, cut short, a version this coveo-sync
 * does not know, a missing or mistyped field) is a `UsageError` with code `plan_file_invalid` whose
 * message names `source` and what is wrong.
 *
 * @param text the file's content
 * @param source how to name the file in messages (the path the user gave)
 */
export function parsePlanFile(text: string, source: string): Plan {
  const fail = (what: string): never => {
    throw new UsageError(`${source}: ${what}`, PLAN_FILE_ERROR, { source });
  };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') fail('the file is empty; save a plan with `coveo-sync plan --out FILE`.');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    fail(describeJsonError(body, e));
  }
  if (!isPlainObject(data)) fail(`not a coveo-sync plan: expected a JSON object, found ${typeName(data)}.`);
  const root = data as Record<string, unknown>;
  checkVersion(root['version'], 'version', fail);
  let planData: Record<string, unknown> = root;
  let prefix = '';
  if (!('steps' in root) && ('status' in root || 'plan' in root)) {
    // The envelope printed by `plan --format json`.
    if (root['status'] === 'error') fail('this is the output of a failed run (status "error"), not a plan; plan again.');
    if (!isPlainObject(root['plan'])) fail('this JSON output holds no plan (no "plan" object); save a plan with `coveo-sync plan --out FILE`.');
    planData = root['plan'] as Record<string, unknown>;
    prefix = 'plan.';
    checkVersion(planData['version'], 'plan.version', fail);
  }
  const problems: string[] = [];
  checkPlan(planData, prefix, problems);
  if (problems.length > 0) {
    const shown = problems.slice(0, 8).join('; ');
    const more = problems.length > 8 ? `; and ${problems.length - 8} more` : '';
    fail(`not a valid coveo-sync plan: ${shown}${more}. Was the file edited? Save the plan again with \`coveo-sync plan --out FILE\`.`);
  }
  const { checksum, ...content } = planData;
  if (checksum !== checksumOf(content)) {
    fail(`${prefix}checksum does not match the plan's content: the file was edited or damaged after coveo-sync wrote it, so it is not the plan that was reviewed. Plan again with \`coveo-sync plan --out FILE\`.`);
  }
  // Validated above: the shapes match the Plan type, ids are branded here (style guide §3).
  return planData as unknown as Plan;
}

function checkVersion(v: unknown, where: string, fail: (what: string) => never): void {
  if (v === undefined) fail(`no "${where}" field: this is not a coveo-sync plan file (save one with \`coveo-sync plan --out FILE\`).`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(`"${where}" must be the integer ${PLAN_VERSION}, found ${describeFound(v)}.`);
  if (v > PLAN_VERSION) {
    fail(`made by a newer coveo-sync (plan version ${v}; this coveo-sync reads version ${PLAN_VERSION}). Upgrade coveo-sync to apply it, or plan again with this version.`);
  }
}

function describeJsonError(text: string, e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const at = /position (\d+)/.exec(raw);
  const pos = at?.[1] === undefined ? undefined : Number(at[1]);
  // A parse that fails at the very end of the text means the text stops early.
  if (/unexpected end of JSON input/i.test(raw) || (pos !== undefined && pos >= text.trimEnd().length)) {
    return 'not valid JSON: the file ends too early (was it cut short?). Save the plan again with `coveo-sync plan --out FILE`.';
  }
  // V8 quotes the start of the input in its message; keep only the reason.
  const reason = raw.replace(/,\s*".*"\s*is not valid JSON$/s, '').replace(/\s+in JSON at position \d+.*$/s, '');
  let where = '';
  if (pos !== undefined) {
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    where = ` at line ${line}, column ${pos - before.lastIndexOf('\n')}`;
  }
  return `not valid JSON${where}: ${reason.slice(0, 120)}. Is this a plan saved with \`coveo-sync plan --out FILE\`?`;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function describeFound(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return typeName(v);
}

// ---- structural checks (hand-written: the core imports no validator) ------------------------------

type Problems = string[];
type Check = (v: unknown, at: string, p: Problems) => void;

const KIND_SET: ReadonlySet<string> = new Set(RESOURCE_KINDS);
const ACTIONS = ['create', 'update', 'replace', 'delete'] as const;
const RISKS = ['safe', 'destructive', 'security'] as const;
const PATCH_OPS = ['add', 'remove', 'replace'] as const;

const isString: Check = (v, at, p) => {
  if (typeof v !== 'string') p.push(`${at} must be a string, found ${describeFound(v)}`);
};
const isNonEmptyString: Check = (v, at, p) => {
  if (typeof v !== 'string' || v === '') p.push(`${at} must be a non-empty string, found ${describeFound(v)}`);
};
const isCount: Check = (v, at, p) => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) p.push(`${at} must be a whole number ≥ 0, found ${describeFound(v)}`);
};
const isBoolean: Check = (v, at, p) => {
  if (typeof v !== 'boolean') p.push(`${at} must be true or false, found ${describeFound(v)}`);
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, at, p) => {
    if (typeof v !== 'string' || !values.includes(v)) p.push(`${at} must be one of ${values.map((x) => `"${x}"`).join(', ')}, found ${describeFound(v)}`);
  };
const isKind = oneOf(RESOURCE_KINDS);
const isAddress: Check = (v, at, p) => {
  const slash = typeof v === 'string' ? v.indexOf('/') : -1;
  if (typeof v !== 'string' || slash < 1 || slash === v.length - 1 || !KIND_SET.has(v.slice(0, slash))) {
    p.push(`${at} must be an address KIND/ID with KIND one of ${RESOURCE_KINDS.join(', ')}, found ${describeFound(v)}`);
  }
};
const isStringOrNull: Check = (v, at, p) => {
  if (v !== null && typeof v !== 'string') p.push(`${at} must be a string or null, found ${describeFound(v)}`);
};
const arrayOf =
  (item: Check): Check =>
  (v, at, p) => {
    if (!Array.isArray(v)) {
      p.push(`${at} must be an array, found ${describeFound(v)}`);
      return;
    }
    v.forEach((x: unknown, i) => item(x, `${at}[${i}]`, p));
  };

/**
 * Any JSON value nested at most MAX_PLAN_DEPTH levels (deeper input would overflow the stack of every
 * later walk); an object with a `$secret` key must be exactly `{$secret: {ref, fingerprint}}`.
 */
const isJsonValue: Check = (v, at, p) => {
  checkJsonValue(v, at, p, 0);
};

function checkJsonValue(v: unknown, at: string, p: Problems, depth: number): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return;
  if (depth >= MAX_PLAN_DEPTH && typeof v === 'object') {
    p.push(`${at.length > 120 ? `${at.slice(0, 120)}…` : at} is nested more than ${MAX_PLAN_DEPTH} levels deep`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x: unknown, i) => checkJsonValue(x, `${at}[${i}]`, p, depth + 1));
    return;
  }
  if (isPlainObject(v)) {
    if ('$secret' in v) {
      if (!isSecretJson(v) || Object.keys(v).length !== 1 || Object.keys(v.$secret).length !== 2) p.push(`${at} must be a secret reference {"$secret": {"ref", "fingerprint"}}`);
      return;
    }
    for (const [k, x] of Object.entries(v)) checkJsonValue(x, `${at}.${k}`, p, depth + 1);
    return;
  }
  p.push(`${at} must be JSON data, found ${describeFound(v)}`);
}
const isAttrs: Check = (v, at, p) => {
  if (!isPlainObject(v) || '$secret' in v) p.push(`${at} must be an object, found ${describeFound(v)}`);
  else isJsonValue(v, at, p);
};

/** An object with exactly these fields (`?` suffix: optional); unknown fields are problems too. */
function object(fields: Readonly<Record<string, Check>>, extra?: (o: Record<string, unknown>, at: string, p: Problems) => void): Check {
  const entries = Object.entries(fields).map(([name, check]) => ({ name: name.replace(/\?$/, ''), optional: name.endsWith('?'), check }));
  const known = new Set(entries.map((e) => e.name));
  return (v, at, p) => {
    if (!isPlainObject(v)) {
      p.push(`${at} must be an object, found ${describeFound(v)}`);
      return;
    }
    for (const e of entries) {
      const x = v[e.name];
      if (x === undefined) {
        if (!e.optional) p.push(`${at === '' ? '' : `${at}.`}${e.name} is missing`);
      } else {
        e.check(x, `${at === '' ? '' : `${at}.`}${e.name}`, p);
      }
    }
    for (const k of Object.keys(v)) if (!known.has(k)) p.push(`${at === '' ? '' : `${at}.`}${k} is not a plan field`);
    extra?.(v, at, p);
  };
}

const isRef = object({ kind: isKind, key: isNonEmptyString, path: isString, remoteId: isStringOrNull });
const isChange = object({ path: isString, 'from?': isJsonValue, 'to?': isJsonValue, 'isSensitive?': isBoolean });
const isPatchOp = object({ op: oneOf(PATCH_OPS), path: isString, 'value?': isJsonValue }, (o, at, p) => {
  if (typeof o['path'] === 'string' && o['path'] !== '' && !o['path'].startsWith('/')) p.push(`${at}.path must be a JSON pointer ("" or starting with "/")`);
  if ((o['op'] === 'add' || o['op'] === 'replace') && o['value'] === undefined) p.push(`${at}.value is missing (required for "${String(o['op'])}")`);
});

const STEP_BASE: Record<string, Check> = {
  kind: isKind,
  id: isNonEmptyString,
  action: oneOf(ACTIONS),
  risk: oneOf(RISKS),
  wave: isCount,
  dependsOn: arrayOf(isAddress),
  notes: arrayOf(isString),
};

const STEP_BY_ACTION: { readonly [A in PlanStep['action']]: Check } = {
  create: object({ ...STEP_BASE, after: isAttrs, refs: arrayOf(isRef) }),
  update: object({ ...STEP_BASE, remoteId: isNonEmptyString, before: isAttrs, after: isAttrs, changes: arrayOf(isChange), patch: arrayOf(isPatchOp), refs: arrayOf(isRef) }),
  replace: object({ ...STEP_BASE, remoteId: isNonEmptyString, before: isAttrs, after: isAttrs, changes: arrayOf(isChange), reason: isNonEmptyString, refs: arrayOf(isRef) }),
  delete: object({ ...STEP_BASE, remoteId: isNonEmptyString, before: isAttrs }),
};

const isStep: Check = (v, at, p) => {
  if (!isPlainObject(v)) {
    p.push(`${at} must be an object, found ${describeFound(v)}`);
    return;
  }
  const action = v['action'];
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    p.push(`${at}.action must be one of ${ACTIONS.map((x) => `"${x}"`).join(', ')}, found ${describeFound(action)}`);
    return;
  }
  STEP_BY_ACTION[action as PlanStep['action']](v, at, p);
};

const isBasis = object({
  organizationId: isNonEmptyString,
  config: isString,
  kinds: arrayOf(isKind),
  live: (v, at, p) => {
    if (!isPlainObject(v)) {
      p.push(`${at} must be an object, found ${describeFound(v)}`);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      isAddress(k, `${at} key`, p);
      isString(x, `${at}[${JSON.stringify(k)}]`, p);
    }
  },
  salt: isString,
});

const isPlan = object(
  {
    version: () => undefined,
    basis: isBasis,
    summary: object({ add: isCount, change: isCount, replace: isCount, destroy: isCount, unchanged: isCount }),
    steps: arrayOf(isStep),
    warnings: arrayOf(object({ code: isString, message: isString, 'address?': isString })),
    undeclared: arrayOf(object({ kind: isKind, id: isNonEmptyString, remoteId: isNonEmptyString })),
    checksum: isNonEmptyString,
  },
  (o, _at, p) => checkConsistency(o, p),
);

/** What the structure cannot say: counts agree with the steps, each resource appears once. */
function checkConsistency(o: Record<string, unknown>, p: Problems): void {
  if (p.length > 0 || !Array.isArray(o['steps']) || !isPlainObject(o['summary'])) return;
  const steps = o['steps'] as readonly PlanStep[];
  const count = (a: PlanStep['action']): number => steps.filter((s) => s.action === a).length;
  const summary = o['summary'] as Record<string, number>;
  const expected: [string, number][] = [
    ['add', count('create')],
    ['change', count('update')],
    ['replace', count('replace')],
    ['destroy', count('delete')],
  ];
  for (const [name, n] of expected) if (summary[name] !== n) p.push(`summary.${name} is ${summary[name]} but the steps have ${n}`);
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    const address = `${s.kind}/${s.id}`;
    if (seen.has(address)) p.push(`steps[${i}] is a second step for ${address}`);
    seen.add(address);
  });
}

function checkPlan(data: Record<string, unknown>, prefix: string, p: Problems): void {
  const inner: Problems = [];
  isPlan(data, '', inner);
  for (const x of inner) p.push(`${prefix}${x}`);
}
