/** Privileges against the API (issue 8): the preflight, API key privileges against the org, the lint over files. */
export { checkApiKeyPrivileges, fetchAssignablePrivileges, type ApiKeyPrivilegeCheckOptions } from './api-key-privileges.js';
export { lintConfigPrivileges } from './lint-config.js';
export { callsOf, touchedSourcesOf, type RunShape } from './needs.js';
export { checkPlanPrivileges, describeMissing, runPreflight, type PreflightOptions, type PreflightResult } from './preflight.js';
export { detectTokenKind, fetchTokenPrivileges, type TokenKind } from './token.js';
