import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { globals } from '../globals.js';
import { log, out } from '../io.js';
import { emitJson } from '../output.js';

const ACTIONS = ['start', 'stop', 'status', 'destroy'] as const;

export function register(program: Command): void {
  program
    .command('db')
    .argument('<action>', `one of: ${ACTIONS.join(', ')}`)
    .description("manage the project's embedded PostgreSQL (data in .svcdb/pg)")
    .addHelpText(
      'after',
      `
The embedded server is used when the profile has no url and DATABASE_URL is unset.
As root it runs as the user "nobody" (PostgreSQL refuses to run as root).

Examples:
  svcdb db start      # initialise on first use, else a warm start; prints the port
  svcdb db status --json
  svcdb db destroy    # stop it and delete .svcdb/pg`,
    )
    .action(async (action: string, _opts: unknown, cmd: Command) => {
      if (!(ACTIONS as readonly string[]).includes(action)) {
        throw new UserError(`unknown db action "${action}"`, { hint: `use one of: ${ACTIONS.join(', ')}` });
      }
      const g = globals(cmd);
      const { db } = await import('../../commands/db.js');
      const result = await db({ root: g.cwd, action: action as (typeof ACTIONS)[number], log });
      if (g.json) return emitJson(result, 0);
      // stop and destroy say what they did, once; start and status describe the server
      if (action === 'stop' || action === 'destroy') return out(`embedded PostgreSQL: ${result.outcome}`);
      if (!result.initialised) return out('embedded PostgreSQL: not initialised (svcdb db start creates it)');
      const state = result.running ? `running (pid ${result.pid}) on 127.0.0.1:${result.port}` : 'stopped';
      const did = action === 'start' ? `${result.outcome}, ` : '';
      out(`embedded PostgreSQL: ${did}${state}\n  data: ${result.dataDir}\n  url:  ${result.url}`);
    });
}
