// Other tools' migration histories: where each keeps it, how to tell it by its columns (goose,
// dbmate and golang-migrate share names; dbmate and golang-migrate share `schema_migrations`),
// and which of a service's migrations it records as applied. `migrate` refuses to run over one
// (it would re-run every migration); `adopt` takes it over.
import { OperationError } from '../core/errors.js';
import { canonicalVersion, flywayVersion } from '../core/sources/names.js';
import { createdByStatements, TABLE_KINDS } from '../core/ownership/created.js';
import type { ForeignTool, Migration, Service } from '../core/types.js';
import { ident, literal, type Sql } from './connect.js';
import type { HistoryTable } from './history.js';
import { PROGRESS_TABLE } from './no-transaction.js';

/** Each tool's default table, `[schema.]name`; without a schema, the service's own schema. */
export const DEFAULT_TABLE: Record<ForeignTool, string> = {
  goose: 'goose_db_version',
  dbmate: 'schema_migrations',
  'golang-migrate': 'schema_migrations',
  flyway: 'flyway_schema_history',
  prisma: '_prisma_migrations',
  drizzle: 'drizzle.__drizzle_migrations',
  atlas: 'atlas_schema_revisions.atlas_schema_revisions',
};

/** The tool whose history table has these columns, or null. */
export function toolOfColumns(columns: string[]): ForeignTool | null {
  const has = (...names: string[]) => names.every((n) => columns.includes(n));
  if (has('version_id', 'is_applied')) return 'goose';
  if (has('installed_rank', 'script', 'success')) return 'flyway';
  if (has('migration_name', 'finished_at', 'applied_steps_count')) return 'prisma';
  if (has('hash', 'created_at') && !has('version')) return 'drizzle';
  if (has('version', 'applied', 'total', 'partial_hashes') || has('version', 'applied', 'total', 'operator_version'))
    return 'atlas';
  if (has('version', 'dirty')) return 'golang-migrate';
  if (has('version') && columns.length <= 2) return 'dbmate';
  return null;
}

export interface ForeignHistory {
  tool: ForeignTool;
  schema: string;
  table: string;
}

/** Another tool's history table with at least one row, next to the service's history. */
export async function findForeignHistory(sql: Sql, history: HistoryTable): Promise<ForeignHistory | null> {
  const schemas = [history.schema, 'drizzle', 'atlas_schema_revisions'];
  const names = [...new Set(Object.values(DEFAULT_TABLE).map((t) => t.split('.').at(-1)!))];
  const rows = await sql.unsafe(`
    select n.nspname as schema, c.relname as table, string_agg(a.attname::text, ',') as columns from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relkind in ('r', 'p') and n.nspname in (${schemas.map(literal).join(', ')})
      and c.relname in (${names.map(literal).join(', ')})
    group by 1, 2 order by 1, 2`);
  for (const r of rows) {
    if (r.schema === history.schema && r.table === history.table) continue;
    // a comma list, not an array: svcdb's connections do not fetch array types
    const tool = toolOfColumns(String(r.columns).split(','));
    if (!tool) continue;
    const [{ any }] = await sql.unsafe(
      `select exists (select 1 from ${ident(r.schema as string)}.${ident(r.table as string)}) as any`,
    );
    if (any) return { tool, schema: r.schema as string, table: r.table as string };
  }
  return null;
}

/** `svcdb adopt <service> --from <tool> [--table]`, exactly as the user should type it. */
export function adoptCommand(
  service: string,
  found: ForeignHistory | null,
  profile: string | undefined,
  historySchema: string,
): string {
  const profileFlag = profile && profile !== 'dev' ? ` --profile ${profile}` : '';
  if (!found) return `svcdb adopt ${service} --from <tool>${profileFlag}`;
  const qualified = found.schema === historySchema ? found.table : `${found.schema}.${found.table}`;
  const table = qualified === DEFAULT_TABLE[found.tool] ? '' : ` --table ${qualified}`;
  return `svcdb adopt ${service} --from ${found.tool}${table}${profileFlag}`;
}

/**
 * Before a service's first migration into a target: refuses (OperationError, exit 1) when
 * another tool's history is there, or when a table its first pending migration creates exists
 * already, so nothing is run twice over someone else's work.
 */
export async function refuseForeignHistory(
  sql: Sql,
  service: Service,
  history: HistoryTable,
  first: Migration,
  profile?: string,
): Promise<void> {
  const found = await findForeignHistory(sql, history);
  if (found) {
    throw new OperationError(
      `${service.name}: ${found.schema}.${found.table} holds a ${found.tool} history and svcdb has none: migrating would run again what ${found.tool} applied`,
      { hint: `take the history over, nothing re-runs: ${adoptCommand(service.name, found, profile, history.schema)}` },
    );
  }
  // svcdb itself began this migration outside a transaction and was stopped part-way: its
  // tables are svcdb's own work, resumed from the progress row, not someone else's.
  if (await startedBySvcdb(sql, history, first)) return;
  for (const created of await createdByStatements(first.up)) {
    if (!TABLE_KINDS.has(created.kind)) continue;
    const schema = created.schema ?? history.schema;
    const [row] = await sql.unsafe(
      `select to_regclass(${literal(`${ident(schema)}.${ident(created.name)}`)}) is not null as present`,
    );
    if (!row.present) continue;
    throw new OperationError(
      `${service.name}: ${schema}.${created.name}, which its first migration ${first.relPath}:${created.line} creates, exists already and svcdb has no history for ${service.name}`,
      {
        hint: `if another tool applied these migrations, take its history over: ${adoptCommand(service.name, null, profile, history.schema)} (goose, dbmate, golang-migrate, flyway, prisma, drizzle, atlas); otherwise give the service its own schema or database`,
      },
    );
  }
}

async function startedBySvcdb(sql: Sql, history: HistoryTable, first: Migration): Promise<boolean> {
  const progress = `${ident(history.schema)}.${ident(PROGRESS_TABLE)}`;
  const [row] = await sql.unsafe(`select to_regclass(${literal(progress)}) is not null as present`);
  if (!row.present) return false;
  const rows = await sql.unsafe(
    `select 1 from ${progress} where history_table = ${literal(history.table)} and service = ${literal(history.service)} and id = ${literal(`up:${first.id}`)}`,
  );
  return rows.length > 0;
}

/** The service's migrations the tool's history records as applied, and recorded keys with no file. */
export async function appliedByTool(
  sql: Sql,
  tool: ForeignTool,
  table: string,
  files: Migration[],
): Promise<{ applied: Migration[]; unknown: string[] }> {
  const byVersion = new Map(files.filter((m) => m.version !== '').map((m) => [canonicalVersion(m.version), m]));
  const match = (keys: string[], lookup: (key: string) => Migration | undefined) => {
    const applied: Migration[] = [];
    const unknown: string[] = [];
    for (const k of keys) {
      const m = lookup(k);
      if (m) {
        if (!applied.includes(m)) applied.push(m);
      } else unknown.push(k);
    }
    return { applied, unknown };
  };
  if (tool === 'goose') {
    // goose appends a row per up/down; the latest row for a version says whether it is applied.
    const rows = await sql.unsafe(`select version_id::text as v, is_applied from ${table} order by id`);
    const state = new Map<string, boolean>();
    for (const r of rows) state.set(canonicalVersion(r.v as string), Boolean(r.is_applied));
    return match(
      [...state].filter(([v, on]) => on && v !== '0').map(([v]) => v),
      (v) => byVersion.get(v),
    );
  }
  if (tool === 'dbmate') {
    const rows = await sql.unsafe(`select version::text as v from ${table}`);
    return match(
      rows.map((r) => canonicalVersion(r.v as string)),
      (v) => byVersion.get(v),
    );
  }
  if (tool === 'golang-migrate') {
    // one row: everything up to that version is applied, unless dirty
    const rows = await sql.unsafe(`select version::text as v, dirty from ${table} order by version desc limit 1`);
    if (!rows.length) return { applied: [], unknown: [] };
    if (rows[0].dirty) {
      throw new OperationError(`golang-migrate left version ${rows[0].v} dirty in ${table}: it failed part-way`, {
        hint: 'fix the database by hand and clear the flag (migrate force <version>) before adopting',
      });
    }
    const top = BigInt(rows[0].v as string);
    return { applied: files.filter((m) => /^\d+$/.test(m.version) && BigInt(m.version) <= top), unknown: [] };
  }
  if (tool === 'flyway') {
    const rows = await sql.unsafe(`select version, script from ${table} where success order by installed_rank`);
    const byScript = new Map(files.filter((m) => m.repeatable).map((m) => [`${m.id}.sql`, m]));
    return match(
      rows.map((r) =>
        r.version === null
          ? `R:${String(r.script).split('/').at(-1)}`
          : canonicalVersion(flywayVersion(r.version as string)),
      ),
      (k) => (k.startsWith('R:') ? byScript.get(k.slice(2)) : byVersion.get(k)),
    );
  }
  if (tool === 'prisma') {
    const rows = await sql.unsafe(
      `select migration_name from ${table} where finished_at is not null and rolled_back_at is null order by started_at`,
    );
    const byId = new Map(files.map((m) => [m.id, m]));
    return match(
      rows.map((r) => r.migration_name as string),
      (k) => byId.get(k),
    );
  }
  if (tool === 'drizzle') {
    // Drizzle records the sha256 of each file: svcdb's checksum of the same bytes.
    const rows = await sql.unsafe(`select hash from ${table} order by created_at`);
    const byHash = new Map(files.map((m) => [m.checksum, m]));
    return match(
      rows.map((r) => r.hash as string),
      (k) => byHash.get(k),
    );
  }
  const rows = await sql.unsafe(
    `select version from ${table} where applied = total and coalesce(error, '') = '' order by version`,
  );
  const exact = new Map(files.map((m) => [m.version, m]));
  return match(
    rows.map((r) => r.version as string),
    (k) => exact.get(k),
  );
}
