#!/usr/bin/env node
/** The executable: wires the real process into `main` and sets the exit code (never process.exit). */
import { main } from './main.js';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
  process.stderr.write('\nInterrupted: finishing the requests in flight, then stopping (Ctrl-C again to quit now).\n');
});

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdinIsTTY: process.stdin.isTTY === true,
  ask: async (question) => {
    // Only apply asks, and only on a terminal: readline is not loaded otherwise.
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
  signal: controller.signal,
});
process.exitCode = interrupted && code === 0 ? 130 : code;
