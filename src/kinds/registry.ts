/**
 * The exhaustive edge table (style guide §4): `OPS` has an entry for every kind or this fails to compile.
 * The pure twin is `SPECS` in ./specs.ts.
 */
import type { ResourceKind } from '../core/types.js';
import { apiKeysOps } from './api-keys/ops.js';
import { fieldsOps } from './fields/ops.js';
import { groupsOps } from './groups/ops.js';
import type { KindOps } from './ops-types.js';
import { schedulesOps } from './schedules/ops.js';
import { securityProvidersOps } from './security-providers/ops.js';
import { sourcesOps } from './sources/ops.js';

export { SPECS } from './specs.js';

export const OPS: { readonly [K in ResourceKind]: KindOps } = {
  securityProviders: securityProvidersOps,
  fields: fieldsOps,
  sources: sourcesOps,
  schedules: schedulesOps,
  groups: groupsOps,
  apiKeys: apiKeysOps,
};
