/**
 * The exhaustive table of kind specs (style guide §4): adding a kind to `ResourceKind` fails to compile
 * until it has an entry here. Pure; the matching edge table is `OPS` in ./registry.ts.
 */
import type { SpecTable } from '../core/plan-changes.js';
import { apiKeysSpec } from './api-keys/spec.js';
import { fieldsSpec } from './fields/spec.js';
import { groupsSpec } from './groups/spec.js';
import { schedulesSpec } from './schedules/spec.js';
import { securityProvidersSpec } from './security-providers/spec.js';
import { sourcesSpec } from './sources/spec.js';

export const SPECS: SpecTable = {
  securityProviders: securityProvidersSpec,
  fields: fieldsSpec,
  sources: sourcesSpec,
  schedules: schedulesSpec,
  groups: groupsSpec,
  apiKeys: apiKeysSpec,
};
