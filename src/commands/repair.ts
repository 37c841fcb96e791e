// `svcdb repair <service>`: after a human decided the changed files are right, record their
// current checksums. Says what it changed; missing files are listed, and forgotten (their
// history rows deleted) only when asked with `forgetMissing`. Every change is made in one
// transaction, with migrate's lock timeouts and retries.
import { endpointOf } from '../core/url.js';
import { OperationError } from '../core/errors.js';
import { computePlan } from '../core/plan.js';
import type { LockOptions } from '../db/lock-timeout.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';
import { missingHistory } from './history-exists.js';

export interface RepairOptions extends CommandOptions, LockOptions {
  service: string;
  /** delete the history rows of applied migrations whose file is gone (then `down` can pass them) */
  forgetMissing?: boolean;
  lockTimeoutMs?: number;
  waitMs?: number;
  onWait?: (pid: number | null) => void;
  /** its transaction waits for a lock on the history table and will be tried again */
  onLockWait?: (line: string) => void;
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
  const { checksumSql, deleteRowSql, renameRowSql } = await import('../db/history.js');
  const session = await openWriter(service, target, {
    waitMs: opts.waitMs,
    lockTimeoutMs: opts.lockTimeoutMs,
    onWait: opts.onWait,
  });
  try {
    const plan = computePlan(service.name, service.migrations, session.rows);
    const result: RepairResult = { ...empty, missing: plan.missing.map((r) => r.id) };
    const h = session.history;
    const changes: string[] = [];
    for (const r of [...plan.renamed, ...plan.drifted].filter((a) => a.row.id !== a.migration.id))
      changes.push(renameRowSql(h, r.row.id, r.migration.id));
    for (const { migration, row } of plan.drifted) {
      changes.push(checksumSql(h, migration.id, migration.checksum));
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
        changes.push(deleteRowSql(h, row.id));
        result.forgotten.push({ id: row.id, appliedAt: row.appliedAt.toISOString() });
      }
      result.missing = [];
    }
    // all of it or nothing, in one transaction with migrate's lock timeouts and retries
    if (changes.length) {
      const { inLockedTransaction, lockSettingsOf } = await import('../db/lock-timeout.js');
      await inLockedTransaction(session.sql, changes.join(';\n'), {
        locks: lockSettingsOf(ctx.project.config, opts),
        openWatcher: session.openWatcher,
        onLockWait: (line) => opts.onLockWait?.(`${service.name}: repair: ${line}`),
      }).catch((err: { lockWait?: string; message?: string }) => {
        if (!err.lockWait) throw err;
        throw new OperationError(`${service.name}: repair changed nothing: ${err.message}: ${err.lockWait}`, {
          hint: 'end or wait for the session holding the lock (pid above), or raise lockTimeout / lockRetries in the config',
        });
      });
    }
    return result;
  } finally {
    await session.close().catch(() => {});
  }
}
