/**
 * The equality rules of the planner, in one place (style guide §5):
 * - object key order never matters; `undefined` and missing keys are the same;
 * - at the top level only the attrs the files declare are compared (omitted = unmanaged); specs fill
 *   defaults for the attrs they always manage, so those are always compared;
 * - below a spec's `subsetPaths`, live keys the files do not declare are ignored, recursively;
 * - arrays are compared element by element; specs sort set-like arrays when they normalise;
 * - `writeOnly` paths are never compared (Coveo does not return them);
 * - a `Secret` is compared through the fingerprint an earlier apply stored on the live object; with no
 *   stored fingerprint it is write-only: equal, never drift.
 */
import fjp from 'fast-json-patch';
import { isPlainObject, stableStringify, type JsonObject, type JsonValue } from './json.js';
import type { PathPattern } from './kind-spec.js';
import { isSecret, REDACTED, type Secret } from './secret.js';
import type { FieldChange, PatchOperation, StoredFingerprint } from './types.js';

type Seg = string | number;

export function splitPattern(p: PathPattern): readonly string[] {
  return p === '' ? [] : p.split('.');
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
      const r = omitAt(x as JsonValue, [...path, k], patterns);
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
      const lv = (live as JsonObject)[k];
      if (lv !== undefined) out[k] = projectSubset(lv, (desired as JsonObject)[k]);
    }
    return out;
  }
  return live;
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
}

/** Compares projected live attrs with desired attrs under the rules above. */
export function diffAttrs(before: JsonObject, after: JsonObject, options: DiffOptions): DiffResult {
  const changes: FieldChange[] = [];
  const alignedBefore = align(before, after, [], options, changes, true) as JsonObject;
  const alignedAfter = align(after, before, [], options, [], false) as JsonObject;
  const patch = fjp.compare(alignedBefore as object, alignedAfter as object).map((op): PatchOperation => {
    if (op.op === 'add' || op.op === 'replace') return { op: op.op, path: op.path, value: op.value as JsonValue };
    return { op: 'remove', path: op.path };
  });
  return { changes, patch };
}

/** Whether a secret on the desired side equals the live value, as far as can be known. */
function secretEquals(secret: Secret, path: readonly Seg[], options: DiffOptions): boolean {
  const stored = options.fingerprints?.[dotPath(path)];
  if (stored === undefined) return true;
  return options.fingerprint(secret.reveal(), stored.salt) === stored.hash;
}

/**
 * Walks `mine` against `other`, returning a JSON copy of `mine` where secrets are replaced by a
 * placeholder that equals the other side when the secret is considered equal (so the RFC 6902 patch
 * contains only real changes), and collecting field changes (only on the `before` pass).
 */
function align(
  mine: JsonValue | undefined,
  other: JsonValue | undefined,
  path: Seg[],
  options: DiffOptions,
  changes: FieldChange[],
  isBeforePass: boolean,
): JsonValue | undefined {
  const secretMine = isSecret(mine) ? mine : undefined;
  const secretOther = isSecret(other) ? other : undefined;
  const secret = secretMine ?? secretOther;
  if (secret !== undefined) {
    const equal = secretEquals(secret, path, options);
    if (isBeforePass && !equal) changes.push({ path: displayPath(path), from: REDACTED, to: REDACTED, isSensitive: true });
    if (equal) return REDACTED;
    return secretMine ? `${REDACTED}#new` : REDACTED;
  }
  const sensitive = isUnderAny(path, options.sensitive);
  if (isPlainObject(mine) && isPlainObject(other)) {
    const out: Record<string, JsonValue> = {};
    const keys = new Set([...Object.keys(mine), ...Object.keys(other)]);
    for (const k of [...keys].sort()) {
      const r = align((mine as JsonObject)[k], (other as JsonObject)[k], [...path, k], options, changes, isBeforePass);
      if (r !== undefined && (mine as JsonObject)[k] !== undefined) out[k] = r;
    }
    return out;
  }
  if (!jsonEquals(mine, other) && isBeforePass) {
    const change: FieldChange = {
      path: displayPath(path),
      ...(mine === undefined ? {} : { from: sensitive ? REDACTED : mine }),
      ...(other === undefined ? {} : { to: sensitive ? REDACTED : (other as JsonValue) }),
      ...(sensitive ? { isSensitive: true } : {}),
    };
    changes.push(change);
  }
  if (mine === undefined) return undefined;
  return sensitive ? REDACTED : toJsonData(mine);
}

/** Deep equality of JSON data; key order does not matter and `undefined` keys are absent. Secrets compare by identity of ref+fingerprint. */
export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isSecret(a) || isSecret(b)) return isSecret(a) && isSecret(b) && a.ref === b.ref && a.fingerprint === b.fingerprint;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEquals(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEquals(a[k], b[k]));
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
