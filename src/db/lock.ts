// One PostgreSQL advisory lock per service target, held on a dedicated connection for a whole
// run: concurrent runs of one service apply each migration once; a killed run's lock goes
// away with its connection (the server releases session locks when the backend exits).
import { createHash } from 'node:crypto';
import { formatDuration } from '../core/duration.js';
import { OperationError } from '../core/errors.js';
import type { Sql } from './connect.js';

/** A signed 64-bit key from the target's database, schema and service. */
export function lockKey(database: string, schema: string | null, service: string): string {
  const digest = createHash('sha256')
    .update(`svcdb\0${database}\0${schema ?? ''}\0${service}`)
    .digest();
  return digest.readBigInt64BE(0).toString();
}

export interface LockOptions {
  /** give up after this long, ms (default 60 s) */
  timeoutMs?: number;
  /** called once when another session holds the lock */
  onWait?: (holderPid: number | null) => void;
  /** for messages */
  service: string;
}

/** Takes the lock on `sql` (a dedicated connection), waiting up to the timeout. */
export async function acquireLock(sql: Sql, key: string, opts: LockOptions): Promise<void> {
  const [first] = await sql`select pg_try_advisory_lock(${key}::bigint) as ok`;
  if (first.ok) return;
  const holder = await lockHolder(sql, key);
  opts.onWait?.(holder);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  if (timeoutMs <= 0) throw lockTimeout(opts.service, holder, timeoutMs);
  // A blocking wait wakes the moment the holder lets go; lock_timeout bounds it.
  await sql.unsafe(`set lock_timeout = ${Math.ceil(timeoutMs)}`);
  try {
    await sql`select pg_advisory_lock(${key}::bigint)`;
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') throw lockTimeout(opts.service, holder, timeoutMs);
    throw err;
  } finally {
    await sql.unsafe('set lock_timeout = 0').catch(() => {});
  }
}

/** The backend pid holding the advisory lock, if it can be seen. */
export async function lockHolder(sql: Sql, key: string): Promise<number | null> {
  const rows = await sql`
    select pid from pg_locks
    where locktype = 'advisory' and objsubid = 1 and granted
      and ((classid::bigint << 32) | objid::bigint) = ${key}::bigint
    limit 1`;
  return rows.length ? Number(rows[0].pid) : null;
}

function lockTimeout(service: string, holder: number | null, timeoutMs: number): OperationError {
  const who = holder === null ? 'another session' : `pid ${holder}`;
  return new OperationError(
    `${service}: gave up after ${formatDuration(timeoutMs)} waiting for the migration lock held by ${who}`,
    { hint: 'another svcdb run is migrating this service; wait for it, or raise --lock-timeout' },
  );
}
