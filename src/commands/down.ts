// `svcdb down <service> --step N | --to <migration>`: reverts with the files' down sections,
// newest first, each in its own transaction with the removal of its history row, with
// migrate's lock timeouts and retries (db/lock-timeout.ts). Refuses,
// before touching anything, when a migration in range has no down section or no file.
import { endpointOf } from '../core/url.js';
import { OperationError, UserError } from '../core/errors.js';
import { prepareTransactions } from '../core/sources/transactions.js';
import { compareVersions, computePlan, findMigration, recorded, versionOfId, type ServicePlan } from '../core/plan.js';
import type { Migration, Service, Target } from '../core/types.js';
import type { MigrationFailure } from '../db/failure.js';
import { lockSettingsOf, type LockOptions, type LockSettings } from '../db/lock-timeout.js';
import type { StepDone } from '../db/migrator.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';
import { missingHistory } from './history-exists.js';

export interface DownOptions extends CommandOptions, LockOptions {
  service: string;
  /** revert this many (default 1) */
  step?: number;
  /** revert everything after this migration (it stays applied); `0` reverts all */
  to?: string;
  lockTimeoutMs?: number;
  waitMs?: number;
  onWait?: (pid: number | null) => void;
  /** a revert waits for a table lock and will be tried again: "<service>: <id>: waiting for ...: try 2/6" */
  onLockWait?: (line: string) => void;
  /** the reverts' lock_timeout, statement_timeout and retries (default: from the options, else migrate's defaults) */
  locks?: LockSettings;
}

export interface DownResult {
  service: string;
  target: string;
  reverted: StepDone[];
  failure?: MigrationFailure;
  /** why nothing was reverted when the history does not exist (nothing was created either) */
  nothingBecause?: string;
  exitCode: 0 | 1;
}

export async function down(opts: DownOptions): Promise<DownResult> {
  if (opts.step !== undefined && opts.to !== undefined) throw new UserError('give either --step or --to, not both');
  if (opts.step !== undefined && (!Number.isInteger(opts.step) || opts.step < 1)) {
    throw new UserError(`--step must be a positive whole number (got ${opts.step})`);
  }
  const ctx = await loadContext({ ...opts, pick: { names: [opts.service], all: false } });
  const [service] = pickServices(ctx, [opts.service], false);
  return downService(service, ctx.targetOf(service), { ...opts, locks: lockSettingsOf(ctx.project.config, opts) });
}

/** down() on one service and its target (the library's createMigrator calls this too). */
export async function downService(
  service: Service,
  target: Target,
  opts: Omit<DownOptions, keyof CommandOptions | 'service'>,
): Promise<DownResult> {
  const to = opts.to === undefined || opts.to === '0' ? undefined : findMigration(service.migrations, opts.to);
  if (opts.to !== undefined && opts.to !== '0' && !to) {
    throw new UserError(`--to ${opts.to}: service ${service.name} has no such migration`, {
      hint: 'use a file name, its number, or 0 to revert everything',
    });
  }
  // never create what a revert would only find empty (database, schema, history table)
  const absent = await missingHistory(service, target, opts);
  if (absent)
    return {
      service: service.name,
      target: endpointOf(target.url).label,
      reverted: [],
      nothingBecause: absent,
      exitCode: 0,
    };
  const { openWriter } = await import('../db/session.js');
  const session = await openWriter(service, target, {
    waitMs: opts.waitMs,
    lockTimeoutMs: opts.lockTimeoutMs,
    onWait: opts.onWait,
  });
  try {
    const plan = computePlan(service.name, service.migrations, session.rows);
    const range = revertRange(
      plan,
      service.migrations,
      opts.to === undefined ? { step: opts.step ?? 1 } : { after: to ?? null },
    );
    const migrations = checkRevertible(service.name, range);
    const result: DownResult = {
      service: service.name,
      target: endpointOf(target.url).label,
      reverted: [],
      exitCode: 0,
    };
    if (!migrations.length) return result;
    if (plan.renamed.length) {
      const { recordRenames } = await import('../db/history.js');
      await recordRenames(
        session.sql,
        session.history,
        plan.renamed.map((r) => ({ from: r.row.id, to: r.migration.id })),
      );
    }
    const { runDown } = await import('../db/migrator.js');
    const steps = await prepareTransactions(migrations, 'down');
    // each revert runs with migrate's lock_timeout, statement_timeout and retries
    const outcome = await runDown(
      {
        sql: session.sql,
        history: session.history,
        locks: opts.locks ?? lockSettingsOf({}, opts),
        openWatcher: session.openWatcher,
        onLockWait: opts.onLockWait,
      },
      steps,
    );
    result.reverted = outcome.done;
    if (outcome.failure) {
      result.failure = outcome.failure;
      result.exitCode = 1;
    }
    return result;
  } finally {
    await session.close().catch(() => {});
  }
}

type InRange = { id: string; version: string; migration: Migration | null; drifted: boolean };

/**
 * What the history says is applied, the last applied first: a revert undoes them in the reverse
 * of the order they ran, which is not always their versions' (Drizzle's journal, folder parents).
 * Flyway repeatables are re-run when they change, never reverted (Flyway has no undo for them).
 */
function revertRange(
  plan: ServicePlan,
  files: Migration[],
  by: { step: number } | { after: Migration | null },
): InRange[] {
  const drifted = new Set(plan.drifted.map((d) => d.migration));
  const position = new Map(files.map((m, i) => [m, i]));
  const all: Array<InRange & { at: number; position: number }> = [
    ...recorded(plan)
      .filter((a) => !a.migration.repeatable)
      .map((a) => ({
        id: a.migration.id,
        version: a.migration.version,
        migration: a.migration,
        drifted: drifted.has(a.migration),
        at: a.row.appliedAt.getTime(),
        position: position.get(a.migration) ?? -1,
      })),
    ...plan.missing.map((r) => ({
      id: r.id,
      version: versionOfId(r.id) ?? '0',
      migration: null,
      drifted: false,
      at: r.appliedAt.getTime(),
      position: -1,
    })),
  ];
  // When each ran (the history's order); rows recorded at one moment (adopted from another
  // tool) by file order, then version.
  const newestFirst = all.sort(
    (a, b) => b.at - a.at || b.position - a.position || compareVersions(b.version, a.version),
  );
  if ('step' in by) return newestFirst.slice(0, by.step);
  if (!by.after) return newestFirst;
  const stop = newestFirst.findIndex((r) => r.migration === by.after);
  // --to a migration that is not applied: everything numbered after it
  const after = by.after.version;
  return stop >= 0 ? newestFirst.slice(0, stop) : newestFirst.filter((r) => compareVersions(r.version, after) > 0);
}

function checkRevertible(service: string, range: InRange[]): Migration[] {
  const problems: string[] = [];
  const migrations: Migration[] = [];
  for (const r of range) {
    const m = r.migration;
    if (!m) problems.push(`${r.id}: recorded as applied but its file is gone`);
    else if (m.down === null) problems.push(`${m.relPath}: has no down section`);
    else if (r.drifted) problems.push(`${m.relPath}: changed since it was applied (drift)`);
    else migrations.push(m);
  }
  if (problems.length) {
    throw new OperationError(`${service}: refusing to revert, nothing was changed:\n  ${problems.join('\n  ')}`, {
      hint: problems.some((p) => p.endsWith('its file is gone'))
        ? `restore the files, or forget them with: svcdb repair ${service} --forget-missing; then run down again`
        : `add the missing down sections (or restore the files, or accept changed ones with svcdb repair ${service}), then run down again`,
    });
  }
  return migrations;
}
