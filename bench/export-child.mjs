/**
 * Stand-in for `coveo-sync export --out DIR --force` while the CLI does not route `export` yet: the same
 * command module (`dist/cli/commands/export.js`) run with the real process, as `dist/cli/bin.js` would.
 * The benchmark uses `node dist/cli/bin.js export …` as soon as the CLI knows the command.
 */
import process from 'node:process';
import { runExport } from '../dist/cli/commands/export.js';

const args = process.argv.slice(2);
const at = args.indexOf('--out');
const parallelismAt = args.indexOf('--parallelism');
const flags = {
  out: at >= 0 ? args[at + 1] : 'coveo',
  force: args.includes('--force'),
  ...(parallelismAt >= 0 ? { parallelism: Number(args[parallelismAt + 1]) } : {}),
};
process.exitCode = await runExport(flags, { color: false }, { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), stdinIsTTY: false });
