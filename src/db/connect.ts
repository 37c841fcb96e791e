// Opening connections to a service's target: retry with backoff while the server starts,
// then a UserError that names host:port (never the password).
import type postgres from 'postgres';
import { OperationError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { parsePgUrl } from '../core/url.js';

export type Sql = postgres.Sql;

export interface ConnectOptions {
  /** how long to keep retrying an unreachable server, ms (default 10 s) */
  waitMs?: number;
  /** pool size (default 1: a dedicated connection) */
  max?: number;
  /** notices from the server (RAISE NOTICE in a migration) */
  onNotice?: (message: string) => void;
}

/** SQLSTATEs and socket errors meaning "the server is not (yet) there": worth retrying. */
const RETRYABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT',
  'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  '57P03', // cannot_connect_now: the server is starting up
  '53300', // too_many_connections
]);

function isRetryableConnectError(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** `host:port/database` of a URL, for messages (never the user or password). */
export function endpointOf(url: string): string {
  try {
    const u = parsePgUrl(url);
    const socket = u.params.find(([k]) => k === 'host')?.[1];
    const hosts = (u.hosts || socket || 'localhost')
      .split(',')
      .map((h) => (/:\d+$/.test(h) || h.startsWith('/') ? h : `${h}:5432`))
      .join(',');
    return `${hosts}/${u.database || u.user || ''}`;
  } catch {
    return '(malformed URL)';
  }
}

/**
 * Where retries of an unreachable server are reported, one line per try, process-wide: the
 * CLI sets it once (to stderr) so every command that connects says what it is waiting for,
 * however deep the connection is opened. Library callers leave it unset: nothing is printed.
 */
let retryReporter: ((line: string) => void) | null = null;

export function reportConnectRetries(report: ((line: string) => void) | null): void {
  retryReporter = report;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A postgres.js client whose first query has succeeded. Unreachable: retried with exponential
 * backoff (100 ms doubling, capped at 1 s) until `waitMs`, then UserError (exit 2).
 * A server that answers but refuses (bad password, missing database) fails at once.
 */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Sql> {
  // Loaded here, not at the top: commands/context.ts imports this module for endpointOf, and
  // `svcdb new` (no database) should not pay for the driver.
  const { default: postgres } = await import('postgres');
  const waitMs = opts.waitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    const sql = postgres(url, {
      max: opts.max ?? 1,
      fetch_types: false,
      idle_timeout: 0,
      // never recycle: the connection holds the service's lock for the whole run, however long
      max_lifetime: 0,
      connect_timeout: Math.max(1, Math.ceil(Math.min(waitMs, 10_000) / 1000)),
      onnotice: (n) => opts.onNotice?.(String(n.message)),
      connection: { application_name: 'svcdb' },
    });
    try {
      await sql`select 1`;
      return sql;
    } catch (err) {
      await sql.end({ timeout: 0 }).catch(() => {});
      if (!isRetryableConnectError(err)) throw connectFailure(url, err);
      if (Date.now() + delay > deadline) throw unreachable(url, waitMs, err);
      const why = (err as { code?: string }).code ?? 'no answer';
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      retryReporter?.(`cannot reach PostgreSQL at ${endpointOf(url)} (${why}): try ${attempt} failed, retrying in ${delay} ms (gives up in ${left}s; --wait <duration> to change)`);
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

function unreachable(url: string, waitMs: number, err: unknown): UserError {
  const why = (err as { code?: string }).code ?? 'no answer';
  return new UserError(`cannot reach PostgreSQL at ${endpointOf(url)} (${why}) after ${Math.round(waitMs / 100) / 10}s`, {
    hint: 'start the server, check the URL (svcdb env --explain), or wait longer with --wait <duration>',
  });
}

/** A refusal from a server that answered: bad credentials, unknown database or role. */
export function connectFailure(url: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const message = redact(e.message ?? String(err));
  if (e.code === '28P01' || e.code === '28000' || e.code === '3D000' || e.code === '42501') {
    return new UserError(`PostgreSQL at ${endpointOf(url)} refused the connection: ${message} (SQLSTATE ${e.code})`, {
      hint: 'check the user, password and database in the URL (svcdb env --explain)',
      cause: err,
    });
  }
  return new OperationError(`connecting to ${endpointOf(url)} failed: ${message}`, { cause: err });
}

/** Quote an identifier for SQL text. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quote a string literal for SQL text (standard_conforming_strings on). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
