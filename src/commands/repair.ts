// `svcdb repair <service>`: after a human decided the changed files are right, record their
// current checksums. Says what it changed; missing files are listed, and forgotten (their
// history rows deleted) only when asked with `forgetMissing`.
import { endpointOf } from '../core/url.js';
import { computePlan } from '../core/plan.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';
import { missingHistory } from './history-exists.js';

export interface RepairOptions extends CommandOptions {
  service: string;
  /** delete the history rows of applied migrations whose file is gone (then `down` can pass them) */
  forgetMissing?: boolean;
  lockTimeoutMs?: number;
  waitMs?: number;
  onWait?: (pid: number | null) => void;
}

export interface RepairResult {
  service: string;
  target: string;
  /** drifted files whose recorded checksum was replaced */
  repaired: Array<{ id: string; file: string; oldChecksum: string; newChecksum: string; appliedAt: string }>;
  /** recorded as applied, file gone: left as they are (without forgetMissing) */
  missing: string[];
  /** history rows deleted because their file is gone (forgetMissing) */
  forgotten: Array<{ id: string; appliedAt: string }>;
  /** why nothing was looked at: the history does not exist (and nothing was created) */
  nothingBecause?: string;
}

export async function repair(opts: RepairOptions): Promise<RepairResult> {
  const ctx = await loadContext({ ...opts, pick: { names: [opts.service], all: false } });
  const [service] = pickServices(ctx, [opts.service], false);
  const target = ctx.targetOf(service);
  const empty: RepairResult = {
    service: service.name,
    target: endpointOf(target.url).label,
    repaired: [],
    missing: [],
    forgotten: [],
  };
  const absent = await missingHistory(service, target, opts);
  if (absent) return { ...empty, nothingBecause: absent };
  const { openWriter } = await import('../db/session.js');
  const { deleteRowSql, recordRenames, updateChecksum } = await import('../db/history.js');
  const session = await openWriter(service, target, {
    waitMs: opts.waitMs,
    lockTimeoutMs: opts.lockTimeoutMs,
    onWait: opts.onWait,
  });
  try {
    const plan = computePlan(service.name, service.migrations, session.rows);
    const result: RepairResult = { ...empty, missing: plan.missing.map((r) => r.id) };
    const renames = [...plan.renamed, ...plan.drifted].filter((a) => a.row.id !== a.migration.id);
    await recordRenames(
      session.sql,
      session.history,
      renames.map((r) => ({ from: r.row.id, to: r.migration.id })),
    );
    for (const { migration, row } of plan.drifted) {
      await updateChecksum(session.sql, session.history, migration.id, migration.checksum);
      result.repaired.push({
        id: migration.id,
        file: migration.relPath,
        oldChecksum: row.checksum,
        newChecksum: migration.checksum,
        appliedAt: row.appliedAt.toISOString(),
      });
    }
    if (opts.forgetMissing) {
      for (const row of plan.missing) {
        await session.sql.unsafe(deleteRowSql(session.history, row.id));
        result.forgotten.push({ id: row.id, appliedAt: row.appliedAt.toISOString() });
      }
      result.missing = [];
    }
    return result;
  } finally {
    await session.close().catch(() => {});
  }
}
