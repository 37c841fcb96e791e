// The migration-safety rules: squawk's names (so a team moving from squawk keeps its ignore
// comments and config), what each catches, and the safe rewrite every finding carries as `hint`.
import type { RuleMeta } from '../ownership/rule-meta.js';
import type { Severity } from '../types.js';

export interface SafetyRule extends RuleMeta {
  /** the safe rewrite, as shown in a finding's `hint` and the README */
  hint: string;
  severity: Severity;
}

const rule = (id: string, severity: Severity, short: string, help: string, hint: string): SafetyRule => ({
  id,
  name: id
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(''),
  short,
  help,
  hint,
  severity,
});

export const NO_TX_NOTE =
  'svcdb runs a file holding a CONCURRENTLY statement outside a transaction by itself, statement by statement, resuming after the last one that succeeded';

export const SAFETY_RULES: SafetyRule[] = [
  rule(
    'require-concurrent-index-creation',
    'error',
    'CREATE INDEX without CONCURRENTLY on an existing table',
    'A plain CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on the table waits.',
    `use CREATE INDEX CONCURRENTLY; ${NO_TX_NOTE} (keep it in a file of its own, without BEGIN/COMMIT around it)`,
  ),
  rule(
    'require-concurrent-index-deletion',
    'error',
    'DROP INDEX without CONCURRENTLY',
    "A plain DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: reads and writes wait.",
    `use DROP INDEX CONCURRENTLY; ${NO_TX_NOTE}`,
  ),
  rule(
    'constraint-missing-not-valid',
    'error',
    'A constraint added without NOT VALID, or validated in the transaction that added it',
    'ADD CONSTRAINT (CHECK, FOREIGN KEY) scans the whole table under an ACCESS EXCLUSIVE lock.',
    'add it with NOT VALID, then VALIDATE CONSTRAINT in a later migration (validation takes only a SHARE UPDATE EXCLUSIVE lock)',
  ),
  rule(
    'adding-field-with-default',
    'error',
    'ADD COLUMN with a default that rewrites the table',
    'Before PostgreSQL 11 any DEFAULT rewrites the table; from 11 a volatile default (random(), gen_random_uuid(), clock_timestamp(), ...) and a STORED generated column still do, under an ACCESS EXCLUSIVE lock.',
    'add the column without the default (or with a constant one on PostgreSQL 11+), set the default with ALTER COLUMN ... SET DEFAULT, and backfill existing rows in batches',
  ),
  rule(
    'adding-foreign-key-constraint',
    'error',
    'A foreign key added to an existing table in one step',
    'Adding a foreign key scans the table and locks both tables (SHARE ROW EXCLUSIVE) until it is validated.',
    'ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  ),
  rule(
    'changing-column-type',
    'error',
    'ALTER COLUMN ... TYPE on an existing table',
    "Changing a column's type usually rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, and breaks code reading the old type.",
    'add a new column of the new type, backfill it in batches, switch readers and writers over, then drop the old column',
  ),
  rule(
    'adding-not-nullable-field',
    'error',
    'SET NOT NULL on an existing column',
    'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.',
    'add CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT in a later migration; from PostgreSQL 12 SET NOT NULL then uses the validated check and skips the scan',
  ),
  rule(
    'adding-serial-primary-key-field',
    'error',
    'A primary key added to an existing table in one step',
    'ADD PRIMARY KEY (or a serial PRIMARY KEY column) builds the index under an ACCESS EXCLUSIVE lock.',
    'CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT ... PRIMARY KEY USING INDEX <index>',
  ),
  rule(
    'renaming-column',
    'warning',
    'RENAME COLUMN',
    'Code still running against the old name fails the moment the migration commits.',
    'add the new column, write both, backfill, move readers, then drop the old one (or keep a view with the old name during the deploy)',
  ),
  rule(
    'renaming-table',
    'warning',
    'RENAME TO on a table',
    'Code still running against the old name fails the moment the migration commits.',
    'create the new table (or a view with the new name), move readers and writers, then drop the old one',
  ),
  rule(
    'disallowed-unique-constraint',
    'error',
    'A UNIQUE constraint added to an existing table in one step',
    'ADD UNIQUE builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait.',
    'CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX <index>',
  ),
  rule(
    'ban-drop-column',
    'warning',
    'DROP COLUMN',
    'Code still reading or writing the column fails once it is gone; the data cannot be recovered.',
    'stop using the column in code and deploy first; then drop it in a later migration (and ignore this finding with a reason)',
  ),
  rule(
    'ban-drop-table',
    'warning',
    'DROP TABLE',
    'Code still using the table fails once it is gone; the data cannot be recovered.',
    'stop using the table in code and deploy first; then drop it in a later migration (and ignore this finding with a reason)',
  ),
  rule(
    'ban-drop-database',
    'error',
    'DROP DATABASE',
    'Dropping a database in a migration deletes every table and its data at once.',
    'drop databases by hand, outside the migrations, after a backup',
  ),
  rule(
    'ban-drop-not-null',
    'warning',
    'DROP NOT NULL',
    'Code that expects the column to be set may start to read NULLs.',
    'make sure every reader copes with NULL first, then ignore this finding with a reason',
  ),
  rule(
    'adding-required-field',
    'error',
    'ADD COLUMN ... NOT NULL without a default',
    'The statement fails on a table that has rows, and code inserting without the column fails once it succeeds.',
    'add the column nullable (or NOT NULL with a non-volatile DEFAULT on PostgreSQL 11+), backfill, then add the NOT NULL',
  ),
  rule(
    'ban-truncate-cascade',
    'error',
    'TRUNCATE ... CASCADE',
    'CASCADE also empties every table that references this one by foreign key, and theirs in turn.',
    'TRUNCATE the tables you mean by name, without CASCADE',
  ),
  rule(
    'ban-concurrent-index-creation-in-transaction',
    'error',
    'CREATE INDEX CONCURRENTLY inside a transaction',
    'PostgreSQL refuses CONCURRENTLY inside a transaction block (SQLSTATE 25001): the migration fails.',
    `remove the BEGIN/COMMIT around it and give it a statement of its own; ${NO_TX_NOTE}`,
  ),
  rule(
    'transaction-nesting',
    'error',
    'Transaction control that would commit, undo or split the migration',
    'svcdb runs each transactional migration in a transaction of its own, which also records it. A psql-style BEGIN ... COMMIT wrapper is dropped (no finding); a nested BEGIN, a COMMIT without BEGIN, a ROLLBACK or AND CHAIN would apply part of the file apart from its record.',
    'remove the transaction control: svcdb already runs the file in one transaction',
  ),
];

export const SAFETY_RULE_IDS = new Set(SAFETY_RULES.map((r) => r.id));

export function safetyRule(id: string): SafetyRule | undefined {
  return SAFETY_RULES.find((r) => r.id === id);
}
