/** The loader's limits on what a configuration file may hold (security: no input exhausts memory or the stack). */

/** Files larger than this are refused rather than parsed. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Cap on YAML alias expansion, so an alias bomb is an error and not an out-of-memory crash. */
export const MAX_ALIAS_COUNT = 100;
/**
 * Cap on the values (scalars, flow collections, aliases) of all the files together, counted as each file
 * is read, and by the lexer before parsing for a text long enough to pass it: the yaml package's document
 * holds about 1 kB per value, so 10 MB of `[1,1,1,…]` (5 million values) would exhaust the heap. A
 * 5,000-field, 500-source organization holds about 75,000.
 */
export const MAX_YAML_VALUES = 500_000;
/** Errors shown at most; a file of 50,000 duplicate keys gives one screen, not 50,000 lines. */
export const MAX_ISSUES_SHOWN = 50;
/** Cap on nesting (mappings and lists inside each other); real configurations stay under 20. */
export const MAX_DEPTH = 64;
