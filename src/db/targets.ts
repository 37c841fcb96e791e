// Reaching a service's target, creating its database or schema when `migrate` needs them.
import { OperationError } from '../core/errors.js';
import { redact } from '../core/redact.js';
import type { Target } from '../core/types.js';
import { withDatabase } from '../core/url.js';
import { connect, connectFailure, ident, type Sql } from './connect.js';

export interface OpenOptions {
  waitMs?: number;
  onNotice?: (message: string) => void;
}

function isMissingDatabase(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } }).cause;
  return (err as { code?: string }).code === '3D000' || cause?.code === '3D000';
}

/**
 * Connects to the target's database; with `create`, a missing database is created first
 * (as dbmate does). Without `create`, a missing database returns null (plan: read-only).
 */
export async function openTarget(target: Target, opts: OpenOptions & { create: boolean }): Promise<Sql | null> {
  try {
    return await connectRaw(target.url, opts);
  } catch (err) {
    if (!isMissingDatabase(err)) throw wrap(target.url, err);
    if (!opts.create) return null;
  }
  await createDatabase(target, opts);
  try {
    return await connectRaw(target.url, opts);
  } catch (err) {
    throw wrap(target.url, err);
  }
}

/** connect() turns refusals into UserErrors carrying the server's error as `cause`. */
function connectRaw(url: string, opts: OpenOptions): Promise<Sql> {
  return connect(url, { waitMs: opts.waitMs, onNotice: opts.onNotice });
}

function wrap(url: string, err: unknown): Error {
  if (err instanceof Error && (err.name === 'UserError' || err.name === 'OperationError')) return err;
  return connectFailure(url, err);
}

async function createDatabase(target: Target, opts: OpenOptions): Promise<void> {
  let admin: Sql | undefined;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      admin = await connect(withDatabase(target.url, maintenance), { waitMs: opts.waitMs });
      break;
    } catch (err) {
      if (!isMissingDatabase(err)) throw err;
    }
  }
  if (!admin)
    throw new OperationError(`cannot create database ${target.database}: no maintenance database on the server`);
  try {
    await admin.unsafe(`create database ${ident(target.database)}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Another run created it between our check and our CREATE: that is what we wanted.
    if (code !== '42P04' && code !== '23505') {
      throw new OperationError(
        `${target.service}: cannot create database ${target.database}: ${redact((err as Error).message)}`,
        {
          hint: 'create it by hand or run svcdb provision with a role allowed to CREATE DATABASE',
        },
      );
    }
  } finally {
    await admin.end({ timeout: 1 });
  }
}

export async function ensureSchema(sql: Sql, schema: string): Promise<void> {
  // A provisioned role may not create schemas (PostgreSQL checks that before IF NOT EXISTS):
  // its schema exists already, made by provision.
  const [found] = await sql`select 1 as present from pg_namespace where nspname = ${schema}`;
  if (found) return;
  try {
    await sql.unsafe(`create schema if not exists ${ident(schema)}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P06' && code !== '23505') throw err;
  }
}
