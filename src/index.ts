// The library API: what a service imports to migrate itself on startup, and the typed config helper.
export type * from './core/types.js';
export { UserError, OperationError } from './core/errors.js';
export { defineConfig } from './core/config.js';
export type { UserConfig } from './core/config.js';
export { checkOwnership } from './commands/check-ownership.js';
export type { CheckOwnershipOptions, CheckOwnershipResult } from './commands/check-ownership.js';
export { lintMigrations, lintProject } from './core/ownership/index.js';
