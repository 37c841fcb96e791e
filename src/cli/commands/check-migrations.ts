// `svcdb check-migrations`: flags and help; the lint itself lives in src/commands/check-migrations.ts.
import { type Command, Option } from 'commander';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { write } from '../io.js';
import type { FindingsFormat } from '../render/findings.js';
import type { CheckMigrationsResult } from '../../commands/check-migrations.js';

export function register(program: Command): void {
  program
    .command('check-migrations')
    .description(
      "lint migrations for statements that lock or break production (squawk's rules; exit 1 on an error-level finding)",
    )
    .argument('[service...]', 'services to check (default: all)')
    .option('--all-migrations', 'check every migration file, not only the pending ones')
    .option('--since <ref>', 'check the migration files changed since this git ref')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'),
    )
    .addHelpText(
      'after',
      [
        '',
        "By default only the migrations pending in some service's database are checked (no database",
        'reachable: every migration, and it says so).',
        '',
        'Examples:',
        '  svcdb check-migrations --since origin/main --format github',
        '  svcdb check-migrations billing --all-migrations --format sarif > safety.sarif',
        '',
        "Silence one finding with a comment on the line above (squawk's comments work too):",
        '  -- svcdb-ignore ban-drop-column: the column is unused since release 42',
        '  -- squawk-ignore ban-drop-column',
      ].join('\n'),
    )
    .action(async (services: string[], _opts, cmd: Command) => {
      const g = globals(cmd);
      const o = cmd.opts() as { format: FindingsFormat; allMigrations?: boolean; since?: string };
      const format = g.json ? 'json' : o.format;
      const { checkMigrations } = await import('../../commands/check-migrations.js');
      const result = await checkMigrations({
        cwd: g.cwd,
        configFile: g.config,
        profile: g.profileName,
        services,
        allMigrations: o.allMigrations,
        since: o.since,
      });
      const { renderText, renderGithub, sarifLog } = await import('../render/findings.js');
      const { SAFETY_RULES } = await import('../../core/safety/index.js');
      for (const note of result.notes) write(2, `note: ${note}\n`);
      if (format === 'json') write(1, `${JSON.stringify(jsonDocument(result), null, 2)}\n`);
      else if (format === 'sarif') {
        const catalogue = {
          rules: SAFETY_RULES,
          level: (id: string) => SAFETY_RULES.find((r) => r.id === id)?.severity ?? 'warning',
        };
        write(1, `${JSON.stringify(sarifLog(result.findings, rootVersion(cmd), catalogue), null, 2)}\n`);
      } else if (format === 'github') write(1, renderGithub(result));
      else write(1, renderText(result, c(), 'no unsafe migrations'));
      if (result.failed) process.exitCode = 1;
    });
}

function jsonDocument(r: CheckMigrationsResult): object {
  return {
    scope: r.scope,
    postgresVersion: r.postgresVersion,
    notes: r.notes,
    failed: r.failed,
    summary: r.summary,
    findings: r.findings,
  };
}

function rootVersion(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.version() ?? '';
}
