// A service's svcdb history table: where it lives, its rows, and the umzug storage beside it.
// Rows are written by the migration's own SQL (see migrator.ts), inside its transaction.
import { createRequire } from 'node:module';
import { UserError } from '../core/errors.js';
import type { HistoryRow } from '../core/plan.js';
import type { Service, Strategy, Target } from '../core/types.js';
import { ident, literal, type Sql } from './connect.js';

const require = createRequire(import.meta.url);
export const svcdbVersion = (require('../../package.json') as { version: string }).version;

export interface HistoryTable {
  schema: string;
  table: string;
  /** `"schema"."table"`, for SQL text */
  qualified: string;
  /** every row carries its service, so even a table two services end up sharing (two
   * `databaseOf` services, two URLs pointing at one database) never mixes their histories */
  service: string;
}

/**
 * Default name: `svcdb_migrations` in the service's own schema or database; under `shared`
 * every service lives in one schema, so each gets `svcdb_migrations_<service>`.
 */
function historyTableName(service: Pick<Service, 'name' | 'trackingTable'>, strategy: Strategy): string {
  if (service.trackingTable) return service.trackingTable;
  if (strategy === 'shared') return `svcdb_migrations_${service.name.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  return 'svcdb_migrations';
}

/** The schema is the target's (schema strategy) or the connection's current schema. */
export async function locateHistory(sql: Sql, service: Service, target: Target): Promise<HistoryTable> {
  let schema = target.schema;
  if (!schema) {
    const [row] = await sql`select current_schema() as s`;
    schema = (row.s as string | null) ?? 'public';
  }
  const table = historyTableName(service, target.strategy);
  return { schema, table, qualified: `${ident(schema)}.${ident(table)}`, service: service.name };
}

// The catalog and history reads below quote their values into the text (literal()) instead of
// binding parameters: postgres.js sends a parameterized query it has not prepared on this
// connection as describe-then-execute, two round trips; a fresh connection per run never has.

export async function schemaExists(sql: Sql, schema: string): Promise<boolean> {
  const rows = await sql.unsafe(`select 1 from pg_namespace where nspname = ${literal(schema)}`);
  return rows.length > 0;
}

/** Column names of a table, or null when it does not exist. Reads the catalog only. */
export async function tableColumns(sql: Sql, schema: string, table: string): Promise<string[] | null> {
  const rows = await sql.unsafe(`
    select a.attname from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where n.nspname = ${literal(schema)} and c.relname = ${literal(table)} and c.relkind in ('r', 'p')`);
  if (!rows.length) return null;
  return rows.map((r) => r.attname as string).filter(Boolean);
}

/** Creates the table if needed; refuses a same-named table of another tool. */
export async function ensureHistoryTable(sql: Sql, h: HistoryTable, service: string): Promise<void> {
  const columns = await tableColumns(sql, h.schema, h.table);
  if (columns) return checkShape(columns, h, service);
  await createTableIfAbsent(
    sql,
    `create table if not exists ${h.qualified} (
    service text not null,
    id text not null,
    checksum text not null,
    applied_at timestamptz not null default now(),
    duration_ms integer not null,
    svcdb_version text not null,
    primary key (service, id)
  )`,
  );
}

/**
 * Runs a `create table if not exists`. Two services creating one table (a shared history
 * table, the progress table in one schema) at the same moment both pass the "if not exists"
 * check; the later one then fails on the catalog's unique index: 42P07 (relation), 42710 (its
 * row type) or 23505. The table exists then, as wanted.
 */
export async function createTableIfAbsent(sql: Sql, ddl: string): Promise<void> {
  await sql.unsafe(ddl).catch((err: { code?: string }) => {
    if (err.code !== '23505' && err.code !== '42P07' && err.code !== '42710') throw err;
  });
}

export function checkShape(columns: string[], h: HistoryTable, service: string): void {
  if (columns.includes('id') && columns.includes('checksum') && columns.includes('service')) return;
  const from = columns.includes('version_id') ? 'goose' : columns.includes('dirty') ? 'golang-migrate' : 'dbmate';
  throw new UserError(
    `${service}: table ${h.schema}.${h.table} exists but is not an svcdb history table (columns: ${columns.join(', ')})`,
    {
      where: `services.${service}.trackingTable`,
      hint: `give svcdb its own table name and take over that history with: svcdb adopt ${service} --from ${from} --table ${h.table}`,
    },
  );
}

export async function readHistory(sql: Sql, h: HistoryTable): Promise<HistoryRow[]> {
  const rows = await sql.unsafe(
    `select id, checksum, applied_at, duration_ms, svcdb_version from ${h.qualified} where service = ${literal(h.service)} order by id`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    checksum: r.checksum as string,
    appliedAt: r.applied_at as Date,
    durationMs: Number(r.duration_ms),
    svcdbVersion: r.svcdb_version as string,
  }));
}

/**
 * SQL text recording a migration, to run inside its transaction. `durationMs` null: measured
 * by the server from the transaction's start (`now()` is the start, `clock_timestamp()` is now).
 */
export function insertRowSql(
  h: HistoryTable,
  id: string,
  checksum: string,
  durationMs: number | null,
  repeatable = false,
): string {
  const duration =
    durationMs === null
      ? '(extract(epoch from clock_timestamp() - now()) * 1000)::integer'
      : String(Math.round(durationMs));
  // A repeatable (Flyway R__) applied again replaces its row; any other id recorded twice is an error.
  const replace = repeatable
    ? ' on conflict (service, id) do update set checksum = excluded.checksum, applied_at = now(), duration_ms = excluded.duration_ms, svcdb_version = excluded.svcdb_version'
    : '';
  return `insert into ${h.qualified} (service, id, checksum, duration_ms, svcdb_version) values (${literal(h.service)}, ${literal(id)}, ${literal(checksum)}, ${duration}, ${literal(svcdbVersion)})${replace}`;
}

/**
 * Fails (division by zero) unless migration `id` is recorded: run inside the next one's
 * transaction. It returns no row (the WHERE is false once the count is 1), so the client has
 * no row to read per migration.
 */
export function guardSql(h: HistoryTable, id: string): string {
  return `select where 1 / (select count(*)::integer from ${h.qualified} where service = ${literal(h.service)} and id = ${literal(id)}) <> 1 /* svcdb: the previous migration committed */`;
}

export function deleteRowSql(h: HistoryTable, id: string): string {
  return `delete from ${h.qualified} where service = ${literal(h.service)} and id = ${literal(id)}`;
}

export async function insertRows(
  sql: Sql,
  h: HistoryTable,
  rows: Array<{ id: string; checksum: string; appliedAt?: Date }>,
): Promise<void> {
  for (const r of rows) {
    await sql.unsafe(
      `insert into ${h.qualified} (service, id, checksum, applied_at, duration_ms, svcdb_version) values ($1, $2, $3, coalesce($4::timestamptz, now()), 0, $5) on conflict (service, id) do nothing`,
      [h.service, r.id, r.checksum, r.appliedAt ?? null, svcdbVersion],
    );
  }
}

/**
 * Renamed files (same version, same bytes; see computePlan) keep their history: the row takes
 * the file's new id, so every later command finds it under the name on disk.
 */
export async function recordRenames(
  sql: Sql,
  h: HistoryTable,
  renames: Array<{ from: string; to: string }>,
): Promise<void> {
  for (const r of renames) await sql.unsafe(renameRowSql(h, r.from, r.to));
}

export function renameRowSql(h: HistoryTable, from: string, to: string): string {
  return `update ${h.qualified} set id = ${literal(to)} where service = ${literal(h.service)} and id = ${literal(from)}`;
}

export function checksumSql(h: HistoryTable, id: string, checksum: string): string {
  return `update ${h.qualified} set checksum = ${literal(checksum)} where service = ${literal(h.service)} and id = ${literal(id)}`;
}

/**
 * The umzug storage. umzug sequences the steps the plan chose (core/plan.ts computed them from
 * this history table): for `up` none of them is executed yet, for `down` all of them are, so
 * this is all umzug needs to know. It records nothing on purpose: the row is inserted (or
 * deleted) by the migration's own SQL inside its transaction, so a migration and its record
 * commit or vanish together, which a separate logMigration() call could not guarantee.
 */
export class PlanStorage {
  constructor(private readonly executedIds: string[]) {}
  async executed(): Promise<string[]> {
    return this.executedIds;
  }
  async logMigration(): Promise<void> {}
  async unlogMigration(): Promise<void> {}
}
