// Opening connections to a service's target: retry with backoff while the server starts,
// then a UserError that names host:port (never the password).
import { createRequire } from 'node:module';
import type postgres from 'postgres';
import { formatDuration } from '../core/duration.js';
import { OperationError, UserError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { endpointOf, parsePgUrl, splitHostPort } from '../core/url.js';

export type Sql = postgres.Sql;

export interface ConnectOptions {
  /** how long to keep retrying an unreachable server, ms (default 10 s); also bounds each attempt */
  waitMs?: number;
  /** notices from the server (RAISE NOTICE in a migration) */
  onNotice?: (message: string) => void;
}

/** Socket errors and SQLSTATEs meaning "the server is not (yet) there": worth retrying. */
const RETRYABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOENT',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P03', // cannot_connect_now: the server is starting up
  '53300', // too_many_connections
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRetryableConnectError(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && RETRYABLE.has(code);
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

/** URL query parameters that are libpq's, not server settings: never sent as startup parameters. */
const CLIENT_PARAMS = new Set([
  'host',
  'hostaddr',
  'port',
  'dbname',
  'user',
  'password',
  'passfile',
  'connect_timeout',
  'sslmode',
  'sslcert',
  'sslkey',
  'sslrootcert',
  'sslcrl',
  'sslpassword',
  'target_session_attrs',
  'channel_binding',
  'gssencmode',
  'krbsrvname',
  'service',
  'keepalives',
  'keepalives_idle',
  'application_name',
  'fallback_application_name',
]);

/**
 * The driver's options from svcdb's own URL parser, so every form the README promises works:
 * IPv6 in brackets, several hosts, `?host=/socket/dir` (postgres.js alone sends `host` to the
 * server as a setting, and cuts `[::1]` at its first colon).
 */
export function driverOptions(url: string): {
  host: string[];
  port: number[];
  path?: string;
  database?: string;
  user?: string;
  pass?: string;
  ssl?: string | false;
  target_session_attrs?: string;
  connection: Record<string, string>;
} {
  const u = parsePgUrl(url);
  const param = (name: string) => u.params.find(([k]) => k === name)?.[1];
  const defaultPort = param('port') || '5432';
  const places = (u.hosts || param('host') || process.env.PGHOST || 'localhost')
    .split(',')
    .map((h) => splitHostPort(h, defaultPort));
  const socket = places.length === 1 && places[0].host.startsWith('/') ? places[0] : null;
  const connection: Record<string, string> = { application_name: param('application_name') ?? 'svcdb' };
  for (const [k, v] of u.params) if (!CLIENT_PARAMS.has(k)) connection[k] = v;
  const user = u.user ?? param('user') ?? undefined;
  return {
    host: places.map((p) => p.host),
    port: places.map((p) => Number(p.port)),
    ...(socket ? { path: `${socket.host}/.s.PGSQL.${socket.port}` } : {}),
    database: u.database || param('dbname') || user || undefined,
    user,
    pass: u.password ?? param('password') ?? undefined,
    // as postgres.js reads them from a URL: sslmode, sslrootcert=system, target_session_attrs
    ...(param('sslmode') ? { ssl: param('sslmode') === 'disable' ? false : param('sslmode') } : {}),
    ...(param('sslrootcert') === 'system' ? { ssl: 'verify-full' } : {}),
    ...(param('target_session_attrs') ? { target_session_attrs: param('target_session_attrs') } : {}),
    connection,
  };
}

/**
 * postgres.js, loaded on first use (`svcdb new` and the lints never pay for it) with require:
 * its CommonJS build loads synchronously in ~20 ms, where import() would first start Node's ES
 * module loader (~45 ms, measured on Node 20, before every connecting command's first query).
 */
function driver(): typeof postgres {
  return createRequire(import.meta.url)('postgres') as typeof postgres;
}

/** The least time one connection attempt gets, whatever is left of --wait. */
const MIN_ATTEMPT_MS = 1000;

/**
 * A postgres.js client whose first query has succeeded. Unreachable: retried with exponential
 * backoff (100 ms doubling, capped at 1 s) until `waitMs`, then UserError (exit 2). Each
 * attempt is bounded by what is left of `waitMs` too, so an endpoint that accepts and says
 * nothing (or speaks another protocol) cannot hold the run. A server that answers but refuses
 * (bad password, missing database) fails at once.
 */
export async function connect(url: string, opts: ConnectOptions = {}): Promise<Sql> {
  const postgres = driver();
  const waitMs = opts.waitMs ?? 10_000;
  const options = driverOptions(url);
  const deadline = Date.now() + waitMs;
  let delay = 100;
  for (let attempt = 1; ; attempt++) {
    const left = Math.max(100, deadline - Date.now());
    // postgres.js takes host and port lists at run time; its types say one of each
    const sql = postgres({
      // ssl and target_session_attrs only when the URL sets them (else postgres.js reads PGSSLMODE, ...)
      ...(options as unknown as { host: string; port: number; ssl?: never; target_session_attrs?: never }),
      max: 1,
      fetch_types: false,
      idle_timeout: 0,
      // never recycle: the connection holds the service's lock for the whole run, however long
      max_lifetime: 0,
      connect_timeout: Math.max(1, Math.ceil(Math.min(left, 10_000) / 1000)),
      onnotice: (n) => opts.onNotice?.(String(n.message)),
    });
    try {
      // Bounded by what is left of --wait (`--wait 3s` ended after 4 s against an endpoint that
      // speaks another protocol, when every attempt had a second more), but an attempt gets at
      // least a second: a healthy server far away needs some 0.3 s for TCP, TLS and the login.
      await withDeadline(sql`select 1`, Math.max(left, MIN_ATTEMPT_MS));
      return sql;
    } catch (err) {
      await sql.end({ timeout: 0 }).catch(() => {});
      if (codeOf(err) === 'ENOTFOUND') throw unknownHost(url);
      if (!isRetryableConnectError(err)) throw connectFailure(url, err);
      if (Date.now() + delay > deadline) throw unreachable(url, waitMs, err);
      const why = (err as { code?: string }).code ?? 'no answer';
      // under a second in ms: `--wait 500ms` must not read "gives up in 1s"
      const givesUpIn = formatDuration(Math.max(0, deadline - Date.now()));
      retryReporter?.(
        `cannot reach PostgreSQL at ${endpointOf(url).label} (${why}): try ${attempt} failed, retrying in ${formatDuration(delay)} (gives up in ${givesUpIn}; --wait <duration> to change)`,
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** The first query, or CONNECT_TIMEOUT once `ms` have passed, whatever the driver does. */
async function withDeadline<T>(query: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer'), { code: 'CONNECT_TIMEOUT' })), ms);
  });
  try {
    return await Promise.race([query, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function unknownHost(url: string): UserError {
  return new UserError(`cannot reach PostgreSQL at ${endpointOf(url).label}: unknown host`, {
    hint: 'check the host name in the URL (svcdb env --explain)',
  });
}

function unreachable(url: string, waitMs: number, err: unknown): UserError {
  const why = codeOf(err) === 'CONNECT_TIMEOUT' ? 'no PostgreSQL answer' : (codeOf(err) ?? 'no answer');
  return new UserError(`cannot reach PostgreSQL at ${endpointOf(url).label} (${why}) after ${formatDuration(waitMs)}`, {
    hint: 'start the server, check the URL and port (svcdb env --explain), or wait longer with --wait <duration>',
  });
}

/** SQLSTATE-shaped: the server itself answered. */
function isSqlState(code: string | undefined): boolean {
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A refusal from a server that answered (bad credentials, unknown database or role), or an
 * endpoint that did not speak PostgreSQL: both are for the user to fix (exit 2).
 */
export function connectFailure(url: string, err: unknown): Error {
  const e = err as { code?: string; message?: string };
  const message = redact(e.message ?? String(err));
  const where = endpointOf(url).label;
  if (e.code === '28P01' || e.code === '28000' || e.code === '3D000' || e.code === '42501') {
    return new UserError(`PostgreSQL at ${where} refused the connection: ${message} (SQLSTATE ${e.code})`, {
      hint: 'check the user, password and database in the URL (svcdb env --explain)',
      cause: err,
    });
  }
  if (!isSqlState(e.code)) {
    return new UserError(`cannot talk to PostgreSQL at ${where}: ${message}`, {
      hint: 'check that the host and port are a PostgreSQL server (svcdb env --explain)',
      cause: err,
    });
  }
  return new OperationError(`connecting to ${where} failed: ${message}`, { cause: err });
}

/** Quote an identifier for SQL text. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quote a string literal for SQL text, safe under every `standard_conforming_strings`: an
 * E'' string reads backslashes as escapes whatever the setting, so doubling them (and the
 * quotes) gives back exactly `value`. A plain '' string would let `\'` end it when the
 * setting is off, and a file or folder name become SQL.
 */
export function literal(value: string): string {
  // most values (ids, checksums, names) hold neither: no regular expression pass per value
  if (!QUOTE_OR_BACKSLASH.test(value)) return `E'${value}'`;
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

const QUOTE_OR_BACKSLASH = /['\\]/;
