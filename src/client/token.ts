/**
 * The access token: checked before anything is sent, and scrubbed from every text that could reach an
 * error message or a log (a server may echo it back in an error body or an HTML page).
 */
import { UsageError } from '../errors.js';

/** True when the text holds whitespace (any Unicode space, newlines included) or a control character. */
export function hasWhitespaceOrControl(text: string): boolean {
  if (/\s/u.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * Throws `UsageError` (exit 3) when the token is empty or holds whitespace, control or non-ASCII
 * characters (typically a trailing newline from `$(cat token.txt)`). The message names the variable,
 * never the value.
 */
export function validateToken(token: string): void {
  if (token === '') {
    throw new UsageError('COVEO_ACCESS_TOKEN is empty: set it to an OAuth access token or an API key.', 'token_missing');
  }
  if (hasWhitespaceOrControl(token)) {
    throw new UsageError(
      'COVEO_ACCESS_TOKEN contains whitespace or control characters (a trailing newline from a file or a paste?); remove them and run again.',
      'token_invalid',
    );
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError('COVEO_ACCESS_TOKEN contains characters that are not plain ASCII; check that the whole token was copied.', 'token_invalid');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A function that removes the given secrets (and their URL-encoded forms) from a text, together with
 * anything shaped like a credential: `Bearer …`, `accessToken=…`, `"refreshToken": "…"` (also for
 * `secret`, `password` and `apiKey` names).
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s === '') continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const literal = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const literalRe = literal.length > 0 ? new RegExp(literal.join('|'), 'g') : undefined;
  return (text: string): string => {
    let out = literalRe ? text.replace(literalRe, '***') : text;
    out = out.replace(/(\bBearer\s+)[^\s"',;]+/gi, '$1***');
    out = out.replace(/(\b[A-Za-z_]*(?:token|secret|password|apikey)[A-Za-z_]*=)[^\s&"'<>]+/gi, '$1***');
    out = out.replace(/("[A-Za-z_]*(?:token|secret|password|apikey)[A-Za-z_]*"\s*:\s*")[^"]*"/gi, '$1***"');
    return out;
  };
}
