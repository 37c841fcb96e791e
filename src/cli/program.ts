// The commander program: global flags, one registration per command, errors to exit codes.
// Loaded by main.ts for everything but `svcdb --version`.
import { Command, CommanderError } from 'commander';
import { OperationError, UserError, formatUserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { configureColor, c } from './color.js';
import { write } from './io.js';
import { tuneV8 } from './v8-flags.js';
import { emitErrorJson, emitJson, usageError } from './output.js';
import { commands } from './commands/index.js';

/** Commands that open connections: they report each retry of an unreachable server. */
const CONNECTING = new Set(['migrate', 'plan', 'status', 'down', 'repair', 'adopt', 'provision', 'up', 'run']);

/** Commands that parse SQL from the start. */
const PARSING = new Set(['check-ownership', 'check-migrations', 'services']);

/** Global options that take a value (the next argument, unless written --name=value or -xvalue). */
const VALUE_OPTIONS = new Set(['-p', '--profile', '-C', '--cwd', '-c', '--config']);

/**
 * The command a command line runs, when that is certain from the arguments: then only its
 * registration is built (the other 13 cost ~3 ms of every start). null (build them all) for
 * help, an unknown or missing command, or anything unusual before the command name.
 */
export function commandOf(args: string[], names: ReadonlySet<string>): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--' || arg === '-') return null;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && VALUE_OPTIONS.has(arg)) i++;
    } else if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) i++;
      else if (arg.length > 2 && !VALUE_OPTIONS.has(arg.slice(0, 2))) return null; // combined short flags
    } else {
      return names.has(arg) ? arg : null;
    }
  }
  return null;
}

export function buildProgram(version: string, args: string[] = []): Command {
  const program = new Command('svcdb')
    .description('Database-per-service migrations, ownership lint and local runtime for PostgreSQL')
    .version(version, '-V, --version', 'print the svcdb version')
    .option('-p, --profile <name>', 'environment profile (else $SVCDB_PROFILE, else "dev")')
    .option('-C, --cwd <dir>', 'project root (default: the current directory)')
    .option('-c, --config <file>', 'config file (default: searched with cosmiconfig from --cwd)')
    .option('--json', 'print one JSON document on stdout (commands that report)')
    .option('--debug', 'print stack traces of unexpected errors')
    .option(
      '--verbose',
      "say more: the server's notices during migrate (RAISE NOTICE), starting and stopping the embedded server",
    )
    .option('--no-color', 'never colour output (NO_COLOR is honoured too)')
    .showSuggestionAfterError(true)
    // every command's --help lists --profile, --cwd, --config and --json too: its examples use them
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // through io.ts's write: `svcdb --help | head -1` ends quietly on the closed pipe
    .configureOutput({
      writeOut: (str) => write(1, str),
      writeErr: (str) => write(2, str),
      outputError: (str, writeErr) => writeErr(str),
    })
    .addHelpText(
      'after',
      '\nExamples:\n  svcdb services\n  svcdb env dev --format shell\n  svcdb migrate --all\n  svcdb check-ownership --format github\n  svcdb up\n',
    );
  program.hook('preAction', async (_this, actionCommand) => {
    tuneV8(actionCommand.name());
    if (PARSING.has(actionCommand.name())) {
      // The SQL parser's WASM compiles off the main thread while the command loads the project.
      const { warmUpParser } = await import('../core/ownership/sql/parser.js');
      warmUpParser();
    }
    const opts = actionCommand.optsWithGlobals() as { color?: boolean };
    await configureColor({ noColor: opts.color === false });
    if (CONNECTING.has(actionCommand.name())) {
      const { reportConnectRetries } = await import('../db/connect.js');
      reportConnectRetries((line) => write(2, redact(`${line}\n`)));
    }
  });
  const only = commandOf(args, new Set(commands.map(([name]) => name)));
  for (const [name, register] of commands) if (only === null || name === only) register(program);
  for (const sub of program.commands) sub.exitOverride().showSuggestionAfterError(true);
  return program;
}

/** Runs the CLI and returns the exit code (0 done, 1 the operation found a problem, 2 bad input). */
export async function runProgram(argv: string[], version: string): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram(version, argv.slice(2));
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = reportError(err, debug);
    // --json promises one document on stdout in every outcome, bad flags included
    if (code !== 0 && wantsJson(argv.slice(2))) {
      if (err instanceof CommanderError) emitJson({}, code, usageError(err.message));
      else emitErrorJson(err, code);
    }
    return code;
  } finally {
    // an embedded server started only for this command stops with it (`db start` keeps one)
    const verbose = argv.includes('--verbose');
    const { releaseEmbedded } = await import('../commands/db.js');
    await releaseEmbedded(verbose ? (line) => write(2, `${line}\n`) : undefined).catch(() => {});
  }
}

/** `--json` (or `--format json`) before any `--`: the caller reads stdout as JSON. */
export function wantsJson(args: string[]): boolean {
  const end = args.indexOf('--');
  const own = end === -1 ? args : args.slice(0, end);
  return own.some(
    (a, i) => a === '--json' || a === '--format=json' || ((a === '--format' || a === '-f') && own[i + 1] === 'json'),
  );
}

export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    return 2; // commander already printed the message and a suggestion
  }
  if (err instanceof UserError) {
    write(2, redact(`${c().red('error:')} ${formatUserError(err)}\n`));
    if (debug && err.stack) write(2, redact(`${err.stack}\n`));
    return 2;
  }
  if (err instanceof OperationError) {
    write(2, redact(`${c().red('error:')} ${err.message}\n`));
    if (err.hint) write(2, redact(`  hint: ${err.hint}\n`));
    if (debug && err.stack) write(2, redact(`${err.stack}\n`));
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(2, redact(`${c().red('internal error:')} ${message}\n`));
  if (debug && err instanceof Error && err.stack) write(2, redact(`${err.stack}\n`));
  else write(2, '  this is a bug in svcdb; rerun with --debug for the stack trace\n');
  return 1;
}
