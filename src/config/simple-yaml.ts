/**
 * A fast reader for the plain subset of YAML that configurations are almost always written in (and that
 * `export` writes): block mappings and lists, one-line scalars (plain, single- or double-quoted) and
 * one-line flow collections. It gives the same data as the `yaml` package (YAML 1.2, core schema) and
 * the same source offsets, in a fraction of the time and memory: on an 837 kB exported configuration the
 * `yaml` document took about 0.5 s to build, most of what `plan` did before its first request.
 *
 * Anything outside the subset (anchors, aliases, tags, block scalars, multi-line scalars or flow
 * collections, tabs, CR, directives, several documents, odd indentation, duplicate keys, keys that are not
 * text) makes it give up and return undefined; the loader then parses the file with `yaml`, which also
 * reports every error. So this reader never reports a problem and never decides one: the
 * differential tests (test/unit/config/simple-yaml.test.ts) hold it to the `yaml` package's results.
 */

/** Where a value is written: its start and end offsets, and its children's. */
export interface OffsetNode {
  readonly start: number;
  readonly end: number;
  /** A mapping key written with no value (`key:`), whose value is null. */
  readonly empty?: boolean;
  /** Mapping: its keys, in order, with the offsets where they start. */
  readonly keys?: readonly string[];
  readonly keyStarts?: readonly number[];
  /** Mapping values (beside `keys`) or list items. */
  readonly kids?: readonly OffsetNode[];
  /** A mapping or list whose children's offsets were not kept (below `keepDepth`). */
  readonly partial?: true;
}

export interface SimpleYaml {
  readonly value: unknown;
  /** Values as the `yaml` lexer counts them: scalars (keys included) and flow collections. */
  readonly values: number;
  readonly offsets: OffsetNode;
}

/** Thrown inside the reader when the text leaves the subset; never escapes it. */
const OUTSIDE = new Error('outside the simple YAML subset');

/** Characters that make the reader give up anywhere in the text (the `yaml` package judges them). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\r(?!\n)/;

const SPACE = 0x20;
const NL = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;

/** First characters a plain scalar may not start with here (YAML indicators; `-`, `?` and `:` included). */
const isIndicator = (c: number): boolean =>
  c === DASH || c === 0x3f /* ? */ || c === COLON || c === 0x2c /* , */ || c === 0x5b /* [ */ || c === 0x5d /* ] */ || c === 0x7b /* { */ || c === 0x7d /* } */ ||
  c === HASH || c === 0x26 /* & */ || c === 0x2a /* * */ || c === 0x21 /* ! */ || c === 0x7c /* | */ || c === 0x3e /* > */ || c === 0x27 /* ' */ || c === 0x22 /* " */ ||
  c === 0x25 /* % */ || c === 0x40 /* @ */ || c === 0x60 /* ` */;

/**
 * YAML limits an implicit key to 1,024 characters; keys longer than this (with a margin) are left to the
 * yaml package, to report when reading and to write as explicit keys (`? key`) when writing.
 */
export const MAX_KEY_LENGTH = 1000;

const isFlowEnd = (c: number): boolean => c === 0x2c || c === 0x5d || c === 0x7d;

/**
 * A plain scalar as the core schema reads it (the tags and tests of the `yaml` package's core schema, in
 * its order): null, booleans, integers (decimal, 0o, 0x), floats, else the text itself.
 */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Most values are words: only these first characters can start a null, a boolean or a number.
  const maybe = s === '' || c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x2b || c === DASH || c === 0x2e || (c >= 0x30 && c <= 0x39);
  if (!maybe) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return c === 0x74 || c === 0x54;
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** Keys of mappings larger than this are also kept in a Set, so a mapping of many keys is read in linear time. */
const KEY_SET_FROM = 16;
const keySets = new WeakMap<string[], Set<string>>();

/** Whether `key` is already among `keys` (a mapping's keys so far, in order). */
function isRepeated(keys: string[], key: string): boolean {
  if (keys.length < KEY_SET_FROM) return keys.includes(key);
  let set = keySets.get(keys);
  if (set === undefined) {
    set = new Set(keys);
    keySets.set(keys, set);
  } else {
    for (let i = set.size; i < keys.length; i++) set.add(keys[i] as string);
  }
  return set.has(key);
}

/** Sets a key as the `yaml` package's toJS does (an inherited name such as `toString` becomes an own property). */
function setKey(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key in obj) Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

interface Parsed {
  readonly value: unknown;
  readonly node: OffsetNode;
}

/**
 * A mapping (block or flow) as it is read: its data, its keys checked as the `yaml` package would judge
 * them, and, when its offsets are kept, where each key and value is written.
 */
class MappingParts {
  readonly value: Record<string, unknown> = {};
  private readonly keys: string[] = [];
  private readonly keyStarts: number[] = [];
  private readonly kids: OffsetNode[] = [];
  private readonly keep: boolean;

  constructor(keep: boolean) {
    this.keep = keep;
  }

  /**
   * Checks a key before its value is read. Keys are text: a plain key that reads as null, a boolean or a
   * number, `<<`, `__proto__` or a repeated key is the full parser's to judge.
   */
  check(key: string, isQuoted: boolean): void {
    if (!isQuoted && (typeof resolvePlain(key) !== 'string' || key === '<<')) throw OUTSIDE;
    if (key === '__proto__' || isRepeated(this.keys, key)) throw OUTSIDE;
  }

  add(key: string, keyStart: number, item: Parsed): void {
    this.keys.push(key);
    if (this.keep) {
      this.keyStarts.push(keyStart);
      this.kids.push(item.node);
    }
    setKey(this.value, key, item.value);
  }

  node(start: number, end: number): OffsetNode {
    return this.keep ? { start, end, keys: this.keys, keyStarts: this.keyStarts, kids: this.kids } : { start, end, partial: true };
  }
}

/** A list (block or flow) as it is read: its data and, when its offsets are kept, its items'. */
class ListParts {
  readonly value: unknown[] = [];
  private readonly kids: OffsetNode[] | undefined;

  constructor(keep: boolean) {
    this.kids = keep ? [] : undefined;
  }

  add(item: Parsed): void {
    this.value.push(item.value);
    this.kids?.push(item.node);
  }

  node(start: number, end: number): OffsetNode {
    return this.kids ? { start, end, kids: this.kids } : { start, end, partial: true };
  }
}

class Reader {
  private readonly t: string;
  private readonly n: number;
  /** Start of the current line, and its indentation; `line === n` at the end. */
  private line = 0;
  private indent = 0;
  private readonly maxDepth: number;
  private readonly keepDepth: number;
  values = 0;

  constructor(text: string, maxDepth: number, keepDepth: number) {
    this.t = text;
    this.n = text.length;
    this.maxDepth = maxDepth;
    this.keepDepth = keepDepth;
  }

  /** Where the content of the line holding `from` ends: its line break (`\n`, or the `\r` of `\r\n`), or the end. */
  private lineEnd(from: number): number {
    const e = this.t.indexOf('\n', from);
    if (e < 0) return this.n;
    return e - 1 >= from && this.t.charCodeAt(e - 1) === CR ? e - 1 : e;
  }

  /** Where the line after the one holding `from` starts. */
  private nextLine(from: number): number {
    const e = this.t.indexOf('\n', from);
    return e < 0 ? this.n : e + 1;
  }

  /** The character at `p`, with a line break (`\n` or `\r\n`) and the end of the text read as NL. */
  private code(p: number): number {
    if (p >= this.n) return NL;
    const c = this.t.charCodeAt(p);
    return c === CR && this.t.charCodeAt(p + 1) === NL ? NL : c;
  }

  /** Moves to the next line holding content (not blank, not only a comment), from `from`. */
  private seekContent(from: number): void {
    const t = this.t;
    let p = from;
    while (p < this.n) {
      let q = p;
      while (q < this.n && t.charCodeAt(q) === SPACE) q++;
      const c = this.code(q);
      if (c === NL || c === HASH) {
        p = this.nextLine(q);
        continue;
      }
      // Document markers and directives belong to the full parser.
      if (q === p && (t.startsWith('---', p) || t.startsWith('...', p) || c === 0x25)) throw OUTSIDE;
      this.line = p;
      this.indent = q - p;
      return;
    }
    this.line = this.n;
    this.indent = -1;
  }

  private get atEnd(): boolean {
    return this.line >= this.n;
  }

  /** After a value ends at `p`: only spaces and a comment may follow on the line; then the next content line. */
  private endLine(p: number): void {
    const t = this.t;
    let q = p;
    while (q < this.n && t.charCodeAt(q) === SPACE) q++;
    if (this.code(q) !== NL && (t.charCodeAt(q) !== HASH || q === p)) throw OUTSIDE;
    this.seekContent(this.nextLine(q));
  }

  document(): Parsed {
    this.seekContent(0);
    if (this.atEnd) throw OUTSIDE;
    const root = this.block(this.indent, 0);
    if (!this.atEnd) throw OUTSIDE;
    return root;
  }

  /** A block collection whose first line is the current one, at the current indentation. */
  private block(indent: number, depth: number): Parsed {
    if (depth > this.maxDepth) throw OUTSIDE;
    const p = this.line + indent;
    const c = this.t.charCodeAt(p);
    if (c === DASH && this.isBlank(p + 1)) return this.list(indent, depth);
    return this.mapping(indent, p, depth);
  }

  /** Whether offset `p` is a space, a line end or the end of the text. */
  private isBlank(p: number): boolean {
    const c = this.code(p);
    return c === SPACE || c === NL;
  }

  private list(indent: number, depth: number): Parsed {
    const t = this.t;
    const parts = new ListParts(depth < this.keepDepth);
    const start = this.line + indent;
    let end: number;
    for (;;) {
      let p = this.line + indent + 1;
      while (p < this.n && t.charCodeAt(p) === SPACE) p++;
      const c = this.code(p);
      // `-` alone (value on the next lines), `- - x` and `- ? x` are left to the full parser.
      if (c === NL || c === HASH || (c === DASH && this.isBlank(p + 1))) throw OUTSIDE;
      let item: Parsed;
      const key = this.keyAt(p);
      if (key !== undefined) {
        item = this.mapping(p - this.line, p, depth + 1);
      } else {
        item = this.inline(p, depth + 1, 'block');
        this.endLine(item.node.end);
      }
      parts.add(item);
      end = item.node.end;
      if (this.atEnd || this.indent < indent) break;
      if (this.indent > indent || t.charCodeAt(this.line + indent) !== DASH || !this.isBlank(this.line + indent + 1)) throw OUTSIDE;
    }
    return { value: parts.value, node: parts.node(start, end) };
  }

  /**
   * The key written at `p` when the line is a mapping entry (`key: …` or `key:`), with the offset of
   * its colon; undefined when it is not one.
   */
  private keyAt(p: number): { key: string; colon: number } | undefined {
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const q = this.quoted(p);
      if (q === undefined || t.charCodeAt(q.end) !== COLON || !this.isBlank(q.end + 1)) return undefined;
      if (q.end - p > MAX_KEY_LENGTH) throw OUTSIDE;
      return { key: q.text, colon: q.end };
    }
    if (isIndicator(c)) return undefined;
    const e = this.lineEnd(p);
    for (let q = p; q < e; q++) {
      const d = t.charCodeAt(q);
      if (d === HASH && t.charCodeAt(q - 1) === SPACE) return undefined;
      if (d === COLON && this.isBlank(q + 1)) {
        if (t.charCodeAt(q - 1) === SPACE || q - p > MAX_KEY_LENGTH) throw OUTSIDE;
        return { key: t.slice(p, q), colon: q };
      }
    }
    return undefined;
  }

  /** A block mapping at `indent`; its first key is at `first` (after `- ` for a mapping in a list item). */
  private mapping(indent: number, first: number, depth: number): Parsed {
    if (depth > this.maxDepth) throw OUTSIDE;
    const t = this.t;
    const parts = new MappingParts(depth < this.keepDepth);
    let p = first;
    let end: number;
    for (;;) {
      const k = this.keyAt(p);
      if (k === undefined) throw OUTSIDE;
      parts.check(k.key, t.charCodeAt(p) === 0x22 || t.charCodeAt(p) === 0x27);
      this.values++;
      let v = k.colon + 1;
      while (v < this.n && t.charCodeAt(v) === SPACE) v++;
      const c = this.code(v);
      let item: Parsed;
      if (c === NL || c === HASH) {
        if (c === HASH && v === k.colon + 1) throw OUTSIDE;
        this.seekContent(this.nextLine(v));
        if (!this.atEnd && this.indent > indent) {
          item = this.block(this.indent, depth + 1);
        } else {
          // `key:` with nothing after: null, whose (empty) node the `yaml` package places after the spaces.
          this.values++;
          item = { value: null, node: { start: v, end: v, empty: true } };
        }
      } else {
        item = this.inline(v, depth + 1, 'block');
        this.endLine(item.node.end);
      }
      parts.add(k.key, p, item);
      end = item.node.end;
      if (this.atEnd || this.indent < indent) break;
      if (this.indent > indent) throw OUTSIDE;
      p = this.line + indent;
    }
    return { value: parts.value, node: parts.node(first, end) };
  }

  /** A value written on one line from `p`: a quoted or plain scalar, or a flow collection. */
  private inline(p: number, depth: number, context: 'block' | 'flow'): Parsed {
    if (depth > this.maxDepth) throw OUTSIDE;
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === 0x22 || c === 0x27) {
      const q = this.quoted(p);
      if (q === undefined) throw OUTSIDE;
      this.values++;
      return { value: q.text, node: { start: p, end: q.end } };
    }
    if (c === 0x5b) return this.flowList(p, depth);
    if (c === 0x7b) return this.flowMapping(p, depth);
    // A plain scalar may start with `-` before a digit or a dot (a negative number); other indicators are left to the full parser.
    if (isIndicator(c) && !(c === DASH && p + 1 < this.n && /[0-9.]/.test(t.charAt(p + 1)))) throw OUTSIDE;
    const e = this.lineEnd(p);
    let last = p;
    let q = p;
    for (; q < e; q++) {
      const d = t.charCodeAt(q);
      if (d === SPACE) continue;
      if (d === HASH && t.charCodeAt(q - 1) === SPACE) break;
      if (d === COLON) {
        const after = q + 1 < e ? t.charCodeAt(q + 1) : NL;
        // `a: b` in a value (a mapping where none may start) is the full parser's; in flow, `:` before
        // a flow indicator is too.
        if (after === NL || after === SPACE || (context === 'flow' && isFlowEnd(after))) throw OUTSIDE;
      }
      if (context === 'flow' && (isFlowEnd(d) || d === 0x5b || d === 0x7b)) break;
      last = q + 1;
    }
    if (context === 'flow' && q >= e) throw OUTSIDE;
    this.values++;
    return { value: resolvePlain(t.slice(p, last)), node: { start: p, end: last } };
  }

  /** A quoted scalar starting at `p` and closed on the same line, or undefined. */
  private quoted(p: number): { text: string; end: number } | undefined {
    const t = this.t;
    const e = this.lineEnd(p);
    if (t.charCodeAt(p) === 0x27) {
      let text = '';
      let from = p + 1;
      for (let q = from; q < e; q++) {
        if (t.charCodeAt(q) !== 0x27) continue;
        text += t.slice(from, q);
        if (t.charCodeAt(q + 1) === 0x27) {
          text += "'";
          from = ++q + 1;
          continue;
        }
        return { text, end: q + 1 };
      }
      return undefined;
    }
    let text = '';
    let from = p + 1;
    for (let q = from; q < e; q++) {
      const d = t.charCodeAt(q);
      if (d === 0x22) return { text: text + t.slice(from, q), end: q + 1 };
      if (d !== 0x5c) continue;
      text += t.slice(from, q);
      const x = t.charAt(q + 1);
      const simple = ESCAPES[x];
      if (simple !== undefined) {
        text += simple;
        q += 1;
      } else if (x === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(q + 2, q + 6))) {
        text += String.fromCharCode(parseInt(t.slice(q + 2, q + 6), 16));
        q += 5;
      } else {
        return undefined;
      }
      from = q + 1;
    }
    return undefined;
  }

  private skipSpaces(p: number): number {
    while (p < this.n && this.t.charCodeAt(p) === SPACE) p++;
    return p;
  }

  /** After a flow item: `,` (then maybe the closing bracket) or the closing bracket; the offset after it. */
  private flowNext(p: number, close: number): { at: number; closed: boolean } {
    const q = this.skipSpaces(p);
    const c = this.t.charCodeAt(q);
    if (c === close) return { at: q + 1, closed: true };
    if (c !== 0x2c) throw OUTSIDE;
    const r = this.skipSpaces(q + 1);
    if (this.t.charCodeAt(r) === close) return { at: r + 1, closed: true };
    return { at: r, closed: false };
  }

  private flowList(start: number, depth: number): Parsed {
    this.values++;
    const parts = new ListParts(depth < this.keepDepth);
    let p = this.skipSpaces(start + 1);
    if (this.t.charCodeAt(p) === 0x5d) return { value: parts.value, node: parts.node(start, p + 1) };
    for (;;) {
      const item = this.flowItem(p, depth + 1);
      parts.add(item);
      const next = this.flowNext(item.node.end, 0x5d);
      if (next.closed) return { value: parts.value, node: parts.node(start, next.at) };
      p = next.at;
    }
  }

  private flowMapping(start: number, depth: number): Parsed {
    this.values++;
    const t = this.t;
    const parts = new MappingParts(depth < this.keepDepth);
    let p = this.skipSpaces(start + 1);
    if (t.charCodeAt(p) === 0x7d) return { value: parts.value, node: parts.node(start, p + 1) };
    for (;;) {
      let key: string;
      let colon: number;
      const c = t.charCodeAt(p);
      const isQuoted = c === 0x22 || c === 0x27;
      if (isQuoted) {
        const q = this.quoted(p);
        if (q === undefined) throw OUTSIDE;
        key = q.text;
        colon = this.skipSpaces(q.end);
        if (t.charCodeAt(colon) !== COLON || q.end - p > MAX_KEY_LENGTH) throw OUTSIDE;
      } else {
        if (isIndicator(c)) throw OUTSIDE;
        const e = this.lineEnd(p);
        let q = p;
        while (q < e && !(t.charCodeAt(q) === COLON && t.charCodeAt(q + 1) === SPACE)) {
          const d = t.charCodeAt(q);
          if (isFlowEnd(d) || d === 0x5b || d === 0x7b || (d === HASH && t.charCodeAt(q - 1) === SPACE)) throw OUTSIDE;
          q++;
        }
        if (q >= e || t.charCodeAt(q - 1) === SPACE || q - p > MAX_KEY_LENGTH) throw OUTSIDE;
        key = t.slice(p, q);
        colon = q;
      }
      parts.check(key, isQuoted);
      this.values++;
      const v = this.skipSpaces(colon + 1);
      const d = this.code(v);
      if (isFlowEnd(d) || d === NL) throw OUTSIDE;
      const item = this.flowItem(v, depth + 1);
      parts.add(key, p, item);
      const next = this.flowNext(item.node.end, 0x7d);
      if (next.closed) return { value: parts.value, node: parts.node(start, next.at) };
      p = next.at;
    }
  }

  /** An item of a flow collection: a scalar or a nested flow collection (a `key: value` pair in a list is left out). */
  private flowItem(p: number, depth: number): Parsed {
    const c = this.code(p);
    if (c === NL || c === HASH) throw OUTSIDE;
    const item = this.inline(p, depth, 'flow');
    // A quoted key followed by `:` (`["a": 1]`) is a pair.
    if (this.t.charCodeAt(this.skipSpaces(item.node.end)) === COLON) throw OUTSIDE;
    return item;
  }
}

/**
 * The data and offsets of `text` when it is written in the simple subset; undefined otherwise (the
 * caller then uses the `yaml` package, which gives the same result for any text this reader accepts).
 *
 * @param maxDepth nesting beyond which the reader gives up, so the full parser reports it
 * @param keepDepth nesting from which the offsets of children are not kept (`partial` nodes): a loader
 *   needs the places of the resources up front and those of their insides only for a problem, when it
 *   can read the text again in full; keeping fewer offsets makes the first read faster
 */
export function readSimpleYaml(text: string, maxDepth: number, keepDepth = Number.POSITIVE_INFINITY): SimpleYaml | undefined {
  if (UNSUPPORTED_CHARS.test(text)) return undefined;
  const reader = new Reader(text, maxDepth, keepDepth);
  try {
    const { value, node } = reader.document();
    return { value, values: reader.values, offsets: node };
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

/** Offsets where each line starts (the `yaml` package's LineCounter, for texts it did not read). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
