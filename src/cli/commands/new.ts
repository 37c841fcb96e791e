import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';
import { globals } from '../globals.js';
import { out } from '../io.js';
import { emitJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('new')
    .description("a new numbered migration in the folder's style, or a new service folder, from templates/")
    .argument('[service]', 'the service the migration belongs to')
    .argument('[name]', 'what the migration does, e.g. add_outbox_index')
    .option('--service <name>', 'create a new service folder (where the discover glob puts it) with a first migration')
    .addHelpText('after', '\nExamples:\n  svcdb new ingestion add_outbox_index\n  svcdb new --service billing\n')
    .action(
      async (service: string | undefined, name: string | undefined, flags: { service?: string }, command: Command) => {
        const g = globals(command);
        const cmds = await import('../../commands/new.js');
        let result: Awaited<ReturnType<typeof cmds.newMigration>>;
        if (flags.service !== undefined) {
          if (service !== undefined) throw new UserError('give either --service <name> or <service> <name>, not both');
          result = await cmds.newService({ cwd: g.cwd, config: g.config, profile: g.profileName, name: flags.service });
        } else {
          if (service === undefined || name === undefined) {
            throw new UserError('usage: svcdb new <service> <name>  or  svcdb new --service <name>', {
              hint: 'e.g. svcdb new ingestion add_outbox_index',
            });
          }
          result = await cmds.newMigration({ cwd: g.cwd, config: g.config, profile: g.profileName, service, name });
        }
        if (g.json) return emitJson(result, 0);
        for (const f of result.files) out(`created ${f}`);
      },
    );
}
