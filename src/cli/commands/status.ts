import type { Command } from 'commander';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { log, out, table } from '../io.js';
import { emitJson, servicePrefixed } from '../output.js';
import { addWaitFlag } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('status')
    .description(
      'applied, pending, drifted (file changed since applied) and missing (file gone) migrations; exit 1 on drift or a missing file',
    )
    .argument('[service...]', 'services to show (default: all)')
    .option('-a, --all', 'every service (the default)')
    .option('--exit-code', 'also exit 1 when anything is pending (for CI)')
    .addHelpText(
      'after',
      '\nExit codes: 0 in step; 1 drift, a missing file (or, with --exit-code, anything pending); 2 bad input or unreachable server.\n\nExamples:\n  svcdb status\n  svcdb status ingestion --profile prod --exit-code\n  svcdb status --json --wait 30s\n',
    );
  addWaitFlag(cmd).action(
    async (services: string[], flags: { all?: boolean; exitCode?: boolean; wait: number }, command: Command) => {
      const g = globals(command);
      const { status } = await import('../../commands/status.js');
      const result = await status({
        cwd: g.cwd,
        config: g.config,
        profile: g.profileName,
        services,
        all: flags.all,
        waitMs: flags.wait,
        failOnPending: flags.exitCode,
        log,
      });
      if (g.json) return emitJson(result, result.exitCode);
      // A service that could not be read has no counts: a row of zeros would read as "in step".
      const readable = result.services.filter((s) => !s.error);
      if (readable.length) {
        out(
          table(
            ['SERVICE', 'APPLIED', 'PENDING', 'DRIFTED', 'MISSING', 'TARGET'],
            readable.map((s) => [
              s.service,
              String(s.applied.length),
              String(s.pending.length),
              String(s.drifted.length),
              String(s.missing.length),
              s.target,
            ]),
          ),
        );
      }
      for (const s of result.services) {
        if (s.error)
          log(
            `${c().red('error:')} ${servicePrefixed(s.service, s.error.message)}${s.error.hint ? `\n  hint: ${s.error.hint}` : ''}`,
          );
        for (const id of s.pending) log(`${s.service}: pending ${id}`);
        for (const r of s.renamed ?? [])
          log(`renamed: ${s.service}: ${r.from} is now ${r.to} (applied; the next migrate records the new name)`);
        for (const f of s.drifted)
          log(
            `${c().red('drift:')} ${s.service}: ${f} changed since it was applied (accept it with svcdb repair ${s.service})`,
          );
        for (const id of s.missing)
          log(
            `${c().yellow('missing:')} ${s.service}: ${id} is recorded as applied but its file is gone (svcdb repair ${s.service} --forget-missing)`,
          );
      }
      process.exitCode = result.exitCode;
    },
  );
}
