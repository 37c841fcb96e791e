// Applies and reverts one service's migrations, umzug driving the order. A transactional
// migration goes in ONE simple-protocol round trip: `begin; <statements>; <history row>;
// commit;` so the record commits with the migration or not at all. A no-transaction file runs
// statement by statement (CREATE INDEX CONCURRENTLY) and is recorded after its last statement.
import { createRequire } from 'node:module';
import type { Migration, Statement } from '../core/types.js';
import type { Sql } from './connect.js';
import {
  buildText, failureOf, isServerError, lineFromPosition, type MigrationFailure, type SentText,
} from './failure.js';
import { deleteRowSql, guardSql, HistoryStorage, insertRowSql, type HistoryTable } from './history.js';

export interface RunContext {
  sql: Sql;
  history: HistoryTable;
  onApplying?: (migration: Migration) => void;
  onDone?: (step: StepDone) => void;
}

export interface StepDone {
  id: string;
  durationMs: number;
}

export interface RunOutcome {
  done: StepDone[];
  failure: MigrationFailure | null;
}

/** Raised inside an umzug step so the run stops; carries the mapped failure. */
class StepFailed extends Error {
  constructor(readonly failure: MigrationFailure) {
    super(failure.message);
  }
}

/**
 * Applies the first `count` pending migrations (all when undefined). `executed`: ids already
 * applied that still have files, so umzug's pending list is exactly the plan's.
 */
export async function runUp(ctx: RunContext, files: Migration[], executed: string[], count?: number): Promise<RunOutcome> {
  const applied = new Set(executed);
  const pendingIds = files.filter((m) => !applied.has(m.id)).map((m) => m.id);
  const lastId = pendingIds[(count ?? pendingIds.length) - 1];
  return drive(ctx, files, executed, 'up', count, (m, pipeline) => applyMigration(ctx, pipeline, m, m.id === lastId));
}

/** Reverts the last `count` applied migrations, newest first. */
export async function runDown(ctx: RunContext, files: Migration[], executed: string[], count: number): Promise<RunOutcome> {
  return drive(ctx, files, executed, 'down', count, async (m) => {
    await revertMigration(ctx, m);
    return true;
  });
}

/** A step either finished (true) or was queued on the pipeline (false: done when it resolves). */
type Step = (m: Migration, pipeline: Pipeline) => Promise<boolean>;

async function drive(
  ctx: RunContext, files: Migration[], executed: string[], direction: 'up' | 'down',
  count: number | undefined, step: Step,
): Promise<RunOutcome> {
  const { Umzug } = loadUmzug();
  const applied = new Set(executed);
  const outcome: RunOutcome = { done: [], failure: null };
  const record = (m: Migration, ms: number) => {
    const done = { id: m.id, durationMs: Math.round(ms) };
    outcome.done.push(done);
    ctx.onDone?.(done);
  };
  const pipeline = new Pipeline(ctx, record);
  const run = async (m: Migration) => {
    ctx.onApplying?.(m);
    const started = performance.now();
    if (await step(m, pipeline)) record(m, performance.now() - started);
  };
  const umzug = new Umzug({
    migrations: files.map((m) => ({ name: m.id, path: m.path, up: () => run(m), down: () => run(m) })),
    storage: new HistoryStorage(async () => files.filter((m) => applied.has(m.id)).map((m) => m.id)),
    logger: undefined,
  });
  // Nobody listens to umzug's events, but each emit (two per migration) costs emittery's
  // bookkeeping, a process.env read for its debug switch and timer turns: ~10% of the client's
  // CPU over 1,000 migrations, on a machine whose cores the server needs.
  (umzug as unknown as { emit: () => Promise<void> }).emit = async () => {};
  try {
    if (direction === 'up') await umzug.up(count === undefined ? {} : { step: count });
    else await umzug.down({ step: count ?? 1 });
    await pipeline.drain(0);
  } catch (err) {
    const failed = findStepFailed(err);
    if (!failed) throw err;
    outcome.failure = failed.failure;
  }
  return outcome;
}

/**
 * Transactional migrations are pipelined: each is sent (as its own `begin; ...; commit;`)
 * without waiting for the previous one's answer, so the server never idles between them.
 * Safe because PostgreSQL keeps a failed migration's transaction open and aborted: every
 * query queued behind it fails with 25P02 and changes nothing, until our ROLLBACK.
 */
class Pipeline {
  static readonly window = 32;
  private queue: Array<{ m: Migration; statements: Statement[]; sent: SentText; result: Promise<void> }> = [];
  private lastResolved = performance.now();

  constructor(private readonly ctx: RunContext, private readonly record: (m: Migration, ms: number) => void) {}

  /** The newest migration still in flight (null: everything sent so far has committed). */
  tail(): Migration | null {
    return this.queue.at(-1)?.m ?? null;
  }

  async send(m: Migration, statements: Statement[], sent: SentText): Promise<void> {
    const sentAt = performance.now();
    const result = this.ctx.sql.unsafe(sent.text).then(() => {
      const now = performance.now();
      this.record(m, now - Math.max(sentAt, this.lastResolved));
      this.lastResolved = now;
    });
    result.catch(() => {}); // observed in drain()
    this.queue.push({ m, statements, sent, result });
    if (this.queue.length >= Pipeline.window) await this.drain(Pipeline.window / 2);
  }

  /** Waits until at most `keep` migrations are in flight; the first failure becomes StepFailed. */
  async drain(keep: number): Promise<void> {
    while (this.queue.length > keep) {
      const item = this.queue.shift()!;
      try {
        await item.result;
      } catch (err) {
        this.queue = [];
        throw await transactionFailed(this.ctx.sql, item.m, item.statements, item.sent, err);
      }
    }
  }
}

/**
 * umzug's core requires its own CLI module (and with it a command-line framework) at load
 * time, which costs more than 100 ms per run, and tinyglobby (with fdir and picomatch, ~3 MB
 * of peak RSS) for glob-listed migrations; svcdb uses neither (it passes its own list). Seed
 * the require cache with empty modules for both before loading the core.
 */
function loadUmzug(): typeof import('umzug') {
  const require = createRequire(import.meta.url);
  const umzugPath = require.resolve('umzug/lib/umzug.js');
  const unused = [require.resolve('umzug/lib/cli.js'), createRequire(umzugPath).resolve('tinyglobby')];
  for (const path of unused) {
    if (!require.cache[path]) require.cache[path] = { id: path, filename: path, loaded: true, exports: {} } as NodeJS.Module;
  }
  return require(umzugPath) as typeof import('umzug');
}

/** umzug wraps a step's error (MigrationError with `cause`). */
function findStepFailed(err: unknown): StepFailed | null {
  for (let e = err as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof StepFailed) return e;
  }
  return null;
}

async function applyMigration(ctx: RunContext, pipeline: Pipeline, m: Migration, last: boolean): Promise<boolean> {
  if (!m.transaction) {
    await pipeline.drain(0); // statement by statement, only once everything before it is in
    await runOutsideTransaction(ctx, m, m.up, (ms) => insertRowSql(ctx.history, m.id, m.checksum, ms));
    return true;
  }
  // Commits before the run's last one need not wait for the WAL flush: each is still atomic
  // (migration and record together), and the last, synchronous commit flushes them all.
  // A migration can fail AT its commit (a deferred constraint), which ends its transaction
  // instead of leaving it aborted; the guard then stops the ones queued behind it.
  const previous = pipeline.tail();
  const guard = previous ? `${guardSql(ctx.history, previous.id)};\n` : '';
  const prefix = `begin;\n${last ? '' : 'set local synchronous_commit to off;\n'}${guard}`;
  const statements = withoutTransactionControl(m.up);
  const sent = buildText(prefix, statements, `${insertRowSql(ctx.history, m.id, m.checksum, null)};\ncommit;`);
  await pipeline.send(m, statements, sent);
  return false;
}

const TRANSACTION_CONTROL = /^(begin|start\s+transaction|commit|end)(\s+(work|transaction))?\s*;?$/i;

/**
 * Files written for `psql` often wrap themselves in BEGIN; ... COMMIT;. svcdb already wraps
 * each migration in its own transaction (with its history row), so those statements are
 * dropped: left in, the file's COMMIT would end svcdb's transaction early.
 */
function withoutTransactionControl(statements: Statement[]): Statement[] {
  return statements.filter((st) => !MAYBE_CONTROL.test(st.sql) || !TRANSACTION_CONTROL.test(st.sql.replace(/--[^\n]*$/gm, '').trim()));
}

/** What a transaction-control statement can start with: the full check copies the text. */
const MAYBE_CONTROL = /^(?:\s|--|begin|start|commit|end)/i;

async function revertMigration(ctx: RunContext, m: Migration): Promise<void> {
  const down = m.transaction ? withoutTransactionControl(m.down ?? []) : (m.down ?? []);
  if (!m.transaction) return runOutsideTransaction(ctx, m, down, () => deleteRowSql(ctx.history, m.id));
  const sent = buildText('begin;\n', down, `${deleteRowSql(ctx.history, m.id)};\ncommit;`);
  await runInTransaction(ctx, m, down, sent);
}

async function runInTransaction(ctx: RunContext, m: Migration, statements: Statement[], sent: SentText): Promise<void> {
  try {
    await ctx.sql.unsafe(sent.text);
  } catch (err) {
    throw await transactionFailed(ctx.sql, m, statements, sent, err);
  }
}

/** Rolls back a failed `begin; ...; commit;` text and maps the error to its file line. */
async function transactionFailed(sql: Sql, m: Migration, statements: Statement[], sent: SentText, err: unknown): Promise<StepFailed> {
  await sql.unsafe('rollback').catch(() => {});
  let line = lineFromPosition(sent, err);
  if (line === null && isServerError(err) && !isConnectionLoss(err)) line = await replayForLine(sql, statements);
  return new StepFailed(failureOf(m, err, line));
}

/** The session ended (terminated backend, server shutdown): nothing to replay on. */
function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code.startsWith('08') || code.startsWith('57P');
}

/**
 * A runtime error (unique violation, missing relation at execution) carries no position:
 * replay the statements one by one in a transaction that is rolled back, to find the line.
 */
async function replayForLine(sql: Sql, statements: Statement[]): Promise<number | null> {
  let line: number | null = null;
  try {
    await sql.unsafe('begin');
    for (const statement of statements) {
      try {
        await sql.unsafe(statement.sql);
        // a deferred constraint fails only at COMMIT: check it after each statement (inside a
        // savepoint, which restores the deferred mode and queue) to find the one that broke it
        await sql.unsafe('savepoint svcdb_check; set constraints all immediate; rollback to savepoint svcdb_check');
      } catch (err) {
        line = lineFromPosition(buildText('', [statement], ''), err) ?? statement.line;
        break;
      }
    }
    await sql.unsafe('rollback');
  } catch {
    // the connection is gone (or the replay could not start): report without a line
  }
  return line;
}

async function runOutsideTransaction(ctx: RunContext, m: Migration, statements: Statement[], record: (elapsedMs: number) => string): Promise<void> {
  const started = performance.now();
  for (const statement of statements) {
    try {
      await ctx.sql.unsafe(statement.sql);
    } catch (err) {
      const line = lineFromPosition(buildText('', [statement], ''), err) ?? statement.line;
      throw new StepFailed(failureOf(m, err, line));
    }
  }
  await ctx.sql.unsafe(record(performance.now() - started));
}
