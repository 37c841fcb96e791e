// What `provision` creates, as data: one login role per service, the databases and schemas the
// strategy needs owned by those roles, and the read grants a `databaseOf` service declares.
// Pure: the same plan is executed (provision.ts) or printed as a psql script (--print).
import { UserErrors } from '../core/errors.js';
import { nameClashes, roleName } from '../core/names.js';
import type { Service, Target } from '../core/types.js';
import { parsePgUrl, withDatabase, formatPgUrl } from '../core/url.js';
import { endpointOf } from '../core/url.js';
import type { ProfileCredentials } from './credentials.js';
import { ident, literal } from './connect.js';
import { extensionsOf } from './provision-objects.js';

export { roleName };
export * from './provision-objects.js';

export type Step =
  | { kind: 'sql'; sql: string }
  /** create the role if missing (marked as svcdb's), reset it to exactly LOGIN and its password */
  | { kind: 'role'; service: string; role: string; password: string }
  /** the service's own schema: created, or adopted once its owner is checked; PUBLIC revoked */
  | { kind: 'schema'; service: string; schema: string; role: string }
  /** an extension a service's migrations create, made in public by the admin (service roles cannot) */
  | { kind: 'extension'; service: string; name: string }
  /** CREATE DATABASE cannot run in a transaction or a DO block: checked, then created */
  | { kind: 'create-database'; database: string; owner: string };

export interface Section {
  /** admin URL this section runs on (no search_path) */
  url: string;
  database: string;
  steps: Step[];
}

export interface ReadGrant {
  reader: string;
  role: string;
  owner: string;
  url: string;
  database: string;
  schema: string;
  table: string;
}

export interface ProvisionPlan {
  sections: Section[];
  reads: ReadGrant[];
  /** service → role and password (existing passwords are kept) */
  credentials: ProfileCredentials;
}

export interface PlanInput {
  services: Service[];
  /** targets resolved WITHOUT credentials: the admin URL for each service */
  targets: Target[];
  existing: ProfileCredentials;
  rolePrefix: string;
  newPassword: () => string;
}

/** The same server and user, another database, without search_path options. */
export function adminUrl(url: string, database: string): string {
  const u = parsePgUrl(withDatabase(url, database));
  u.params = u.params.filter(([k]) => k !== 'options' && k !== 'search_path');
  return formatPgUrl(u);
}

export function planProvision(input: PlanInput): ProvisionPlan {
  const byService = new Map(input.targets.map((t) => [t.service, t]));
  const credentials: ProfileCredentials = {};
  // Two services, one role: the second password would overwrite the first. Exit 2, nothing written.
  const clashes = nameClashes(
    'role',
    input.targets.map((t) => ({ service: t.service, name: roleName(input.rolePrefix, t.service) })),
    'use another --role-prefix, or rename one of the services',
  );
  if (clashes.length) throw clashes.length === 1 ? clashes[0] : new UserErrors(clashes);
  for (const t of input.targets) {
    const previous = input.existing[t.service];
    const role = roleName(input.rolePrefix, t.service);
    const password = previous?.role === role ? previous.password : input.newPassword();
    credentials[t.service] = { role, password, server: endpointOf(t.url).serverKey, database: t.database };
  }
  const servers = new Map<string, Section>();
  const databases = new Map<string, Section>();
  const section = (map: Map<string, Section>, key: string, url: string, database: string): Section => {
    let s = map.get(key);
    if (!s) map.set(key, (s = { url: adminUrl(url, database), database, steps: [] }));
    return s;
  };
  for (const t of input.targets) {
    const { role, password } = credentials[t.service];
    const server = section(servers, endpointOf(t.url).serverKey, t.url, 'postgres');
    server.steps.push({ kind: 'role', service: t.service, role, password });
    const db = ident(t.database);
    if (t.databaseOf) {
      server.steps.push({ kind: 'sql', sql: `grant connect on database ${db} to ${ident(role)}` });
      continue;
    }
    const ownDatabase = t.strategy === 'database' || t.strategy === 'isolated';
    const inDb = section(databases, `${endpointOf(t.url).serverKey}/${t.database}`, t.url, t.database);
    if (ownDatabase) {
      server.steps.push({ kind: 'create-database', database: t.database, owner: role });
      server.steps.push({ kind: 'sql', sql: `alter database ${db} owner to ${ident(role)}` });
      server.steps.push({ kind: 'sql', sql: `revoke all on database ${db} from public` });
      server.steps.push({ kind: 'sql', sql: `grant connect, temporary, create on database ${db} to ${ident(role)}` });
      inDb.steps.push({ kind: 'sql', sql: `alter schema public owner to ${ident(role)}` });
      inDb.steps.push({ kind: 'sql', sql: handOver(role, null) });
      continue;
    }
    // One database shared by several services: each role may connect, but not create schemas
    // (it could squat the schema of a service added later); provision makes each service's
    // schema, owned by its role, and the extensions its migrations create, in public.
    server.steps.push({ kind: 'sql', sql: `grant connect, temporary on database ${db} to ${ident(role)}` });
    server.steps.push({ kind: 'sql', sql: `revoke create on database ${db} from ${ident(role)}` });
    server.steps.push({ kind: 'sql', sql: `revoke create on database ${db} from public` });
    inDb.steps.push({ kind: 'sql', sql: 'revoke create on schema public from public' });
    for (const ext of extensionsOf(input.services.find((s) => s.name === t.service)))
      inDb.steps.push({ kind: 'extension', service: t.service, name: ext });
    if (t.schema) {
      inDb.steps.push({ kind: 'schema', service: t.service, schema: t.schema, role });
      inDb.steps.push({ kind: 'sql', sql: handOver(role, t.schema) });
    } else {
      inDb.steps.push({ kind: 'sql', sql: `grant usage, create on schema public to ${ident(role)}` });
    }
  }
  for (const s of databases.values()) s.steps = dedupe(s.steps);
  return {
    sections: [...servers.values(), ...databases.values()],
    reads: planReads(input.services, byService, credentials),
    credentials,
  };
}

/** Existing relations in the service's schema (or every user schema of its own database) become the role's. */
function handOver(role: string, schema: string | null): string {
  const where = schema
    ? `n.nspname = ${literal(schema)}`
    : `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'`;
  return `do $svcdb$ declare r record; begin
  for r in select n.nspname as s from pg_namespace n where ${where} and pg_get_userbyid(n.nspowner) <> ${literal(role)} and n.nspname <> 'public' loop
    execute format('alter schema %I owner to %I', r.s, ${literal(role)});
  end loop;
  for r in select n.nspname as s, c.relname as t, c.relkind as k from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where ${where} and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') and pg_get_userbyid(c.relowner) <> ${literal(role)}
      and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i') and c.relkind = 'S') loop
    execute format('alter %s %I.%I owner to %I', case r.k when 'v' then 'view' when 'm' then 'materialized view' when 'S' then 'sequence' when 'f' then 'foreign table' else 'table' end, r.s, r.t, ${literal(role)});
  end loop;
end $svcdb$`;
}

function planReads(services: Service[], targets: Map<string, Target>, credentials: ProfileCredentials): ReadGrant[] {
  const grants: ReadGrant[] = [];
  for (const reader of services) {
    const rt = targets.get(reader.name);
    if (!rt) continue;
    for (const read of reader.reads) {
      const ot = targets.get(read.service);
      // A read across databases cannot be granted: it goes through the owner's API instead.
      if (!ot || ot.database !== rt.database || endpointOf(ot.url).serverKey !== endpointOf(rt.url).serverKey) continue;
      for (const table of read.tables) {
        grants.push({
          reader: reader.name,
          role: credentials[reader.name].role,
          owner: read.service,
          url: adminUrl(ot.url, ot.database),
          database: ot.database,
          schema: ot.schema ?? 'public',
          table,
        });
      }
    }
  }
  return grants;
}

export function readGrantSql(g: ReadGrant): string[] {
  return [
    `grant usage on schema ${ident(g.schema)} to ${ident(g.role)}`,
    `grant select on ${ident(g.schema)}.${ident(g.table)} to ${ident(g.role)}`,
  ];
}

function dedupe(steps: Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((s) => {
    const key = JSON.stringify(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
