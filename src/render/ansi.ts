/** ANSI styling without a dependency; every function is the identity when colour is off. */

export interface Painter {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly magenta: (s: string) => string;
  readonly cyan: (s: string) => string;
}

const wrap =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`;

const COLOR: Painter = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  magenta: wrap(35, 39),
  cyan: wrap(36, 39),
};

const same = (s: string): string => s;
const PLAIN: Painter = { bold: same, dim: same, red: same, green: same, yellow: same, magenta: same, cyan: same };

export function painterFor(color: boolean): Painter {
  return color ? COLOR : PLAIN;
}
