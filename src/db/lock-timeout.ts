// Table-lock timeouts for every transaction svcdb runs against a service's tables (migrate's
// migrations, down's reverts, repair's history changes): a step waiting behind a long
// transaction would otherwise queue every later query on that table behind it (an outage);
// with lock_timeout it gives up, is rolled back and tried again later (see migrator.ts).
// Who it waited for is what PostgreSQL says about the waiting backend itself (pg_locks,
// pg_blocking_pids), asked from a second connection while the step is stalled: once the
// timeout has fired, the request is gone and nothing can tell which lock it was.
import type { SvcdbConfig } from '../core/types.js';
import type { Sql } from './connect.js';

export interface LockSettings {
  /** SET LOCAL lock_timeout, ms; 0 off */
  lockTimeoutMs: number;
  /** SET LOCAL statement_timeout, ms; 0 or undefined off */
  statementTimeoutMs?: number;
  /** tries after the first when a lock is not available (55P03) */
  retries: number;
}

/** Defaults: 5 s per try, 5 retries with backoff (0.2 s doubling): under a minute in all. */
export const DEFAULT_LOCK_SETTINGS: LockSettings = { lockTimeoutMs: 5_000, retries: 5 };

/** The options that override the config's lockTimeout, statementTimeout and lockRetries. */
export interface LockOptions {
  /** each step's lock_timeout, ms (default: config `lockTimeout`, else 5 s; 0 off) */
  tableLockTimeoutMs?: number;
  /** each step's statement_timeout, ms (default: config `statementTimeout`, else off) */
  statementTimeoutMs?: number;
  /** tries after the first when a table lock times out (default: config `lockRetries`, else 5) */
  lockRetries?: number;
}

export function lockSettingsOf(
  config: Pick<SvcdbConfig, 'lockTimeout' | 'statementTimeout' | 'lockRetries'>,
  opts: LockOptions,
): LockSettings {
  return {
    lockTimeoutMs: opts.tableLockTimeoutMs ?? durationMs(config.lockTimeout) ?? DEFAULT_LOCK_SETTINGS.lockTimeoutMs,
    statementTimeoutMs: opts.statementTimeoutMs ?? durationMs(config.statementTimeout),
    retries: opts.lockRetries ?? config.lockRetries ?? DEFAULT_LOCK_SETTINGS.retries,
  };
}

function durationMs(value: number | string | undefined): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  const [, digits, unit] = /^(\d+)(ms|s|m)?$/.exec(value) ?? [];
  return Number(digits) * (unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 1);
}

/** `set local ...;` lines for the start of a step's transaction. */
export function lockSettingsSql(locks: LockSettings | undefined, scope: 'local' | 'session' = 'local'): string {
  if (!locks) return '';
  const set = scope === 'local' ? 'set local' : 'set';
  let text = `${set} lock_timeout to ${Math.max(0, Math.round(locks.lockTimeoutMs))};\n`;
  if (locks.statementTimeoutMs) text += `${set} statement_timeout to ${Math.round(locks.statementTimeoutMs)};\n`;
  return text;
}

/** What the waiting backend waited for: the table (null for a transaction's lock) and who holds it. */
export interface LockWait {
  table: string | null;
  pid: number;
  query: string;
}

// The backend's ungranted lock, the sessions blocking it, and what they are running.
const WAITING_FOR = `
  select case when w.relation is not null then c.relname end as table, b.pid, coalesce(a.query, '') as query
    from pg_locks w
    cross join lateral unnest(pg_blocking_pids(w.pid)) as b(pid)
    left join pg_class c on c.oid = w.relation
    left join pg_stat_activity a on a.pid = b.pid
   where w.pid = $1 and not w.granted
   order by b.pid
   limit 1`;

/**
 * Watches one connection's steps: when an answer is overdue (a quarter of lock_timeout, at
 * most 250 ms), opens a second connection (once) and asks what the backend waits for, again
 * at that interval until an answer comes. Steps that answer in time cost nothing.
 */
export class LockWatch {
  private inFlight = 0;
  private lastAnswer = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private conn: Promise<Sql> | null = null;
  private seen: LockWait | null = null;

  private constructor(
    private readonly open: () => Promise<Sql>,
    private readonly backendPid: number,
    private readonly overdueMs: number,
  ) {}

  /** null when lock_timeout is off (nothing times out, nothing to explain) */
  static async start(sql: Sql, open: () => Promise<Sql>, locks: LockSettings | undefined): Promise<LockWatch | null> {
    if (!locks || locks.lockTimeoutMs <= 0) return null;
    const [row] = await sql.unsafe('select pg_backend_pid() as pid');
    return new LockWatch(open, Number(row.pid), Math.max(10, Math.min(250, locks.lockTimeoutMs / 4)));
  }

  /** `step` is a text sent on the watched connection; returns it, watched until it answers. */
  track<T>(sent: PromiseLike<T>): Promise<T> {
    const step = Promise.resolve(sent);
    if (this.inFlight++ === 0) this.lastAnswer = performance.now();
    this.timer ??= setInterval(() => void this.tick(), this.overdueMs / 2).unref();
    step.then(
      () => this.answered(true),
      () => this.answered(false),
    );
    return step;
  }

  private answered(ok: boolean): void {
    this.lastAnswer = performance.now();
    if (ok) this.seen = null; // whatever it waited for, it got
    if (--this.inFlight === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private async tick(): Promise<void> {
    if (this.probing || this.inFlight === 0 || performance.now() - this.lastAnswer < this.overdueMs) return;
    this.probing = true;
    try {
      this.conn ??= this.open();
      const [row] = await (await this.conn).unsafe(WAITING_FOR, [this.backendPid]);
      if (row) this.seen = { table: row.table ?? null, pid: Number(row.pid), query: oneLine(String(row.query)) };
    } catch {
      // no second connection, or no right to read pg_locks: the messages say less
    } finally {
      this.probing = false;
    }
  }

  /** What the backend was last seen waiting for (cleared by the next answer that is not an error). */
  last(): LockWait | null {
    return this.seen;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const conn = this.conn;
    this.conn = null;
    if (conn) await conn.then((c) => c.end({ timeout: 1 })).catch(() => {});
  }
}

/** "a lock on <table> held by pid N (<query>)", or as much of it as is known. */
export function describeLockWait(wait: LockWait | null | undefined): string {
  if (!wait) return 'a lock held by another session';
  const query = wait.query ? ` (${wait.query})` : '';
  // no table: a transaction's lock (a row it changed, or its end that the statement awaits)
  return `${wait.table ? `a lock on ${wait.table}` : 'a lock'} held by pid ${wait.pid}${query}`;
}

function oneLine(q: string): string {
  const flat = q.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

/**
 * `begin; <lock settings> <body>; commit;` on `sql`, rolled back and sent again on 55P03 like a
 * migration (`onLockWait` gets "waiting for ...: try 2/6"); the last try's lock timeout is
 * thrown with `.lockWait` ("gave up waiting for ... after N tries") set.
 */
export async function inLockedTransaction(
  sql: Sql,
  body: string,
  opts: { locks: LockSettings; openWatcher?: () => Promise<Sql>; onLockWait?: (line: string) => void },
): Promise<void> {
  const text = `begin;\n${lockSettingsSql(opts.locks)}${body};\ncommit;`;
  const watch = opts.openWatcher ? await LockWatch.start(sql, opts.openWatcher, opts.locks) : null;
  try {
    for (let tries = 1; ; tries++) {
      try {
        await (watch ? watch.track(sql.unsafe(text)) : sql.unsafe(text));
        return;
      } catch (err) {
        await sql.unsafe('rollback').catch(() => {});
        const wait = describeLockWait(watch?.last());
        if ((err as { code?: string }).code !== '55P03') throw err;
        if (tries > opts.locks.retries) {
          (err as { lockWait?: string }).lockWait =
            `gave up waiting for ${wait} after ${tries} ${tries === 1 ? 'try' : 'tries'}`;
          throw err;
        }
        opts.onLockWait?.(`waiting for ${wait}: try ${tries + 1}/${opts.locks.retries + 1}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** (tries - 1), 5_000)));
      }
    }
  } finally {
    await watch?.stop();
  }
}
