// `svcdb check-ownership`: flags and help; the lint itself lives in src/commands/check-ownership.ts.
import { type Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { write } from '../io.js';
import { emitJson } from '../output.js';
import type { FindingsFormat } from '../render/findings.js';

export function register(program: Command): void {
  program
    .command('check-ownership')
    .description("lint for one service reading or writing another service's tables (exit 1 on an error-level finding)")
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'),
    )
    .option('--max-warnings <n>', 'also fail (exit 1) when there are more than <n> warnings')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  svcdb check-ownership',
        '  svcdb check-ownership --format sarif > svcdb.sarif     # upload with github/codeql-action/upload-sarif',
        '  svcdb check-ownership --format github --max-warnings 0',
        '  svcdb check-ownership --profile prod --json',
        '',
        'Reads .sql, TS/JS, Go and Python files: SQL strings (concatenated, formatted, f-strings) and',
        'table names in ORM code (GORM, SQLAlchemy) and in calls of the config queryHelpers.',
        '',
        'Silence one finding with a comment on the line above (or the same line):',
        '  -- svcdb-ignore cross-service-read: reporting job, reviewed with the owners',
      ].join('\n'),
    )
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const o = cmd.opts() as { format: FindingsFormat; maxWarnings?: string };
      const format = g.json ? 'json' : o.format;
      const maxWarnings = o.maxWarnings === undefined ? undefined : parseCount(o.maxWarnings);
      const { checkOwnership } = await import('../../commands/check-ownership.js');
      const { jsonDocument, renderFindings } = await import('../render/findings.js');
      const result = await checkOwnership({ cwd: g.cwd, configFile: g.config, profile: g.profileName, maxWarnings });
      // Text output says it itself; the machine formats keep stdout parseable, so say it on stderr.
      if (result.warningsOverLimit !== undefined && format !== 'text') {
        write(
          2,
          `svcdb: failed: ${result.summary.warnings} warnings exceed --max-warnings ${result.warningsOverLimit}\n`,
        );
      }
      // json: the findings document inside the envelope every --json command prints
      if (format === 'json') return emitJson(jsonDocument(result), result.failed ? 1 : 0);
      write(1, renderFindings(result, format, { paint: c(), version: rootVersion(cmd) }));
      if (result.failed) process.exitCode = 1;
    });
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UserError(`--max-warnings expects a whole number, got "${text}"`, {
      where: '--max-warnings',
      hint: 'e.g. --max-warnings 0',
    });
  return Number(text);
}

/** The version the program was built with (main.ts reads package.json once, whatever the layout of dist/). */
function rootVersion(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.version() ?? '';
}
