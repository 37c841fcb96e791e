// `svcdb adopt <service> --from goose|dbmate|golang-migrate [--table]`: takes over another
// tool's history. The files that tool recorded as applied are recorded in svcdb's history
// with their current checksums; nothing runs. The other tool's table is left untouched.
import { endpointOf } from '../core/url.js';
import { OperationError, UserError } from '../core/errors.js';
import { computePlan, recorded } from '../core/plan.js';
import type { Migration } from '../core/types.js';
import type { Sql } from '../db/connect.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';

export type AdoptSource = 'goose' | 'dbmate' | 'golang-migrate';

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

const DEFAULT_TABLE: Record<AdoptSource, string> = {
  goose: 'goose_db_version',
  dbmate: 'schema_migrations',
  'golang-migrate': 'schema_migrations',
};

export async function adopt(opts: AdoptOptions): Promise<AdoptResult> {
  if (!(opts.from in DEFAULT_TABLE)) {
    throw new UserError(`--from ${opts.from}: unknown tool`, { hint: 'use goose, dbmate or golang-migrate' });
  }
  const ctx = await loadContext(opts);
  const [service] = pickServices(ctx, [opts.service], false);
  const target = ctx.targetOf(service);
  const { openWriter } = await import('../db/session.js');
  const { insertRows, tableColumns } = await import('../db/history.js');
  const { ident } = await import('../db/connect.js');
  const session = await openWriter(service, target, { waitMs: opts.waitMs, lockTimeoutMs: opts.lockTimeoutMs });
  try {
    const [schema, table] = splitTable(opts.table ?? DEFAULT_TABLE[opts.from], session.history.schema);
    if (schema === session.history.schema && table === session.history.table) {
      throw new UserError(`${table} is svcdb's own history table for ${service.name}`, { hint: 'name the other tool\'s table with --table' });
    }
    if (!(await tableColumns(session.sql, schema, table))) {
      throw new UserError(`no table ${schema}.${table} in ${endpointOf(target.url).label}`, { hint: `name ${opts.from}'s history table with --table` });
    }
    const versions = await appliedVersions(session.sql, opts.from, `${ident(schema)}.${ident(table)}`, service.migrations);
    // The same plan migrate would compute: a file counts as recorded by its version.
    const plan = computePlan(service.name, service.migrations, session.rows);
    const alreadyRecorded = new Set(recorded(plan).map((a) => a.migration));
    const byVersion = new Map(service.migrations.map((m) => [BigInt(m.version).toString(), m]));
    const result: AdoptResult = {
      service: service.name, target: endpointOf(target.url).label, from: opts.from, table: `${schema}.${table}`,
      recorded: [], alreadyRecorded: [], unknownVersions: [], pending: [],
    };
    const toRecord: Migration[] = [];
    for (const v of versions) {
      const m = byVersion.get(v);
      if (!m) result.unknownVersions.push(v);
      else if (alreadyRecorded.has(m)) result.alreadyRecorded.push(m.id);
      else toRecord.push(m);
    }
    await insertRows(session.sql, session.history, toRecord.map((m) => ({ id: m.id, checksum: m.checksum })));
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

/** Versions (as canonical integers) the tool considers applied. */
async function appliedVersions(sql: Sql, from: AdoptSource, table: string, files: Migration[]): Promise<string[]> {
  if (from === 'goose') {
    // goose appends a row per up/down; the latest row for a version says whether it is applied.
    const rows = await sql.unsafe(`select version_id::text as v, is_applied from ${table} order by id`);
    const state = new Map<string, boolean>();
    for (const r of rows) state.set(BigInt(r.v as string).toString(), Boolean(r.is_applied));
    return [...state.entries()].filter(([v, applied]) => applied && v !== '0').map(([v]) => v);
  }
  if (from === 'dbmate') {
    const rows = await sql.unsafe(`select version::text as v from ${table}`);
    return rows.map((r) => r.v as string).filter((v) => /^\d+$/.test(v)).map((v) => BigInt(v).toString());
  }
  // golang-migrate keeps one row: everything up to that version is applied, unless dirty.
  const rows = await sql.unsafe(`select version::text as v, dirty from ${table} order by version desc limit 1`);
  if (!rows.length) return [];
  const top = BigInt(rows[0].v as string);
  if (rows[0].dirty) {
    throw new OperationError(`golang-migrate left version ${top} dirty in ${table}: it failed part-way`, {
      hint: 'fix the database by hand and clear the flag (migrate force <version>) before adopting',
    });
  }
  return files.map((m) => BigInt(m.version)).filter((v) => v <= top).map((v) => v.toString());
}
