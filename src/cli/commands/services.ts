import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function register(program: Command): void {
  program
    .command('services')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('svcdb services is not implemented yet');
    });
}
