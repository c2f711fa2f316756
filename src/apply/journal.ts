/**
 * The apply journal (design §5): one JSON line before and after each write, fsynced, so a run killed at
 * any moment can be resumed or re-planned without duplicates. It never holds a secret value.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface JournalEntry {
  readonly ts: string;
  readonly run: string;
  readonly org: string;
  readonly address: string;
  readonly action: string;
  readonly phase: 'intent' | 'done' | 'failed' | 'secret-saved';
  readonly remoteId?: string;
  readonly message?: string;
}

export interface Journal {
  record(entry: Omit<JournalEntry, 'ts' | 'run' | 'org'>): void;
}

export function openJournal(path: string, run: string, org: string, now: () => Date): Journal {
  mkdirSync(dirname(path), { recursive: true });
  return {
    record(entry) {
      const line = `${JSON.stringify({ ts: now().toISOString(), run, org, ...entry })}\n`;
      appendFileSync(path, line, { mode: 0o600 });
      const fd = openSync(path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** Reads a journal; lines that are not complete JSON (a kill mid-write) are skipped. */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const out: JournalEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn last line from a kill: ignore it.
    }
  }
  return out;
}

/**
 * API keys of the last run against `org` that were (or may have been) created without their value being
 * saved: a resume must replace them, so no secret is lost and no key is orphaned.
 */
export function keysWithLostSecrets(entries: readonly JournalEntry[], org: string): string[] {
  const runs = entries.filter((e) => e.org === org);
  const last = runs.at(-1)?.run;
  if (last === undefined) return [];
  const intents = new Set<string>();
  const saved = new Set<string>();
  for (const e of runs) {
    if (e.run !== last || !e.address.startsWith('apiKeys/')) continue;
    if (e.phase === 'intent' && (e.action === 'create' || e.action === 'replace')) intents.add(e.address);
    if (e.phase === 'secret-saved' || (e.phase === 'failed' && e.message === 'not-sent')) saved.add(e.address);
  }
  return [...intents].filter((a) => !saved.has(a)).sort();
}
