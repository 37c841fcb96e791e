// The library API: what a service imports to migrate itself on startup, and the typed config helper.
export type * from './core/types.js';
export { UserError, OperationError } from './core/errors.js';
export { defineConfig } from './core/config.js';
export type { UserConfig } from './core/config.js';
export { checkOwnership } from './commands/check-ownership.js';
export type { CheckOwnershipOptions, CheckOwnershipResult } from './commands/check-ownership.js';
export { lintMigrations, lintProject } from './core/ownership/index.js';
// The migration engine: a service migrating itself before it serves traffic. createMigrator
// needs only a URL and a folder; migrate/plan/status/down below work on a whole project.
export { createMigrator } from './commands/provider.js';
export type { Migrator, MigratorOptions, InlineMigration } from './commands/provider.js';
export { migrate } from './commands/migrate.js';
export type { MigrateOptions, MigrateResult, MigrateEvent, ServiceMigrateResult } from './commands/migrate.js';
export { plan } from './commands/plan.js';
export type { PlanOptions, PlanResult, ServicePlanResult, PlannedMigration } from './commands/plan.js';
export { status } from './commands/status.js';
export type { StatusOptions, StatusResult, ServiceStatusResult } from './commands/status.js';
export { down } from './commands/down.js';
export type { DownOptions, DownResult } from './commands/down.js';
export type { MigrationFailure } from './db/failure.js';
export { formatFailure } from './db/failure.js';
