/**
 * The yaml package's side of the loader, imported only when a file is outside the simple subset
 * (config/simple-yaml.ts) or too large to parse before counting: parsing with every syntax error and
 * warning, the checks on the parsed document (value budget, keys that are not text, alias cycles and
 * bombs, nesting), and the Locator that walks the document's nodes. Aliases are followed to their
 * anchor, so a problem in aliased data points at where it is written.
 */
import { Lexer, LineCounter, isAlias, isMap, isNode, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node, type Pair } from 'yaml';
import type { SourcePosition } from '../errors.js';
import { MAX_ALIAS_COUNT, MAX_DEPTH } from './limits.js';
import type { IssueInit } from './load.js';
import { startOfFile, type JsonPath, type Locator } from './positions.js';

/** A 1-based position from a 0-based offset. */
function positionAtOffset(lineCounter: LineCounter, file: string, offset: number): SourcePosition {
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

/** Parses a file with the yaml package, reporting its syntax errors and the checks on the parsed document. */
export function parseWithYaml(text: string, file: string, add: (i: IssueInit) => void, budget: { values: number }, tooLarge: () => undefined): { js: unknown; locator: Locator } | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): SourcePosition => positionAtOffset(lineCounter, file, offset);
  if (docs.length === 0) {
    add({ code: 'file_empty', message: 'empty file', hint: 'a configuration file starts with `version: 1`', position: startOfFile(file) });
    return undefined;
  }
  let isBroken = false;
  docs.forEach((doc, n) => {
    if (n === 1) {
      add({
        code: 'multiple_documents',
        message: 'several YAML documents in one file; coveo-sync reads one document per file',
        hint: 'split it into several files, or remove the `---` line',
        position: at(doc.range[0]),
      });
      isBroken = true;
    }
    for (const err of doc.errors) {
      const hint = YAML_HINTS[err.code];
      add({ code: `yaml_${err.code.toLowerCase()}`, message: yamlMessage(err.code, err.message, text, err.pos), position: at(err.pos[0]), ...(hint ? { hint } : {}) });
      isBroken = true;
    }
    for (const w of doc.warnings) add({ severity: 'warning', code: `yaml_${w.code.toLowerCase()}`, message: w.message, position: at(w.pos[0]) });
  });
  const doc = docs[0];
  if (isBroken || doc === undefined) return undefined;
  if (doc.contents === null) {
    add({ code: 'file_empty', message: 'empty file (only comments)', hint: 'a configuration file starts with `version: 1`', position: startOfFile(file) });
    return undefined;
  }

  const facts = inspectDocument(doc);
  if (facts.values > budget.values) return tooLarge();
  budget.values -= facts.values;
  const badKey = facts.badKey;
  if (badKey !== undefined) {
    add({
      code: 'yaml_key_not_text',
      message: 'a mapping key here is an alias or a list or mapping; coveo-sync keys are plain text',
      hint: 'write the key out: an alias as a key could silently replace a key written elsewhere',
      position: at(badKey),
    });
    return undefined;
  }
  const cycle = facts.aliasCycle;
  if (cycle !== undefined) {
    add({ code: 'yaml_alias_cycle', message: 'this alias refers to a node that contains it, which would make the data endless', hint: 'write the data out instead of using the alias', position: at(cycle) });
    return undefined;
  }

  let js: unknown;
  try {
    js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const message = e instanceof Error ? e.message : '';
    const unresolved = /^Unresolved alias[^:]*: (.*)$/.exec(message)?.[1];
    if (unresolved !== undefined) {
      add({ code: 'yaml_bad_alias', message: `alias \`*${unresolved}\` has no anchor \`&${unresolved}\` before it`, position: at(aliasOffset(doc, unresolved)) });
    } else {
      add({
        code: 'alias_limit',
        message: `too many alias expansions (over ${MAX_ALIAS_COUNT} uses of one anchor, or aliases nested in aliases); this looks like an alias bomb`,
        hint: 'write the data out, or use fewer aliases',
        position: at(aliasOffset(doc)),
      });
    }
    return undefined;
  }

  const locator = createLocator(doc, lineCounter, file);
  const deep = pathDeeperThan(js, MAX_DEPTH);
  if (deep !== undefined) {
    add({ code: 'nesting_too_deep', message: `mappings and lists are nested more than ${MAX_DEPTH} levels deep`, hint: 'a configuration needs far fewer levels; check for runaway nesting', path: deep, position: locator.positionOf(deep) });
    return undefined;
  }
  return { js, locator };
}

/** Offset of the first alias (named `name`, if given). */
function aliasOffset(doc: Document, name?: string): number {
  let offset = 0;
  visit(doc, {
    Alias(_key, node) {
      if (name !== undefined && node.source !== name) return undefined;
      if (isAlias(node) && node.range) offset = node.range[0];
      return visit.BREAK;
    },
  });
  return offset;
}

/**
 * How many values (scalars, flow collections, aliases) the lexer finds, counting up to `limit + 1` only:
 * cheap next to parsing, and it stops early on a file built to exhaust memory.
 */
export function countYamlValues(text: string, limit: number): number {
  let n = 0;
  for (const token of new Lexer().lex(text)) {
    // The lexer marks plain and block scalars with \x1f; quoted scalars, flow collections and aliases start with their indicator.
    const c = token[0];
    if (c === '\x1f' || c === '"' || c === "'" || c === '[' || c === '{' || c === '*') {
      n++;
      if (n > limit) return n;
    }
  }
  return n;
}

interface DocumentFacts {
  /** Values as the lexer counts them: scalars (keys included), aliases and flow collections. */
  readonly values: number;
  /** Offset of the first mapping key that is not a scalar (`*alias :`, `? [a, b] :`). */
  readonly badKey?: number;
  /** Offset of an alias that sits inside the node its anchor names (`a: &x [*x]`). */
  readonly aliasCycle?: number;
}

/** What the checks after parsing need from a document, in one walk. */
function inspectDocument(doc: Document): DocumentFacts {
  let values = 0;
  let badKey: number | undefined;
  let aliasCycle: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (badKey === undefined && pair.key !== null && !isScalar(pair.key)) badKey = isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    },
    Scalar() {
      values++;
    },
    Map(_key, node) {
      if (node.flow === true) values++;
    },
    Seq(_key, node) {
      if (node.flow === true) values++;
    },
    Alias(_key, node, path) {
      values++;
      if (aliasCycle === undefined && path.some((ancestor) => isNode(ancestor) && ancestor.anchor === node.source)) aliasCycle = node.range?.[0] ?? 0;
    },
  });
  return { values, ...(badKey !== undefined ? { badKey } : {}), ...(aliasCycle !== undefined ? { aliasCycle } : {}) };
}

/** The path of a value nested deeper than `max` levels, found without recursion; undefined when none is. */
function pathDeeperThan(root: unknown, max: number): JsonPath | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= max) return path;
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v: unknown, i) => [i, v]) : Object.entries(value as Record<string, unknown>);
    for (const [k, v] of entries) stack.push({ value: v, path: [...path, k] });
  }
  return undefined;
}

const INDENTATION_HINT = 'check the indentation here and on the next lines: keys of one mapping start in the same column, and each key ends with `: `';
/** What to do about yaml's syntax errors, whose messages speak the YAML specification's language. */
const YAML_HINTS: Readonly<Partial<Record<string, string>>> = {
  BAD_INDENT: INDENTATION_HINT,
  BLOCK_AS_IMPLICIT_KEY: INDENTATION_HINT,
  MULTILINE_IMPLICIT_KEY: INDENTATION_HINT,
  UNEXPECTED_TOKEN: INDENTATION_HINT,
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: 'a quote, bracket or brace opened earlier is not closed',
  DUPLICATE_KEY: 'each key may appear once in a mapping',
  BAD_DQ_ESCAPE: 'in double quotes, write a backslash as \\\\',
  RESOURCE_EXHAUSTION: `a configuration needs far fewer levels (the limit is ${MAX_DEPTH})`,
};

/** yaml's messages, with the duplicated key named. */
function yamlMessage(code: string, message: string, text: string, pos: readonly [number, number]): string {
  if (code === 'DUPLICATE_KEY') {
    const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(text.slice(pos[0], pos[0] + 200))?.[1]?.trim() ?? '';
    return key === '' || key.length > 80 ? 'duplicate key in a mapping' : `duplicate key \`${key}\` in a mapping`;
  }
  // yaml reports a stack overflow on deep nesting in V8's words.
  if (code === 'RESOURCE_EXHAUSTION') return 'the data is nested too deeply to be read';
  return message.replace(/\s+/g, ' ').trim();
}
