// One service's session on its target: the connection, the lock (for writers), the history.
// Writers (migrate, down, repair, adopt) create what is missing and hold the advisory lock;
// readers (plan, status) create nothing at all and take no lock.
import type { HistoryRow } from '../core/plan.js';
import type { Service, Target } from '../core/types.js';
import { connect, ident, type Sql } from './connect.js';
import {
  checkShape,
  ensureHistoryTable,
  locateHistory,
  readHistory,
  schemaExists,
  tableColumns,
  type HistoryTable,
} from './history.js';
import { acquireLock, lockKey } from './lock.js';
import { ensureSchema, openTarget } from './targets.js';

export interface SessionOptions {
  /** retry an unreachable server this long, ms */
  waitMs?: number;
  /** wait for another run's lock this long, ms */
  lockTimeoutMs?: number;
  onWait?: (holderPid: number | null) => void;
  onNotice?: (message: string) => void;
}

export interface Session {
  /** null only for a reader whose database does not exist yet */
  sql: Sql | null;
  history: HistoryTable | null;
  rows: HistoryRow[];
  /** what a writer would have to create (readers only) */
  wouldCreate: string[];
  close(): Promise<void>;
}

/** Connects, takes the service's lock, creates database/schema/history table when missing. */
export async function openWriter(
  service: Service,
  target: Target,
  opts: SessionOptions,
): Promise<Session & { sql: Sql; history: HistoryTable; openWatcher: () => Promise<Sql> }> {
  const sql = (await openTarget(target, { create: true, waitMs: opts.waitMs, onNotice: opts.onNotice }))!;
  try {
    await watchForDeadClient(sql);
    await acquireLock(sql, lockKey(target.database, target.schema, service.name), {
      service: service.name,
      timeoutMs: opts.lockTimeoutMs,
      onWait: opts.onWait,
    });
    if (target.schema) {
      await ensureSchema(sql, target.schema);
      const [row] = await sql`select current_schema() as s`;
      if (row.s !== target.schema) await sql.unsafe(`set search_path to ${ident(target.schema)}`);
    }
    const history = await locateHistory(sql, service, target);
    await ensureHistoryTable(sql, history, service.name);
    const rows = await readHistory(sql, history);
    // Ending the connection releases the session's advisory lock.
    return {
      sql,
      history,
      rows,
      wouldCreate: [],
      close: () => sql.end({ timeout: 2 }),
      // a second connection for db/lock-timeout.ts LockWatch, opened only when a step stalls
      openWatcher: () => connect(target.url, { waitMs: 1000 }),
    };
  } catch (err) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw err;
  }
}

/**
 * PostgreSQL 14+: have the server check every second that we are still there, so a run killed
 * inside a long statement (pg_sleep, a big index) is rolled back, and its lock released, at
 * once rather than when the statement ends. Older servers lack the setting: nothing to do.
 */
async function watchForDeadClient(sql: Sql): Promise<void> {
  try {
    await sql.unsafe('set client_connection_check_interval = 1000');
  } catch (err) {
    if ((err as { code?: string }).code !== '42704') throw err;
  }
}

/** Reads the history if it exists; never creates anything, takes no lock. */
export async function openReader(service: Service, target: Target, opts: SessionOptions): Promise<Session> {
  const sql = await openTarget(target, { create: false, waitMs: opts.waitMs });
  if (!sql) {
    const wouldCreate = [`database ${target.database}`];
    if (target.schema) wouldCreate.push(`schema ${target.schema}`);
    return {
      sql: null,
      history: null,
      rows: [],
      wouldCreate: [...wouldCreate, 'history table'],
      close: async () => {},
    };
  }
  const close = () => sql.end({ timeout: 2 });
  try {
    const wouldCreate: string[] = [];
    if (target.schema && !(await schemaExists(sql, target.schema))) wouldCreate.push(`schema ${target.schema}`);
    const history = await locateHistory(sql, service, target);
    const columns = await tableColumns(sql, history.schema, history.table);
    if (!columns) {
      wouldCreate.push(`history table ${history.schema}.${history.table}`);
      return { sql, history, rows: [], wouldCreate, close };
    }
    checkShape(columns, history, service.name);
    return { sql, history, rows: await readHistory(sql, history), wouldCreate, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

/**
 * After the session was lost part-way (terminated backend, crash): a fresh connection, the
 * WAL flushed (a synchronous commit of an assigned transaction id flushes everything before
 * it, so rows committed asynchronously are now durable or gone), then the history as it is.
 * Null when the server cannot be reached again within `waitMs`.
 */
export async function rereadHistory(
  service: Service,
  target: Target,
  opts: SessionOptions,
): Promise<HistoryRow[] | null> {
  let sql: Sql | null;
  try {
    sql = await openTarget(target, { create: false, waitMs: opts.waitMs });
  } catch {
    return null;
  }
  if (!sql) return null;
  try {
    await sql.unsafe('set synchronous_commit to on').catch(() => {});
    await sql.unsafe('select txid_current()').catch(() => {}); // a standby refuses: nothing to flush there
    const history = await locateHistory(sql, service, target);
    if (!(await tableColumns(sql, history.schema, history.table))) return [];
    return await readHistory(sql, history);
  } catch {
    return null;
  } finally {
    await sql.end({ timeout: 2 }).catch(() => {});
  }
}
