/**
 * Preloaded into every CLI child of the benchmark (`node --import bench/rss-hook.mjs dist/cli/bin.js …`):
 * on exit, writes the process's peak RSS, CPU time and boot time to the file named by BENCH_RSS_FILE.
 * It changes nothing else in the process.
 */
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { writeFileSync } from 'node:fs';

const file = process.env['BENCH_RSS_FILE'];
// Milliseconds from the start of the process until this hook ran: Node's own boot time.
const bootMs = performance.now();
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: u.maxRSS, userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, bootMs, exitMs: performance.now() }));
  });
}
