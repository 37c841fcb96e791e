import type { Command } from 'commander';
import { globals } from '../globals.js';
import { durationOption } from '../durations.js';
import { log } from '../io.js';
import { emitJson } from '../output.js';

const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

export function register(program: Command): void {
  program
    .command('run')
    .argument('<service>', 'the service whose migrations run and whose env the command gets')
    .argument('<command...>', 'the command to run, after --')
    .description(
      "migrate one service, then run a command with its env (<SERVICE>_DATABASE_URL); the command's exit code becomes svcdb's",
    )
    .option('--no-migrate', 'only run the command with the env')
    .addOption(durationOption('--wait <duration>', 'keep retrying an unreachable server this long (e.g. 30s)', 10_000))
    .addOption(
      durationOption(
        '--lock-timeout <duration>',
        "wait this long for another replica's migration lock, then exit 1",
        60_000,
      ),
    )
    .addHelpText(
      'after',
      `
SIGTERM, SIGINT and SIGHUP are passed on to the command. The container entrypoint for
migrate-before-serving.

Examples:
  svcdb run ingestion -- node dist/ingestion/main.js
  svcdb run query --profile prod --wait 30s -- node dist/query/main.js`,
    )
    .action(
      async (
        service: string,
        command: string[],
        opts: { migrate: boolean; wait: number; lockTimeout: number },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const { run } = await import('../../commands/run.js');
        const result = await run({
          cwd: g.cwd,
          config: g.config,
          profile: g.profileName,
          log,
          service,
          command,
          migrate: opts.migrate,
          waitMs: opts.wait,
          lockTimeoutMs: opts.lockTimeout,
          onSignal: (handler) => {
            for (const s of FORWARDED) process.on(s, handler);
            return () => FORWARDED.forEach((s) => process.off(s, handler));
          },
        });
        if (result.error) log(`error: ${result.error}`);
        if (g.json) return emitJson(result, result.exitCode);
        process.exitCode = result.exitCode;
      },
    );
}
