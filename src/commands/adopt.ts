// `svcdb adopt <service> --from goose|dbmate|golang-migrate|flyway|prisma|drizzle|atlas [--table]`: takes over another
// tool's history. The files that tool recorded as applied are recorded in svcdb's history
// with their current checksums; nothing runs. The other tool's table is left untouched.
import { endpointOf } from '../core/url.js';
import { UserError } from '../core/errors.js';
import { computePlan, recorded } from '../core/plan.js';
import { FOREIGN_TOOLS, type ForeignTool, type Migration } from '../core/types.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';

export type AdoptSource = ForeignTool;

export interface AdoptOptions extends CommandOptions {
  service: string;
  from: AdoptSource;
  /** the tool's history table, `[schema.]name` (default: the tool's default name) */
  table?: string;
  lockTimeoutMs?: number;
  waitMs?: number;
}

export interface AdoptResult {
  service: string;
  target: string;
  from: AdoptSource;
  table: string;
  /** newly recorded as applied */
  recorded: string[];
  /** already in svcdb's history */
  alreadyRecorded: string[];
  /** versions the tool applied that have no file here */
  unknownVersions: string[];
  /** files the tool had not applied: still pending */
  pending: string[];
}

export async function adopt(opts: AdoptOptions): Promise<AdoptResult> {
  if (!(FOREIGN_TOOLS as readonly string[]).includes(opts.from)) {
    throw new UserError(`--from ${opts.from}: unknown tool`, { hint: `use one of: ${FOREIGN_TOOLS.join(', ')}` });
  }
  const ctx = await loadContext({ ...opts, pick: { names: [opts.service], all: false } });
  const [service] = pickServices(ctx, [opts.service], false);
  const target = ctx.targetOf(service);
  const { openWriter } = await import('../db/session.js');
  const { insertRows, tableColumns } = await import('../db/history.js');
  const { ident } = await import('../db/connect.js');
  const { appliedByTool, DEFAULT_TABLE } = await import('../db/foreign-history.js');
  const session = await openWriter(service, target, { waitMs: opts.waitMs, lockTimeoutMs: opts.lockTimeoutMs });
  try {
    const [schema, table] = splitTable(opts.table ?? DEFAULT_TABLE[opts.from], session.history.schema);
    if (schema === session.history.schema && table === session.history.table) {
      throw new UserError(`${table} is svcdb's own history table for ${service.name}`, {
        hint: "name the other tool's table with --table",
      });
    }
    if (!(await tableColumns(session.sql, schema, table))) {
      throw new UserError(`no table ${schema}.${table} in ${endpointOf(target.url).label}`, {
        hint: `name ${opts.from}'s history table with --table`,
      });
    }
    const { applied, unknown } = await appliedByTool(
      session.sql,
      opts.from,
      `${ident(schema)}.${ident(table)}`,
      service.migrations,
    );
    // The same plan migrate would compute: a file counts as recorded by its version.
    const plan = computePlan(service.name, service.migrations, session.rows);
    const alreadyRecorded = new Set(recorded(plan).map((a) => a.migration));
    const result: AdoptResult = {
      service: service.name,
      target: endpointOf(target.url).label,
      from: opts.from,
      table: `${schema}.${table}`,
      recorded: [],
      alreadyRecorded: [],
      unknownVersions: unknown,
      pending: [],
    };
    const toRecord: Migration[] = [];
    for (const m of applied) {
      if (alreadyRecorded.has(m)) result.alreadyRecorded.push(m.id);
      else toRecord.push(m);
    }
    await insertRows(
      session.sql,
      session.history,
      toRecord.map((m) => ({ id: m.id, checksum: m.checksum })),
    );
    result.recorded = toRecord.map((m) => m.id);
    const nowRecorded = new Set(toRecord);
    result.pending = plan.pending.filter((m) => !nowRecorded.has(m)).map((m) => m.id);
    return result;
  } finally {
    await session.close().catch(() => {});
  }
}

function splitTable(name: string, defaultSchema: string): [string, string] {
  const dot = name.indexOf('.');
  return dot === -1 ? [defaultSchema, name] : [name.slice(0, dot), name.slice(dot + 1)];
}
