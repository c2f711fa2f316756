/**
 * JSON path → `file:line:column`: the Locator of a parsed file, and the one of files the simple reader
 * read (from its offsets). The one built on the yaml package's document is in yaml-full.ts, loaded only
 * for files the simple reader leaves to it.
 */
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

/** The first character of a file, for problems of the whole file. */
export const startOfFile = (file: string): SourcePosition => ({ file, line: 1, column: 1 });

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
export function createOffsetLocator(root: OffsetNode, lineStarts: readonly number[], file: string, fullOffsets?: () => OffsetNode): Locator {
  const positionAt = (offset: number): SourcePosition => ({ file, ...lineColumn(lineStarts, offset) });
  type Found = { node: OffsetNode | undefined; keyStart: number | undefined; ancestor: OffsetNode };
  // Below a node whose children's offsets were not kept, the offsets come from a full read of the text,
  // made the first time such a path is asked for (a problem to report); its nodes are never partial.
  let full: OffsetNode | undefined;
  const walk = (top: OffsetNode, path: JsonPath): Found => {
    let node = top;
    let keyStart: number | undefined;
    for (const seg of path) {
      if (node.partial === true) return fullOffsets ? walk((full ??= fullOffsets()), path) : { node: undefined, keyStart: undefined, ancestor: node };
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
  const find = (path: JsonPath): Found => walk(root, path);
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
