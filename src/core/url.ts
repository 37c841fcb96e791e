// PostgreSQL connection URLs: parse the forms people really write, format the standard form.
//
// Accepted: postgres:// and postgresql://; user and password percent-encoded or raw (a raw
// password may hold @ : / % # ? — the userinfo ends at the last `@` that is followed by a valid
// host part); IPv6 hosts in brackets; several hosts (`h1:5432,h2:5432`); an empty host with
// `?host=/var/run/postgresql` for unix sockets; any query parameters, kept in order.
// Formatting always percent-encodes user and password, so postgres.js, libpq and pgx agree.
import { UserError } from './errors.js';

export interface PgUrl {
  scheme: 'postgres' | 'postgresql';
  user: string | null;
  password: string | null;
  /** host list as written, e.g. `localhost:5432`, `[::1]:5432`, `h1,h2:5433`, or '' */
  hosts: string;
  /** decoded database name, '' when absent (the server then uses the user's name) */
  database: string;
  /** decoded query parameters, in order */
  params: Array<[string, string]>;
}

/** Who the URL belongs to, so a malformed one names the profile and service. */
export interface UrlContext {
  profile?: string;
  service?: string;
  variable?: string;
}

const HOST_PART =
  /^(?:\[[0-9a-fA-F:.%a-zA-Z]*\]|[^/?#@[\]:,]*)(?::\d*)?(?:,(?:\[[0-9a-fA-F:.%a-zA-Z]*\]|[^/?#@[\]:,]*)(?::\d*)?)*(?=$|[/?])/;

export function parsePgUrl(url: string, ctx: UrlContext = {}): PgUrl {
  const fail = (why: string): never => {
    throw new UserError(`malformed database URL${describeContext(ctx)}: ${why}`, {
      where: ctx.variable,
      hint: 'expected postgres://user:password@host:5432/database (percent-encode special characters in the password)',
    });
  };
  const m = /^(postgres|postgresql):\/\//i.exec(url.trim());
  // Never echo the text: without a scheme, its first characters may be `user:password`.
  if (!m) return fail(`it must start with postgres:// or postgresql:// (got ${describeStart(url)})`);
  const rest = url.trim().slice(m[0].length);
  let userinfo: string | null = null;
  let afterUser = rest;
  // The rightmost `@` that is followed by a well-formed host part ends the userinfo.
  for (let at = rest.lastIndexOf('@'); at !== -1; at = rest.lastIndexOf('@', at - 1)) {
    if (HOST_PART.test(rest.slice(at + 1))) {
      userinfo = rest.slice(0, at);
      afterUser = rest.slice(at + 1);
      break;
    }
    if (at === 0) break;
  }
  const hostMatch = HOST_PART.exec(afterUser);
  if (!hostMatch) return fail('the host part is not valid');
  const hosts = hostMatch[0];
  for (const h of hosts.split(',')) {
    const port = /:(\d*)$/.exec(h.replace(/^\[.*\]/, ''))?.[1];
    if (port !== undefined && (port === '' || Number(port) > 65535)) return fail(`invalid port in "${h}"`);
  }
  let tail = afterUser.slice(hosts.length);
  let query = '';
  const q = tail.indexOf('?');
  if (q !== -1) {
    query = tail.slice(q + 1);
    tail = tail.slice(0, q);
  }
  const database = tail.startsWith('/') ? decode(tail.slice(1), fail, 'the database name') : '';
  if (tail !== '' && !tail.startsWith('/')) return fail('unexpected text after the host');
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), fail, 'the user name');
    password = colon === -1 ? null : decode(userinfo.slice(colon + 1), fail, 'the password');
  }
  const params: Array<[string, string]> = [];
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq), fail, 'a query parameter name');
    const value =
      eq === -1 ? '' : decode(pair.slice(eq + 1).replace(/\+/g, ' '), fail, `the value of query parameter ${key}`);
    params.push([key, value]);
  }
  return { scheme: m[1].toLowerCase() as PgUrl['scheme'], user, password, hosts, database, params };
}

/**
 * Percent-decodes valid %XX sequences; a lone `%` (a raw password character) stays as is.
 * The message names the part, never its text: it may be the password.
 */
function decode(s: string, fail: (why: string) => never, part: string): string {
  const escaped = s.replace(/%(?![0-9a-fA-F]{2})/g, '%25');
  try {
    return decodeURIComponent(escaped);
  } catch {
    return fail(`${part} holds a %-escape that is not valid UTF-8`);
  }
}

/** What a scheme-less URL starts with, without any of its characters (they may be a secret). */
function describeStart(url: string): string {
  const i = url.indexOf('://');
  if (i !== -1 && /^[a-z][a-z0-9+.-]*$/i.test(url.slice(0, i))) return `a "${url.slice(0, i)}://" URL`;
  return url.trim() === '' ? 'an empty value' : 'text with no scheme';
}

function describeContext(ctx: UrlContext): string {
  const parts: string[] = [];
  if (ctx.service) parts.push(`service "${ctx.service}"`);
  if (ctx.profile) parts.push(`profile "${ctx.profile}"`);
  if (ctx.variable) parts.push(`from ${ctx.variable}`);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}

export function formatPgUrl(u: PgUrl): string {
  let auth = '';
  if (u.user !== null) {
    auth = encodeURIComponent(u.user);
    if (u.password !== null) auth += `:${encodeURIComponent(u.password)}`;
    auth += '@';
  }
  const db = u.database === '' ? '' : `/${encodeURIComponent(u.database)}`;
  const query = u.params.map(([k, v]) => `${encodeParam(k)}=${encodeParam(v)}`).join('&');
  const path = db === '' && query !== '' ? '/' : db;
  return `${u.scheme}://${auth}${u.hosts}${path}${query ? `?${query}` : ''}`;
}

/** Encodes only what would change a query's meaning, so `host=/var/run/postgresql` stays readable. */
function encodeParam(s: string): string {
  return s.replace(/[%&=#+?@\s\u0000-\u001f\u007f-\u{10ffff}]/gu, (ch) => encodeURIComponent(ch));
}

/** The standard spelling of a URL (user and password percent-encoded). */
export function normalizePgUrl(url: string, ctx?: UrlContext): string {
  return formatPgUrl(parsePgUrl(url, ctx));
}

function edit(url: string, change: (u: PgUrl) => void, ctx?: UrlContext): string {
  const u = parsePgUrl(url, ctx);
  change(u);
  return formatPgUrl(u);
}

export function withDatabase(url: string, database: string, ctx?: UrlContext): string {
  return edit(url, (u) => (u.database = database), ctx);
}

/**
 * Sets the schema through libpq's `options` parameter (`options=-c search_path=<schema>`):
 * the one form that postgres.js, node-postgres, Go's pgx and psql all send to the server.
 * (A bare `?search_path=` is rejected by libpq/psql.) Other `-c` settings in `options` stay.
 */
export function withSearchPath(url: string, schema: string, ctx?: UrlContext): string {
  return edit(
    url,
    (u) => {
      const setting = `-c search_path=${schema}`;
      const existing = u.params.find(([k]) => k === 'options');
      u.params = u.params.filter(([k]) => k !== 'search_path');
      if (!existing) {
        u.params.push(['options', setting]);
        return;
      }
      const kept = existing[1].replace(/-c\s*search_path=\S*/g, '').trim();
      existing[1] = kept ? `${kept} ${setting}` : setting;
    },
    ctx,
  );
}

export function withCredentials(url: string, user: string, password: string, ctx?: UrlContext): string {
  return edit(
    url,
    (u) => {
      u.user = user;
      u.password = password;
    },
    ctx,
  );
}

/** The schema a URL selects through `options=-c search_path=` or `search_path=`, else null. */
export function searchPathOf(url: string, ctx?: UrlContext): string | null {
  const u = parsePgUrl(url, ctx);
  const direct = u.params.find(([k]) => k === 'search_path');
  if (direct) return direct[1];
  const options = u.params.find(([k]) => k === 'options')?.[1] ?? '';
  return /-c\s*search_path=([^\s,]+)/.exec(options)?.[1] ?? null;
}

/** Where a URL points: one answer for messages, results, credentials and collision checks. */
export interface Endpoint {
  /** `host:port` (several joined by `,`) or the socket folder `/dir:port`, as written, default port filled in */
  server: string;
  /** the database (without one in the URL, the server uses the user's name) */
  database: string;
  /** the schema the URL selects (`options=-c search_path=`), else null */
  schema: string | null;
  /** `server/database (schema s)`, never the user or password: how messages and results name a target */
  label: string;
  /**
   * Equal for two spellings of one server and database: host names lower-cased, loopback
   * names (`localhost`, `127.0.0.1`, `::1`) and a local socket folder taken as one local
   * server, the default port 5432 filled in.
   */
  key: string;
  /** the `key`'s server part alone: two databases on one server share it */
  serverKey: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1']);

export function endpointOf(url: string): Endpoint {
  let u: PgUrl;
  try {
    u = parsePgUrl(url);
  } catch {
    const bad = '(malformed URL)';
    return { server: bad, database: '', schema: null, label: bad, key: bad, serverKey: bad };
  }
  const param = (name: string) => u.params.find(([k]) => k === name)?.[1];
  const defaultPort = param('port') || '5432';
  // `?host=` holds a socket folder or host names; the URL's own host part wins, as in libpq.
  const written = (u.hosts || param('host') || 'localhost').split(',');
  const places = written.map((h) => splitHostPort(h, defaultPort));
  const server = places.map((p) => `${p.host.includes(':') ? `[${p.host}]` : p.host}:${p.port}`).join(',');
  const keyOf = (p: { host: string; port: string }) => {
    const host = p.host.toLowerCase();
    return `${LOOPBACK.has(host) || host.startsWith('/') ? 'localhost' : host}:${Number(p.port)}`;
  };
  const database = u.database || u.user || '';
  const schema = searchPathOf(url);
  const serverKey = places.map(keyOf).join(',');
  return {
    server,
    database,
    schema,
    label: `${server}/${database}${schema ? ` (schema ${schema})` : ''}`,
    key: `${serverKey}/${database}|${schema ?? ''}`,
    serverKey,
  };
}

/** `h:5433` → h, 5433; `[::1]` → ::1, default; `/dir` → /dir, default. */
export function splitHostPort(written: string, defaultPort = '5432'): { host: string; port: string } {
  const bracket = /^\[(.*)\](?::(\d+))?$/.exec(written);
  if (bracket) return { host: bracket[1], port: bracket[2] || defaultPort };
  if (written.startsWith('/')) return { host: written, port: defaultPort };
  const m = /^(.*?)(?::(\d*))?$/.exec(written)!;
  return { host: m[1] || 'localhost', port: m[2] || defaultPort };
}

/** The database a URL connects to (without one, the server uses the user's name). */
export function databaseNameOf(url: string, ctx?: UrlContext): string {
  const u = parsePgUrl(url, ctx);
  return u.database || u.user || '';
}
