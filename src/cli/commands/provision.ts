import { rolePrefixProblem } from '../../core/flag-values.js';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { durationOption } from '../durations.js';
import { globals } from '../globals.js';
import { log, out, table } from '../io.js';
import { emitJson } from '../output.js';

/** Exit 2 for a prefix PostgreSQL would need quoting for (spaces, `;`), instead of rewriting it. */
function parseRolePrefix(value: string): string {
  const problem = rolePrefixProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

export function register(program: Command): void {
  program
    .command('provision')
    .description(
      "create the profile's databases/schemas and one login role per service that can touch only its own objects (idempotent)",
    )
    .option('--print', 'print the SQL as a psql script instead of running it (passwords become psql variables)')
    .option(
      '--role-prefix <prefix>',
      'role name = <prefix><service> (default: the prefix used before, else "svcdb_")',
      parseRolePrefix,
    )
    .option(
      '--adopt-roles',
      'take over existing roles named <prefix><service> that svcdb did not create (their rights are reset)',
    )
    .addOption(durationOption('--wait <duration>', 'keep retrying an unreachable server this long (e.g. 30s)', 10_000))
    .addHelpText(
      'after',
      `
Generated passwords are kept in .svcdb/credentials.json (mode 0600); afterwards env, migrate,
run and up give each service a URL with its own role.

Examples:
  svcdb provision
  svcdb provision --profile staging --print > provision.sql`,
    )
    .action(
      async (opts: { print?: boolean; rolePrefix?: string; adoptRoles?: boolean; wait: number }, cmd: Command) => {
        const g = globals(cmd);
        const { provision } = await import('../../commands/provision.js');
        const result = await provision({
          cwd: g.cwd,
          config: g.config,
          profile: g.profileName,
          print: opts.print,
          rolePrefix: opts.rolePrefix,
          adoptRoles: opts.adoptRoles,
          waitMs: opts.wait,
          log,
        });
        if (g.json) return emitJson(result, 0);
        if (result.script !== undefined) return out(result.script);
        const rows = result.services.map((s) => [
          s.service,
          s.role,
          s.target,
          [...s.readsGranted, ...s.readsPending.map((r) => `${r} (after migrate)`)].join(', ') || '-',
        ]);
        if (rows.length) out(table(['service', 'role', 'target', 'reads'], rows));
        else out('nothing to provision');
        if (result.skipped.length) log(`left alone (URL set in the environment): ${result.skipped.join(', ')}`);
        if (result.credentialsFile) log(`passwords kept in ${result.credentialsFile}`);
      },
    );
}
