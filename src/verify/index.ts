/** `coveo-sync verify` (issue 8): effective-permission assertions and the privilege report. */
export { erroredAssertion, evaluateAssertion } from './evaluate.js';
export { findItem, type FoundItem } from './find-item.js';
export { encodeDocumentId, PERMISSIONS_PAGE_SIZE, readEffectivePermissions } from './permissions.js';
export { renderVerifyReport, summarizeVerify, type VerifyFormat } from './render.js';
export { toVerifyAssertions, VERIFY_CALLS, verifyAssertions, type VerifyOptions } from './run.js';
export type * from './types.js';
export { PERMISSION_STATES } from './types.js';
