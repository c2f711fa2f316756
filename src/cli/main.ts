/**
 * The command line (design §3). The only place that turns errors into exit codes (style guide §9);
 * everything it needs from the process comes in through `CliIo`.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { AbortError, ApplyFailedError, EXIT, exitCodeOf, isSyncError, type ExitCode, ConfigError } from '../errors.js';
import { formatIssue } from '../config/format.js';
import { RESOURCE_KINDS } from '../core/types.js';
import { VERSION } from '../version.js';
import type { CliIo } from './io.js';
import type { ExportFlags } from './commands/export.js';
// Each command's module is imported when it runs: `--help`, `--version` and `emulator` start in 80 ms
// instead of 420 ms, since they skip the configuration loader (yaml, ajv) and the progress libraries.

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new CommanderError(EXIT.input, 'invalid_argument', `${name} must be a whole number from 1 to 64 (got "${value}")`);
  return n;
};

export interface GlobalFlags {
  readonly org?: string;
  readonly region?: string;
  readonly platformUrl?: string;
  readonly debug?: boolean;
  readonly color?: boolean;
  readonly parallelism?: number;
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--org <id>', 'organization id (default: COVEO_ORGANIZATION_ID or `organization:` in the files)')
    .addOption(new Option('--region <region>', 'Coveo region of the organization').choices(['us', 'eu', 'au', 'ca']))
    .option('--platform-url <url>', 'platform URL, e.g. the emulator (default: COVEO_PLATFORM_URL or the region\'s)');
}

function configOption(cmd: Command): Command {
  return cmd.option('-c, --config <path>', 'a YAML file or a directory of them (repeatable; default: coveo-sync.yaml or ./coveo/)', collect, []);
}

/** Runs the CLI and returns the exit code; never calls process.exit. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  let debug = argv.includes('--debug');
  const program = new Command('coveo-sync')
    .description('Configuration as code for Coveo Cloud V2 organizations: security providers, fields, sources, schedules, groups and API keys.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print request logs and stack traces of internal errors (never secrets)')
    .option('--no-color', 'no colours or spinners (also NO_COLOR or CI)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s), outputError: () => undefined })
    // Repeatable options start empty: "(default: [])" in the help says nothing.
    .configureHelp({ optionDescription: (option) => new Help().optionDescription(option).replace(/ \(default: \[\]\)$/, '') })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);

  const globals = (cmd: Command): GlobalFlags => {
    const all = cmd.optsWithGlobals<GlobalFlags>();
    debug = all.debug === true;
    return all;
  };

  configOption(connectionOptions(program.command('validate')))
    .description('check the files against the schema and the rules; nothing is sent unless --online (exit 0 valid, 3 invalid)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--online', 'also check API key privileges against what the organization offers (needs a token)')
    .option('--var <name=value>', 'a value for ${var:NAME} (repeatable)', collect, [])
    .option('--var-file <file>', 'a file of NAME=value lines for ${var:NAME}', collect, [])
    .action(async (opts: { config: string[]; format: 'text' | 'json'; var: string[]; varFile: string[]; online?: boolean }, cmd: Command) => {
      code = await (await import('./commands/validate.js')).runValidate(opts, globals(cmd), io);
    });

  for (const name of ['plan', 'drift'] as const) {
    const cmd = configOption(connectionOptions(program.command(name)))
      .description(
        name === 'plan'
          ? 'read the organization, compare it with the files, and show the changes an apply would make'
          : 'show what changed in Coveo outside the files (exit 2 when anything did)',
      )
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
      .option('--var <name=value>', 'a value for ${var:NAME} (repeatable)', collect, [])
      .option('--var-file <file>', 'a file of NAME=value lines for ${var:NAME}', collect, [])
      .option('--target <kind/id>', 'only this resource and what it depends on (repeatable)', collect, [])
      .option('--parallelism <n>', 'requests in flight (default 8)', positiveInt('--parallelism'))
      .option('--skip-preflight', 'do not ask Coveo for the token\'s privileges before reading');
    if (name === 'plan') {
      cmd
        .option('--out <file>', 'save the plan for `coveo-sync apply FILE`')
        .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are')
        .option('--prune', 'delete live resources of the declared kinds that the files do not declare')
        .option('--allow-mass-delete', 'let prune delete more than 20% of a kind');
    }
    cmd.action(async (opts: Record<string, unknown>, c: Command) => {
      code = await (await import('./commands/plan.js')).runPlan(name, opts as never, globals(c), io);
    });
  }

  configOption(connectionOptions(program.command('apply')))
    .description('make the organization match the files (or apply a saved plan exactly)')
    .argument('[plan-file]', 'a plan saved with `coveo-sync plan --out`')
    .option('--auto-approve', 'do not ask (required without a terminal)')
    .option('--prune', 'delete live resources of the declared kinds that the files do not declare')
    .option('--allow-mass-delete', 'let prune delete more than 20% of a kind')
    .option('--target <kind/id>', 'only this resource and what it depends on (repeatable)', collect, [])
    .option('--secrets-out <file>', 'where new API key values go (0600; .env → dotenv, otherwise JSON; "-" = stdout)')
    .option('--force', 'add to an existing --secrets-out file')
    .addOption(new Option('--after-apply <mode>', 'what to do on touched sources at the end').choices(['apply-changes', 'rebuild', 'none']).default('apply-changes'))
    .option('--parallelism <n>', 'steps in flight inside a wave (default 8)', positiveInt('--parallelism'))
    .option('--keep-replaced-keys', 'disable replaced API keys instead of deleting them')
    .option('--resume', 'finish an interrupted apply (replaces API keys whose new value was not saved)')
    .option('--no-progress', 'plain lines instead of a progress display')
    .option('--skip-preflight', 'do not check the token\'s privileges against the plan before writing')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--var <name=value>', 'a value for ${var:NAME} (repeatable)', collect, [])
    .option('--var-file <file>', 'a file of NAME=value lines for ${var:NAME}', collect, [])
    .action(async (planFile: string | undefined, opts: Record<string, unknown>, c: Command) => {
      code = await (await import('./commands/apply.js')).runApply(planFile, opts as never, globals(c), io);
    });

  connectionOptions(program.command('export'))
    .description('read the organization and write YAML that plans empty against it (plus secrets.example.env)')
    .option('--out <dir>', 'output directory, or - for stdout', 'coveo')
    .option('--kinds <kinds>', `kinds to export, comma-separated or repeated (default all: ${RESOURCE_KINDS.join(',')})`, collect, [])
    .option('--split-by-kind', 'one file per kind instead of one coveo-sync.yaml')
    .option('--adopt-api-keys', 'also export API keys made outside coveo-sync; the next apply writes their marker')
    .option('--include-built-ins', 'also export system fields, the Administrators group and built-in providers')
    .option('--force', 'overwrite files that exist in the output directory')
    .option('--parallelism <n>', 'requests in flight (default 8)', positiveInt('--parallelism'))
    .action(async (opts: ExportFlags, c: Command) => {
      code = await (await import('./commands/export.js')).runExport(opts, globals(c), io);
    });

  configOption(connectionOptions(program.command('verify')))
    .description('check the token\'s privileges against what apply needs, and the assertions on who can see which item (exit 2 when any fails)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'markdown']).default('text'))
    .addOption(new Option('--only <part>', 'run one half of the checks').choices(['privileges', 'assertions']))
    .addOption(new Option('--include-entities <which>', 'which entities to list for each item').choices(['ALL', 'ALLOWED', 'DENIED']))
    .option('--states <states>', 'permission states to read, comma-separated (e.g. UP_TO_DATE,OUT_OF_DATE)')
    .addOption(new Option('--after-apply <mode>', 'the --after-apply the pipeline\'s apply uses').choices(['apply-changes', 'rebuild', 'none']).default('apply-changes'))
    .option('--prune', 'count the deletes a pruning apply would make')
    .option('--skip-preflight', 'do not read the token\'s privileges (only the assertions are checked)')
    .option('--var <name=value>', 'a value for ${var:NAME} (repeatable)', collect, [])
    .option('--var-file <file>', 'a file of NAME=value lines for ${var:NAME}', collect, [])
    .option('--parallelism <n>', 'requests in flight (default 8)', positiveInt('--parallelism'))
    .action(async (opts: Record<string, unknown>, c: Command) => {
      code = await (await import('./commands/verify.js')).runVerify(opts as never, globals(c), io);
    });

  program
    .command('emulator')
    .description('run the local Coveo Platform API emulator (prints the URL, organization and admin token)')
    .option('--port <n>', 'port (0 = any free port)', '0')
    .option('--host <host>', 'interface to bind (loopback unless told otherwise)', '127.0.0.1')
    .option('--state <file>', 'keep the state in this JSON file')
    .option('--latency-ms <n>', 'added latency per request', '0')
    .option('--jitter-ms <n>', 'random extra latency per request', '0')
    .option('--fail-rate <r>', 'share of requests answered 500/502/503', '0')
    .option('--rate-429 <r>', 'share of requests answered 429 with Retry-After', '0')
    .option('--drop-rate <r>', 'share of connections dropped', '0')
    .option('--after-rate <r>', 'share of those errors and drops that strike after the request was processed', '0')
    .option('--page-size-cap <n>', 'largest page any listing returns')
    .option('--slow-page-ms <n>', 'extra latency on each page of a listing after the first')
    .option('--field-cap <n>', 'most fields an organization may hold (Coveo\'s default 5000)')
    .option('--organization <id>', 'id of the first organization')
    .option('--seed <size>', 'generate an organization: S, M or L')
    .option('--random-seed <n>', 'seed of the fault and data generator, for repeatable runs')
    .action(async (opts: Record<string, string | undefined>) => {
      code = await (await import('./commands/emulator.js')).runEmulator(opts, io);
    });

  program
    .command('demo')
    .description('the whole loop against an in-process emulator: validate, plan, apply, plan again, drift')
    .action(async (_opts: unknown, c: Command) => {
      code = await (await import('./commands/demo.js')).runDemo(globals(c), io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    const exit = reportError(e, io, debug);
    // An incomplete apply has already printed its JSON result.
    if (jsonRequested(argv) && exit !== EXIT.ok && !(e instanceof ApplyFailedError)) writeJsonError(e, exit, io);
    return exit;
  }
}

/** `--format json` was asked for: pipelines then also get the failure as JSON on stdout. */
function jsonRequested(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

function writeJsonError(e: unknown, exit: ExitCode, io: CliIo): void {
  const internal = !isSyncError(e) || e.source === 'internal';
  const error = {
    code: e instanceof CommanderError ? 'usage_invalid' : isSyncError(e) ? e.code : 'internal_error',
    // Messages of our errors never hold secrets (style guide §9); an internal error's message may, so it is not repeated.
    message: internal && !(e instanceof CommanderError) ? 'internal error; run again with --debug and report it' : e instanceof Error ? e.message.replace(/^error: /, '') : String(e),
    exitCode: exit,
  };
  const issues = e instanceof ConfigError ? { issues: e.issues } : {};
  io.stdout.write(`${JSON.stringify({ version: 1, status: 'error', error, ...issues }, null, 2)}\n`);
}

function reportError(e: unknown, io: CliIo, debug: boolean): ExitCode {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    io.stderr.write(`error: ${e.message.replace(/^error: /, '')}\nRun \`coveo-sync --help\` for usage.\n`);
    return EXIT.input;
  }
  if (e instanceof ConfigError) {
    for (const issue of e.issues) io.stderr.write(`${formatIssue(issue, io.cwd)}\n`);
    io.stderr.write(`${e.message}\n`);
    return exitCodeOf(e);
  }
  if (e instanceof AbortError) {
    io.stderr.write(`${e.message}\n`);
    return EXIT.aborted;
  }
  if (isSyncError(e) && e.source !== 'internal') {
    io.stderr.write(`error: ${e.message}\n`);
    if (debug && e.cause instanceof Error) io.stderr.write(`cause: ${e.cause.message}\n`);
    return exitCodeOf(e);
  }
  const message = e instanceof Error ? e.message : String(e);
  io.stderr.write(`internal error: ${message}\nThis is a bug in coveo-sync ${VERSION}; please report it with the command you ran (run again with --debug for details).\n`);
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return EXIT.failure;
}
