// Executes the steps a service's plan chose (core/plan.ts), umzug sequencing them. A
// transactional migration goes in ONE simple-protocol round trip: `begin; <statements>;
// <history row>; commit;` so the record commits with the migration or not at all. A
// no-transaction file runs statement by statement (CREATE INDEX CONCURRENTLY) and is
// recorded after its last statement.
import type { Migration, Statement } from '../core/types.js';
import type { Sql } from './connect.js';
import { buildText, failureOf, isServerError, lineFromPosition, StepFailed, type MigrationFailure } from './failure.js';
import { deleteRowSql, guardSql, insertRowSql, PlanStorage, type HistoryTable } from './history.js';
import { describeLockWait, LockWatch, lockSettingsSql, type LockSettings } from './lock-timeout.js';
import { runOutsideTransaction } from './no-transaction.js';
import { isConnectionLoss, Pipeline, PipelineFailure, type Sent } from './pipeline.js';
import { loadUmzug } from './umzug.js';

export interface RunContext {
  sql: Sql;
  history: HistoryTable;
  /** SET LOCAL lock_timeout / statement_timeout and retries on 55P03 */
  locks?: LockSettings;
  onApplying?: (migration: Migration) => void;
  onDone?: (step: StepDone) => void;
  /** a migration waits for a table lock and will be tried again */
  onLockWait?: (line: string) => void;
  /** a second connection to the same database, opened only when a step stalls, to ask what it waits for */
  openWatcher?: () => Promise<Sql>;
  /** tries per migration in this run (set by runUp/runDown) */
  lockTries?: Map<Migration, number>;
  /** set by runUp/runDown when lock_timeout is on and openWatcher is given */
  watch?: LockWatch | null;
}

export interface StepDone {
  id: string;
  durationMs: number;
}

export interface RunOutcome {
  /** acknowledged as committed, in order */
  done: StepDone[];
  /** how many of `done` are known to be durable (flushed); the rest were committed asynchronously */
  durableCount: number;
  failure: MigrationFailure | null;
  /** the session ended under the run: `done` may overstate what survived a crash */
  connectionLost: boolean;
}

/** The run stopped at `failure`; `connectionLost`: the session died under it. */
interface Stopped {
  failure: MigrationFailure;
  connectionLost: boolean;
}

/** Applies exactly `steps` (the plan's pending migrations, in order). */
export async function runUp(given: RunContext, steps: Migration[]): Promise<RunOutcome> {
  const lastId = steps.at(-1)?.id;
  // Every SYNC_EVERY-th commit waits for the WAL flush too, so that after a crash the report
  // can name most of what survived even when the server does not come back in time.
  let sent = 0;
  return watched(given, steps.length, (ctx) =>
    drive(ctx, steps, 'up', (m, pipeline) =>
      applyMigration(ctx, pipeline, m, m.id === lastId || ++sent % SYNC_EVERY === 0),
    ),
  );
}

/** Reverts exactly `steps` (applied migrations, newest first), with migrate's lock timeouts and retries. */
export async function runDown(given: RunContext, steps: Migration[]): Promise<RunOutcome> {
  return watched(given, steps.length, (ctx) =>
    drive(ctx, [...steps].reverse(), 'down', async (m) => {
      await revertMigration(ctx, m);
      return true;
    }),
  );
}

/** Runs with a LockWatch on the session (when lock_timeout is on and there is something to run). */
async function watched(
  given: RunContext,
  count: number,
  run: (ctx: RunContext) => Promise<RunOutcome>,
): Promise<RunOutcome> {
  const watch =
    given.openWatcher && count > 0 ? await LockWatch.start(given.sql, given.openWatcher, given.locks) : null;
  try {
    return await run({ ...given, lockTries: new Map<Migration, number>(), watch });
  } finally {
    await watch?.stop();
  }
}

const SYNC_EVERY = 32;

/** A step either finished (true) or was queued on the pipeline (false: done when it resolves). */
type Step = (m: Migration, pipeline: Pipeline) => Promise<boolean>;

async function drive(ctx: RunContext, steps: Migration[], direction: 'up' | 'down', step: Step): Promise<RunOutcome> {
  const { Umzug } = loadUmzug();
  const outcome: RunOutcome = { done: [], durableCount: 0, failure: null, connectionLost: false };
  const record = (m: Migration, ms: number, synchronous: boolean) => {
    const done = { id: m.id, durationMs: Math.round(ms) };
    outcome.done.push(done);
    if (synchronous) outcome.durableCount = outcome.done.length;
    ctx.onDone?.(done);
  };
  const pipeline = new Pipeline(
    ctx.sql,
    record,
    (item) => retryOnLock(ctx, item),
    (sent) => (ctx.watch ? ctx.watch.track(sent) : Promise.resolve(sent)),
  );
  const run = async (m: Migration) => {
    ctx.onApplying?.(m);
    const started = performance.now();
    // a step run on its own committed synchronously
    if (await step(m, pipeline)) record(m, performance.now() - started, true);
  };
  const umzug = new Umzug({
    migrations: steps.map((m) => ({ name: m.id, path: m.path, up: () => run(m), down: () => run(m) })),
    storage: new PlanStorage(direction === 'up' ? [] : steps.map((m) => m.id)),
    logger: undefined,
  });
  try {
    if (direction === 'up') await umzug.up();
    else await umzug.down({ to: 0 });
    await pipeline.drain(0);
  } catch (err) {
    const failed = await asStepFailed(ctx, err, pipeline);
    if (!failed) throw err;
    outcome.failure = failed.failure;
    outcome.connectionLost = failed.connectionLost;
  }
  return outcome;
}

/** umzug wraps a step's error (MigrationError with `cause`); the pipeline throws its own. */
async function asStepFailed(ctx: RunContext, err: unknown, pipeline: Pipeline): Promise<Stopped | null> {
  const lost = pipeline.lostConnection();
  if (lost) return { failure: failureOf(lost.item.m, lost.err, null), connectionLost: true };
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof StepFailed) {
      // from a step run on its own (no-transaction, down): a dead session must not be reused
      const connectionLost = isLostFailure(e.failure);
      if (connectionLost) ctx.sql.end({ timeout: 0 }).catch(() => {});
      return { failure: e.failure, connectionLost };
    }
    if (e instanceof PipelineFailure) return transactionFailed(ctx, e.item, e.err);
  }
  return null;
}

/** A mapped failure whose cause was the session ending (SQLSTATE, or the driver's code in its message). */
function isLostFailure(f: MigrationFailure): boolean {
  return (
    isConnectionLoss({ code: f.sqlstate }) ||
    /\b(CONNECTION_(CLOSED|ENDED|DESTROYED)|ECONNRESET|EPIPE)\b/.test(f.message)
  );
}

async function applyMigration(
  ctx: RunContext,
  pipeline: Pipeline,
  m: Migration,
  synchronous: boolean,
): Promise<boolean> {
  if (!m.transaction) {
    await pipeline.drain(0); // statement by statement, only once everything before it is in
    await outsideTransaction(ctx, m, 'up', (ms) => insertRowSql(ctx.history, m.id, m.checksum, ms, m.repeatable));
    return true;
  }
  // Most commits need not wait for the WAL flush: each is still atomic (migration and record
  // together), and the run's last, synchronous commit flushes them all.
  // A migration can fail AT its commit (a deferred constraint), which ends its transaction
  // instead of leaving it aborted; the guard then stops the ones queued behind it.
  const previous = pipeline.tail();
  const guard = previous ? `${guardSql(ctx.history, previous.id)};\n` : '';
  const prefix = `begin;\n${synchronous ? '' : 'set local synchronous_commit to off;\n'}${lockSettingsSql(ctx.locks)}${guard}`;
  const statements = m.up; // a file's own BEGIN/COMMIT: see prepareTransactions (core/sources/transactions.ts)
  const sent = buildText(
    prefix,
    statements,
    `${insertRowSql(ctx.history, m.id, m.checksum, null, m.repeatable)};\ncommit;`,
  );
  await pipeline.send({ m, statements, sent, synchronous });
  return false;
}

async function revertMigration(ctx: RunContext, m: Migration): Promise<void> {
  const down = m.down ?? [];
  if (!m.transaction) return outsideTransaction(ctx, m, 'down', () => deleteRowSql(ctx.history, m.id));
  const sent = buildText(`begin;\n${lockSettingsSql(ctx.locks)}`, down, `${deleteRowSql(ctx.history, m.id)};\ncommit;`);
  for (;;) {
    try {
      await (ctx.watch ? ctx.watch.track(ctx.sql.unsafe(sent.text)) : ctx.sql.unsafe(sent.text));
      return;
    } catch (err) {
      const item = { m, statements: down, sent, synchronous: true };
      if ((err as { code?: string }).code === '55P03' && (await retryOnLock(ctx, item))) continue;
      const stopped = await transactionFailed(ctx, item, err);
      throw new StepFailed(stopped.failure);
    }
  }
}

/** Rolls back a failed `begin; ...; commit;` text and maps the error to its file line. */
async function transactionFailed(ctx: RunContext, item: Sent, err: unknown): Promise<Stopped> {
  if (isConnectionLoss(err)) return { failure: failureOf(item.m, err, null), connectionLost: true };
  const { sql } = ctx;
  await sql.unsafe('rollback').catch(() => {});
  let line = lineFromPosition(item.sent, err);
  let atCommit = false;
  if (line === null && isServerError(err)) {
    ({ line, atCommit } = await replayForLine(sql, item.statements, lockSettingsSql(ctx.locks)));
  }
  const failure = failureOf(item.m, err, line);
  if (atCommit) {
    failure.hint ??= `a deferred constraint, checked at COMMIT: line ${line} is the statement after which it no longer held`;
  }
  if ((err as { code?: string }).code === '55P03') {
    const tries = ctx.lockTries?.get(item.m) ?? 1;
    failure.message += `: gave up waiting for ${describeLockWait(ctx.watch?.last())} after ${tries} ${tries === 1 ? 'try' : 'tries'}`;
    failure.hint =
      'end or wait for the session holding the lock (pid above), or raise lockTimeout / lockRetries in the config';
  }
  return { failure, connectionLost: false };
}

/**
 * 55P03 (lock_not_available): roll back, say who holds the lock, wait, and let the caller
 * send the migration again; false once the retries are used up.
 */
async function retryOnLock(ctx: RunContext, item: Sent): Promise<boolean> {
  await ctx.sql.unsafe('rollback').catch(() => {});
  const tries = (ctx.lockTries?.get(item.m) ?? 1) + 1;
  const retries = ctx.locks?.retries ?? 0;
  if (tries > retries + 1) return false;
  ctx.lockTries?.set(item.m, tries);
  const wait = describeLockWait(ctx.watch?.last());
  ctx.onLockWait?.(`${item.m.service}: ${item.m.id}: waiting for ${wait}: try ${tries}/${retries + 1}`);
  await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** (tries - 2), 5_000)));
  return true;
}

/**
 * A runtime error (unique violation, missing relation at execution) carries no position:
 * replay the statements one by one in a transaction that is rolled back, to find the line.
 * A deferred constraint fails only at COMMIT: it is checked after each statement (inside a
 * savepoint, which restores the deferred mode and queue), and the statement to blame is the one
 * after which it never held again (an order inserted before its customer is not the culprit).
 */
async function replayForLine(
  sql: Sql,
  statements: Statement[],
  settings: string,
): Promise<{ line: number | null; atCommit: boolean }> {
  let line: number | null = null;
  let brokenSince: Statement | null = null;
  let replayed = false;
  try {
    // the migration's timeouts too: a statement waiting for a lock must not wait forever here
    await sql.unsafe(`begin;\n${settings}`);
    for (const statement of statements) {
      try {
        await sql.unsafe(statement.sql);
      } catch (err) {
        line = lineFromPosition(buildText('', [statement], ''), err) ?? statement.line;
        break;
      }
      await sql.unsafe('savepoint svcdb_check');
      const holds = await sql.unsafe('set constraints all immediate').then(
        () => true,
        () => false,
      );
      await sql.unsafe('rollback to savepoint svcdb_check');
      if (holds) brokenSince = null;
      else brokenSince ??= statement;
    }
    replayed = line === null;
    await sql.unsafe('rollback');
  } catch {
    // the connection is gone (or the replay could not start): report without a line
  }
  if (replayed && brokenSince) return { line: brokenSince.line, atCommit: true };
  return { line, atCommit: false };
}

/**
 * db/no-transaction.ts runs the file; around it, the same timeouts as a transactional
 * migration at session level (no blind retry: its statements cannot be rolled back and sent
 * again).
 */
async function outsideTransaction(
  ctx: RunContext,
  m: Migration,
  direction: 'up' | 'down',
  record: (elapsedMs: number) => string,
): Promise<void> {
  if (ctx.locks) await ctx.sql.unsafe(lockSettingsSql(ctx.locks, 'session'));
  await runOutsideTransaction(ctx.sql, ctx.history, m, direction, record, ctx.watch);
  if (ctx.locks) await ctx.sql.unsafe('reset lock_timeout; reset statement_timeout');
}
