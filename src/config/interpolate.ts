/**
 * `${env:NAME}` / `${var:NAME}` interpolation and the secret rules of the configuration language
 * (design §2). Pure: the environment, variables, salt and fingerprint function come in as arguments.
 *
 * - `${env:NAME}` reads the environment; the whole string it sits in becomes a `Secret`.
 * - `${var:NAME}` reads `--var`/`--var-file` values; plain text, never secret.
 * - `$${` is a literal `${`.
 * - Values under a sensitive path (sensitive parameters, user identity passwords) must come from
 *   `${env:…}`; secrets may only sit where the planner can treat them as write-only values.
 */
import { isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import { Secret, isSecret } from '../core/secret.js';
import { valueAt, type JsonPath } from './positions.js';

export interface InterpolationOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly vars?: Readonly<Record<string, string>> | undefined;
  readonly salt: string;
  readonly fingerprint: (value: string, salt: string) => string;
  /**
   * For `validate` without the secrets at hand: an unset variable is a warning, and the reference itself
   * (`${env:NAME}`) stands in for its value. Never plan or apply with this on.
   */
  readonly allowUnset?: boolean | undefined;
}

/** A problem found while interpolating or checking secrets; `token` is the text to point at, if any. */
export interface InterpolationProblem {
  readonly severity?: 'error' | 'warning';
  readonly path: JsonPath;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly token?: string;
}

/** A JSON value whose string leaves may be `Secret`s. */
export type WrittenValue = JsonValue | Secret;

export interface InterpolationResult {
  /** The data with secrets as `Secret` instances: what the rest of the tool sees. */
  readonly written: JsonValue;
  /** The same data with secrets revealed, only for schema validation; never printed or kept. */
  readonly plain: JsonValue;
  readonly problems: readonly InterpolationProblem[];
  /** Paths whose value holds a stand-in for an unset variable (`allowUnset`); their checks are skipped. */
  readonly placeholderPaths: readonly JsonPath[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REFERENCE = /\$\{([^}]*)\}?/y;

/** Whether `s` contains an interpolation or an escape, i.e. whether it needs `interpolateString`. */
const hasDollarBrace = (s: string): boolean => s.includes('${');

interface StringResult {
  readonly text: string;
  readonly envNames: readonly string[];
  readonly problems: readonly Omit<InterpolationProblem, 'path'>[];
  /** Whether an unset variable was replaced by its own reference (`allowUnset`). */
  readonly hasPlaceholder: boolean;
}

/** Expands one string. The expanded text is secret when `envNames` is not empty. */
export function interpolateString(source: string, options: InterpolationOptions): StringResult {
  let text = '';
  const envNames: string[] = [];
  const problems: Omit<InterpolationProblem, 'path'>[] = [];
  let hasPlaceholder = false;
  const unset = (scheme: 'env' | 'var', name: string, token: string, hint: string): void => {
    const isLenient = options.allowUnset === true;
    const what = scheme === 'env' ? 'environment variable' : 'variable';
    problems.push({ severity: isLenient ? 'warning' : 'error', code: `${scheme}_missing`, message: `${what} \`${name}\` is not set`, hint, token });
    if (!isLenient) return;
    hasPlaceholder = true;
    text += token;
    if (scheme === 'env') envNames.push(name);
  };
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!source.startsWith('${', i)) {
      text += source[i];
      i += 1;
      continue;
    }
    REFERENCE.lastIndex = i;
    const m = REFERENCE.exec(source);
    const token = m?.[0] ?? '${';
    const body = m?.[1] ?? '';
    i += token.length;
    const colon = body.indexOf(':');
    const scheme = colon < 0 ? '' : body.slice(0, colon);
    const name = colon < 0 ? body : body.slice(colon + 1);
    if (!token.endsWith('}') || (scheme !== 'env' && scheme !== 'var') || !NAME.test(name)) {
      const shown = token.length > 40 ? `${token.slice(0, 40)}…` : token;
      problems.push({
        code: 'interpolation_invalid',
        message: `\`${shown}\` is not a valid reference: write \${env:NAME} (secret, from the environment) or \${var:NAME} (plain, from --var), NAME made of letters, digits and _`,
        hint: 'write $${ for a literal ${',
        token,
      });
      continue;
    }
    if (scheme === 'env') {
      const value = options.env[name];
      if (value === undefined) {
        unset('env', name, token, `set ${name} before running coveo-sync`);
        continue;
      }
      envNames.push(name);
      text += value;
    } else {
      const value = options.vars?.[name];
      if (value === undefined) {
        unset('var', name, token, `pass --var ${name}=VALUE or --var-file FILE`);
        continue;
      }
      text += value;
    }
  }
  return { text, envNames, problems, hasPlaceholder };
}

/**
 * Interpolates every string of a file's data (keys are never interpolated). Objects are rebuilt, so
 * aliased YAML nodes (shared references in the input) become independent values.
 */
export function interpolateTree(data: unknown, options: InterpolationOptions): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  const placeholderPaths: JsonPath[] = [];
  // One path, grown and shrunk as the walk goes (copied only for a problem): a configuration of 5,000
  // fields has about 75,000 values, and a new array per value was a third of this function's time.
  const path: (string | number)[] = [];
  const walk = (v: unknown): { written: WrittenValue; plain: JsonValue } => {
    if (typeof v === 'string') {
      if (!hasDollarBrace(v)) return { written: v, plain: v };
      const r = interpolateString(v, options);
      for (const p of r.problems) problems.push({ ...p, path: [...path] });
      if (r.hasPlaceholder) placeholderPaths.push([...path]);
      if (r.envNames.length === 0) return { written: r.text, plain: r.text };
      const ref = r.envNames.length === 1 && v === `\${env:${r.envNames[0] ?? ''}}` ? `env:${r.envNames[0] ?? ''}` : v;
      return { written: new Secret(ref, r.text, options.fingerprint(r.text, options.salt)), plain: r.text };
    }
    if (Array.isArray(v)) {
      const written: WrittenValue[] = [];
      const plain: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        const r = walk(v[i]);
        path.pop();
        written.push(r.written);
        plain.push(r.plain);
      }
      return { written: written as JsonValue, plain };
    }
    if (v !== null && typeof v === 'object') {
      const written: Record<string, WrittenValue> = {};
      const plain: Record<string, JsonValue> = {};
      for (const k of Object.keys(v)) {
        path.push(k);
        const r = walk((v as Record<string, unknown>)[k]);
        path.pop();
        if (k === '__proto__') {
          // defineProperty keeps a `__proto__` key as data, so the schema reports it as an unknown key.
          Object.defineProperty(written, k, { value: r.written, enumerable: true, writable: true, configurable: true });
          Object.defineProperty(plain, k, { value: r.plain, enumerable: true, writable: true, configurable: true });
        } else {
          written[k] = r.written;
          plain[k] = r.plain;
        }
      }
      return { written: written as JsonValue, plain };
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return { written: v, plain: v };
    // yaml's core schema gives only JSON values; anything else (undefined) reads as null.
    return { written: null, plain: null };
  };
  const r = walk(data);
  return { written: r.written as JsonValue, plain: r.plain, problems, placeholderPaths };
}

/** Where a secret may sit: places the planner compares as write-only values, or passes through raw. */
const SECRET_ALLOWED: readonly (readonly string[])[] = [
  ['organization'],
  ['sources', '#', 'configuration'],
  ['sources', '#', 'mappings'],
  ['sources', '#', 'preConversionExtensions'],
  ['sources', '#', 'postConversionExtensions'],
  ['securityProviders', '#', 'parameters', '*', 'value'],
  ['apiKeys', '#', 'additionalConfiguration'],
];

function isSecretAllowed(path: JsonPath): boolean {
  return SECRET_ALLOWED.some(
    (prefix) =>
      path.length >= prefix.length &&
      prefix.every((p, i) => {
        const seg = path[i];
        if (p === '#') return typeof seg === 'number';
        return p === '*' || p === seg;
      }),
  );
}

const asObject = (v: unknown): JsonObject | undefined => (isPlainObject(v) ? (v as JsonObject) : undefined);

/** The sensitive paths of one file's data: values that must be `${env:…}` secrets. */
export function sensitivePaths(data: JsonValue): JsonPath[] {
  const out: JsonPath[] = [];
  const root = asObject(data);
  if (!root) return out;
  const sensitiveParams = (params: unknown, base: JsonPath): void => {
    for (const [name, p] of Object.entries(asObject(params) ?? {})) {
      const param = asObject(p);
      if (param && param['sensitive'] === true && param['value'] !== undefined) out.push([...base, name, 'value']);
    }
  };
  const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);
  list(root['sources']).forEach((s, i) => {
    const configuration = asObject(asObject(s)?.['configuration']);
    if (!configuration) return;
    sensitiveParams(configuration['parameters'], ['sources', i, 'configuration', 'parameters']);
    for (const [name, u] of Object.entries(asObject(configuration['userIdentities']) ?? {})) {
      if (asObject(u)?.['password'] !== undefined) out.push(['sources', i, 'configuration', 'userIdentities', name, 'password']);
    }
  });
  list(root['securityProviders']).forEach((p, i) => sensitiveParams(asObject(p)?.['parameters'], ['securityProviders', i, 'parameters']));
  return out;
}


/**
 * The secret rules on interpolated data: sensitive values must be secrets, and secrets may only sit
 * where they can be kept secret (identities, references and compared attributes are printed in plans).
 */
export function checkSecrets(written: JsonValue): InterpolationProblem[] {
  const problems: InterpolationProblem[] = [];
  for (const path of sensitivePaths(written)) {
    const v = valueAt(written, path);
    if (isSecret(v) || typeof v !== 'string') continue; // wrong types are the schema's business
    problems.push({
      path,
      code: 'secret_literal',
      message: 'this sensitive value is written in the file: move it to an environment variable so it never sits in git',
      hint: 'write it as ${env:NAME} and set NAME where coveo-sync runs',
    });
  }
  const at: (string | number)[] = [];
  const walk = (v: unknown): void => {
    if (isSecret(v)) {
      if (!isSecretAllowed(at)) {
        problems.push({
          path: [...at],
          code: 'secret_not_allowed',
          message: '${env:…} makes this value secret, but it is shown in plans and compared here, so it cannot be secret',
          hint: 'use ${var:NAME} (plain, from --var) for a value that changes per environment',
        });
      }
      return;
    }
    const keys: readonly (string | number)[] = Array.isArray(v) ? v.map((_, i) => i) : v !== null && typeof v === 'object' ? Object.keys(v) : [];
    for (const k of keys) {
      at.push(k);
      walk((v as Record<string | number, unknown>)[k]);
      at.pop();
    }
  };
  walk(written);
  return problems;
}
