/** Compiler-like lines for configuration issues. */
import { isAbsolute, relative, sep } from 'node:path';
import type { Issue, SourcePosition } from '../errors.js';

/** A file path as the user should read it: relative to `cwd` when it is inside it. */
export function displayPath(file: string, cwd?: string): string {
  if (cwd === undefined || !isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return file;
  return rel;
}

/** `file:line:column`, the file relative to `cwd`. */
export function formatPosition(position: SourcePosition, cwd?: string): string {
  return `${displayPath(position.file, cwd)}:${position.line}:${position.column}`;
}

/**
 * One issue as a line a compiler would print, e.g.
 * `docs.yaml:12:7 error fields[3].name: must match ^[a-z][a-z0-9_]{0,254}$ (did you mean \`productcategory\`?)`.
 */
export function formatIssue(issue: Issue, cwd?: string): string {
  const where = issue.position ? `${formatPosition(issue.position, cwd)} ` : '';
  const path = issue.path === '' ? '' : ` ${issue.path}`;
  const hint = issue.hint ? ` (${issue.hint})` : '';
  return `${where}${issue.severity}${path}: ${issue.message}${hint}`;
}
