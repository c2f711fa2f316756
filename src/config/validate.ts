/**
 * Schema validation of one file's data with ajv (JSON Schema 2020-12). The validator is compiled at build
 * time (scripts/gen-types.mjs writes schema-validator.generated.ts with ajv's standalone code), so start-up
 * loads neither ajv's compiler nor compiles the schema (style guide §13). ajv's errors are translated into
 * plain messages with a JSON path and, for misspellings, a "did you mean". Messages never quote a value
 * that may be secret.
 */
import type { ErrorObject, AnySchemaObject } from 'ajv/dist/2020.js';
import type { JsonValue } from '../core/json.js';
import { RESOURCE_KINDS } from '../core/types.js';
import { valueAt, type JsonPath } from './positions.js';
import { schema, validate as validateSchema } from './schema-validator.generated.js';
import { didYouMean, suggestClosest } from './suggest.js';

/**
 * The configuration schema, the source of truth (schemas/coveo-sync.schema.json). The validator's errors
 * carry its very subschemas (`parentSchema`), which the messages below recognise by identity.
 */
export const CONFIG_SCHEMA = schema as AnySchemaObject & {
  readonly $defs: Readonly<Record<string, AnySchemaObject>>;
};

/** One schema problem, located by JSON path (`at: 'key'` points at the key rather than the value). */
export interface SchemaProblem {
  readonly path: JsonPath;
  readonly at: 'value' | 'key';
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface ValidateOptions {
  /** Whether the value at a path came from `${env:…}`; such values are never quoted in hints. */
  readonly isSecretAt?: (path: JsonPath) => boolean;
}

const defs = CONFIG_SCHEMA.$defs;
const privilegeTargetSchema = defs['privilegeTarget'];
const privilegeSchema = defs['privilege'] as { properties: Record<string, AnySchemaObject> };
const targetSchema = privilegeSchema.properties['target'];
const fieldNameSchema = (defs['field'] as { properties: Record<string, AnySchemaObject> }).properties['name'];
const apiKeySchema = defs['apiKey'] as { properties: Record<string, AnySchemaObject> };
const apiKeyNameSchema = apiKeySchema.properties['name'];
const lifetimeSchema = apiKeySchema.properties['lifetimeDuration'];
const protectItemSchema = ((defs['settings'] as { properties: Record<string, AnySchemaObject> }).properties['protect'] as { items: AnySchemaObject }).items;

const TARGET_FORM = 'must be `*` or one resource: `{ source: NAME }`, `{ group: NAME }`, `{ apiKey: NAME }` or `{ securityProvider: ID }`';

/**
 * Validates one file's data against the schema and returns every problem (never just the first).
 *
 * @example validateWritten({ version: 1, fields: [{ name: 'x', type: 'TEXT' }] })
 * // [{ path: ['fields', 0, 'type'], message: 'must be one of STRING, LONG, …', … }]
 */
export function validateWritten(data: JsonValue, options: ValidateOptions = {}): SchemaProblem[] {
  if (validateSchema(data)) return [];
  return translateErrors(validateSchema.errors ?? [], data, options);
}

function parsePointer(pointer: string, data: JsonValue): (string | number)[] {
  if (pointer === '') return [];
  const out: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const i = Number(seg);
      out.push(i);
      node = node[i] as unknown;
    } else {
      out.push(seg);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}


function describeType(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'text';
  if (typeof v === 'boolean') return 'true/false';
  return 'a number';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text (a string)',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  integer: 'a whole number',
  number: 'a number',
  null: 'empty',
};

const YAML11_BOOLEANS = /^(y|yes|n|no|on|off|true|false)$/i;

function translateErrors(errors: readonly ErrorObject[], data: JsonValue, options: ValidateOptions): SchemaProblem[] {
  const isSecretAt = options.isSecretAt ?? ((): boolean => false);
  const quotable = (path: JsonPath): boolean => !isSecretAt(path);
  const out: SchemaProblem[] = [];
  const targetPaths = new Set(errors.filter((e) => e.keyword === 'anyOf' && e.parentSchema === targetSchema).map((e) => e.instancePath));

  for (const e of errors) {
    const path = parsePointer(e.instancePath, data);
    const value = valueAt(data, path);
    const params = e.params as Record<string, unknown>;
    // `if` only says a `then` failed; the `then` error itself is reported.
    if (e.keyword === 'if') continue;
    // The privilege target is `*` or an object: report the object's own problems, or one message.
    if (targetPaths.has(e.instancePath) && (e.keyword === 'anyOf' || e.keyword === 'const' || e.keyword === 'type')) {
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      const hasOwnErrors = errors.some(
        (o) => o.instancePath.startsWith(e.instancePath) && !(o.instancePath === e.instancePath && ['anyOf', 'const', 'type'].includes(o.keyword)),
      );
      if (e.keyword === 'anyOf' && !(isObject && hasOwnErrors)) out.push({ path, at: 'value', code: 'schema_invalid', message: TARGET_FORM });
      continue;
    }
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(params['additionalProperty']);
        const known = Object.keys((e.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
        const hint = didYouMean(key, known);
        out.push({ path: [...path, key], at: 'key', code: 'unknown_key', message: `unknown key \`${key}\``, ...(hint ? { hint } : { hint: known.length > 0 ? `known keys: ${known.join(', ')}` : 'no keys are allowed here' }) });
        break;
      }
      case 'required': {
        const key = String(params['missingProperty']);
        const present = value !== null && typeof value === 'object' ? Object.keys(value) : [];
        // A misspelt key is reported once, as unknown with its "did you mean", not also as missing.
        const known = Object.keys((e.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
        if (present.some((k) => !known.includes(k) && suggestClosest(k, known) === key)) break;
        const hint = path.length === 0 && key === 'version' ? 'every file starts with `version: 1`' : undefined;
        out.push({ path, at: 'value', code: 'required', message: `missing required key \`${key}\``, ...(hint ? { hint } : {}) });
        break;
      }
      case 'type': {
        const expected = String(params['type']);
        const words = expected.split(',').map((t) => TYPE_WORDS[t] ?? t).join(' or ');
        const hint =
          expected === 'boolean' && typeof value === 'string' && YAML11_BOOLEANS.test(value) && quotable(path)
            ? `YAML 1.2 reads \`${value}\` as text; write true or false`
            : undefined;
        out.push({ path, at: 'value', code: 'type_invalid', message: `must be ${words}, not ${describeType(value)}`, ...(hint ? { hint } : {}) });
        break;
      }
      case 'enum': {
        const allowed = (params['allowedValues'] as unknown[]).map(String);
        const hint = typeof value === 'string' && quotable(path) ? didYouMean(value, allowed) : undefined;
        out.push({ path, at: 'value', code: 'enum_invalid', message: `must be one of ${allowed.join(', ')}`, ...(hint ? { hint } : {}) });
        break;
      }
      case 'const':
        out.push({ path, at: 'value', code: 'const_invalid', message: `must be ${JSON.stringify(params['allowedValue'])}` });
        break;
      case 'pattern':
        out.push(translatePattern(e, path, value, quotable(path)));
        break;
      case 'minLength':
        out.push({ path, at: 'value', code: 'length_invalid', message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${String(params['limit'])} characters` });
        break;
      case 'maxLength':
        out.push({ path, at: 'value', code: 'length_invalid', message: `must be at most ${String(params['limit'])} characters` });
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        out.push({ path, at: 'value', code: 'range_invalid', message: `must be ${String(params['comparison'])} ${String(params['limit'])}` });
        break;
      case 'minItems':
        out.push({ path, at: 'value', code: 'items_invalid', message: `must have at least ${String(params['limit'])} item${params['limit'] === 1 ? '' : 's'}` });
        break;
      case 'maxItems':
        out.push({ path, at: 'value', code: 'items_invalid', message: `must have at most ${String(params['limit'])} items` });
        break;
      case 'uniqueItems': {
        const i = Number(params['i']);
        const j = Number(params['j']);
        out.push({ path: [...path, Math.max(i, j)], at: 'value', code: 'items_duplicate', message: `repeats item ${Math.min(i, j)} of the list` });
        break;
      }
      case 'minProperties':
      case 'maxProperties':
        out.push({
          path,
          at: 'value',
          code: 'schema_invalid',
          message:
            e.parentSchema === privilegeTargetSchema
              ? 'must name exactly one of `source`, `group`, `apiKey` or `securityProvider`'
              : `must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params['limit'])} keys`,
        });
        break;
      default:
        out.push({ path, at: 'value', code: 'schema_invalid', message: e.message ?? `fails the ${e.keyword} rule` });
    }
  }
  return dedupe(out);
}

function translatePattern(e: ErrorObject, path: JsonPath, value: unknown, quotable: boolean): SchemaProblem {
  const pattern = String((e.params as Record<string, unknown>)['pattern']);
  const base = { path, at: 'value' as const, code: 'pattern_invalid' };
  const text = typeof value === 'string' && quotable ? value : undefined;
  if (e.parentSchema === fieldNameSchema) {
    const fixed = text === undefined ? undefined : suggestFieldName(text);
    return { ...base, message: `must match ${pattern}`, hint: fixed ? `did you mean \`${fixed}\`?` : 'lower-case letters, digits and _, starting with a letter' };
  }
  if (e.parentSchema === apiKeyNameSchema) return { ...base, message: `must match ${pattern}`, hint: 'letters, digits, ., _ and -, starting with a letter or digit, at most 100' };
  if (e.parentSchema === lifetimeSchema) return { ...base, message: 'must be an ISO-8601 duration such as P1Y, P90D or PT12H' };
  if (e.parentSchema === protectItemSchema) {
    const kind = text?.split('/')[0];
    const hint = kind === undefined ? undefined : didYouMean(kind, RESOURCE_KINDS);
    return { ...base, message: `must be KIND/IDENTITY with KIND one of ${RESOURCE_KINDS.join(', ')}`, ...(hint ? { hint } : {}) };
  }
  return { ...base, message: `must match ${pattern}` };
}

/** A valid field name close to `s` (lower-cased, other characters turned into _), if different. */
function suggestFieldName(s: string): string | undefined {
  const fixed = s
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .replace(/^[^a-z]+/, '')
    .slice(0, 255);
  return fixed !== '' && fixed !== s ? fixed : undefined;
}

function dedupe(problems: readonly SchemaProblem[]): SchemaProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${JSON.stringify(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
