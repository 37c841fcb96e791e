import type { Command } from 'commander';
import { globals } from '../globals.js';
import { fstatSync } from 'node:fs';
import { stdout, write } from '../io.js';
import { c } from '../color.js';
import { emitJson } from '../output.js';
import { renderServices } from '../render/services.js';

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
plus the services declared in the config. On a terminal (or with COLUMNS set) the output fits
its width: long table lists end in "+N more", URLs lose their query string and then the middle of
the host, and when even that does not fit each service becomes a block of one value a line.
--json keeps every value whole.

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
      write(1, renderServices(result, terminalWidth(), c()));
    });
}

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
