/**
 * The plan basis' configuration fingerprint is the hash of `configBasisPieces` joined: the same text as
 * the stableStringify of the whole `[[kind, [[key, attrs], …]], …]` array it was computed from before
 * (issue 9: get-plan hashes the pieces while the reads are in flight). Plans saved before must stay fresh.
 */
import { describe, expect, it } from 'vitest';
import { compareStrings, stableStringify } from '../../../src/core/json.js';
import { configBasisPieces, planChanges } from '../../../src/core/plan-changes.js';
import { RESOURCE_KINDS, type DesiredState, type ResourceKind } from '../../../src/core/types.js';
import { SPECS } from '../../../src/kinds/specs.js';
import { desiredOf, fingerprint, hash, ORG, SALT, secret, written } from '../../support/builders.js';

/** The text as planChanges wrote it before the pieces. */
const wholeText = (desired: DesiredState, kinds: readonly ResourceKind[]): string =>
  stableStringify(RESOURCE_KINDS.filter((k) => kinds.includes(k)).map((k) => [k, [...desired[k]].sort((a, b) => compareStrings(a.key, b.key)).map((d) => [d.key, d.attrs])]));

const desired = desiredOf({
  securityProviders: [written.provider('Directory', { parameters: { Token: { value: secret('ENV_A', 'SECRET-abc'), sensitive: true } } })],
  fields: [written.field('zeta'), written.field('alpha', 'LONG'), written.field('Ünïcode "quoted"')],
  sources: [written.source('Docs', { configuration: { parameters: { Password: { value: secret('ENV_B', 'SECRET-def') } }, '10': 'ten', '2': 'two' } })],
  schedules: [written.schedule('Docs'), written.schedule('Docs', 'REBUILD')],
  groups: [],
  apiKeys: [written.apiKey('k-1')],
});

describe('configBasisPieces', () => {
  it('joined, is the stable text of the whole array, for any set of kinds (empty kinds and none included)', () => {
    const sets: ResourceKind[][] = [[...RESOURCE_KINDS], [], ['groups'], ['fields', 'schedules'], ['apiKeys', 'securityProviders'], ['groups', 'sources', 'fields']];
    for (const kinds of sets) expect([...configBasisPieces(desired, kinds)].join('')).toBe(wholeText(desired, kinds));
  });

  it('gives one piece per resource, plus the closing one', () => {
    expect([...configBasisPieces(desired, ['fields'])]).toHaveLength(4);
  });

  it('planChanges fingerprints that text, or takes the fingerprint it is given', () => {
    const options = { specs: SPECS, organizationId: ORG, kinds: [...RESOURCE_KINDS], prune: false, protect: [], ignore: {}, salt: SALT, hash, fingerprint };
    expect(planChanges(desired, {}, options).plan.basis.config).toBe(hash(wholeText(desired, RESOURCE_KINDS)));
    expect(planChanges(desired, {}, { ...options, configFingerprint: 'given' }).plan.basis.config).toBe('given');
  });
});
