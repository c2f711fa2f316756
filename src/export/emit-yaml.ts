/**
 * The written configuration → YAML text (pure; only the `yaml` library). Deterministic: the same input
 * gives the same bytes, so a second export of an unchanged org is byte-identical and diffs in git show
 * only real changes. Privileges and frequencies are written as flow maps and short lists of scalars on
 * one line, as in the design's examples; resources are separated by a blank line.
 */
import { Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { MAX_KEY_LENGTH, resolvePlain } from '../config/simple-yaml.js';
import { RESOURCE_KINDS, type ResourceKind } from '../core/types.js';
import type { SecretVariable, WrittenExport } from './to-written.js';

/** File names of `--split-by-kind`, one per kind. */
export const KIND_FILES: { readonly [K in ResourceKind]: string } = {
  securityProviders: 'security-providers.yaml',
  fields: 'fields.yaml',
  sources: 'sources.yaml',
  schedules: 'schedules.yaml',
  groups: 'groups.yaml',
  apiKeys: 'api-keys.yaml',
};
/** File name of a single-file export. */
export const SINGLE_FILE = 'coveo-sync.yaml';
export const SECRETS_EXAMPLE_FILE = 'secrets.example.env';

export interface EmitOptions {
  /** What the `$schema` comment points at (a path relative to the file, or a URL). */
  readonly schemaRef: string;
  /** One file per kind instead of one file. */
  readonly splitByKind?: boolean;
}

export interface EmittedFile {
  /** File name, relative to the output directory. */
  readonly path: string;
  readonly text: string;
}

/** Scalar lists at most this long (as `a, b, c`) are written on one line. */
const FLOW_LIST_MAX = 60;
/** Under this key, a list's mappings are each written on one line. */
const FLOW_ITEMS_KEY = 'privileges';
/** Maps written on one line wherever they appear under these keys. */
const FLOW_MAP_KEYS: readonly string[] = ['frequency', 'hourMinute', 'target'];

/** Renders the export as one file, or one file per kind, each a complete configuration (`version: 1`). */
export function emitYaml(config: WrittenExport, options: EmitOptions): EmittedFile[] {
  const kinds = RESOURCE_KINDS.filter((k) => config[k] !== undefined);
  if (!options.splitByKind) return [{ path: SINGLE_FILE, text: renderDocument(config, kinds, options.schemaRef) }];
  return kinds.map((k) => ({ path: KIND_FILES[k], text: renderDocument(config, [k], options.schemaRef) }));
}

const headerLines = (schemaRef: string): readonly string[] => [` yaml-language-server: $schema=${schemaRef}`, ' Written by `coveo-sync export`: edit freely; `coveo-sync plan` shows what an apply would change.'];

function renderDocument(config: WrittenExport, kinds: readonly ResourceKind[], schemaRef: string): string {
  const data: Record<string, unknown> = { version: 1 };
  for (const k of kinds) data[k] = config[k] ?? [];
  return writeDirect(data, headerLines(schemaRef)) ?? writeWithYaml(data, schemaRef);
}

/** The yaml package's rendering, the reference: used for any document `writeDirect` is not sure about. */
export function writeWithYaml(data: Record<string, unknown>, schemaRef: string): string {
  const doc = new Document(data, { aliasDuplicateObjects: false });
  doc.commentBefore = headerLines(schemaRef).join('\n');
  const root = doc.contents as YAMLMap;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key !== 'version' && isScalar(pair.key)) pair.key.spaceBefore = true;
    if (isSeq(pair.value)) {
      pair.value.items.forEach((item, i) => {
        if (i > 0 && isNode(item)) item.spaceBefore = true;
      });
    }
    if (isNode(pair.value)) styleNode(pair.value, key);
  }
  return doc.toString({ lineWidth: 0, indent: 2, indentSeq: true });
}

function isNode(v: unknown): v is Node {
  return isMap(v) || isSeq(v) || isScalar(v);
}

/** Whether a list is written on one line: scalars only, at most FLOW_LIST_MAX characters as `a, b, c`. */
function isShortScalarList(items: readonly unknown[]): boolean {
  if (items.length === 0 || !items.every((i) => i === null || typeof i !== 'object')) return false;
  const text = items.map((i) => String(i)).join(', ');
  return text.length <= FLOW_LIST_MAX && !text.includes('\n');
}

/** Chooses flow style for privileges, frequencies and short scalar lists, recursively. */
function styleNode(node: Node, key: string): void {
  if (isSeq(node)) {
    if (node.items.length > 0 && node.items.every((i) => isScalar(i))) {
      if (isShortScalarList(node.items.map((i) => (i as { value: unknown }).value))) node.flow = true;
      return;
    }
    for (const item of node.items) {
      if (key === FLOW_ITEMS_KEY && isMap(item)) item.flow = true;
      else if (isNode(item)) styleNode(item, '');
    }
    return;
  }
  if (isMap(node)) {
    if (FLOW_MAP_KEYS.includes(key)) {
      node.flow = true;
      return;
    }
    for (const pair of node.items) {
      if (isNode(pair.value)) styleNode(pair.value, isScalar(pair.key) ? String(pair.key.value) : '');
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// The direct writer: the same text as the yaml package gives for what exports hold (maps, lists,
// one-line strings, integers, booleans, null), about ten times faster on a large organization. Where it
// is not sure how the yaml package would write a value (a string of several lines, one that needs
// quotes other than plain double quotes, a non-integer number, a list in a list), it gives up and the
// document is written by the yaml package. test/unit/export/emit-direct.test.ts holds the two equal.

/** Thrown inside writeDirect when a value is outside what it writes; never escapes it. */
const UNSURE = new Error('not written directly');

/** First characters that make the yaml package quote a string (YAML indicators). */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
/** Characters this writer writes: letters, digits, marks, spaces and common punctuation (no tab, no control). */
const PLAIN_CHARS = /^[\p{L}\p{N}\p{M} _./$:@+=()'"!?%&*;~^<>\\#,[\]{}|`-]*$/u;

function writeString(s: string, inFlow: boolean): string {
  // `-a`, `?a` and `:a` may be plain or quoted depending on what follows; `<<` may be a merge key; other
  // characters (tabs, controls, rarer symbols) are the yaml package's to judge.
  if (/^[-?:]/.test(s) || s.startsWith('<<') || !PLAIN_CHARS.test(s)) throw UNSURE;
  const needsQuotes =
    s === '' ||
    INDICATOR_START.test(s) ||
    s.startsWith(' ') ||
    s.endsWith(' ') ||
    s.endsWith(':') ||
    s.includes(': ') ||
    s.includes(' #') ||
    (inFlow && /[,[\]{}]/.test(s)) ||
    typeof resolvePlain(s) !== 'string';
  if (!needsQuotes) return s;
  // Quoted: in double quotes, as the yaml package does, when nothing in it needs an escape.
  if (!s.includes('"') && !s.includes('\\')) return `"${s}"`;
  throw UNSURE;
}

/** A mapping key: as a string, but a key YAML cannot write implicitly (over 1,024 characters) is the yaml package's (`? key`). */
function writeKey(k: string, inFlow: boolean): string {
  if (k.length > MAX_KEY_LENGTH) throw UNSURE;
  return writeString(k, inFlow);
}

function writeScalar(v: unknown, inFlow: boolean): string {
  if (typeof v === 'string') return writeString(v, inFlow);
  if (typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0)) return String(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  throw UNSURE;
}

function writeFlow(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.map(writeFlow).join(', ')} ]`;
  if (isObject(v)) {
    const entries = Object.entries(v);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${writeKey(k, true)}: ${writeFlow(x)}`).join(', ')} }`;
  }
  return writeScalar(v, true);
}

/** A plain object (a JSON object); anything else that is an object (a Date, a Map, a class) is the yaml package's to write. */
function isObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw UNSURE;
  return true;
}

/**
 * The lines of a block value under a key (or list item) at `indent`, styled as styleNode styles it:
 * `key` is the key the value sits under ('' for list items).
 */
function writeBlockValue(v: unknown, key: string, indent: number, out: string[], head: string, spaced: boolean): void {
  if (Array.isArray(v)) {
    // At the top, the yaml package spaces the items of a one-line list onto several lines: its own to write.
    if (spaced && isShortScalarList(v)) throw UNSURE;
    if (v.length === 0 || isShortScalarList(v)) {
      out.push(`${head} ${writeFlow(v)}`);
      return;
    }
    out.push(head);
    const pad = ' '.repeat(indent + 2);
    v.forEach((item, i) => {
      if (spaced && i > 0) out.push('');
      if (Array.isArray(item)) throw UNSURE;
      if (isObject(item) && Object.keys(item).length > 0 && key !== FLOW_ITEMS_KEY) writeMapLines(item, indent + 4, out, `${pad}- `);
      else out.push(`${pad}- ${isObject(item) ? writeFlow(item) : writeScalar(item, false)}`);
    });
    return;
  }
  if (isObject(v)) {
    if (Object.keys(v).length === 0 || FLOW_MAP_KEYS.includes(key)) {
      out.push(`${head} ${writeFlow(v)}`);
      return;
    }
    out.push(head);
    writeMapLines(v, indent + 2, out, ' '.repeat(indent + 2));
    return;
  }
  out.push(`${head} ${writeScalar(v, false)}`);
}

/** A block map at `indent`; its first line starts with `first` (the indentation, or `- ` of its list item). */
function writeMapLines(map: Record<string, unknown>, indent: number, out: string[], first: string): void {
  const pad = ' '.repeat(indent);
  Object.entries(map).forEach(([k, v], i) => writeBlockValue(v, k, indent, out, `${i === 0 ? first : pad}${writeKey(k, false)}:`, false));
}

/** The document written directly, or undefined when a value is outside what this writer is sure of. */
export function writeDirect(data: Record<string, unknown>, header: readonly string[]): string | undefined {
  const out: string[] = header.map((line) => `#${line}`);
  out.push('');
  try {
    Object.entries(data).forEach(([k, v], i) => {
      if (i > 0) out.push('');
      writeBlockValue(v, k, 0, out, `${writeKey(k, false)}:`, true);
    });
  } catch (e) {
    if (e === UNSURE) return undefined;
    throw e;
  }
  return `${out.join('\n')}\n`;
}

/** `secrets.example.env`: every variable the files need, with where it goes, and no values. */
export function emitSecretsExample(secrets: readonly SecretVariable[]): string {
  const lines = [
    '# Secrets that `coveo-sync export` could not read: Coveo never returns them.',
    '# Set each variable where coveo-sync runs (a CI secret, or an uncommitted .env file); the files',
    '# refer to them as ${env:NAME}. Never commit real values.',
  ];
  for (const s of secrets) lines.push('', `# ${s.address}: ${s.path}`, `${s.name}=`);
  return `${lines.join('\n')}\n`;
}
