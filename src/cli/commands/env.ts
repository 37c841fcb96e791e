import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function register(program: Command): void {
  program
    .command('env')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('svcdb env is not implemented yet');
    });
}
