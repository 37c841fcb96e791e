import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function register(program: Command): void {
  program
    .command('check-ownership')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('svcdb check-ownership is not implemented yet');
    });
}
