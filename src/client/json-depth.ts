/**
 * How deep a JSON text nests, found by one scan of the text before it is parsed. `JSON.parse` itself
 * copes with any depth, but everything that walks the result afterwards (normalising, hashing, diffing)
 * recurses: an answer nested tens of thousands of levels deep would end a run in a stack overflow.
 */

/** Deepest nesting of arrays and objects accepted in a response; Coveo's objects nest about ten levels. */
export const MAX_RESPONSE_DEPTH = 256;

/** Whether `text` (JSON) nests arrays and objects more than `max` levels deep; brackets inside strings do not count. */
export function isNestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip the string: up to the next quote that an even number of backslashes precedes.
      for (;;) {
        const quote = text.indexOf('"', i + 1);
        if (quote < 0) return false;
        let before = quote - 1;
        while (text.charCodeAt(before) === 0x5c) before--;
        i = quote;
        if ((quote - 1 - before) % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
