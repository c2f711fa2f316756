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
  /** `recovered`: `apply --resume` settled what an interrupted write of this API key left (recover.ts). */
  readonly phase: 'intent' | 'done' | 'failed' | 'secret-saved' | 'recovered';
  readonly remoteId?: string;
  readonly message?: string;
}

export interface Journal {
  record(entry: Omit<JournalEntry, 'ts' | 'run' | 'org'>): void;
  /**
   * Several entries, in order, with one write and one flush to disk: the steps of one batch request
   * (500 fields), whose intents must all be on disk before it is sent, and whose results come together.
   */
  recordAll?(entries: readonly Omit<JournalEntry, 'ts' | 'run' | 'org'>[]): void;
}

export function openJournal(path: string, run: string, org: string, now: () => Date): Journal {
  mkdirSync(dirname(path), { recursive: true });
  const write = (text: string): void => {
    appendFileSync(path, text, { mode: 0o600 });
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  };
  const line = (entry: Omit<JournalEntry, 'ts' | 'run' | 'org'>): string => `${JSON.stringify({ ts: now().toISOString(), run, org, ...entry })}\n`;
  return {
    record(entry) {
      write(line(entry));
    },
    recordAll(entries) {
      // One flush per batch, not per entry: 10,000 flushes (5,000 fields, before and after) blocked an
      // apply for seconds, and much longer on slower disks (issue 9).
      if (entries.length > 0) write(entries.map(line).join(''));
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
