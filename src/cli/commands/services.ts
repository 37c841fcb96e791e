import type { Command } from 'commander';
import { globals } from '../globals.js';
import { out, outJson, table } from '../io.js';
import { c } from '../color.js';

export function register(program: Command): void {
  program
    .command('services')
    .description('list every service: folder, migrations, env var, owned tables, URL under the profile (password redacted)')
    .addHelpText('after', `
Services are the folders above each match of the discover globs (default internal/*/migrations)
plus the services declared in the config.

Examples:
  svcdb services
  svcdb services --profile dev-aws
  svcdb services --json | jq '.services[].envVar'`)
    .action(async (_opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const { services } = await import('../../commands/services.js');
      const result = await services({ cwd: g.cwd, config: g.config, profile: g.profileName });
      if (g.json) return outJson(result);
      out(c().bold(`profile ${result.profile} (${result.strategy})${result.configFile ? `, config ${result.configFile}` : ', no config file'}`));
      if (!result.services.length) {
        out('no services found (looked for internal/*/migrations or the config\'s discover globs)');
        return;
      }
      const rows = result.services.map((s) => [
        s.name,
        s.migrationsDir ?? `${s.folder} (config only)`,
        String(s.migrations),
        s.envVar,
        s.tables.join(', ') || (s.databaseOf ? `(uses ${s.databaseOf}'s database)` : '-'),
        s.url ?? `(no URL: ${s.urlProblem ?? 'unknown'})`,
      ]);
      out(table(['SERVICE', 'MIGRATIONS FOLDER', 'FILES', 'ENV VAR', 'TABLES', 'URL'], rows));
    });
}
