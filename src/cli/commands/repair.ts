import type { Command } from 'commander';
import { globals } from '../globals.js';
import { log, out } from '../io.js';
import { emitJson } from '../output.js';
import { waitingLine } from './migrate.js';
import { addLockFlag, addWaitFlag } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('repair')
    .description('after a human decision, record the current checksums of changed (drifted) files and say what changed')
    .argument('<service>', 'the service')
    .option(
      '--forget-missing',
      'also delete the history rows of applied migrations whose file is gone (printing each); afterwards down can pass them',
    )
    .addHelpText(
      'after',
      '\nTable locks: each repair (one transaction) runs with lock_timeout (config lockTimeout, default 5s), statement_timeout\n(statementTimeout) and is retried lockRetries times (default 5) when it times out on a lock.\n\nExamples:\n  svcdb status ingestion   # shows the drift\n  svcdb repair ingestion\n  svcdb repair ingestion --forget-missing --profile dev-aws\n',
    );
  addLockFlag(addWaitFlag(cmd)).action(
    async (
      service: string,
      flags: { forgetMissing?: boolean; wait: number; lockTimeout: number },
      command: Command,
    ) => {
      const g = globals(command);
      const { repair } = await import('../../commands/repair.js');
      const result = await repair({
        cwd: g.cwd,
        config: g.config,
        profile: g.profileName,
        service,
        forgetMissing: flags.forgetMissing,
        waitMs: flags.wait,
        lockTimeoutMs: flags.lockTimeout,
        onWait: (pid) => log(waitingLine(service, pid)),
        onLockWait: (line) => log(line),
        log,
      });
      if (g.json) return emitJson(result, 0);
      if (result.nothingBecause)
        return out(`${service}: nothing to repair (${result.nothingBecause}; nothing was created)`);
      if (!result.repaired.length && !result.forgotten.length) out(`${service}: no drift, nothing changed`);
      for (const r of result.repaired) {
        out(
          `${service}: ${r.file}: recorded checksum ${r.oldChecksum.slice(0, 12)} -> ${r.newChecksum.slice(0, 12)} (applied ${r.appliedAt}; the changed file is NOT re-run)`,
        );
      }
      for (const r of result.forgotten)
        out(
          `${service}: forgot ${r.id} (applied ${r.appliedAt}; its file is gone, its schema changes stay as they are)`,
        );
      for (const id of result.missing)
        log(
          `${service}: ${id} is recorded as applied but its file is gone (left as is; forget it with svcdb repair ${service} --forget-missing)`,
        );
    },
  );
}
