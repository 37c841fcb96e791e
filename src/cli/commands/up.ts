import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function register(program: Command): void {
  program
    .command('up')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('svcdb up is not implemented yet');
    });
}
