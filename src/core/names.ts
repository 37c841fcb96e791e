// The names svcdb gives a service on the server (schema, database, role): one deterministic,
// valid PostgreSQL identifier per service, never one that the server would refuse (`pg_`
// prefix: 42939) or silently truncate (over 63 bytes) into another service's name.
import { createRequire } from 'node:module';
import { UserError } from './errors.js';
import { rolePrefixProblem } from './flag-values.js';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated by the server. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A plain identifier svcdb can use unquoted in `search_path` and in messages. */
const PLAIN = /^[a-z_][a-z0-9_]*$/;

/**
 * Lower case, anything but `[a-z0-9_]` → `_`, a leading digit or a reserved `pg_` prefix
 * gets `s_`; a name over 63 bytes keeps its first 54 bytes and ends in `_` + 8 hex digits of
 * the whole name's hash, so two long names that share a beginning stay apart.
 */
export function identifierFor(name: string): string {
  let clean = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(clean) || clean.startsWith('pg_')) clean = `s_${clean}`;
  return fitIdentifier(clean, name);
}

/** `name` shortened to 63 bytes with a hash of `whole` when it is longer (names here are ASCII). */
export function fitIdentifier(name: string, whole = name): string {
  if (name.length <= MAX_IDENTIFIER_BYTES) return name;
  // node:crypto on demand: only names over 63 bytes need it (~4 ms of every start-up otherwise)
  const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const hash = createHash('sha256').update(whole).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_IDENTIFIER_BYTES - 9)}_${hash}`;
}

/** Why `name` cannot be a schema, database or role name svcdb manages, or null when it can. */
export function invalidIdentifier(name: string): string | null {
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES)
    return `it is ${Buffer.byteLength(name)} bytes; PostgreSQL keeps only the first ${MAX_IDENTIFIER_BYTES}`;
  if (!PLAIN.test(name)) return 'use lower-case letters, digits and _, starting with a letter or _';
  if (name.startsWith('pg_')) return 'names starting with pg_ are reserved by PostgreSQL';
  return null;
}

/** A name from the config (`services.X.schema`, a `schemaName` pattern's result), checked. */
export function configuredIdentifier(name: string, where: string): string {
  const problem = invalidIdentifier(name);
  if (problem) throw new UserError(`"${name}" cannot be used as a name on the server: ${problem}`, { where });
  return name;
}

/** `{service}` in a profile's `schemaName` / `databaseName` pattern, filled in and made a valid identifier. */
export function fillPattern(pattern: string, service: string): string {
  return identifierFor(pattern.replaceAll('{service}', service));
}

/** `--role-prefix` checked (flag-values.ts has the rule): exit 2 rather than a silently rewritten name. */
export function checkRolePrefix(prefix: string): string {
  const problem =
    rolePrefixProblem(prefix) ?? (prefix.startsWith('pg_') ? 'must not start with pg_ (reserved by PostgreSQL)' : null);
  if (problem) throw new UserError(`invalid --role-prefix "${prefix}": ${problem}`, { where: '--role-prefix' });
  return prefix;
}

/** The login role of a service: prefix + service, made a valid identifier as schemas are. */
export function roleName(prefix: string, service: string): string {
  return identifierFor(`${prefix}${service}`);
}

/**
 * Services that map to one name (`tsdb-v2` and `tsdb_v2`) would share it silently: one
 * UserError per clash, naming both services and what they share.
 */
export function nameClashes(kind: string, names: Array<{ service: string; name: string }>, hint: string): UserError[] {
  const byName = new Map<string, string[]>();
  for (const { service, name } of names) byName.set(name, [...(byName.get(name) ?? []), service]);
  return [...byName.entries()]
    .filter(([, services]) => services.length > 1)
    .map(
      ([name, services]) =>
        new UserError(`services ${services.map((s) => `"${s}"`).join(' and ')} map to one ${kind} "${name}"`, { hint }),
    );
}
