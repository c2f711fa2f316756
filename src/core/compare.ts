/**
 * The equality rules of the planner, in one place (style guide §5):
 * - object key order never matters; `undefined` and missing keys are the same;
 * - at the top level only the attrs the files declare are compared (omitted = unmanaged); specs fill
 *   defaults for the attrs they always manage, so those are always compared;
 * - below a spec's `subsetPaths`, live keys the files do not declare are ignored, recursively;
 * - arrays are ordered: specs sort set-like arrays when they normalise; a change is reported for the
 *   whole array, except in an array holding secrets, which is compared element by element;
 * - `writeOnly` paths are never compared (Coveo does not return them);
 * - a `Secret` is compared through the fingerprint an earlier apply stored on the live object; with no
 *   stored fingerprint it is write-only: equal, never drift;
 * - nothing shown (changes, patch, `before`) holds a secret: sensitive paths read REDACTED, and so does a
 *   live value equal to one of the files' secrets (a plain parameter filled from the environment).
 */
import fjp from 'fast-json-patch';
import { compareStrings, isPlainObject, stableStringify, type JsonObject, type JsonValue } from './json.js';
import type { PathPattern } from './kind-spec.js';
import { isSecret, isSecretJson, REDACTED, type Secret } from './secret.js';
import type { FieldChange, PatchOperation, StoredFingerprint } from './types.js';

type Seg = string | number;

// Patterns come from the specs (a handful); split once each, not on every node of every comparison.
const SPLIT = new Map<PathPattern, readonly string[]>();

export function splitPattern(p: PathPattern): readonly string[] {
  let parts = SPLIT.get(p);
  if (parts === undefined) {
    parts = p === '' ? [] : p.split('.');
    if (SPLIT.size < 1000) SPLIT.set(p, parts);
  }
  return parts;
}

/** Whether `path` is at or below a path matched by `pattern` (`*` matches one segment). */
export function isUnderPattern(path: readonly Seg[], pattern: PathPattern): boolean {
  const parts = splitPattern(pattern);
  if (path.length < parts.length) return false;
  return parts.every((p, i) => p === '*' || p === String(path[i]));
}

export function isUnderAny(path: readonly Seg[], patterns: readonly PathPattern[]): boolean {
  return patterns.some((p) => isUnderPattern(path, p));
}

/** Dotted form of a path, the key used for stored fingerprints (`configuration.parameters.Password.value`). */
export function dotPath(path: readonly Seg[]): string {
  return path.map(String).join('.');
}

/** Human form: `privileges[0].type`. */
export function displayPath(path: readonly Seg[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Removes every value under the given patterns (used for write-only paths). */
export function omitPaths(obj: JsonObject, patterns: readonly PathPattern[]): JsonObject {
  if (patterns.length === 0) return obj;
  return omitAt(obj, [], patterns) as JsonObject;
}

function omitAt(v: JsonValue | undefined, path: Seg[], patterns: readonly PathPattern[]): JsonValue | undefined {
  if (path.length > 0 && patterns.some((p) => splitPattern(p).length === path.length && isUnderPattern(path, p))) return undefined;
  if (Array.isArray(v)) return (v as JsonValue[]).map((x, i) => omitAt(x, [...path, i], patterns) ?? null);
  if (isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = omitAt(x, [...path, k], patterns);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return v;
}

/**
 * Keeps only the parts of `live` the desired side manages: its top-level keys, and below `subsetPaths`
 * only the object keys desired declares (recursively).
 */
export function projectLive(live: JsonObject, desired: JsonObject, subsetPaths: readonly string[]): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(desired)) {
    if (desired[k] === undefined) continue;
    const lv = live[k];
    if (lv === undefined) continue;
    out[k] = subsetPaths.includes(k) ? projectSubset(lv, desired[k]) : lv;
  }
  return out;
}

function projectSubset(live: JsonValue, desired: JsonValue | undefined): JsonValue {
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    return (live as JsonValue[]).map((x, i) => projectSubset(x, (desired as JsonValue[])[i]));
  }
  if (isPlainObject(live) && isPlainObject(desired)) {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(desired)) {
      const lv = live[k];
      if (lv !== undefined) out[k] = projectSubset(lv, desired[k]);
    }
    return out;
  }
  return live;
}

/** The rules of a kind that decide what is compared (a KindSpec has them). */
export interface CompareRules {
  readonly sensitive: readonly PathPattern[];
  readonly writeOnly: readonly PathPattern[];
  readonly subsetPaths: readonly string[];
}

/**
 * Whether declared attrs equal their live twin's, decided without the full comparison: each declared attr
 * equal to the live one, below a subset path only what is declared, write-only attrs skipped. Most
 * resources of a plan match, and this spares them the projected copies and the walk of `diffAttrs`.
 * `false` only means "compare fully": so it is for a Secret (compared by stored fingerprint, never by
 * value), and for a write-only path below the top level (omitting it is more than skipping an attr).
 *
 * Exact: when this says true, `diffAttrs` of the projected attrs finds no change. With no Secret on the
 * desired side, `diffAttrs` reports a change only where the projected live and desired values differ
 * (`jsonEquals`), at sensitive paths too; the projection of each attr is what is compared here.
 */
export function equalsLive(desired: JsonObject, live: JsonObject, rules: CompareRules): boolean {
  const plain = rules.sensitive.length === 0 && rules.writeOnly.length === 0;
  if (!plain && !rules.writeOnly.every(isTopLevelName)) return false;
  let subset = false;
  for (const k in desired) {
    const v = desired[k];
    if (v === undefined || (!plain && rules.writeOnly.includes(k))) continue;
    const lv = live[k];
    if (lv === undefined) return false;
    if (rules.subsetPaths.includes(k)) {
      if (!subsetEquals(lv, v)) return false;
      subset = true;
    } else if (!jsonEquals(lv, v)) return false;
  }
  // Kinds with nothing sensitive, write-only or subset compared attr by attr before; that stays as it was.
  return (plain && !subset) || !containsSecret(desired);
}

/** A path pattern that names one top-level attr (no `.`, no `*`). */
const isTopLevelName = (p: string): boolean => p !== '' && p !== '*' && !p.includes('.');

/**
 * `jsonEquals(projectSubset(live, desired), desired)`, without the projected copy: below a subset path,
 * keys of live objects that desired does not declare are ignored, recursively (arrays of the same length
 * element by element).
 */
export function subsetEquals(live: JsonValue | undefined, desired: JsonValue | undefined): boolean {
  if (live === undefined) return desired === undefined;
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    for (let i = 0; i < live.length; i++) if (!subsetEquals((live as JsonValue[])[i], (desired as JsonValue[])[i])) return false;
    return true;
  }
  if (isPlainObject(live) && isPlainObject(desired)) {
    for (const k of Object.keys(desired)) {
      // The projection's `out[k] =` cannot make an own `__proto__`: leave that to the full comparison.
      if (k === '__proto__') return false;
      const dv = desired[k];
      const lv = live[k];
      // A live value where desired has none stays in the projection and differs; a declared value must be live.
      if (dv === undefined ? lv !== undefined : lv === undefined || !subsetEquals(lv, dv)) return false;
    }
    return true;
  }
  return jsonEquals(live, desired);
}

/** Whether a value holds a Secret anywhere (stops at the first). */
function containsSecret(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (isPlainObject(v)) {
    for (const k in v) if (containsSecret(v[k])) return true;
  }
  return false;
}

export interface DiffOptions {
  /** Patterns of sensitive paths (always redacted when shown). */
  readonly sensitive: readonly PathPattern[];
  /** Fingerprints stored on the live object, by dotted path. */
  readonly fingerprints?: Readonly<Record<string, StoredFingerprint>>;
  /** Salted hash used for stored fingerprints (injected: the core does not hash). */
  readonly fingerprint: (value: string, salt: string) => string;
}

export interface DiffResult {
  readonly changes: readonly FieldChange[];
  readonly patch: readonly PatchOperation[];
  /** `before` as it may be shown: sensitive paths and live copies of the files' secrets redacted. */
  readonly before: JsonObject;
}

/** Stands for a secret or sensitive value that changes, so the patch has an operation for it; shown as REDACTED. */
const CHANGED_SECRET = `${REDACTED}\u0000changed`;

/**
 * Compares projected live attrs (`before`) with desired attrs (`after`) under the rules above, in one walk
 * that yields the field changes, the RFC 6902 patch (values redacted) and a redacted copy of `before`.
 */
export function diffAttrs(before: JsonObject, after: JsonObject, options: DiffOptions): DiffResult {
  const secrets = secretsIn(after);
  // The common case (most resources of a plan match): nothing to hide and nothing different. This is
  // what the walk below finds at its first step, without building its context.
  if (secrets.length === 0 && options.sensitive.length === 0 && jsonEquals(before, after)) return { changes: [], patch: [], before };
  const changes: FieldChange[] = [];
  const secretValues = new Set(secrets.map((s) => s.reveal()));
  const redactLive = (v: JsonValue): JsonValue => redactValues(v, secretValues);
  const walked = walk(before, after, [], { ...options, changes, redactLive, hasSecrets: secretValues.size > 0 });
  const alignedBefore = (walked.before ?? {}) as JsonObject;
  const alignedAfter = (walked.after ?? {}) as JsonObject;
  // With no change the two aligned sides are equal: no patch to compute (most resources of a plan).
  const patch = changes.length === 0 ? [] : fjp.compare(alignedBefore as object, alignedAfter as object).map((op): PatchOperation => {
    if (op.op === 'add' || op.op === 'replace') return { op: op.op, path: op.path, value: redactPatchValue(op.value as JsonValue) };
    return { op: 'remove', path: op.path };
  });
  return { changes, patch, before: alignedBefore };
}

/** Every Secret inside a value, in document order. */
export function secretsIn(v: unknown): Secret[] {
  const out: Secret[] = [];
  collectSecrets(v, out);
  return out;
}

// Runs on every declared resource of every plan: one array for the whole walk, none per level.
function collectSecrets(v: unknown, out: Secret[]): void {
  if (isSecret(v)) out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectSecrets(x, out);
  else if (isPlainObject(v)) for (const k in v) collectSecrets(v[k], out);
}

/**
 * A JSON copy where every string equal to one of `values` is REDACTED: a live object can hold in clear a
 * value the files take from the environment (a plain parameter), and that value is a secret (design §2).
 */
export function redactValues(v: JsonValue, values: ReadonlySet<string>): JsonValue {
  if (values.size === 0) return v;
  if (typeof v === 'string') return values.has(v) ? REDACTED : v;
  if (Array.isArray(v)) return (v as JsonValue[]).map((x) => redactValues(x, values));
  if (isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = redactValues(x, values);
    return out;
  }
  return v;
}

/** Patch values come from the desired side: secrets show as REDACTED, never as their `$secret` JSON. */
function redactPatchValue(v: JsonValue): JsonValue {
  if (v === CHANGED_SECRET || isSecretJson(v)) return REDACTED;
  if (Array.isArray(v)) return (v as JsonValue[]).map(redactPatchValue);
  if (isPlainObject(v)) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = redactPatchValue(x);
    return out;
  }
  return v;
}

/** Whether a secret on the desired side equals the live value, as far as can be known. */
function secretEquals(secret: Secret, path: readonly Seg[], options: DiffOptions): boolean {
  const stored = options.fingerprints?.[dotPath(path)];
  if (stored === undefined) return true;
  return options.fingerprint(secret.reveal(), stored.salt) === stored.hash;
}

interface WalkContext extends DiffOptions {
  readonly changes: FieldChange[];
  readonly redactLive: (v: JsonValue) => JsonValue;
  /** Whether the desired side holds any secret at all (most resources hold none). */
  readonly hasSecrets: boolean;
}

/** Whether a sensitive pattern matches `path` or something below it. */
function mayBeSensitive(path: readonly Seg[], patterns: readonly PathPattern[]): boolean {
  return patterns.some((p) => {
    const parts = splitPattern(p);
    for (let i = 0; i < path.length && i < parts.length; i++) if (parts[i] !== '*' && parts[i] !== String(path[i])) return false;
    return true;
  });
}

interface Walked {
  readonly before: JsonValue | undefined;
  readonly after: JsonValue | undefined;
}

const hasSecret = containsSecret;

/**
 * Walks both sides together. Objects are walked key by key; arrays that hold secrets are walked element by
 * element (when both have the same length), other arrays compare as wholes. A secret is equal when the
 * stored fingerprint matches, or when there is none (write-only): then both copies hold REDACTED, so the
 * patch has no operation for it.
 */
function walk(before: JsonValue | undefined, after: JsonValue | undefined, path: Seg[], ctx: WalkContext): Walked {
  // Fast path: an equal subtree with nothing to hide is shown as it is (live attrs are plain JSON already
  // and nothing here mutates them).
  if (!ctx.hasSecrets && !mayBeSensitive(path, ctx.sensitive) && jsonEquals(before, after)) return { before, after };
  const secret = isSecret(after) ? after : isSecret(before) ? before : undefined;
  if (secret !== undefined) {
    if (secretEquals(secret, path, ctx)) return { before: REDACTED, after: REDACTED };
    ctx.changes.push({ path: displayPath(path), from: REDACTED, to: REDACTED, isSensitive: true });
    return { before: before === undefined ? undefined : REDACTED, after: after === undefined ? undefined : CHANGED_SECRET };
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const b: Record<string, JsonValue> = {};
    const a: Record<string, JsonValue> = {};
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
    for (const k of keys) {
      const r = walk((before)[k], (after)[k], [...path, k], ctx);
      if (r.before !== undefined) b[k] = r.before;
      if (r.after !== undefined) a[k] = r.after;
    }
    return { before: b, after: a };
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && (hasSecret(after) || hasSecret(before))) {
    const rs = (after as JsonValue[]).map((x, i) => walk((before as JsonValue[])[i], x, [...path, i], ctx));
    return { before: rs.map((r) => r.before ?? null), after: rs.map((r) => r.after ?? null) };
  }
  const sensitive = isUnderAny(path, ctx.sensitive);
  const shownBefore = before === undefined ? undefined : sensitive ? REDACTED : ctx.redactLive(before);
  const equal = jsonEquals(before, after);
  if (!equal) {
    ctx.changes.push({
      path: displayPath(path),
      ...(shownBefore === undefined ? {} : { from: shownBefore }),
      ...(after === undefined ? {} : { to: sensitive ? REDACTED : plain(after, ctx) }),
      ...(sensitive || hasSecret(after) ? { isSensitive: true } : {}),
    });
  }
  const shownAfter = after === undefined ? undefined : sensitive ? (equal ? REDACTED : CHANGED_SECRET) : plain(after, ctx);
  return { before: shownBefore, after: shownAfter };
}

/** Desired data as plain JSON: a copy (secrets in their redacted JSON form) only when it may hold secrets. */
const plain = (v: JsonValue, ctx: WalkContext): JsonValue => (ctx.hasSecrets && typeof v === 'object' && v !== null ? toJsonData(v) : v);

/** Deep equality of JSON data; key order does not matter and `undefined` keys are absent. Secrets compare by identity of ref+fingerprint. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isSecret(a) || isSecret(b)) return isSecret(a) && isSecret(b) && a.ref === b.ref && a.fingerprint === b.fingerprint;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    // Counted rather than filtered into new arrays: this runs on every compared resource.
    let na = 0;
    for (const k in a) {
      if (a[k] === undefined) continue;
      na++;
      if (!jsonEquals(a[k], b[k])) return false;
    }
    let nb = 0;
    for (const k in b) if (b[k] !== undefined) nb++;
    return na === nb;
  }
  return false;
}

/** A plain JSON copy (secrets become their redacted JSON form). */
export function toJsonData(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v ?? null)) as JsonValue;
}

/** Sorts an array of JSON values by their stable text and drops duplicates (for set-like arrays). */
export function sortedSet<T>(items: readonly T[], keyOf: (t: T) => string = (t) => stableStringify(t)): T[] {
  const seen = new Map<string, T>();
  for (const it of items) seen.set(keyOf(it), it);
  return [...seen.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map((e) => e[1]);
}

/** A JSON copy with every value at (exactly) a sensitive path replaced by REDACTED. */
export function redactSensitive(obj: JsonObject, patterns: readonly PathPattern[]): JsonObject {
  if (patterns.length === 0) return toJsonData(obj) as JsonObject;
  const at = (v: JsonValue | undefined, path: Seg[]): JsonValue | undefined => {
    if (v === undefined) return undefined;
    if (path.length > 0 && patterns.some((p) => splitPattern(p).length === path.length && isUnderPattern(path, p))) return REDACTED;
    if (Array.isArray(v)) return (v as JsonValue[]).map((x, i) => at(x, [...path, i]) ?? null);
    if (isPlainObject(v)) {
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v)) {
        const r = at(x, [...path, k]);
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
    return toJsonData(v);
  };
  return at(toJsonData(obj), []) as JsonObject;
}

/** Segments of a display path (`privileges[0].target.source` → privileges, 0, target, source). */
export function segmentsOf(displayed: string): string[] {
  const out: string[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  for (let m = re.exec(displayed); m !== null; m = re.exec(displayed)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}
