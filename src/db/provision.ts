// Runs a provisioning plan against the server(s), or renders it as a psql script (--print).
import { OperationError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import { endpointOf, parsePgUrl } from '../core/url.js';
import { connect, ident, literal, type Sql } from './connect.js';
import { type ProvisionPlan, type ReadGrant, type Section, readGrantSql, roleSql } from './provision-sql.js';

export * from './provision-sql.js';

export interface ApplyOptions {
  waitMs?: number;
  log?: (line: string) => void;
}

/** Executes every section; each statement is idempotent, so running twice changes nothing. */
export async function applyProvision(plan: ProvisionPlan, opts: ApplyOptions = {}): Promise<void> {
  for (const section of plan.sections) {
    const sql = await connect(section.url, { waitMs: opts.waitMs });
    try {
      for (const step of section.steps) {
        if (step.kind === 'role') {
          for (const text of roleSql(step.role, literal(step.password))) await run(sql, section, text);
          opts.log?.(`role ${step.role} for ${step.service}`);
        } else if (step.kind === 'create-database') {
          const found = await sql`select 1 from pg_database where datname = ${step.database}`;
          if (!found.length) {
            await run(sql, section, `create database ${ident(step.database)} owner ${ident(step.owner)}`).catch((err: { message?: string }) => {
              if (!/already exists/.test(String(err.message))) throw err;
            });
            opts.log?.(`database ${step.database}`);
          }
        } else {
          await run(sql, section, step.sql);
        }
      }
    } finally {
      await sql.end({ timeout: 2 });
    }
  }
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

async function run(sql: Sql, section: Section, text: string): Promise<void> {
  try {
    await sql.unsafe(text);
  } catch (err) {
    const e = err as { message?: string; code?: string };
    throw new OperationError(`provisioning ${endpointOf(section.url).label} failed: ${redact(e.message ?? String(err))}${e.code ? ` (SQLSTATE ${e.code})` : ''}`, {
      hint: `statement: ${redact(text.split('\n')[0])}; the admin URL's user needs CREATEROLE and CREATEDB (or superuser); svcdb up --no-provision skips provisioning`,
    });
  }
}

/** psql variable holding a role's password in the printed script (never the password itself). */
export function passwordVariable(role: string): string {
  return `${role}_password`;
}

/** The plan as a psql script for a DBA: passwords come from `psql -v <role>_password=...`. */
export function renderProvisionScript(plan: ProvisionPlan, profile: string): string {
  const roles = Object.values(plan.credentials).map((c) => c.role);
  const out: string[] = [
    `-- svcdb provision, profile "${profile}": run with psql as a role with CREATEROLE and CREATEDB, e.g.`,
    `--   psql "$ADMIN_URL" ${roles.map((r) => `-v ${passwordVariable(r)}=...`).join(' ')} -f provision.sql`,
    '\\set ON_ERROR_STOP on',
  ];
  // One server: plain `\connect db`. Several (isolated URLs): name each host, keeping the user.
  const hosts = new Set(plan.sections.map((s) => parsePgUrl(s.url).hosts));
  const connectTo = (url: string, database: string) => {
    if (hosts.size < 2) return `\\connect ${database}`;
    const [host, port] = parsePgUrl(url).hosts.split(',')[0].split(/:(?=\d+$)/);
    return `\\connect ${database} - ${host} ${port ?? '5432'}`;
  };
  for (const section of plan.sections) {
    out.push('', connectTo(section.url, section.database));
    for (const step of section.steps) {
      if (step.kind === 'role') out.push(...roleSql(step.role, `:'${passwordVariable(step.role)}'`).map((s) => `${s};`));
      else if (step.kind === 'create-database') {
        out.push(`select 'create database ${ident(step.database)} owner ${ident(step.owner)}' where not exists (select 1 from pg_database where datname = ${literal(step.database)})\\gexec`);
      } else out.push(`${step.sql};`);
    }
  }
  if (plan.reads.length) {
    out.push('', '-- declared reads: run after the owners\' migrations created these tables');
    let current = '';
    for (const g of plan.reads) {
      if (`${g.url}` !== current) out.push(connectTo((current = g.url), g.database));
      out.push(...readGrantSql(g).map((s) => `${s};`));
    }
  }
  return `${out.join('\n')}\n`;
}
