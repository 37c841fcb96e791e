// Service names PostgreSQL would refuse or truncate, names that would merge two services, and
// names a repository already uses (issue 10 r07, issue 11 items 4 and 7).
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, dropDatabase, serverUrl, urlFor, type TestDatabase } from '../helpers/db.js';
import { dropRoles, readJson, removeProject, tempProject, uniquePrefix } from './helpers.js';

type Credentials = { profiles: Record<string, Record<string, { role: string }>> };

const LONG = `${'inventory_reconciliation_'.repeat(2)}and_reporting_svc_v2`; // 70 characters
const LONG2 = `${LONG.slice(0, 66)}_v3`;
const TABLE = (name: string) =>
  `-- migrate:up\nCREATE TABLE ${name} (id bigserial PRIMARY KEY, payload jsonb);\n-- migrate:down\nDROP TABLE ${name};\n`;
const schemaProfile = 'profiles:\n  cloud: { strategy: schema, url: "${TEST_BASE_URL}" }\n';

describe('names PostgreSQL would refuse or truncate', () => {
  let db: TestDatabase;
  let root: string;
  let prefix: string;
  const env = () => ({ TEST_BASE_URL: db.url });
  beforeAll(async () => {
    db = await createTestDatabase('names');
    prefix = uniquePrefix('n');
    root = tempProject({
      'svcdb.config.yaml': schemaProfile,
      'internal/pg_queue/migrations/001_jobs.sql': TABLE('jobs'),
      'internal/Orders/migrations/001_orders.sql': TABLE('orders'),
      [`internal/${LONG}/migrations/001_runs.sql`]: TABLE('dlq'),
      [`internal/${LONG2}/migrations/001_runs.sql`]: TABLE('dlq'),
    });
  });
  afterAll(async () => {
    await db.drop();
    const creds = readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.cloud;
    await dropRoles(
      serverUrl(),
      Object.values(creds).map((c) => c.role),
    );
    removeProject(root);
  });

  it('pg_queue, Orders and 70-character names get valid, distinct schemas and roles, shown by services', async () => {
    expect(LONG).toHaveLength(70);
    const provisioned = await runCli(['provision', '--profile', 'cloud', '--role-prefix', prefix, '--cwd', root], {
      env: env(),
    });
    expect(provisioned.exitCode, provisioned.stderr).toBe(0);
    const migrated = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], { env: env() });
    expect(migrated.exitCode, migrated.stderr).toBe(0);
    const tables =
      await db.sql`select schemaname, tablename, tableowner from pg_tables where tablename in ('jobs', 'orders', 'dlq') order by 1`;
    const schemas = tables.map((t) => t.schemaname);
    expect(schemas).toContain('s_pg_queue');
    expect(schemas).toContain('orders');
    const long = schemas.filter((s) => s.startsWith('inventory_'));
    expect(long).toHaveLength(2);
    for (const s of long) expect(s).toMatch(/^[a-z0-9_]{54}_[0-9a-f]{8}$/);
    const owners = new Set(tables.map((t) => t.tableowner));
    expect(owners.size).toBe(4);
    for (const o of owners) expect(Buffer.byteLength(o)).toBeLessThanOrEqual(63);
    const services = await runCli(['services', '--json', '--profile', 'cloud', '--cwd', root], { env: env() });
    const report = JSON.parse(services.stdout) as { services: Array<{ name: string; url: string }> };
    expect(report.services.find((s) => s.name === 'pg_queue')?.url).toContain('search_path%3Ds_pg_queue,public');
    expect(report.services.find((s) => s.name === 'Orders')?.url).toContain('search_path%3Dorders,public');
  });
});

describe('names that would merge two services', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('names_clash');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('tsdb-v2 and tsdb_v2 are exit 2 naming both, before anything is written', async () => {
    const prefix = uniquePrefix('c');
    const root = tempProject({
      'svcdb.config.yaml': schemaProfile,
      'internal/tsdb-v2/migrations/001_a.sql': TABLE('points'),
      'internal/tsdb_v2/migrations/001_a.sql': TABLE('samples'),
    });
    try {
      for (const args of [
        ['provision', '--role-prefix', prefix],
        ['migrate', '--all'],
      ]) {
        const res = await runCli([...args, '--profile', 'cloud', '--cwd', root], { env: { TEST_BASE_URL: db.url } });
        expect(res.exitCode).toBe(2);
        expect(res.stderr).toContain(
          'services "tsdb-v2" and "tsdb_v2" map to one environment variable "TSDB_V2_DATABASE_URL"',
        );
      }
      expect(await db.sql`select 1 from pg_roles where rolname like ${`${prefix}%`}`).toHaveLength(0);
      expect(await db.sql`select 1 from pg_namespace where nspname like 'tsdb%'`).toHaveLength(0);
    } finally {
      removeProject(root);
    }
  });

  it('a schema named in config for two services is exit 2', async () => {
    const root = tempProject({
      'svcdb.config.yaml': `${schemaProfile}services:\n  billing: { schema: money }\n  ledger: { schema: money }\n`,
      'internal/billing/migrations/001_a.sql': TABLE('invoices'),
      'internal/ledger/migrations/001_a.sql': TABLE('entries'),
    });
    try {
      const res = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toContain('services "billing" and "ledger" map to one schema "money"');
      expect(await db.sql`select 1 from pg_namespace where nspname = 'money'`).toHaveLength(0);
    } finally {
      removeProject(root);
    }
  });

  it('a 63-character --role-prefix (every role the same) is exit 2, nothing created', async () => {
    const prefix = `t${'x'.repeat(61)}_`;
    const root = tempProject({
      'svcdb.config.yaml': schemaProfile,
      'internal/alpha/migrations/001_a.sql': TABLE('a'),
      'internal/beta/migrations/001_a.sql': TABLE('b'),
    });
    try {
      const res = await runCli(['provision', '--role-prefix', prefix, '--profile', 'cloud', '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toContain('at most 40 characters');
      expect(await db.sql`select 1 from pg_roles where rolname like 'txxxx%'`).toHaveLength(0);
      expect(await db.sql`select 1 from pg_namespace where nspname in ('alpha', 'beta')`).toHaveLength(0);
    } finally {
      removeProject(root);
    }
  });
});

describe('names the repository already uses', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('names_cfg');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('a schemaName "{service}_schema" profile applies migrations that qualify their tables with it', async () => {
    const root = tempProject({
      'svcdb.config.yaml':
        'profiles:\n  cloud: { strategy: schema, url: "${TEST_BASE_URL}", schemaName: "{service}_schema" }\n',
      'internal/billing/migrations/001_invoices.sql':
        'CREATE TABLE "billing_schema"."invoices" (id bigserial PRIMARY KEY);\nCREATE INDEX ON billing_schema.invoices (id);\n',
      'internal/users/migrations/001_users.sql':
        'CREATE TABLE users_schema.accounts (id bigserial PRIMARY KEY);\nINSERT INTO accounts DEFAULT VALUES;\n',
    });
    try {
      const res = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode, res.stderr).toBe(0);
      const rows =
        await db.sql`select table_schema, table_name from information_schema.tables where table_name in ('invoices', 'accounts') order by 1`;
      expect(rows.map((r) => `${r.table_schema}.${r.table_name}`)).toEqual([
        'billing_schema.invoices',
        'users_schema.accounts',
      ]);
      expect((await db.sql`select count(*)::int as n from users_schema.accounts`)[0].n).toBe(1);
    } finally {
      removeProject(root);
    }
  });

  it('a database named in config (services.users.database) is the one created and used', async () => {
    const name = `pushpost_users_${Math.random().toString(36).slice(2, 8)}`;
    const root = tempProject({
      'svcdb.config.yaml': `profiles:\n  staging: { strategy: database, url: "${db.url}" }\nservices:\n  users: { database: ${name} }\n`,
      'internal/users/migrations/001_users.sql': TABLE('accounts'),
    });
    try {
      const res = await runCli(['migrate', 'users', '--profile', 'staging', '--cwd', root]);
      expect(res.exitCode, res.stderr).toBe(0);
      expect(await db.sql`select 1 from pg_database where datname = 'users'`).toHaveLength(0);
      const sql = postgres(urlFor(name), { max: 1, onnotice: () => {} });
      try {
        expect(await sql`select 1 from pg_tables where tablename = 'accounts'`).toHaveLength(1);
      } finally {
        await sql.end();
      }
      const env = await runCli(['env', 'staging', '--cwd', root]);
      expect(env.stdout).toContain(`/${name}`);
    } finally {
      await dropDatabase(name);
      removeProject(root);
    }
  });

  it('an invalid name in config is exit 2 naming the key', async () => {
    const root = tempProject({
      'svcdb.config.yaml': `${schemaProfile}services:\n  users: { schema: pg_users }\n`,
      'internal/users/migrations/001_users.sql': TABLE('accounts'),
    });
    try {
      const res = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toContain('services.users.schema');
      expect(res.stderr).toContain('reserved');
    } finally {
      removeProject(root);
    }
  });
});
