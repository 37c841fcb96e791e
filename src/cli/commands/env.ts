import { Option, type Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { globals } from '../globals.js';
import { log, write } from '../io.js';

export function register(program: Command): void {
  program
    .command('env')
    .argument('[profile]', 'environment profile (default: --profile, $SVCDB_PROFILE, else "dev")')
    .description("print every service's *_DATABASE_URL under a profile (the one command that prints passwords)")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['dotenv', 'shell', 'json', 'github']))
    .option('-w, --write <file>', 'write to a file atomically (mode 0600) instead of printing; github format appends')
    .option('--force', 'with --write: replace a file svcdb did not write')
    .option('--explain', 'say on stderr where each value came from')
    .option('-s, --service <name...>', 'only these services')
    .addHelpText(
      'after',
      `
Formats: dotenv (NAME=value, default), shell (export NAME='value'), json, github (lines for $GITHUB_ENV).
An already set <PREFIX><SERVICE>_DATABASE_URL wins over the profile.

Examples:
  eval "$(svcdb env dev --format shell)"
  svcdb env dev-aws --explain
  svcdb env dev --write .env
  svcdb env prod --format github --write "$GITHUB_ENV"`,
    )
    .action(
      async (
        profileArg: string | undefined,
        opts: { format?: string; write?: string; force?: boolean; explain?: boolean; service?: string[] },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        if (profileArg !== undefined && g.profile !== undefined && profileArg !== g.profile) {
          throw new UserError(`two profiles given: "${profileArg}" (argument) and "${g.profile}" (--profile)`, {
            where: '--profile',
            hint: `give one: svcdb env ${profileArg}  or  svcdb env --profile ${g.profile}`,
          });
        }
        const { env, ENV_FORMATS } = await import('../../commands/env.js');
        const format = (opts.format ?? 'dotenv') as (typeof ENV_FORMATS)[number];
        const result = await env({
          cwd: g.cwd,
          config: g.config,
          profile: profileArg ?? g.profileName,
          format: g.json && !opts.format ? 'json' : format,
          services: opts.service,
          write: opts.write,
          force: opts.force,
        });
        if (opts.explain) {
          const width = Math.max(...result.variables.map((v) => v.name.length), 0);
          for (const v of result.variables) log(`${v.name.padEnd(width)}  from ${v.explanation}`);
        }
        if (result.written) {
          log(`wrote ${result.variables.length} variable${result.variables.length === 1 ? '' : 's'} to ${opts.write}`);
          const { trackedByGit } = await import('../git.js');
          if (trackedByGit(result.written)) {
            log(
              `warning: git does not ignore ${opts.write}, which now holds database passwords; add it to .gitignore before committing`,
            );
          }
        }
        // --json: the one document every command prints; --format json alone: the bare variables
        if (g.json) {
          const { emitJson } = await import('../output.js');
          return emitJson(
            {
              profile: result.profile,
              written: result.written,
              variables: Object.fromEntries(result.variables.map((v) => [v.name, v.value])),
            },
            0,
          );
        }
        if (!result.written) write(1, result.text);
      },
    );
}
