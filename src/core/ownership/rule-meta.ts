// The rules of the ownership lint: ids, default severity, and the help text SARIF carries.
import type { Severity, Strategy } from '../types.js';

export interface RuleMeta {
  id: string;
  name: string;
  short: string;
  help: string;
}

export const RULES: RuleMeta[] = [
  {
    id: 'cross-service-write',
    name: 'CrossServiceWrite',
    short: "A service writes another service's table",
    help: "INSERT, UPDATE, DELETE, MERGE, TRUNCATE, ALTER, DROP, an index, trigger, policy, comment or grant on a table another service owns. In production each service has its own database, so this breaks there. Call the owning service's API or publish an event instead.",
  },
  {
    id: 'cross-service-read',
    name: 'CrossServiceRead',
    short: "A service reads another service's table without declaring it",
    help: "Reading a table another service owns works in a shared development database and fails once each service has its own. Go through the owner's API, or declare the read in the config (services.<name>.reads with service, tables and via folders).",
  },
  {
    id: 'read-outside-contract',
    name: 'ReadOutsideContract',
    short: 'A declared read made from a folder the declaration does not name',
    help: 'The read is declared in services.<name>.reads, but only from the folders listed in `via`. Move the query into one of those folders or add this folder to `via`.',
  },
  {
    id: 'cross-service-fk',
    name: 'CrossServiceForeignKey',
    short: "A foreign key to another service's table",
    help: 'A foreign key cannot hold across databases. Keep the identifier as a plain column and check it through the owning service.',
  },
  {
    id: 'table-collision',
    name: 'TableCollision',
    short: 'Two services create the same table name',
    help: "In a shared database the second CREATE TABLE IF NOT EXISTS silently reuses the first service's table. Rename one of them (e.g. prefix it with the service name) or qualify it with the service's schema.",
  },
  {
    id: 'unknown-table',
    name: 'UnknownTable',
    short: 'A table no service owns',
    help: "No service's migrations create this table and no service lists it in `owns`. Add a migration or an `owns` entry, or fix the name.",
  },
  {
    id: 'unparsable-sql',
    name: 'UnparsableSql',
    short: 'A string looks like SQL but does not parse',
    help: 'The PostgreSQL parser rejects this text, so the tables it touches cannot be checked. Fix the SQL, or add `svcdb-ignore unparsable-sql: <reason>` above it if it is not SQL.',
  },
  {
    id: 'dynamic-sql',
    name: 'DynamicSql',
    short: 'SQL built at run time cannot be checked',
    help: 'EXECUTE of a built string, or a query assembled from interpolated names, hides the tables it touches. Prefer static SQL with parameters; otherwise review it and add `svcdb-ignore dynamic-sql: <reason>`.',
  },
  {
    id: 'suppression-without-reason',
    name: 'SuppressionWithoutReason',
    short: 'A svcdb-ignore comment without a reason',
    help: 'Write why the finding is acceptable: `svcdb-ignore <rule>: <reason>`.',
  },
];

export const RULE_IDS = new Set(RULES.map((r) => r.id));

export function defaultSeverity(rule: string, strategy: Strategy): Severity {
  switch (rule) {
    case 'cross-service-write':
    case 'cross-service-read':
    case 'read-outside-contract':
    case 'cross-service-fk':
      return 'error';
    case 'table-collision':
      return strategy === 'shared' ? 'error' : 'warning';
    default:
      return 'warning';
  }
}
