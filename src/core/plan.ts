// The pure heart of migrate/plan/status: files on disk + history rows → what is applied,
// pending, drifted (file changed since applied) and missing (recorded, file gone).
import type { Migration } from './types.js';
import { canonicalVersion, compareVersions, VERSION_REF, withoutLeadingZeros } from './sources/names.js';

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
    if (!row && !migration.repeatable) {
      row = unmatchedByVersion.get(withoutLeadingZeros(migration.version));
      if (row && matched.has(row)) row = undefined;
      renamed = row !== undefined;
    }
    if (!row) {
      plan.pending.push(migration);
      continue;
    }
    matched.add(row);
    // A repeatable (Flyway R__) whose checksum changed is due again, as Flyway re-applies it.
    if (row.checksum !== migration.checksum) {
      if (migration.repeatable) plan.pending.push(migration);
      else plan.drifted.push({ migration, row });
    } else if (renamed) plan.renamed.push({ migration, row });
    else plan.applied.push({ migration, row });
  }
  plan.missing = rows.filter((r) => !matched.has(r));
  return plan;
}

/** The version a history row's id starts with (`0008_credit` → `0008`), null when none. */
export function versionOfId(id: string): string | null {
  return /^(\d+)/.exec(id)?.[1] ?? null;
}

/**
 * Applied, renamed and drifted: everything recorded that has a file, in file order (the layout's
 * apply order: Drizzle's journal, folder parents, Flyway's repeatables last), or in version
 * order when the files are not given.
 */
export function recorded(plan: ServicePlan, files?: Migration[]): AppliedMigration[] {
  const all = [...plan.applied, ...plan.renamed, ...plan.drifted];
  if (!files) return all.sort((a, b) => compareVersions(a.migration.version, b.migration.version));
  const position = new Map(files.map((m, i) => [m, i]));
  return all.sort((a, b) => (position.get(a.migration) ?? 0) - (position.get(b.migration) ?? 0));
}

// Versions compare in one place, with the file name patterns that carry them.
export { compareVersions, withoutLeadingZeros } from './sources/names.js';

/**
 * Finds a migration by what a user would type for `--to`: its id (`003_add_x`), its file name
 * (`003_add_x.sql`), or its number (`003` or `3`).
 */
export function findMigration(migrations: Migration[], ref: string): Migration | undefined {
  const name = ref.replace(/\.(up|down)\.sql$|\.sql$/, '');
  const exact = migrations.find((m) => m.id === name);
  if (exact) return exact;
  if (VERSION_REF.test(name)) {
    const wanted = canonicalVersion(name.replace(/_/g, '.'));
    return migrations.find((m) => m.version !== '' && canonicalVersion(m.version) === wanted);
  }
  return undefined;
}

/** The pending migrations up to and including `to` (all of them when `to` is undefined). */
export function pendingUpTo(plan: ServicePlan, to: Migration | undefined): Migration[] {
  if (!to) return plan.pending;
  return plan.pending.filter((m) => compareVersions(m.version, to.version) <= 0);
}
