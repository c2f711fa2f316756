/** Plain JSON data and the few pure helpers every layer shares. */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonObject | JsonArray;
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}
export type JsonArray = readonly JsonValue[];

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Locale-independent string comparison (code unit order), used for every sort in the core. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * JSON.stringify with object keys sorted at every level, so equal data gives equal text.
 * Values with a `toJSON` (such as `Secret`) use it, so secrets never appear.
 *
 * Written out directly rather than as JSON.stringify of a sorted copy: it runs on every live object of
 * every plan (etags, the configuration fingerprint), and the copy was most of its cost. The text is the
 * same as JSON.stringify's of the sorted copy; objects that are not plain (class instances) are left to
 * JSON.stringify, unsorted, as before.
 */
export function stableStringify(value: unknown): string {
  return writeStable(value, false) as string;
}

function writeStable(value: unknown, inArray: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'bigint':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return inArray ? 'null' : undefined;
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return writeStable((value as { toJSON: () => unknown }).toJSON(), inArray);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = `[${writeStable(value[0], true) as string}`;
    for (let i = 1; i < value.length; i++) out += `,${writeStable(value[i], true) as string}`;
    return `${out}]`;
  }
  if (!isPlainObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value);
  if (keys.length === 0) return '{}';
  const { order, quoted } = shapeOf(keys);
  let out = '{';
  let first = true;
  for (let i = 0; i < order.length; i++) {
    const v = value[order[i] as string];
    if (v === undefined) continue;
    const text = writeStable(v, false);
    if (text === undefined) continue;
    out += first ? `${quoted[i] as string}${text}` : `,${quoted[i] as string}${text}`;
    first = false;
  }
  return `${out}}`;
}

/** The keys of objects of one shape (the same keys in the same order), in the order they are written. */
interface Shape {
  readonly keys: readonly string[];
  readonly order: readonly string[];
  /** `"key":` of each key of `order`. */
  readonly quoted: readonly string[];
}

// Most objects written are of a few shapes (thousands of fields, schedules, …): their keys are sorted
// and quoted once per shape rather than once per object. Looked up by first key, then compared key by
// key; bounded, as the SPLIT cache of compare.ts is.
const SHAPES = new Map<string, Shape[]>();
let shapeCount = 0;

function shapeOf(keys: readonly string[]): Shape {
  const bucket = SHAPES.get(keys[0] as string);
  if (bucket) {
    for (const s of bucket) if (sameKeys(s.keys, keys)) return s;
  }
  const order = sortedKeys(keys);
  const shape: Shape = { keys, order, quoted: order.map((k) => `${JSON.stringify(k)}:`) };
  if (shapeCount < 2000 && (bucket?.length ?? 0) < 16) {
    if (bucket) bucket.push(shape);
    else SHAPES.set(keys[0] as string, [shape]);
    shapeCount++;
  }
  return shape;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Keys in the order JSON.stringify writes an object whose keys were inserted sorted: integer-like keys
 * (array indexes) first in numeric order, as every JavaScript object enumerates them, then the others
 * in code-unit order. `Object.keys` already lists the integer-like ones first, in numeric order.
 */
function sortedKeys(keys: readonly string[]): string[] {
  let n = 0;
  while (n < keys.length && ARRAY_INDEX.test(keys[n] as string) && Number(keys[n]) < 4294967295) n++;
  return [...keys.slice(0, n), ...keys.slice(n).sort(compareStrings)];
}

/** Formats a path such as `['fields', 3, 'name']` as `fields[3].name`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
