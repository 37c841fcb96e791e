// The SQL of each object `provision` manages: a service's role (created marked, or reset to
// exactly what it should be), its password, its schema. Pure text, run by provision.ts or
// printed by `--print`.
import type { Service } from '../core/types.js';
import { ident, literal } from './connect.js';

/** The COMMENT that marks a role as svcdb's: an existing role without it is refused unless adopted. */
export const ROLE_MARKER = 'svcdb: login role of service';

/** The advisory lock (per database) around every CREATE EXTENSION svcdb sends: two at once do not race (23505). */
export const EXTENSION_LOCK = '7587212455104395264';

/**
 * Idempotent role SQL: create (marked) or reset to exactly what a service role should be:
 * LOGIN and nothing else (no superuser, no memberships; nobody a member of it but the admin
 * running provision, who must be one to hand it schemas on PostgreSQL 15). Attributes that
 * need superuser to change are only touched when set, so CREATEROLE + CREATEDB suffices.
 */
export function roleSql(role: string, service: string): string[] {
  const r = literal(role);
  const alter = (what: string) => `execute format('alter role %I ${what}', ${r});`;
  return [
    `do $svcdb$ begin if not exists (select 1 from pg_roles where rolname = ${r}) then create role ${ident(role)} login; end if; end $svcdb$`,
    `comment on role ${ident(role)} is ${literal(`${ROLE_MARKER} ${service}`)}`,
    `do $svcdb$ declare a record; m record; begin
  select * into a from pg_roles where rolname = ${r};
  if a.rolsuper then ${alter('nosuperuser')} end if;
  if a.rolreplication then ${alter('noreplication')} end if;
  if a.rolbypassrls then ${alter('nobypassrls')} end if;
  ${alter("with login nocreatedb nocreaterole noinherit connection limit -1 valid until 'infinity'".replace(/'/g, "''"))}
  ${alter('reset all')}
  for m in select g.rolname as g, gr.rolname as grantor from pg_auth_members x join pg_roles g on g.oid = x.roleid join pg_roles gr on gr.oid = x.grantor where x.member = a.oid loop
    execute format('revoke %I from %I granted by %I', m.g, ${r}, m.grantor);
  end loop;
  for m in select u.rolname as u, gr.rolname as grantor from pg_auth_members x join pg_roles u on u.oid = x.member join pg_roles gr on gr.oid = x.grantor where x.roleid = a.oid and u.rolname <> current_user loop
    execute format('revoke %I from %I granted by %I', ${r}, m.u, m.grantor);
  end loop;
  if not (select rolsuper from pg_roles where rolname = current_user) and not pg_has_role(current_user, a.oid, 'USAGE') then
    execute format('grant %I to %I', ${r}, current_user);
  end if;
end $svcdb$`,
  ];
}

/**
 * For the printed script, which no preflight guards (provision checks this itself before it
 * applies anything): stop when a role named like the service's is the role running the script,
 * or exists without svcdb's marker (unless roles are adopted). The script runs these first,
 * so a refusal changes nothing.
 */
export function roleGuardSql(role: string, service: string, adoptRoles: boolean): string {
  const r = literal(role);
  const checks = [
    `  if exists (select 1 from pg_roles where rolname = ${r} and rolname = current_user) then
    raise exception ${literal(`role "${role}" (service ${service}) is the role running this script; svcdb will not turn it into a service role`)};
  end if;`,
  ];
  if (!adoptRoles)
    checks.push(`  if exists (select 1 from pg_roles where rolname = ${r} and coalesce(shobj_description(oid, 'pg_authid'), '') not like ${literal(`${ROLE_MARKER}%`)}) then
    raise exception ${literal(`role "${role}" (service ${service}) exists and was not created by svcdb; nothing was changed`)}
      using hint = ${literal("drop it if it is not the service's, choose another --role-prefix, or print the script with --adopt-roles to take it over")};
  end if;`);
  return `do $svcdb$ begin\n${checks.join('\n')}\nend $svcdb$`;
}

/** The password statement; `password` is SQL text (a SCRAM verifier literal, or a psql variable). */
export function passwordSql(role: string, password: string): string {
  return `alter role ${ident(role)} password ${password}`;
}

/**
 * The service's schema: created owned by its role, or adopted from a role that is not another
 * service's (provision checked that first): then every right the old owner handed out is
 * revoked. PUBLIC never keeps a right on it or on its relations.
 */
export function schemaSql(schema: string, role: string): string {
  const s = literal(schema);
  const r = literal(role);
  return `do $svcdb$ declare owner text; x record; begin
  select pg_get_userbyid(nspowner) into owner from pg_namespace where nspname = ${s};
  if owner is null then execute format('create schema %I authorization %I', ${s}, ${r}); owner := ${r}; end if;
  if owner <> ${r} then
    execute format('alter schema %I owner to %I', ${s}, ${r});
    for x in select distinct pg_get_userbyid(a.grantee) as g from pg_namespace n, aclexplode(n.nspacl) a
      where n.nspname = ${s} and a.grantee <> 0 and pg_get_userbyid(a.grantee) <> ${r} loop
      execute format('revoke all on schema %I from %I', ${s}, x.g);
    end loop;
    for x in select distinct c.relname as t, pg_get_userbyid(a.grantee) as g from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
      where n.nspname = ${s} and a.grantee <> 0 and pg_get_userbyid(a.grantee) not in (${r}, owner) loop
      execute format('revoke all on %I.%I from %I', ${s}, x.t, x.g);
    end loop;
  end if;
  execute format('revoke all on schema %I from public', ${s});
  for x in select c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${s} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') loop
    execute format('revoke all on %I.%I from public', ${s}, x.t);
  end loop;
end $svcdb$`;
}

/** `create extension if not exists <name> schema public`, under the extension lock. */
export function extensionSql(name: string): string {
  return `select pg_advisory_xact_lock(${EXTENSION_LOCK}); create extension if not exists ${ident(name)} schema public`;
}

const CREATE_EXTENSION = /^\s*create\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_-]*)(.*)$/is;

/** Extensions a service's migrations create in public (no SCHEMA clause, or SCHEMA public). */
export function extensionsOf(service: Service | undefined): string[] {
  const names = new Set<string>();
  for (const m of service?.migrations ?? []) {
    for (const st of m.up) {
      const found = CREATE_EXTENSION.exec(st.sql.replace(/--[^\n]*/g, ''));
      if (!found || /\bschema\s+(?!"?public"?(?:\s|;|$))/i.test(found[2])) continue;
      names.add(found[1].startsWith('"') ? found[1].slice(1, -1).replace(/""/g, '"') : found[1].toLowerCase());
    }
  }
  return [...names];
}

const LEADING_CREATE_EXTENSION = /^((?:\s|--[^\n]*\n)*)create\s+extension\s+(?:if\s+not\s+exists\s+)?/i;

/**
 * Under the schema strategy services share one database, and an extension exists once per
 * database: each `CREATE EXTENSION` becomes `IF NOT EXISTS`, lands in `public` (on every
 * service's search_path) unless it names a schema, and waits for the per-database extension
 * lock, so two services creating one extension at once do not fail with 23505.
 */
export function extensionsInPublic<M extends { up: Array<{ sql: string }> }>(migration: M): M {
  if (!migration.up.some((st) => LEADING_CREATE_EXTENSION.test(st.sql))) return migration;
  return {
    ...migration,
    up: migration.up.map((st) => {
      const m = LEADING_CREATE_EXTENSION.exec(st.sql);
      if (!m) return st;
      let rest = st.sql.slice(m[0].length).replace(/\s*;\s*$/, '');
      const options = CREATE_EXTENSION.exec(`create extension ${rest}`)?.[2] ?? '';
      if (!/\bschema\b/i.test(options.replace(/--[^\n]*/g, ''))) rest += '\nschema public';
      return {
        ...st,
        sql: `${m[1]}select pg_advisory_xact_lock(${EXTENSION_LOCK});\ncreate extension if not exists ${rest}`,
      };
    }),
  };
}
