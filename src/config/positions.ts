/**
 * JSON path → `file:line:column`, by walking the YAML document's nodes and their source ranges. Aliases
 * are followed to their anchor, so a problem in aliased data points at where it is written.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePosition } from '../errors.js';
import type { OffsetNode } from './simple-yaml.js';

export type JsonPath = readonly (string | number)[];

/** The value at a JSON path, or undefined when the path leads nowhere. */
export function valueAt(data: unknown, path: JsonPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export interface Locator {
  /**
   * Where the value at `path` starts (or its key, with `at: 'key'`, for unknown-key problems). A path that
   * does not exist falls back to its nearest existing ancestor, so every issue gets a position.
   */
  positionOf(path: JsonPath, at?: 'value' | 'key'): SourcePosition;
  /** The source offsets `[start, end]` of the value node exactly at `path`, or undefined. */
  rangeOf(path: JsonPath): readonly [number, number] | undefined;
  /** Position of a character offset in the file. */
  positionAt(offset: number): SourcePosition;
}

/** A 1-based position from a 0-based offset. */
export function positionAtOffset(lineCounter: LineCounter, file: string, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, column: col };
}

interface Found {
  readonly node: Node | null | undefined;
  readonly pair: Pair | undefined;
  readonly exact: boolean;
  readonly ancestor: Node | undefined;
}

/** A scalar key as the JS data spells it: `null`/`~` keys become `''`. */
const scalarKeyText = (value: unknown): string => (typeof value === 'string' ? value : value === null ? '' : (JSON.stringify(value) ?? ''));

/** Builds the locator of one parsed document. */
export function createLocator(doc: Document, lineCounter: LineCounter, file: string): Locator {
  const deref = (n: unknown): Node | null | undefined => {
    let node = n as Node | null | undefined;
    // A chain of aliases is followed a bounded number of times (yaml forbids cycles, but be safe).
    for (let hops = 0; hops < 64 && isAlias(node); hops++) node = node.resolve(doc);
    return node;
  };

  const find = (path: JsonPath): Found => {
    let node = deref(doc.contents);
    let pair: Pair | undefined;
    let ancestor: Node | undefined = node ?? undefined;
    for (const seg of path) {
      node = deref(node);
      if (node === null || node === undefined) return { node: undefined, pair, exact: false, ancestor };
      ancestor = node;
      if (isMap(node)) {
        pair = node.items.find((p) => isScalar(p.key) && scalarKeyText(p.key.value) === String(seg));
        if (pair === undefined) return { node: undefined, pair: undefined, exact: false, ancestor };
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof seg === 'number') {
        pair = undefined;
        node = node.items[seg] as Node | undefined;
        if (node === undefined) return { node: undefined, pair: undefined, exact: false, ancestor };
      } else {
        return { node: undefined, pair: undefined, exact: false, ancestor };
      }
    }
    return { node: deref(node), pair, exact: true, ancestor };
  };

  const startOf = (n: unknown): number | undefined => {
    const range = (n as { range?: readonly number[] | null } | null | undefined)?.range;
    return range?.[0];
  };

  const positionAt = (offset: number): SourcePosition => positionAtOffset(lineCounter, file, offset);

  return {
    positionAt,
    positionOf(path, at = 'value') {
      const found = find(path);
      if (found.exact) {
        const key = found.pair?.key;
        const keyStart = startOf(key);
        if (at === 'key' && keyStart !== undefined) return positionAt(keyStart);
        // An empty value (`name:`) has a zero-width range after the key; the key is the better place.
        const valueStart = startOf(found.node);
        const isEmpty = isScalar(found.node) && found.node.value === null && found.node.source === '';
        if (valueStart !== undefined && !isEmpty) return positionAt(valueStart);
        if (keyStart !== undefined) return positionAt(keyStart);
      }
      return positionAt(startOf(found.ancestor) ?? 0);
    },
    rangeOf(path) {
      const found = find(path);
      const range = (found.node as { range?: readonly number[] | null } | undefined)?.range;
      if (!found.exact || !range || range[0] === undefined || range[1] === undefined) return undefined;
      return [range[0], range[1]];
    },
  };
}

/** 1-based line and column of an offset, from the offsets where lines start (as yaml's LineCounter gives them). */
function lineColumn(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
}

/**
 * The locator of a file read by the simple reader (config/simple-yaml.ts), from its offsets: the same
 * positions as `createLocator` gives for the `yaml` document of the same text.
 */
export function createOffsetLocator(root: OffsetNode, lineStarts: readonly number[], file: string): Locator {
  const positionAt = (offset: number): SourcePosition => ({ file, ...lineColumn(lineStarts, offset) });
  const find = (path: JsonPath): { node: OffsetNode | undefined; keyStart: number | undefined; ancestor: OffsetNode } => {
    let node = root;
    let keyStart: number | undefined;
    for (const seg of path) {
      const ancestor = node;
      let next: OffsetNode | undefined;
      if (node.keys) {
        const i = node.keys.indexOf(String(seg));
        next = i < 0 ? undefined : node.kids?.[i];
        keyStart = node.keyStarts?.[i];
      } else if (node.kids && typeof seg === 'number') {
        next = node.kids[seg];
        keyStart = undefined;
      }
      if (next === undefined) return { node: undefined, keyStart: undefined, ancestor };
      node = next;
    }
    return { node, keyStart, ancestor: node };
  };
  return {
    positionAt,
    positionOf(path, at = 'value') {
      const found = find(path);
      if (found.node === undefined) return positionAt(found.ancestor.start);
      if (at === 'key' && found.keyStart !== undefined) return positionAt(found.keyStart);
      if (found.node.empty === true && found.keyStart !== undefined) return positionAt(found.keyStart);
      return positionAt(found.node.start);
    },
    rangeOf(path) {
      const { node } = find(path);
      return node ? [node.start, node.end] : undefined;
    },
  };
}
