import type { Command } from 'commander';
import { globals } from '../globals.js';
import { log, out } from '../io.js';
import { emitJson } from '../output.js';
import { c } from '../color.js';
import { waitingLine } from './migrate.js';
import { addLockFlag, addWaitFlag, positiveInt } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('down')
    .description(
      'revert applied migrations with their down sections; refuses, before touching anything, if one has none',
    )
    .argument('<service>', 'the service')
    .option('--step <n>', 'revert this many migrations (default 1)', positiveInt)
    .option('--to <migration>', 'revert everything after this migration (it stays applied); 0 reverts all')
    .addHelpText(
      'after',
      '\nTable locks: each revert runs with lock_timeout (config lockTimeout, default 5s), statement_timeout\n(statementTimeout) and is retried lockRetries times (default 5) when it times out on a lock.\n\nExamples:\n  svcdb down ingestion\n  svcdb down ingestion --step 3\n  svcdb down ingestion --to 002 --profile dev-aws\n',
    );
  addLockFlag(addWaitFlag(cmd)).action(
    async (
      service: string,
      flags: { step?: number; to?: string; wait: number; lockTimeout: number },
      command: Command,
    ) => {
      const g = globals(command);
      const { down } = await import('../../commands/down.js');
      const result = await down({
        cwd: g.cwd,
        config: g.config,
        profile: g.profileName,
        service,
        step: flags.step,
        to: flags.to,
        waitMs: flags.wait,
        lockTimeoutMs: flags.lockTimeout,
        onWait: (pid) => log(waitingLine(service, pid)),
        onLockWait: (line) => log(line),
        log,
      });
      if (!g.json) {
        if (result.nothingBecause) out(`${service}: nothing to revert (${result.nothingBecause}; nothing was created)`);
        else if (!result.reverted.length && !result.failure) out(`${service}: nothing to revert`);
        else for (const r of result.reverted) out(`${service}: reverted ${r.id} (${r.durationMs} ms)`);
      }
      if (result.failure) {
        const { formatFailure } = await import('../../db/failure.js');
        log(`${c().red('error:')} ${formatFailure(result.failure)}`);
      }
      if (g.json) return emitJson(result, result.exitCode);
      process.exitCode = result.exitCode;
    },
  );
}
