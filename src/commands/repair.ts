// `svcdb repair <service>`: after a human decided the changed files are right, record their
// current checksums. Says what it changed; missing files are listed, never forgotten silently.
import { endpointOf } from '../core/url.js';
import { computePlan } from '../core/plan.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';

export interface RepairOptions extends CommandOptions {
  service: string;
  lockTimeoutMs?: number;
  waitMs?: number;
  onWait?: (pid: number | null) => void;
}

export interface RepairResult {
  service: string;
  target: string;
  /** drifted files whose recorded checksum was replaced */
  repaired: Array<{ id: string; file: string; oldChecksum: string; newChecksum: string; appliedAt: string }>;
  /** recorded as applied, file gone: left as they are */
  missing: string[];
}

export async function repair(opts: RepairOptions): Promise<RepairResult> {
  const ctx = await loadContext(opts);
  const [service] = pickServices(ctx, [opts.service], false);
  const target = ctx.targetOf(service);
  const { openWriter } = await import('../db/session.js');
  const { recordRenames, updateChecksum } = await import('../db/history.js');
  const session = await openWriter(service, target, { waitMs: opts.waitMs, lockTimeoutMs: opts.lockTimeoutMs, onWait: opts.onWait });
  try {
    const plan = computePlan(service.name, service.migrations, session.rows);
    const result: RepairResult = { service: service.name, target: endpointOf(target.url).label, repaired: [], missing: plan.missing.map((r) => r.id) };
    const renames = [...plan.renamed, ...plan.drifted].filter((a) => a.row.id !== a.migration.id);
    await recordRenames(session.sql, session.history, renames.map((r) => ({ from: r.row.id, to: r.migration.id })));
    for (const { migration, row } of plan.drifted) {
      await updateChecksum(session.sql, session.history, migration.id, migration.checksum);
      result.repaired.push({
        id: migration.id, file: migration.relPath, oldChecksum: row.checksum, newChecksum: migration.checksum,
        appliedAt: row.appliedAt.toISOString(),
      });
    }
    return result;
  } finally {
    await session.close().catch(() => {});
  }
}
