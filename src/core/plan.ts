// The pure heart of migrate/plan/status: files on disk + history rows → what is applied,
// pending, drifted (file changed since applied) and missing (recorded, file gone).
import type { Migration } from './types.js';

/** One row of a service's svcdb history table. */
export interface HistoryRow {
  id: string;
  checksum: string;
  appliedAt: Date;
  durationMs: number;
  svcdbVersion: string;
}

export interface AppliedMigration {
  migration: Migration;
  row: HistoryRow;
}

export interface ServicePlan {
  service: string;
  /** applied and unchanged, in file order */
  applied: AppliedMigration[];
  /** not yet applied, in file order */
  pending: Migration[];
  /** applied, but the file's checksum differs from the recorded one */
  drifted: AppliedMigration[];
  /** recorded under another id with the same version (`008_credit` → `0008_credit_accounts`),
   * same bytes: applied; the history row is renamed by the next writer */
  renamed: AppliedMigration[];
  /** recorded as applied, but no file has that version any more */
  missing: HistoryRow[];
}

/**
 * A migration's identity is its version: a history row matches the file with its id, or else
 * the one file with the same version number (`1` and `001` are one number), so renaming an
 * applied file is a rename, never a new migration.
 */
export function computePlan(service: string, migrations: Migration[], rows: HistoryRow[]): ServicePlan {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const fileIds = new Set(migrations.map((m) => m.id));
  const unmatchedByVersion = new Map<string, HistoryRow>();
  for (const r of rows) {
    const version = versionOfId(r.id);
    if (!fileIds.has(r.id) && version !== null) unmatchedByVersion.set(withoutLeadingZeros(version), r);
  }
  const plan: ServicePlan = { service, applied: [], pending: [], drifted: [], renamed: [], missing: [] };
  const matched = new Set<HistoryRow>();
  for (const migration of migrations) {
    let row = byId.get(migration.id);
    let renamed = false;
    if (!row) {
      row = unmatchedByVersion.get(withoutLeadingZeros(migration.version));
      if (row && matched.has(row)) row = undefined;
      renamed = row !== undefined;
    }
    if (!row) {
      plan.pending.push(migration);
      continue;
    }
    matched.add(row);
    if (row.checksum !== migration.checksum) plan.drifted.push({ migration, row });
    else if (renamed) plan.renamed.push({ migration, row });
    else plan.applied.push({ migration, row });
  }
  plan.missing = rows.filter((r) => !matched.has(r));
  return plan;
}

/** The version a history row's id starts with (`0008_credit` → `0008`), null when none. */
export function versionOfId(id: string): string | null {
  return /^(\d+)/.exec(id)?.[1] ?? null;
}

/** Applied, renamed and drifted: everything recorded that has a file, in file order. */
export function recorded(plan: ServicePlan): AppliedMigration[] {
  return [...plan.applied, ...plan.renamed, ...plan.drifted]
    .sort((a, b) => compareVersions(a.migration.version, b.migration.version));
}

/**
 * Numeric comparison of version strings of any width ("001" < "10" < "20240101"): without
 * leading zeros, the shorter digit string is the smaller number, and equal lengths compare as
 * text (no BigInt pair per comparison: sorting a thousand files made tens of thousands).
 */
export function compareVersions(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "007" → "7", "000" → "0": the canonical spelling of a version number. */
export function withoutLeadingZeros(version: string): string {
  let i = 0;
  while (i < version.length - 1 && version.charCodeAt(i) === 48) i++;
  return i === 0 ? version : version.slice(i);
}

/**
 * Finds a migration by what a user would type for `--to`: its id (`003_add_x`), its file name
 * (`003_add_x.sql`), or its number (`003` or `3`).
 */
export function findMigration(migrations: Migration[], ref: string): Migration | undefined {
  const name = ref.replace(/\.(up|down)\.sql$|\.sql$/, '');
  const exact = migrations.find((m) => m.id === name);
  if (exact) return exact;
  if (/^\d+$/.test(name)) return migrations.find((m) => BigInt(m.version) === BigInt(name));
  return undefined;
}

/** The pending migrations up to and including `to` (all of them when `to` is undefined). */
export function pendingUpTo(plan: ServicePlan, to: Migration | undefined): Migration[] {
  if (!to) return plan.pending;
  return plan.pending.filter((m) => compareVersions(m.version, to.version) <= 0);
}

/** A table name created by more than one service sharing one database and schema. */
export interface Collision {
  table: string;
  /** each service that creates it, with where */
  creators: Array<{ service: string; file: string; line: number }>;
}

export interface CreatedTable {
  service: string;
  table: string;
  file: string;
  line: number;
}

/** Tables created by two or more services, sorted by table name. */
export function findCollisions(created: CreatedTable[]): Collision[] {
  const byTable = new Map<string, CreatedTable[]>();
  for (const c of created) {
    const key = c.table.toLowerCase();
    const list = byTable.get(key) ?? [];
    if (!list.some((x) => x.service === c.service)) list.push(c);
    byTable.set(key, list);
  }
  return [...byTable.entries()]
    .filter(([, list]) => list.length > 1)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, list]) => ({
      table,
      creators: list.map(({ service, file, line }) => ({ service, file, line })),
    }));
}
