/**
 * The pure half of `apply --resume` for API keys (src/apply/recover.ts): which key writes the journal
 * shows unfinished, and what to do with the live keys that carry their marker.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/apply/journal.js';
import { interruptedKeys, planKeyRecovery } from '../../src/apply/recover.js';

const ORG = 'acme';
let n = 0;
const e = (run: string, address: string, action: string, phase: JournalEntry['phase'], remoteId?: string, org = ORG): JournalEntry => ({
  ts: `2026-01-01T00:00:${String(n++).padStart(2, '0')}.000Z`,
  run,
  org,
  address,
  action,
  phase,
  ...(remoteId !== undefined ? { remoteId } : {}),
});

describe('interruptedKeys', () => {
  it('finds creates and replaces without their done, across runs, and only for this organization', () => {
    const entries = [
      e('r1', 'apiKeys/a', 'create', 'intent'),
      e('r1', 'apiKeys/b', 'create', 'intent'),
      e('r1', 'apiKeys/b', 'create', 'secret-saved', 'B1'),
      e('r1', 'apiKeys/b', 'create', 'done', 'B1'),
      e('r1', 'apiKeys/c', 'replace', 'intent', 'C0'),
      e('r1', 'apiKeys/c', 'replace', 'secret-saved', 'C1'),
      e('r1', 'apiKeys/c', 'replace', 'failed'),
      e('r1', 'groups/g', 'create', 'intent'),
      e('x1', 'apiKeys/z', 'create', 'intent', undefined, 'other-org'),
      // A later run that did not touch a or c does not make their loss go away.
      e('r2', 'apiKeys/b', 'update', 'intent', 'B1'),
      e('r2', 'apiKeys/b', 'update', 'done', 'B1'),
    ];
    expect(interruptedKeys(entries, ORG)).toEqual([
      { address: 'apiKeys/a', name: 'a', savedIds: [], replacedIds: [] },
      { address: 'apiKeys/c', name: 'c', savedIds: ['C1'], replacedIds: ['C0'] },
    ]);
  });

  it('closes a key once a later run finished it, or a resume recovered it', () => {
    const entries = [
      e('r1', 'apiKeys/a', 'create', 'intent'),
      e('r2', 'apiKeys/a', 'recover', 'recovered'),
      e('r1', 'apiKeys/b', 'create', 'intent'),
      e('r3', 'apiKeys/b', 'replace', 'intent', 'B-lost'),
      e('r3', 'apiKeys/b', 'replace', 'secret-saved', 'B2'),
      e('r3', 'apiKeys/b', 'replace', 'done', 'B2'),
    ];
    expect(interruptedKeys(entries, ORG)).toEqual([]);
  });

  it('does not trust a key that an unfinished write may have made, when a later replace targets it', () => {
    const entries = [e('r1', 'apiKeys/a', 'create', 'intent'), e('r2', 'apiKeys/a', 'replace', 'intent', 'A-lost')];
    expect(interruptedKeys(entries, ORG)).toEqual([{ address: 'apiKeys/a', name: 'a', savedIds: [], replacedIds: [] }]);
  });
});

describe('planKeyRecovery', () => {
  const key = (savedIds: string[], replacedIds: string[]) => ({ address: 'apiKeys/k', name: 'k', savedIds, replacedIds });

  it('deletes a key whose value nobody has (a create killed before saving it)', () => {
    expect(planKeyRecovery([key([], [])], [{ id: 'K1', name: 'k' }, { id: 'X', name: 'other' }])).toEqual([{ address: 'apiKeys/k', name: 'k', lost: ['K1'], superseded: [] }]);
  });

  it('finishes a replace whose new value was saved: keeps the new key, retires the old one', () => {
    expect(planKeyRecovery([key(['N'], ['O'])], [{ id: 'O', name: 'k' }, { id: 'N', name: 'k' }])).toEqual([{ address: 'apiKeys/k', name: 'k', keep: 'N', lost: [], superseded: ['O'] }]);
  });

  it('undoes a replace killed before the new value was saved: keeps the old key, deletes the new one', () => {
    expect(planKeyRecovery([key([], ['O'])], [{ id: 'O', name: 'k' }, { id: 'N', name: 'k' }])).toEqual([{ address: 'apiKeys/k', name: 'k', keep: 'O', lost: ['N'], superseded: [] }]);
  });

  it('does nothing when no live key carries the marker, or only the one to keep', () => {
    expect(planKeyRecovery([key([], ['O'])], [])).toEqual([{ address: 'apiKeys/k', name: 'k', lost: [], superseded: [] }]);
    expect(planKeyRecovery([key(['N'], ['O'])], [{ id: 'N', name: 'k' }])).toEqual([{ address: 'apiKeys/k', name: 'k', keep: 'N', lost: [], superseded: [] }]);
  });
});
