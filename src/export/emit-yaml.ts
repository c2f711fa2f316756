/**
 * The written configuration → YAML text (pure; only the `yaml` library). Deterministic: the same input
 * gives the same bytes, so a second export of an unchanged org is byte-identical and diffs in git show
 * only real changes. Privileges and frequencies are written as flow maps and short lists of scalars on
 * one line, as in the design's examples; resources are separated by a blank line.
 */
import { Document, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
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
/** Maps written on one line wherever they appear under these keys. */
const FLOW_MAP_KEYS: readonly string[] = ['frequency', 'hourMinute', 'target'];

/** Renders the export as one file, or one file per kind, each a complete configuration (`version: 1`). */
export function emitYaml(config: WrittenExport, options: EmitOptions): EmittedFile[] {
  const kinds = RESOURCE_KINDS.filter((k) => config[k] !== undefined);
  if (!options.splitByKind) return [{ path: SINGLE_FILE, text: renderDocument(config, kinds, options.schemaRef) }];
  return kinds.map((k) => ({ path: KIND_FILES[k], text: renderDocument(config, [k], options.schemaRef) }));
}

function renderDocument(config: WrittenExport, kinds: readonly ResourceKind[], schemaRef: string): string {
  const data: Record<string, unknown> = { version: 1 };
  for (const k of kinds) data[k] = config[k] ?? [];
  const doc = new Document(data, { aliasDuplicateObjects: false });
  doc.commentBefore = ` yaml-language-server: $schema=${schemaRef}\n Written by \`coveo-sync export\`: edit freely; \`coveo-sync plan\` shows what an apply would change.`;
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

/** Chooses flow style for privileges, frequencies and short scalar lists, recursively. */
function styleNode(node: Node, key: string): void {
  if (isSeq(node)) {
    const scalars = node.items.every((i) => isScalar(i));
    if (scalars && node.items.length > 0) {
      const text = node.items.map((i) => String((i as { value: unknown }).value)).join(', ');
      if (text.length <= FLOW_LIST_MAX && !text.includes('\n')) node.flow = true;
      return;
    }
    for (const item of node.items) {
      if (key === 'privileges' && isMap(item)) item.flow = true;
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
