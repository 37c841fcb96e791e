import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCredentials, withDatabase, withSearchPath } from '../../src/core/url.js';
import { destroyEmbedded, ensureEmbedded } from '../../src/db/embedded.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase, urlFor } from '../helpers/db.js';
import { attempt, dropRoles, readJson, removeProject, tempProject, uniquePrefix } from './helpers.js';

type Credentials = { profiles: Record<string, Record<string, { role: string; password: string }>> };

const DENIED = '42501'; // insufficient_privilege

describe('provision under a schema profile', () => {
  let db: TestDatabase;
  let root: string;
  let prefix: string;
  let env: Record<string, string>;
  let creds: Record<string, { role: string; password: string }>;
  const as = (service: string) => {
    const c = creds[service];
    const schema = service === 'query' ? 'eventhandler' : service;
    return withSearchPath(withCredentials(db.url, c.role, c.password), schema);
  };

  beforeAll(async () => {
    db = await createTestDatabase('provision');
    root = tempProject({}, 'mini');
    prefix = uniquePrefix('p');
    env = { TEST_BASE_URL: db.url };
    const first = await runCli(['provision', '--profile', 'schemas', '--role-prefix', prefix, '--cwd', root], { env });
    expect(first.stderr).toContain('passwords kept in');
    expect(first.exitCode).toBe(0);
    const migrated = await runCli(['migrate', '--all', '--profile', 'schemas', '--cwd', root], { env });
    expect(migrated.exitCode, migrated.stderr).toBe(0);
    // Again after migrate: idempotent, and now the declared read's table exists to be granted.
    const second = await runCli(['provision', '--profile', 'schemas', '--cwd', root], { env });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/query\s+\S+query\s+.*eventhandler\.projections$/m);
    creds = readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.schemas;
  });

  afterAll(async () => {
    await db.drop();
    await dropRoles(
      serverUrl(),
      ['eventhandler', 'ingestion', 'query'].map((s) => `${prefix}${s}`),
    );
    removeProject(root);
  });

  it('keeps one role per service with a generated password in a 0600 credentials file', () => {
    expect(Object.keys(creds).sort()).toEqual(['eventhandler', 'ingestion', 'query']);
    expect(creds.ingestion.role).toBe(`${prefix}ingestion`);
    expect(creds.ingestion.password.length).toBeGreaterThanOrEqual(20);
    expect(fs.statSync(path.join(root, '.svcdb/credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('migrations ran as the service roles: each owns its tables', async () => {
    const rows =
      await db.sql`select schemaname, tablename, tableowner from pg_tables where schemaname in ('ingestion', 'eventhandler') order by 1, 2`;
    for (const row of rows) expect(row.tableowner).toBe(`${prefix}${row.schemaname}`);
    expect(rows.map((r) => `${r.schemaname}.${r.tablename}`)).toContain('eventhandler.projections');
  });

  it("a service's role is refused another service's table, for read and for write", async () => {
    expect(await attempt(as('ingestion'), 'select * from ingestion.outbox')).toBe('ok');
    expect(await attempt(as('ingestion'), 'select * from eventhandler.projections')).toBe(DENIED);
    expect(await attempt(as('ingestion'), "insert into eventhandler.dlq (reason) values ('x')")).toBe(DENIED);
    expect(await attempt(as('eventhandler'), 'select * from ingestion.dlq')).toBe(DENIED);
  });

  it("a service's role is refused creating anything in another service's schema", async () => {
    expect(await attempt(as('ingestion'), 'create table eventhandler.intruder (id int)')).toBe(DENIED);
    expect(await attempt(as('ingestion'), 'create index on eventhandler.projections (state)')).toBe(DENIED);
    expect(await attempt(as('ingestion'), 'create table public.loose (id int)')).toBe(DENIED);
    expect(await attempt(as('ingestion'), 'create table ingestion.mine (id int)')).toBe('ok');
  });

  it("query's role reads eventhandler's projections and nothing else", async () => {
    expect(await attempt(as('query'), 'select * from eventhandler.projections')).toBe('ok');
    expect(await attempt(as('query'), "insert into eventhandler.projections values ('t', 'a', '{}')")).toBe(DENIED);
    expect(await attempt(as('query'), 'select * from eventhandler.dlq')).toBe(DENIED);
    expect(await attempt(as('query'), 'select * from ingestion.outbox')).toBe(DENIED);
    expect(await attempt(as('query'), 'create table eventhandler.q (id int)')).toBe(DENIED);
  });

  it('running it again keeps the passwords', async () => {
    const again = await runCli(['provision', '--profile', 'schemas', '--cwd', root], { env });
    expect(again.exitCode).toBe(0);
    expect(readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.schemas).toEqual(creds);
  });

  it('--print writes a psql script with no password in it and changes nothing', async () => {
    const res = await runCli(['provision', '--profile', 'schemas', '--print', '--cwd', root], { env });
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain(`create role "${prefix}ingestion" login`);
    expect(res.stdout).toContain(`password :'${prefix}ingestion_password'`);
    expect(res.stdout).toContain('grant select on "eventhandler"."projections"');
    for (const c of Object.values(creds)) expect(res.stdout + res.stderr).not.toContain(c.password);
  });

  it('services then get URLs carrying their own role (svcdb run)', async () => {
    const res = await runCli(
      [
        'run',
        'ingestion',
        '--profile',
        'schemas',
        '--cwd',
        root,
        '--',
        process.execPath,
        '-e',
        'const u = new URL(process.env.INGESTION_DATABASE_URL); console.log(u.username)',
      ],
      { env },
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout.trim()).toBe(`${prefix}ingestion`);
  });

  it('credentials made on one database are not applied when the profile points at another', async () => {
    const other = await createTestDatabase('provision_other');
    try {
      const res = await runCli(
        [
          'run',
          'ingestion',
          '--profile',
          'schemas',
          '--cwd',
          root,
          '--',
          process.execPath,
          '-e',
          'const u = new URL(process.env.INGESTION_DATABASE_URL); console.log(u.username, u.pathname)',
        ],
        { env: { TEST_BASE_URL: other.url } },
      );
      expect(res.exitCode, res.stderr).toBe(0);
      expect(res.stdout.trim()).toBe(`${new URL(other.url).username} /${other.name}`);
    } finally {
      await other.drop();
    }
  });
});

describe('provision under a database profile', () => {
  // CREATE DATABASE names are cluster-global: a private embedded server keeps them apart.
  let root: string;
  let base: string;
  let creds: Record<string, { role: string; password: string }>;
  beforeAll(async () => {
    root = tempProject({}, 'mini');
    base = await ensureEmbedded(root);
    const env = { TEST_BASE_URL: base };
    const res = await runCli(['provision', '--profile', 'databases', '--cwd', root], { env });
    expect(res.exitCode, res.stderr).toBe(0);
    const migrated = await runCli(['migrate', '--all', '--profile', 'databases', '--cwd', root], { env });
    expect(migrated.exitCode, migrated.stderr).toBe(0);
    expect((await runCli(['provision', '--profile', 'databases', '--cwd', root], { env })).exitCode).toBe(0);
    creds = readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.databases;
  });
  afterAll(async () => {
    await destroyEmbedded(root);
    removeProject(root);
  });

  const as = (service: string, database: string) =>
    withDatabase(withCredentials(base, creds[service].role, creds[service].password), database);

  it('gives each service its own database that the other roles cannot even connect to', async () => {
    expect(await attempt(as('ingestion', 'ingestion'), 'select * from outbox')).toBe('ok');
    expect(await attempt(as('ingestion', 'eventhandler'), 'select 1')).toBe(DENIED);
    expect(await attempt(as('eventhandler', 'ingestion'), 'select 1')).toBe(DENIED);
  });

  it("query's role connects to eventhandler's database and reads projections only", async () => {
    expect(await attempt(as('query', 'eventhandler'), 'select * from projections')).toBe('ok');
    expect(await attempt(as('query', 'eventhandler'), 'select * from dlq')).toBe(DENIED);
    expect(await attempt(as('query', 'eventhandler'), 'create table q (id int)')).toBe(DENIED);
    expect(await attempt(as('query', 'ingestion'), 'select 1')).toBe(DENIED);
  });
});

// The script is for psql: where it is missing (a machine with only the embedded server) there is nothing to run it with.
const hasPsql = spawnSync('psql', ['--version']).status === 0;

describe('the --print script for an isolated profile, run with psql', () => {
  it.skipIf(!hasPsql)('creates and connects to a database whose name needs quoting, owned by the role', async () => {
    const prefix = uniquePrefix('q');
    const database = `o'brien_${prefix}`;
    const role = `${prefix}orders`;
    const root = tempProject({ 'internal/orders/migrations/001_orders.sql': 'CREATE TABLE orders (id int);\n' });
    const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
    try {
      const printed = await runCli(
        ['provision', '--profile', 'prod', '--print', '--role-prefix', prefix, '--cwd', root],
        {
          env: { ORDERS_DATABASE_URL: urlFor(database) },
        },
      );
      expect(printed.exitCode, printed.stderr).toBe(0);
      const script = path.join(root, 'provision.sql');
      fs.writeFileSync(script, printed.stdout);
      const run = spawnSync('psql', [serverUrl(), '-X', '-q', '-v', `${role}_password='x'`, '-f', script], {
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const [db] = await admin`select pg_get_userbyid(datdba) as owner from pg_database where datname = ${database}`;
      expect(db).toEqual({ owner: role });
      // the script went on into that database: its public schema is the service role's
      const inside = postgres(urlFor(database), { max: 1, onnotice: () => {} });
      try {
        const [ns] = await inside`select pg_get_userbyid(nspowner) as owner from pg_namespace where nspname = 'public'`;
        expect(ns).toEqual({ owner: role });
      } finally {
        await inside.end();
      }
    } finally {
      await admin.unsafe(`drop database if exists "${database.replace(/"/g, '""')}" with (force)`);
      await admin.end();
      await dropRoles(serverUrl(), [role]);
      removeProject(root);
    }
  });
});
