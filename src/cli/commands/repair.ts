import type { Command } from 'commander';
import { globals } from '../globals.js';
import { log, out, outJson } from '../io.js';
import { addLockFlag, addWaitFlag, waitingLine } from './migrate.js';

export function register(program: Command): void {
  const cmd = program
    .command('repair')
    .description('after a human decision, record the current checksums of changed (drifted) files and say what changed')
    .argument('<service>', 'the service')
    .addHelpText('after', '\nExample:\n  svcdb status ingestion   # shows the drift\n  svcdb repair ingestion\n');
  addLockFlag(addWaitFlag(cmd)).action(async (service: string, flags: { wait: number; lockTimeout: number }, command: Command) => {
    const g = globals(command);
    const { repair } = await import('../../commands/repair.js');
    const result = await repair({
      cwd: g.cwd, config: g.config, profile: g.profileName, service,
      waitMs: flags.wait, lockTimeoutMs: flags.lockTimeout, onWait: (pid) => log(waitingLine(service, pid)), log,
    });
    if (g.json) return outJson(result);
    if (!result.repaired.length) out(`${service}: no drift, nothing changed`);
    for (const r of result.repaired) {
      out(`${service}: ${r.file}: recorded checksum ${r.oldChecksum.slice(0, 12)} -> ${r.newChecksum.slice(0, 12)} (applied ${r.appliedAt}; the changed file is NOT re-run)`);
    }
    for (const id of result.missing) log(`${service}: ${id} is recorded as applied but its file is gone (left as is)`);
  });
}
