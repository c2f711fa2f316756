/**
 * Values for people: a compact JSON-ish form (`{owner: "PLATFORM", type: "EDIT"}`), cut to a budget,
 * with every secret shown as `(sensitive)`.
 *
 * Redaction already happened in the planner (style guide §8); this module is the second line: a `Secret`,
 * its `{$secret}` JSON form, a planner placeholder, a value under a kind's sensitive path or the `value`
 * beside `sensitive: true` is never turned into text. `Secret.reveal()` is never called here.
 */
import { isPlainObject } from '../core/json.js';
import { REDACTED, isSecret, isSecretJson } from '../core/secret.js';
import { isUnderAny } from '../core/compare.js';
import type { PathPattern } from '../core/kind-spec.js';

export type PathSeg = string | number;

/** Shown in place of an identity whose id only exists once the same apply has created it. */
export const KNOWN_AFTER_APPLY = '(known after apply)';
/** Shown for a value that is not set on one side of a change. */
export const NOT_SET = '(not set)';

export interface ValueContext {
  /** Sensitive path patterns of the step's kind (`configuration.userIdentities.*.password`). */
  readonly sensitive: readonly PathPattern[];
  /** Display paths (`privileges[0].target.source`) of references whose id is known after apply. */
  readonly pendingRefs: ReadonlySet<string>;
}

/** Human path, the same spelling as the planner's field changes: `privileges[0].type`, `parameters["Max depth"]`. */
export function displayPathOf(path: readonly PathSeg[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${sanitizeText(JSON.stringify(s))}]`;
  }
  return out;
}

/** The inverse of displayPathOf, for the planner's change paths. Unparseable text gives one segment. */
export function parseDisplayPath(text: string): PathSeg[] {
  const out: PathSeg[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z_$][\w$-]*)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return re.lastIndex === text.length || text === '' ? out : [text];
}

/** Whether a value must be shown as `(sensitive)`, judged from the value and where it sits. */
export function isSensitiveValue(value: unknown, path: readonly PathSeg[], ctx: ValueContext, parent?: unknown): boolean {
  if (isSecret(value) || isSecretJson(value)) return true;
  if (typeof value === 'string' && value.startsWith(REDACTED)) return true;
  if (path.length > 0 && isUnderAny(path, ctx.sensitive)) return value !== undefined;
  // Source and provider parameters: `{ sensitive: true, value: … }`.
  return path[path.length - 1] === 'value' && isPlainObject(parent) && parent['sensitive'] === true && value !== undefined;
}

/**
 * Formats a value in at most `budget` characters (cut with `…`). The walk stops as soon as the budget is
 * spent, so a huge value costs no more than a small one.
 */
export function formatValue(value: unknown, path: readonly PathSeg[], ctx: ValueContext, budget = 120, parent?: unknown): string {
  const out = new Budgeted(Math.max(budget, 8));
  writeValue(out, value, [...path], ctx, parent);
  return out.text();
}

class Budgeted {
  readonly #parts: string[] = [];
  #length = 0;
  readonly #budget: number;
  constructor(budget: number) {
    this.#budget = budget;
  }
  get isFull(): boolean {
    return this.#length > this.#budget;
  }
  push(s: string): void {
    if (this.isFull) return;
    this.#parts.push(s);
    this.#length += s.length;
  }
  text(): string {
    const all = this.#parts.join('');
    if (all.length <= this.#budget) return all;
    let cut = this.#budget - 1;
    // Never split a surrogate pair.
    const code = all.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    return `${all.slice(0, cut)}…`;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

function writeValue(out: Budgeted, value: unknown, path: PathSeg[], ctx: ValueContext, parent: unknown): void {
  if (out.isFull) return;
  if (isSensitiveValue(value, path, ctx, parent)) {
    out.push(REDACTED);
  } else if (value === undefined) {
    out.push(NOT_SET);
  } else if (value === null || typeof value === 'number' || typeof value === 'boolean') {
    out.push(String(value));
  } else if (typeof value === 'string') {
    // JSON quoting escapes C0 controls; sanitizeText the rest (C1, bidi), so a name from Coveo cannot drive the terminal.
    out.push(sanitizeText(JSON.stringify(value)));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length && !out.isFull; i++) {
      if (i > 0) out.push(', ');
      path.push(i);
      writeValue(out, value[i], path, ctx, value);
      path.pop();
    }
    out.push(']');
  } else if (typeof value === 'object') {
    // Any object shows its own enumerable properties, as in the JSON output (a Secret was handled above).
    const obj = value as Record<string, unknown>;
    out.push('{');
    let first = true;
    for (const k of Object.keys(obj).sort()) {
      if (obj[k] === undefined) continue;
      if (out.isFull) break;
      if (!first) out.push(', ');
      first = false;
      out.push(IDENTIFIER.test(k) ? k : sanitizeText(JSON.stringify(k)));
      out.push(': ');
      path.push(k);
      writeValue(out, obj[k], path, ctx, obj);
      path.pop();
    }
    out.push('}');
  } else {
    // Not JSON data (a function, symbol or bigint the planner never emits): show its kind only.
    out.push(`(${typeof value})`);
  }
  if (ctx.pendingRefs.size > 0 && (typeof value === 'string' || typeof value === 'number') && ctx.pendingRefs.has(displayPathOf(path))) {
    out.push(` ${KNOWN_AFTER_APPLY}`);
  }
}

/** Whether a value is shown on one line as a whole (scalars, secrets, arrays of those, empty containers). */
export function isInlineValue(value: unknown): boolean {
  if (isSecret(value) || isSecretJson(value)) return true;
  if (Array.isArray(value)) return value.every((v) => !Array.isArray(v) && (!isPlainObject(v) || isSecretJson(v)));
  if (isPlainObject(value)) return Object.values(value).every((v) => v === undefined);
  return true;
}

/**
 * The lines a whole object is shown as: one per leaf, where a leaf is a scalar, an array of scalars or
 * one element of an array of objects (`privileges[0]: {owner: …}`). Keys sorted, so the same data always
 * gives the same text.
 */
export function flattenForDisplay(value: unknown, ctx: ValueContext): { readonly path: readonly PathSeg[]; readonly value: unknown; readonly parent: unknown }[] {
  const out: { path: readonly PathSeg[]; value: unknown; parent: unknown }[] = [];
  const walk = (v: unknown, path: PathSeg[], parent: unknown): void => {
    if (path.length > 0 && (isInlineValue(v) || isSensitiveValue(v, path, ctx, parent))) {
      out.push({ path: [...path], value: v, parent });
    } else if (Array.isArray(v)) {
      v.forEach((x: unknown, i) => out.push({ path: [...path, i], value: x, parent: v }));
    } else if (isPlainObject(v)) {
      for (const k of Object.keys(v).sort()) if (v[k] !== undefined) walk(v[k], [...path, k], v);
    } else {
      out.push({ path: [...path], value: v, parent });
    }
  };
  walk(value, [], undefined);
  return out;
}

/**
 * Escapes control characters, line breaks and bidirectional overrides in free text (messages, ids), so
 * output cannot carry terminal escapes, break a line-based layout or a markdown fence, or reorder text.
 */
export function sanitizeText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
