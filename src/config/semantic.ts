/**
 * Checks the schema cannot express. Pure: data in, issues out (located by JSON path; the loader turns
 * paths into `file:line:column`).
 *
 * Per file: field options that do not fit the field type, privilege targets that do not fit their
 * domain, invalid `settings.ignore` regular expressions, assertions that assert nothing.
 * Across files: duplicate identities, a field declared twice with different types, and references to
 * resources no file declares, which are warnings: they may exist in the organization, and the planner
 * checks them against it.
 */
import { isPlainObject, type JsonObject, type JsonValue } from '../core/json.js';
import { isSecret } from '../core/secret.js';
import { KIND_SINGULAR, RESOURCE_KINDS, type ResourceKind } from '../core/types.js';
import { TARGET_KIND } from '../kinds/common.js';
import { IDENTITY } from '../kinds/identity.js';
import { BUILT_IN_PROVIDERS } from '../kinds/security-providers/spec.js';
import type { JsonPath } from './positions.js';

export interface LocalIssue {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly path: JsonPath;
}

const SINGULAR = KIND_SINGULAR;

/** Groups Coveo creates in every organization, which files may reference without declaring. */
const BUILT_IN_GROUPS: readonly string[] = ['Administrators'];

const obj = (v: unknown): JsonObject => (isPlainObject(v) ? (v as JsonObject) : {});
const list = (v: unknown): readonly JsonValue[] => (Array.isArray(v) ? (v as JsonValue[]) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Options Coveo accepts only on STRING fields (coveo-api-contract.md, FieldModel). */
const STRING_ONLY_OPTIONS = [
  'multiValueFacet',
  'hierarchicalFacet',
  'ranking',
  'stemming',
  'mergeWithLexicon',
  'multilingual',
  'keepAccentsDisplayValueFacet',
  'keepDistinctDisplayValueFacet',
] as const;
/** Options that are always true unless the type is STRING. */
const ALWAYS_ON_UNLESS_STRING = ['facet', 'sort'] as const;
/** Options not allowed on STRING fields. */
const NOT_ON_STRING = ['useCacheForNumericQuery', 'useCacheForComputedFacet'] as const;

function checkField(field: JsonObject, base: JsonPath, out: LocalIssue[]): void {
  const type = text(field['type']);
  if (type === undefined) return;
  const err = (option: string, message: string, hint?: string): void => {
    out.push({ severity: 'error', code: 'field_option_invalid', message, path: [...base, option], ...(hint ? { hint } : {}) });
  };
  if (type !== 'STRING') {
    for (const option of STRING_ONLY_OPTIONS) {
      if (field[option] === true) err(option, `\`${option}\` only applies to STRING fields, and this field is ${type}`, `remove it, or make the field a STRING`);
    }
    for (const option of ALWAYS_ON_UNLESS_STRING) {
      if (field[option] === false) err(option, `\`${option}\` is always true on ${type} fields; Coveo does not allow false`, 'remove the line');
    }
  } else {
    for (const option of NOT_ON_STRING) {
      if (field[option] === true) err(option, `\`${option}\` is not allowed on STRING fields`, 'remove it, or use a numeric or DATE field');
    }
    if (field['useCacheForSort'] === true && field['sort'] !== true) err('useCacheForSort', '`useCacheForSort` on a STRING field needs `sort: true`');
  }
  if (field['multilingual'] === true && field['keyValue'] !== true) err('multilingual', '`multilingual` needs `keyValue: true`');
}

function checkPrivileges(privileges: unknown, base: JsonPath, out: LocalIssue[]): void {
  list(privileges).forEach((p, i) => {
    const privilege = obj(p);
    const target = privilege['target'];
    if (!isPlainObject(target)) return;
    const props = Object.keys(target);
    const [prop] = props;
    if (props.length !== 1 || prop === undefined) return; // the schema reports it
    const domain = text(privilege['targetDomain']);
    if (domain === undefined) return;
    const expected = TARGET_KIND[domain];
    if (expected === undefined) {
      const domains = Object.keys(TARGET_KIND).join(', ');
      out.push({
        severity: 'error',
        code: 'privilege_target_invalid',
        message: `a ${domain} privilege cannot target one resource; only ${domains} privileges can`,
        hint: 'remove `target` to grant it on the whole domain',
        path: [...base, i, 'target'],
      });
    } else if (expected.prop !== prop) {
      out.push({
        severity: 'error',
        code: 'privilege_target_invalid',
        message: `a ${domain} privilege targets \`{ ${expected.prop}: … }\`, not \`${prop}\``,
        path: [...base, i, 'target', prop],
      });
    }
  });
}

// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Identities are shown in plans and logs, and a security provider's id is a segment of API paths: no
 * control characters anywhere (they could drive a terminal or hide text), and no provider id that a
 * URL would read as a path (`.`, `..`, or one holding `/`).
 */
function checkIdentities(root: JsonObject, out: LocalIssue[]): void {
  for (const kind of RESOURCE_KINDS) {
    list(root[kind]).forEach((r, i) => {
      for (const prop of IDENTITY[kind].paths) {
        const value = text(obj(r)[prop]);
        if (value === undefined) continue;
        const path = [kind, i, prop];
        if (CONTROL.test(value)) {
          out.push({ severity: 'error', code: 'identity_invalid', message: `a ${SINGULAR[kind]} \`${prop}\` cannot hold control characters (line breaks, tabs, escapes)`, path });
        } else if (kind === 'securityProviders' && (value === '.' || value === '..' || value.includes('/'))) {
          out.push({ severity: 'error', code: 'identity_invalid', message: 'a security provider id is part of API paths, so it cannot be `.`, `..` or hold `/`', path });
        }
      }
    });
  }
}

/** Checks one file's interpolated data (after schema validation) for problems the schema cannot express. */
export function checkFile(data: JsonValue): LocalIssue[] {
  const out: LocalIssue[] = [];
  const root = obj(data);
  checkIdentities(root, out);
  list(root['fields']).forEach((f, i) => checkField(obj(f), ['fields', i], out));
  for (const kind of ['groups', 'apiKeys'] as const) list(root[kind]).forEach((r, i) => checkPrivileges(obj(r)['privileges'], [kind, i, 'privileges'], out));
  const ignore = obj(obj(root['settings'])['ignore']);
  for (const kind of RESOURCE_KINDS) {
    list(ignore[kind]).forEach((pattern, i) => {
      if (typeof pattern !== 'string') return;
      try {
        new RegExp(pattern);
      } catch (e) {
        const reason = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : 'invalid';
        out.push({ severity: 'error', code: 'regex_invalid', message: `not a valid regular expression: ${reason}`, path: ['settings', 'ignore', kind, i] });
      }
    });
  }
  list(root['assertions']).forEach((a, i) => {
    const assertion = obj(a);
    if (assertion['allowed'] === undefined && assertion['denied'] === undefined && assertion['anonymous'] === undefined) {
      out.push({
        severity: 'error',
        code: 'assertion_empty',
        message: 'this assertion checks nothing',
        hint: 'add `allowed`, `denied` or `anonymous`',
        path: ['assertions', i],
      });
    }
  });
  return out;
}

/** A resource of the merged configuration, as the cross-file checks see it. */
export interface MergedResource {
  readonly written: JsonObject;
  /** Where its identity is written, for messages (e.g. `coveo/docs.yaml:12:9`); asked only for a problem. */
  where(): string;
}

export interface MergedInput {
  readonly resources: { readonly [K in ResourceKind]: readonly MergedResource[] };
  readonly assertions: readonly { readonly written: JsonObject }[];
}

/** An issue of the merged configuration: `index` is the position in the merged list of `kind`. */
export interface MergedIssue {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly kind: ResourceKind | 'assertions';
  readonly index: number;
  readonly path: JsonPath;
}

interface Reference {
  readonly kind: ResourceKind;
  readonly key: unknown;
  readonly path: JsonPath;
}

/** The references a resource makes to others, by identity. */
function referencesOf(kind: ResourceKind, w: JsonObject): Reference[] {
  const refs: Reference[] = [];
  const listRefs = (prop: string, target: ResourceKind): void => {
    list(w[prop]).forEach((key, i) => refs.push({ kind: target, key, path: [prop, i] }));
  };
  if (kind === 'securityProviders') listRefs('cascadingSecurityProviders', 'securityProviders');
  if (kind === 'sources') listRefs('securityProviders', 'securityProviders');
  if (kind === 'schedules') refs.push({ kind: 'sources', key: w['source'], path: ['source'] });
  if (kind === 'sources' || kind === 'groups' || kind === 'apiKeys') {
    listRefs('groupsThatCanEdit', 'groups');
    listRefs('apiKeysThatCanEdit', 'apiKeys');
  }
  if (kind === 'groups' || kind === 'apiKeys') {
    list(w['privileges']).forEach((p, i) => {
      const target = obj(obj(p)['target']);
      for (const t of Object.values(TARGET_KIND)) {
        if (target[t.prop] !== undefined) refs.push({ kind: t.kind, key: target[t.prop], path: ['privileges', i, 'target', t.prop] });
      }
    });
  }
  return refs;
}

const isBuiltIn = (kind: ResourceKind, key: string): boolean =>
  (kind === 'securityProviders' && BUILT_IN_PROVIDERS.includes(key)) || (kind === 'groups' && BUILT_IN_GROUPS.includes(key));

/** The identity of a written resource, or undefined when an identity part is missing or not plain text. */
function identityOf(kind: ResourceKind, w: JsonObject): string | undefined {
  const parts = IDENTITY[kind].paths.map((p) => w[p]);
  if (!parts.every((p) => typeof p === 'string' && !isSecret(p))) return undefined;
  return IDENTITY[kind].keyOf(w);
}

/** Cross-file checks of the merged configuration. */
export function checkMerged(input: MergedInput): MergedIssue[] {
  const out: MergedIssue[] = [];
  const declared = {} as Record<ResourceKind, Set<string>>;
  for (const kind of RESOURCE_KINDS) {
    const seen = new Map<string, MergedResource>();
    declared[kind] = new Set();
    input.resources[kind].forEach((r, index) => {
      const key = identityOf(kind, r.written);
      if (key === undefined) return;
      declared[kind].add(key);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, r);
        return;
      }
      const identityPath = [IDENTITY[kind].paths[0] ?? ''];
      const firstType = text(first.written['type']);
      const type = text(r.written['type']);
      if (kind === 'fields' && firstType !== undefined && type !== undefined && firstType !== type) {
        out.push({
          severity: 'error',
          code: 'field_type_conflict',
          message: `field \`${key}\` is declared twice with different types: ${firstType} at ${first.where()}, ${type} here`,
          hint: 'a field has one type; keep one declaration',
          kind,
          index,
          path: ['type'],
        });
        return;
      }
      out.push({
        severity: 'error',
        code: 'duplicate_identity',
        message: `${SINGULAR[kind]} \`${key}\` is declared twice: first at ${first.where()}, again here`,
        hint: 'identities must be unique across all files; remove or rename one',
        kind,
        index,
        path: identityPath,
      });
    });
  }
  const unresolved = (ref: Reference, where: { kind: ResourceKind | 'assertions'; index: number; path: JsonPath }, what: string): void => {
    if (typeof ref.key !== 'string' || declared[ref.kind].has(ref.key) || isBuiltIn(ref.kind, ref.key)) return;
    out.push({
      severity: 'warning',
      code: 'reference_unresolved',
      message: `${what}\`${ref.key}\` is not declared; it must exist in the org, the planner will check`,
      ...where,
    });
  };
  for (const kind of RESOURCE_KINDS) {
    input.resources[kind].forEach((r, index) => {
      for (const ref of referencesOf(kind, r.written)) {
        const what = kind === 'schedules' ? `the schedule's source ` : `${SINGULAR[ref.kind]} `;
        unresolved(ref, { kind, index, path: ref.path }, what);
      }
    });
  }
  input.assertions.forEach((a, index) => {
    const ref: Reference = { kind: 'sources', key: obj(a.written['document'])['source'], path: ['document', 'source'] };
    unresolved(ref, { kind: 'assertions', index, path: ref.path }, 'source ');
  });
  return out;
}
