// Runs a provisioning plan against the server(s), or renders it as a psql script (--print).
import { OperationError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { endpointOf, parsePgUrl } from '../core/url.js';
import { connect, ident, literal, type Sql } from './connect.js';
import { scramVerifier } from './credentials.js';
import {
  type ProvisionPlan,
  type ReadGrant,
  type Section,
  type Step,
  ROLE_MARKER,
  extensionSql,
  passwordSql,
  readGrantSql,
  roleGuardSql,
  roleSql,
  schemaSql,
} from './provision-sql.js';

export * from './provision-sql.js';

export interface ApplyOptions {
  waitMs?: number;
  log?: (line: string) => void;
  /** take over existing roles named like a service's that svcdb did not create */
  adoptRoles?: boolean;
}

/** Executes every section; each statement is idempotent, so running twice changes nothing. */
export async function applyProvision(plan: ProvisionPlan, opts: ApplyOptions = {}): Promise<void> {
  // Every refusal comes before the first change, on every server and database.
  const problems: string[] = [];
  for (const section of plan.sections) {
    // a database provision is about to create holds nothing to check
    if (!section.steps.some((s) => s.kind !== 'sql') || (await missingDatabase(section, plan))) continue;
    const sql = await connect(section.url, { waitMs: opts.waitMs });
    try {
      problems.push(...(await preflight(sql, section, plan, opts)));
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
  if (problems.length) {
    throw new OperationError(`provision refused, nothing was changed:\n  ${problems.join('\n  ')}`, {
      hint: "inspect what is named above: drop it if it is not the service's, choose another --role-prefix, or pass --adopt-roles to take over existing roles (their rights are reset)",
    });
  }
  for (const section of plan.sections) {
    const sql = await connect(section.url, { waitMs: opts.waitMs });
    try {
      for (const step of section.steps) await applyStep(sql, section, step, opts);
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
}

async function applyStep(sql: Sql, section: Section, step: Step, opts: ApplyOptions): Promise<void> {
  if (step.kind === 'role') {
    for (const text of roleSql(step.role, step.service)) await run(sql, section, text);
    // Sent as a SCRAM verifier: the password is in neither the statement nor the server's log.
    await run(
      sql,
      section,
      passwordSql(step.role, literal(scramVerifier(step.password))),
      `alter role ${step.role} password (hidden)`,
    );
    opts.log?.(`role ${step.role} for ${step.service}`);
  } else if (step.kind === 'schema') {
    await run(sql, section, schemaSql(step.schema, step.role));
  } else if (step.kind === 'extension') {
    await run(sql, section, extensionSql(step.name)).catch((err: Error) => {
      // Not fatal: an untrusted extension needs a superuser; the migration that wants it says so.
      opts.log?.(
        `warning: could not create extension ${step.name} for ${step.service}: ${err.message.split(': ').slice(1).join(': ')}`,
      );
    });
  } else if (step.kind === 'create-database') {
    const found = await sql`select 1 from pg_database where datname = ${step.database}`;
    if (!found.length) {
      await run(sql, section, `create database ${ident(step.database)} owner ${ident(step.owner)}`).catch(
        (err: { message?: string }) => {
          if (!/already exists/.test(String(err.message))) throw err;
        },
      );
      opts.log?.(`database ${step.database}`);
    }
  } else {
    await run(sql, section, step.sql);
  }
}

/** Whether the section's database is one this plan creates and that does not exist yet. */
async function missingDatabase(section: Section, plan: ProvisionPlan): Promise<boolean> {
  const server = plan.sections.find((s) =>
    s.steps.some((st) => st.kind === 'create-database' && st.database === section.database),
  );
  if (!server || server === section) return false;
  const sql = await connect(server.url);
  try {
    return (await sql`select 1 from pg_database where datname = ${section.database}`).length === 0;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

/** What this section would take over that it must not: foreign roles, another service's schema or database. */
async function preflight(sql: Sql, section: Section, plan: ProvisionPlan, opts: ApplyOptions): Promise<string[]> {
  const problems: string[] = [];
  const ours = new Set(Object.values(plan.credentials).map((c) => c.role));
  const roleSteps = section.steps.filter((s): s is Extract<Step, { kind: 'role' }> => s.kind === 'role');
  if (roleSteps.length) {
    const rows =
      await sql`select rolname, rolname = current_user as me, coalesce(shobj_description(oid, 'pg_authid'), '') as note
      from pg_roles where rolname in ${sql(roleSteps.map((s) => s.role))}`;
    for (const row of rows) {
      const step = roleSteps.find((s) => s.role === row.rolname)!;
      if (row.me)
        problems.push(
          `role "${row.rolname}" (service ${step.service}) is the role provision connects as; svcdb will not turn it into a service role`,
        );
      else if (!String(row.note).startsWith(ROLE_MARKER) && !opts.adoptRoles)
        problems.push(`role "${row.rolname}" (service ${step.service}) exists and was not created by svcdb`);
    }
  }
  // A schema or database already owned by another service's role was squatted: never handed over.
  const foreign = async (owner: string) => {
    if (ours.has(owner)) return true;
    const [row] =
      await sql`select coalesce(shobj_description(oid, 'pg_authid'), '') as note from pg_roles where rolname = ${owner}`;
    return String(row?.note ?? '').startsWith(ROLE_MARKER);
  };
  for (const step of section.steps) {
    if (step.kind === 'schema') {
      const owners =
        await sql`select 'schema' as what, n.nspname as name, pg_get_userbyid(n.nspowner) as owner from pg_namespace n where n.nspname = ${step.schema}
        union all select 'table', n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${step.schema} and c.relkind in ('r', 'p', 'v', 'm', 'f')`;
      for (const o of owners) {
        if (o.owner !== step.role && (await foreign(o.owner)))
          problems.push(
            `${o.what} "${o.name}" (service ${step.service}) is owned by "${o.owner}", another service's role`,
          );
      }
    } else if (step.kind === 'create-database') {
      const [row] =
        await sql`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${step.database}`;
      if (row && row.owner !== step.owner && (await foreign(row.owner)))
        problems.push(`database "${step.database}" is owned by "${row.owner}", another service's role`);
    }
  }
  return problems;
}

export interface ReadGrantResult {
  granted: ReadGrant[];
  /** tables that do not exist yet (grant again after `migrate`) */
  missing: ReadGrant[];
}

/** Grants each declared read whose table exists (call after migrations ran). */
export async function applyReadGrants(reads: ReadGrant[], opts: ApplyOptions = {}): Promise<ReadGrantResult> {
  const result: ReadGrantResult = { granted: [], missing: [] };
  const byUrl = new Map<string, ReadGrant[]>();
  for (const g of reads) byUrl.set(g.url, [...(byUrl.get(g.url) ?? []), g]);
  for (const [url, grants] of byUrl) {
    const sql = await connect(url, { waitMs: opts.waitMs });
    try {
      for (const g of grants) {
        const [row] = await sql`select to_regclass(${`${ident(g.schema)}.${ident(g.table)}`}) is not null as present`;
        if (!row.present) {
          result.missing.push(g);
          continue;
        }
        for (const text of readGrantSql(g)) await run(sql, { url, database: g.database, steps: [] }, text);
        result.granted.push(g);
        opts.log?.(`${g.reader} may read ${g.owner}'s ${g.schema}.${g.table}`);
      }
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
  return result;
}

/** `shown`: how the statement appears in an error (never a password or its verifier). */
async function run(sql: Sql, section: Section, text: string, shown = text.split('\n')[0]): Promise<void> {
  try {
    await sql.unsafe(text);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new OperationError(
      `provisioning ${endpointOf(section.url).label} failed: ${redact(e.message ?? String(err))}${e.code ? ` (SQLSTATE ${e.code})` : ''}`,
      {
        hint: `statement: ${redact(shown)}; the admin URL's user needs CREATEROLE and CREATEDB (or superuser); svcdb up --no-provision skips provisioning`,
      },
    );
  }
}

/** psql variable holding a role's password in the printed script (never the password itself). */
export function passwordVariable(role: string): string {
  return `${role}_password`;
}

/** The plan as a psql script for a DBA: passwords come from `psql -v <role>_password=...`. */
export function renderProvisionScript(
  plan: ProvisionPlan,
  profile: string,
  opts: { adoptRoles?: boolean } = {},
): string {
  const roles = Object.values(plan.credentials).map((c) => c.role);
  const out: string[] = [
    `-- svcdb provision, profile "${profile}": run with psql as a role with CREATEROLE and CREATEDB, e.g.`,
    `--   psql "$ADMIN_URL" ${roles.map((r) => `-v ${passwordVariable(r)}=...`).join(' ')} -f provision.sql`,
    '\\set ON_ERROR_STOP on',
  ];
  // One server: plain `\connect db`. Several (isolated URLs): name each host, keeping the user.
  const hosts = new Set(plan.sections.map((s) => parsePgUrl(s.url).hosts));
  const connectTo = (url: string, database: string) => {
    if (hosts.size < 2) return `\\connect ${psqlArg(database)}`;
    const [host, port] = parsePgUrl(url)
      .hosts.split(',')[0]
      .split(/:(?=\d+$)/);
    return `\\connect ${psqlArg(database)} - ${psqlArg(host)} ${psqlArg(port ?? '5432')}`;
  };
  // First, on every server, the refusals `provision` makes before it changes anything.
  const guarded = plan.sections.filter((section) => section.steps.some((step) => step.kind === 'role'));
  if (guarded.length) out.push('', '-- roles svcdb must not take over: stop here, before any change');
  for (const section of guarded) {
    out.push(connectTo(section.url, section.database));
    for (const step of section.steps)
      if (step.kind === 'role') out.push(`${roleGuardSql(step.role, step.service, opts.adoptRoles ?? false)};`);
  }
  for (const section of plan.sections) {
    out.push('', connectTo(section.url, section.database));
    for (const step of section.steps) {
      if (step.kind === 'role')
        out.push(
          ...[...roleSql(step.role, step.service), passwordSql(step.role, `:'${passwordVariable(step.role)}'`)].map(
            (s) => `${s};`,
          ),
        );
      else if (step.kind === 'schema') out.push(`${schemaSql(step.schema, step.role)};`);
      else if (step.kind === 'extension') out.push(`${extensionSql(step.name)};`);
      else if (step.kind === 'create-database') {
        out.push(
          // format()'s %I quotes the names on the server: an identifier pasted into the literal
          // would end it at its first quote.
          `select format('create database %I owner %I', ${literal(step.database)}, ${literal(step.owner)}) where not exists (select 1 from pg_database where datname = ${literal(step.database)})\\gexec`,
        );
      } else out.push(`${step.sql};`);
    }
  }
  if (plan.reads.length) {
    out.push('', "-- declared reads: run after the owners' migrations created these tables");
    let current = '';
    for (const g of plan.reads) {
      if (`${g.url}` !== current) out.push(connectTo((current = g.url), g.database));
      out.push(...readGrantSql(g).map((s) => `${s};`));
    }
  }
  return `${out.join('\n')}\n`;
}

/** An argument of a psql meta-command (`\connect`): single-quoted unless plain; psql reads two quotes as one and a backslash as an escape. */
function psqlArg(value: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
