import type { Command } from 'commander';
import { UserError } from '../../core/errors.js';

export function register(program: Command): void {
  program
    .command('provision')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('svcdb provision is not implemented yet');
    });
}
