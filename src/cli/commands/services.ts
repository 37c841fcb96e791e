import type { Command } from 'commander';
import { globals } from '../globals.js';
import { fstatSync } from 'node:fs';
import { out, stdout, table } from '../io.js';
import { c } from '../color.js';
import { emitJson } from '../output.js';
import { possessive } from '../../core/ownership/rules.js';

export function register(program: Command): void {
  program
    .command('services')
    .description(
      'list every service: folder, migrations, env var, owned tables, URL under the profile (password redacted)',
    )
    .addHelpText(
      'after',
      `
Services are the folders above each match of the discover globs (default internal/*/migrations)
plus the services declared in the config.

Examples:
  svcdb services
  svcdb services --profile dev-aws
  svcdb services --json | jq '.services[].envVar'`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { services } = await import('../../commands/services.js');
      const result = await services({ cwd: g.cwd, config: g.config, profile: g.profileName });
      if (g.json) return emitJson(result, 0);
      out(
        c().bold(
          `profile ${result.profile} (${result.strategy})${result.configFile ? `, config ${result.configFile}` : ', no config file'}`,
        ),
      );
      const rows = result.services.map((s) => [
        s.name,
        s.migrationsDir ?? `${s.folder} (config only)`,
        String(s.migrations),
        s.envVar,
        s.tables.join(', ') || (s.databaseOf ? `(uses ${possessive(s.databaseOf)} database)` : '-'),
        s.url ?? `(no URL: ${s.urlProblem ?? 'unknown'})`,
      ]);
      // the tables column takes what the terminal leaves; the rest of a long list is "+N more"
      const others = [0, 1, 2, 3, 5].reduce(
        (sum, i) => sum + Math.max(HEADERS[i].length, ...rows.map((r) => r[i].length)) + 2,
        0,
      );
      const budget = Math.max(16, terminalWidth() - others - 2);
      result.services.forEach((s, i) => {
        if (s.tables.length) rows[i][4] = shortList(s.tables, budget);
      });
      out(table(HEADERS, rows));
    });
}

const HEADERS = ['SERVICE', 'MIGRATIONS FOLDER', 'FILES', 'ENV VAR', 'TABLES', 'URL'];

/** The terminal's width; off a terminal $COLUMNS, else no limit (a file or a pipe keeps every name). */
function terminalWidth(): number {
  const tty = fstatIsTerminal() ? stdout().columns : undefined;
  return tty ?? (Number(process.env.COLUMNS) || Number.POSITIVE_INFINITY);
}

function fstatIsTerminal(): boolean {
  try {
    return fstatSync(1).isCharacterDevice() && stdout().isTTY === true;
  } catch {
    return false;
  }
}

/** As many names as fit in `width`, then `+N more` (`svcdb services --json` has them all). */
export function shortList(names: string[], width: number): string {
  const all = names.join(', ');
  if (all.length <= width) return all;
  let shown = 1;
  const text = (n: number) => `${names.slice(0, n).join(', ')}, +${names.length - n} more`;
  while (shown + 1 < names.length && text(shown + 1).length <= width) shown++;
  return text(shown);
}
