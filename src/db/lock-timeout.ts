// Table-lock timeouts for migrations: a migration waiting behind a long transaction would
// otherwise queue every later query on that table behind it (an outage); with lock_timeout it
// gives up, is rolled back and tried again later (see migrator.ts).
import type { Migration } from '../core/types.js';
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

/** `set local ...;` lines for the start of a migration's transaction. */
export function lockSettingsSql(locks: LockSettings | undefined, scope: 'local' | 'session' = 'local'): string {
  if (!locks) return '';
  const set = scope === 'local' ? 'set local' : 'set';
  let text = `${set} lock_timeout to ${Math.max(0, Math.round(locks.lockTimeoutMs))};\n`;
  if (locks.statementTimeoutMs) text += `${set} statement_timeout to ${Math.round(locks.statementTimeoutMs)};\n`;
  return text;
}

export interface LockHolder {
  table: string;
  pid: number;
  query: string;
}

/**
 * Who holds a lock on a table the migration names: after the timeout our own request is gone
 * (so pg_blocking_pids has nothing to say); the other sessions' granted locks on those tables
 * are still there. Tables are matched by name against the migration's text.
 */
export async function lockHolder(sql: Sql, m: Migration): Promise<LockHolder | null> {
  const text = m.up
    .map((s) => s.sql)
    .join('\n')
    .toLowerCase();
  try {
    const rows = await sql.unsafe(`
      select c.relname as table, n.nspname as schema, l.pid, coalesce(a.query, '') as query
        from pg_locks l
        join pg_class c on c.oid = l.relation
        join pg_namespace n on n.oid = c.relnamespace
        left join pg_stat_activity a on a.pid = l.pid
       where l.granted and l.locktype = 'relation' and l.pid <> pg_backend_pid()
         and l.database = (select oid from pg_database where datname = current_database())
         and n.nspname not in ('pg_catalog', 'information_schema')
       order by (l.mode = 'AccessExclusiveLock') desc, l.pid`);
    const hit = rows.find((r) => new RegExp(`\\b${escapeRegExp(String(r.table).toLowerCase())}\\b`).test(text));
    return hit ? { table: String(hit.table), pid: Number(hit.pid), query: oneLine(String(hit.query)) } : null;
  } catch {
    return null; // the connection is gone, or no right to read pg_locks: say less
  }
}

/** "a lock on <table> held by pid N (<query>)", or as much of it as is known. */
export async function describeLockWait(sql: Sql, m: Migration, _err: unknown): Promise<string> {
  const h = await lockHolder(sql, m);
  return h
    ? `a lock on ${h.table} held by pid ${h.pid}${h.query ? ` (${h.query})` : ''}`
    : 'a table lock held by another session';
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function oneLine(q: string): string {
  const flat = q.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}
