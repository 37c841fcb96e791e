// `svcdb migrate`: each chosen service's pending migrations, services in parallel, each in
// isolation (its own connection, lock, history, transactions). A failed service never stops
// the others; the result says what each one did.
import { endpointOf } from '../core/url.js';
import { migrationLayers } from '../core/layers.js';
import { prepareTransactions } from '../core/sources/transactions.js';
import { computePlan, pendingUpTo, type ServicePlan } from '../core/plan.js';
import type { Migration, Service, Target } from '../core/types.js';
import type { MigrationFailure } from '../db/failure.js';
import { lockSettingsOf, type LockOptions, type LockSettings } from '../db/lock-timeout.js';
import type { RunOutcome, StepDone } from '../db/migrator.js';
import type { openWriter } from '../db/session.js';
import {
  assertNoCollisions,
  describeError,
  forEachLimited,
  loadContext,
  pickServices,
  resolveTo,
  type CommandOptions,
  type Context,
  type ServiceError,
} from './context.js';

type Writer = Awaited<ReturnType<typeof openWriter>>;

export interface MigrateOptions extends CommandOptions, LockOptions {
  /** service names; or `all` */
  services?: string[];
  all?: boolean;
  /** apply up to and including this migration (id, file name or number) in each service */
  to?: string;
  /** wait for another run's lock this long, ms (default 60 000) */
  lockTimeoutMs?: number;
  /** retry an unreachable server this long, ms (default 10 000) */
  waitMs?: number;
  /** services migrated at once (default 8) */
  concurrency?: number;
  /** emit the server's notices as `notice` events (default false: dropped) */
  notices?: boolean;
  onEvent?: (event: MigrateEvent) => void;
}

/** What one service's run needs of the options (the library passes these without a project). */
export type ServiceRunOptions = Pick<
  MigrateOptions,
  'waitMs' | 'lockTimeoutMs' | 'onEvent' | 'notices' | 'profile' | 'log'
>;

export type MigrateEvent =
  | { type: 'waiting'; service: string; pid: number | null }
  | { type: 'lock-wait'; service: string; line: string }
  /** the server's NOTICEs (RAISE NOTICE in a migration), only with `notices: true` */
  | { type: 'notice'; service: string; message: string }
  /** `index` of `total`: this migration's place among the pending ones of this run (1-based) */
  | { type: 'applying'; service: string; migration: string; index: number; total: number }
  | { type: 'applied'; service: string; migration: string; durationMs: number }
  | { type: 'done'; result: ServiceMigrateResult };

export type ServiceStatus = 'applied' | 'up-to-date' | 'failed' | 'drift' | 'error';

export interface ServiceMigrateResult {
  service: string;
  /** `host:port/db` and schema, no password */
  target: string;
  status: ServiceStatus;
  applied: StepDone[];
  /** pending migrations left untried after a failure */
  notTried: string[];
  /** acknowledged as applied before the connection was lost, not known to be durable (the server could not be asked again) */
  uncertain: string[];
  /** applied files whose checksum changed (migrate refused) */
  drifted: string[];
  /** recorded as applied, file gone */
  missing: string[];
  /** applied files renamed since (same version and bytes): their history rows now use the new id */
  renamed: Array<{ from: string; to: string }>;
  failure?: MigrationFailure;
  /** the connection was lost part-way: `applied` was re-read from the server afterwards and is
   * what is durable; false when it could not be re-read (then `applied` is what is known durable) */
  durableReread?: boolean;
  error?: ServiceError;
  durationMs: number;
}

export interface MigrateResult {
  ok: boolean;
  /** 0 all done; 1 a migration failed, drift or lock timeout; 2 bad input or unreachable server */
  exitCode: 0 | 1 | 2;
  profile: string;
  services: ServiceMigrateResult[];
  durationMs: number;
}

/**
 * Applies pending migrations. Throws UserError (bad service name, bad `--to`) or
 * OperationError (table collision under `shared`) before anything is written; per-service
 * failures are in the result.
 */
export async function migrate(opts: MigrateOptions): Promise<MigrateResult> {
  return migrateLoaded(
    await loadContext({ ...opts, pick: { names: opts.services ?? [], all: opts.all ?? false, to: opts.to } }),
    opts,
  );
}

/** migrate() on a project already loaded (run and up load it once for everything they do). */
export async function migrateLoaded(ctx: Context, opts: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now();
  const services = pickServices(ctx, opts.services ?? [], opts.all ?? false);
  const toBy = resolveTo(services, opts.to);
  const locks = lockSettingsOf(ctx.project.config, opts);
  await assertNoCollisions(ctx, services);
  const results: ServiceMigrateResult[] = [];
  // migrateAfter: a base set's layer finishes before the services that use it start.
  for (const layer of migrationLayers(services)) {
    results.push(
      ...(await forEachLimited(layer, opts.concurrency ?? 8, async (service) => {
        const result = await migrateService(service, ctx.targetOf(service), toBy.get(service.name), locks, opts);
        opts.onEvent?.({ type: 'done', result });
        return result;
      })),
    );
  }
  return summarize(ctx.profile, results, performance.now() - started);
}

function summarize(profile: string, services: ServiceMigrateResult[], ms: number): MigrateResult {
  const userError = services.some((s) => s.error?.kind === 'user');
  const failed = services.some((s) => s.status === 'failed' || s.status === 'drift' || s.status === 'error');
  const exitCode = userError ? 2 : failed ? 1 : 0;
  return { ok: exitCode === 0, exitCode, profile, services, durationMs: Math.round(ms) };
}

export { lockSettingsOf };

export async function migrateService(
  service: Service,
  target: Target,
  to: Migration | undefined,
  locks: LockSettings,
  opts: ServiceRunOptions,
): Promise<ServiceMigrateResult> {
  const started = performance.now();
  const result: ServiceMigrateResult = {
    service: service.name,
    target: endpointOf(target.url).label,
    status: 'up-to-date',
    applied: [],
    notTried: [],
    uncertain: [],
    drifted: [],
    missing: [],
    renamed: [],
    durationMs: 0,
  };
  const finish = () => ({ ...result, durationMs: Math.round(performance.now() - started) });
  // A service without migrations (databaseOf, config-only) has nothing to create or record.
  if (service.migrations.length === 0) return finish();
  // schema strategy: CREATE EXTENSION lands in public, one service at a time (provision-objects.ts)
  if (target.strategy === 'schema') {
    const { extensionsInPublic } = await import('../db/provision-objects.js');
    service = { ...service, migrations: service.migrations.map(extensionsInPublic) };
  }
  try {
    const { openWriter } = await import('../db/session.js');
    const session = await openWriter(service, target, {
      waitMs: opts.waitMs,
      lockTimeoutMs: opts.lockTimeoutMs,
      onWait: (pid) => opts.onEvent?.({ type: 'waiting', service: service.name, pid }),
      onNotice: opts.notices
        ? (message) => opts.onEvent?.({ type: 'notice', service: service.name, message })
        : undefined,
    });
    let outcome: RunOutcome | null;
    try {
      outcome = await applyPlan(service, session, to, locks, result, opts);
    } finally {
      await session.close().catch(() => {});
    }
    if (outcome?.connectionLost)
      await (await import('./migrate-lost.js')).reportDurable(service, target, outcome, result, opts);
  } catch (err) {
    result.status = 'error';
    result.error = describeError(err);
  }
  return finish();
}

/** The plan, computed once from the history read under the lock, and its execution. */
async function applyPlan(
  service: Service,
  session: Writer,
  to: Migration | undefined,
  locks: LockSettings,
  result: ServiceMigrateResult,
  opts: ServiceRunOptions,
): Promise<RunOutcome | null> {
  const plan = computePlan(service.name, service.migrations, session.rows);
  result.missing = plan.missing.map((r) => r.id);
  if (plan.drifted.length) {
    result.status = 'drift';
    result.drifted = plan.drifted.map((d) => d.migration.relPath);
    return null;
  }
  await recordPlanRenames(session, plan, result);
  const pending = pendingUpTo(plan, to);
  if (!pending.length) return null;
  // First migration into this target: never run over another tool's history (issue 11).
  if (session.rows.length === 0)
    await (await import('../db/foreign-history.js')).refuseForeignHistory(
      session.sql,
      service,
      session.history,
      pending[0],
      opts.profile,
    );
  // a file left as `svcdb new` wrote it (comments only) is recorded as applied: say so first
  for (const m of pending) {
    if (!m.up.length)
      opts.log?.(
        `warning: ${m.relPath} has no SQL statement in its up section (still the svcdb new template?); it is recorded as applied`,
      );
  }
  // a file's own BEGIN/COMMIT and statements that cannot run in a transaction: as they will run
  const steps = await prepareTransactions(pending, 'up');
  const { runUp } = await import('../db/migrator.js');
  const place = new Map(pending.map((m, i) => [m.id, i + 1]));
  const outcome = await runUp(
    {
      sql: session.sql,
      history: session.history,
      locks,
      openWatcher: session.openWatcher,
      onApplying: (m) =>
        opts.onEvent?.({
          type: 'applying',
          service: service.name,
          migration: m.id,
          index: place.get(m.id) ?? 0,
          total: pending.length,
        }),
      onDone: (step) =>
        opts.onEvent?.({ type: 'applied', service: service.name, migration: step.id, durationMs: step.durationMs }),
      onLockWait: (line) => opts.onEvent?.({ type: 'lock-wait', service: service.name, line }),
    },
    steps,
  );
  result.applied = outcome.done;
  if (outcome.failure) {
    result.status = 'failed';
    result.failure = outcome.failure;
    const failedIndex = pending.findIndex((m) => m.id === outcome.failure!.migration);
    result.notTried = pending.slice(failedIndex + 1).map((m) => m.id);
  } else {
    result.status = 'applied';
  }
  result.notTried = outcome.connectionLost ? pending.slice(outcome.done.length).map((m) => m.id) : result.notTried;
  return outcome;
}

async function recordPlanRenames(session: Writer, plan: ServicePlan, result: ServiceMigrateResult): Promise<void> {
  if (!plan.renamed.length) return;
  result.renamed = plan.renamed.map((r) => ({ from: r.row.id, to: r.migration.id }));
  const { recordRenames } = await import('../db/history.js');
  await recordRenames(session.sql, session.history, result.renamed);
}

/** One line on why a service's migrate did not finish: its error, failing file:line, or drift. */
export function whyNotMigrated(r: ServiceMigrateResult): string {
  // callers put the service's name first: keep it from appearing twice ("users: users: …")
  if (r.error)
    return r.error.message.startsWith(`${r.service}: `) ? r.error.message.slice(r.service.length + 2) : r.error.message;
  if (r.failure) return `${r.failure.file}${r.failure.line === null ? '' : `:${r.failure.line}`}: ${r.failure.message}`;
  return r.drifted.length ? `drift in ${r.drifted.join(', ')}` : r.status;
}
