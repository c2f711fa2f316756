import { describe, expect, it } from 'vitest';
import { isInteractive, renderWidth, shouldUseColor, type CliIo } from '../../../src/cli/io.js';

const ioWith = (stderr: { isTTY?: boolean; columns?: number }, env: Record<string, string> = {}, stdout: { isTTY?: boolean; columns?: number } = {}): CliIo => ({
  stdout: { write: () => true, ...stdout },
  stderr: { write: () => true, ...stderr },
  env,
  cwd: '/',
  stdinIsTTY: false,
});

describe('isInteractive: whether progress is drawn', () => {
  it.each([
    ['a terminal with a width', { isTTY: true, columns: 120 }, {}, true],
    ['CI set', { isTTY: true, columns: 120 }, { CI: 'true' }, false],
    ['not a terminal', { isTTY: false, columns: 120 }, {}, false],
    // A zero-column pseudo-terminal made the spinner erase lines forever (found in a container shell).
    ['a terminal that reports zero columns', { isTTY: true, columns: 0 }, {}, false],
    ['a terminal without a width', { isTTY: true }, {}, false],
  ])('%s', (_name, stderr, env, expected) => {
    expect(isInteractive(ioWith(stderr, env))).toBe(expected);
  });
});

describe('output decoration', () => {
  it('colour only on a terminal, never with NO_COLOR, CI or --no-color', () => {
    expect(shouldUseColor(ioWith({}, {}, { isTTY: true }), false)).toBe(true);
    expect(shouldUseColor(ioWith({}, { NO_COLOR: '' }, { isTTY: true }), false)).toBe(false);
    expect(shouldUseColor(ioWith({}, { CI: '1' }, { isTTY: true }), false)).toBe(false);
    expect(shouldUseColor(ioWith({}, {}, { isTTY: true }), true)).toBe(false);
    expect(shouldUseColor(ioWith({}, {}, { isTTY: false }), false)).toBe(false);
  });

  it('renderers fit the terminal, and keep their default when piped', () => {
    expect(renderWidth(ioWith({}, {}, { isTTY: true, columns: 132 }))).toEqual({ width: 132 });
    expect(renderWidth(ioWith({}, {}, { isTTY: false, columns: 132 }))).toEqual({});
    expect(renderWidth(ioWith({}, {}, { isTTY: true, columns: 10 }))).toEqual({});
  });
});
