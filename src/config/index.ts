/** The configuration language: loading, validation and issue formatting (design §2). */
export {
  loadConfig,
  MAX_ALIAS_COUNT,
  MAX_DEPTH,
  MAX_FILE_BYTES,
  MAX_YAML_VALUES,
  type LoadedAssertion,
  type LoadedConfig,
  type LoadedResource,
  type LoadedSettings,
  type LoadOptions,
} from './load.js';
export { displayPath, formatIssue, formatPosition } from './format.js';
export { CONFIG_SCHEMA, validateWritten, type SchemaProblem } from './validate.js';
export { checkFile, checkMerged } from './semantic.js';
export { interpolateString } from './interpolate.js';
export { editDistance, suggestClosest } from './suggest.js';
export type * from './written-config.generated.js';
