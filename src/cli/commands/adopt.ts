import { FOREIGN_TOOLS, type ForeignTool } from '../../core/types.js';
import { Option, type Command } from 'commander';
import { globals } from '../globals.js';
import { log, out } from '../io.js';
import { addLockFlag, addWaitFlag } from './options.js';
import { emitJson } from '../output.js';

export function register(program: Command): void {
  const cmd = program
    .command('adopt')
    .description("take over another tool's history: what it applied is recorded as applied, nothing re-runs")
    .argument('<service>', 'the service')
    .addOption(
      new Option('--from <tool>', 'the tool that migrated this database')
        .choices([...FOREIGN_TOOLS])
        .makeOptionMandatory(),
    )
    .option(
      '--table <name>',
      "the tool's history table, [schema.]name (default: the tool's own, e.g. goose_db_version, flyway_schema_history, drizzle.__drizzle_migrations)",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  svcdb adopt ingestion --from goose --table goose_ingestion\n  svcdb adopt query --from golang-migrate\n',
    );
  addLockFlag(addWaitFlag(cmd)).action(
    async (
      service: string,
      flags: { from: ForeignTool; table?: string; wait: number; lockTimeout: number },
      command: Command,
    ) => {
      const g = globals(command);
      const { adopt } = await import('../../commands/adopt.js');
      const result = await adopt({
        cwd: g.cwd,
        config: g.config,
        profile: g.profileName,
        service,
        from: flags.from,
        table: flags.table,
        waitMs: flags.wait,
        lockTimeoutMs: flags.lockTimeout,
        log,
      });
      if (g.json) return emitJson(result, 0);
      out(
        `${service}: recorded ${result.recorded.length} migration(s) from ${result.from} table ${result.table} as applied (nothing was run)`,
      );
      if (result.alreadyRecorded.length) out(`${service}: already recorded: ${result.alreadyRecorded.length}`);
      if (result.pending.length) out(`${service}: still pending: ${result.pending.join(', ')}`);
      if (result.unknownVersions.length)
        log(
          `warning: ${service}: ${result.from} recorded versions with no file here: ${result.unknownVersions.join(', ')}`,
        );
    },
  );
}
