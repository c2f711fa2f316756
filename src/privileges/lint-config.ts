/** The least-privilege lint over loaded files: warnings with the file position of each privilege. */
import type { LoadedConfig } from '../config/index.js';
import { lintPrivileges, type LintPrivilege } from '../core/privileges/lint.js';
import type { Issue } from '../errors.js';

/**
 * Least-privilege warnings for the API keys the files declare, as issues (severity `warning`) with
 * `file:line:column`; printed by `validate` and `plan`, never blocking.
 */
export function lintConfigPrivileges(config: Pick<LoadedConfig, 'resources' | 'positionOf'>): Issue[] {
  const keys = config.resources.apiKeys;
  const warnings = lintPrivileges(
    keys.map((r, index) => ({
      kind: 'apiKeys' as const,
      key: typeof r.written['name'] === 'string' ? r.written['name'] : String(index),
      index,
      privileges: Array.isArray(r.written['privileges']) ? (r.written['privileges'] as LintPrivilege[]) : [],
    })),
  );
  return warnings.map((w) => {
    const position = w.index === undefined ? undefined : config.positionOf('apiKeys', w.index, ['privileges', w.privilegeIndex]);
    const fileIndex = w.index === undefined ? undefined : keys[w.index]?.index;
    return {
      severity: 'warning',
      code: w.code,
      message: w.message,
      path: fileIndex === undefined ? w.path : `apiKeys[${fileIndex}].${w.path}`,
      hint: w.hint,
      ...(position ? { position } : {}),
    };
  });
}
