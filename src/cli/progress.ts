/**
 * The only place that draws progress (style guide §7): an ora spinner while reading the org and listr2
 * tasks while applying, on a terminal; plain lines on stderr in CI or without a TTY.
 */
// ora and listr2 are loaded only when they draw: most runs (CI, pipes, JSON) never need them, and they
// cost a few hundred milliseconds of start-up.
import type { Ora } from 'ora';
import type { ListrTask } from 'listr2';
import type { ProgressEvent } from '../client/types.js';
import type { ApplyEvent, ApplyEventSink } from '../apply/events.js';
import { KIND_SINGULAR, type PlanStep } from '../core/types.js';
import { isInteractive, type CliIo } from './io.js';

const VERB: Record<PlanStep['action'], string> = { create: 'Creating', update: 'Updating', replace: 'Replacing', delete: 'Deleting' };
const DONE: Record<PlanStep['action'], string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted' };

export const describeStep = (s: PlanStep): string => `${KIND_SINGULAR[s.kind]} ${s.id}`;

export interface ReadProgress {
  readonly onProgress: (e: ProgressEvent) => void;
  stop(): void;
}

/** `Reading fields 2,000/5,000…` on a TTY; nothing otherwise (stdout stays for the result). */
export function startReadProgress(io: CliIo, enabled: boolean): ReadProgress {
  if (!enabled || !isInteractive(io)) return { onProgress: () => undefined, stop: () => undefined };
  const counts = new Map<string, ProgressEvent>();
  let text = 'Reading the organization…';
  let spinner: Ora | undefined;
  let stopped = false;
  import('ora')
    .then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text, stream: io.stderr as NodeJS.WritableStream }).start();
    })
    .catch(() => undefined);
  return {
    onProgress(e) {
      counts.set(e.label, e);
      text = `Reading ${[...counts.values()].map((c) => `${c.label} ${c.done.toLocaleString('en-US')}${c.total !== undefined ? `/${c.total.toLocaleString('en-US')}` : ''}`).join(', ')}…`;
      if (spinner) spinner.text = text;
    },
    stop() {
      stopped = true;
      spinner?.stop();
    },
  };
}

/** Plain lines, one per finished step, for CI and --no-progress. */
export function plainApplyEvents(io: CliIo): ApplyEventSink {
  return (e: ApplyEvent) => {
    switch (e.type) {
      case 'step:done':
        io.stderr.write(`${describeStep(e.step)}: ${DONE[e.step.action]} (${e.durationMs} ms)\n`);
        break;
      case 'step:failed':
        io.stderr.write(`${describeStep(e.step)}: FAILED — ${e.message}\n`);
        break;
      case 'step:skipped':
        io.stderr.write(`${describeStep(e.step)}: skipped — ${e.reason}\n`);
        break;
      case 'phase:start':
        io.stderr.write(e.phase === 'cross-references' ? `Writing cross-references of ${e.count} resource(s)\n` : `Applying changes on ${e.count} source(s)\n`);
        break;
      case 'warning':
        io.stderr.write(`warning: ${e.message}\n`);
        break;
      case 'plan:start':
      case 'wave:start':
      case 'wave:done':
      case 'step:start':
      case 'plan:done':
        break;
    }
  };
}

/**
 * listr2 on a terminal: one task per wave, with a subtask per step (`Creating field productcategory`) and
 * counts in the wave title. The applier drives it through events; listr2 only draws.
 */
export function listrApplyEvents(io: CliIo): { sink: ApplyEventSink; done: Promise<void> } {
  const key = (s: PlanStep): string => `${s.kind}/${s.id}`;
  const waiters = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  // Steps can finish before listr2 reaches their task: keep the outcome until it asks.
  const outcomes = new Map<string, true | string>();
  const settle = (s: PlanStep, outcome: true | string): void => {
    outcomes.set(key(s), outcome);
    const w = waiters.get(key(s));
    if (!w) return;
    if (outcome === true) w.resolve();
    else w.reject(new Error(outcome));
  };
  let resolveStart: (waves: readonly (readonly PlanStep[])[]) => void = () => undefined;
  const started = new Promise<readonly (readonly PlanStep[])[]>((r) => (resolveStart = r));
  const done = started.then(async (waves) => {
    const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
    const stderr = io.stderr as NodeJS.WriteStream;
    const logger = new ListrLogger({ processOutput: new ProcessOutput(stderr, stderr) });
    const list = new Listr<unknown>(
      waves.map(
        (wave, i): ListrTask<unknown> => ({
          title: `Wave ${i + 1}: ${wave.length} step(s)`,
          task: (_ctx, task) =>
            task.newListr(
              wave.map(
                (s): ListrTask<unknown> => ({
                  title: `${VERB[s.action]} ${describeStep(s)}`,
                  task: () =>
                    new Promise<void>((resolve, reject) => {
                      const outcome = outcomes.get(key(s));
                      if (outcome === undefined) waiters.set(key(s), { resolve, reject });
                      else if (outcome === true) resolve();
                      else reject(new Error(outcome));
                    }),
                }),
              ),
              { concurrent: true, exitOnError: false },
            ),
        }),
      ),
      {
        concurrent: false,
        exitOnError: false,
        // Progress is drawn on stderr, by the renderer and by its fallback (stdout not a TTY, e.g.
        // `apply > log`); stdout stays for the result (design §3).
        rendererOptions: { collapseSubtasks: false, logger },
        fallbackRendererOptions: { logger },
      },
    );
    await list.run().catch(() => undefined);
  });
  const sink: ApplyEventSink = (e) => {
    switch (e.type) {
      case 'plan:start':
        resolveStart(e.waves);
        break;
      case 'step:done':
        settle(e.step, true);
        break;
      case 'step:failed':
        settle(e.step, e.message);
        break;
      case 'step:skipped':
        settle(e.step, `skipped: ${e.reason}`);
        break;
      case 'warning':
        io.stderr.write(`warning: ${e.message}\n`);
        break;
      case 'phase:start':
      case 'plan:done':
      case 'step:start':
      case 'wave:start':
      case 'wave:done':
        break;
    }
  };
  return { sink, done };
}
