// The shared-strategy collision check against a real server (issue 10 point 12): every way two
// services could end up creating one object in one schema is refused before anything is applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointOf } from '../../src/core/url.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject } from '../helpers/project.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('engine_coll');
});
afterAll(async () => {
  await db.drop();
});

/** Tables, indexes, sequences, views and types outside the system schemas. */
async function userObjects(): Promise<string[]> {
  const rows = await db.sql`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    union all
    select n.nspname || '.' || t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where t.typtype in ('e', 'd') and n.nspname not in ('pg_catalog', 'information_schema')
    order by 1`;
  return rows.map((r) => r.name as string);
}

/** Two services, `ca` and `cb`, one migration each. */
async function refused(a: string, b: string, args: string[] = [], env: Record<string, string> = {}) {
  const project = tempProject({ 'internal/ca/migrations/001_a.sql': a, 'internal/cb/migrations/001_b.sql': b });
  try {
    const plan = await svcdb(project.dir, db.url, ['plan', '--all', ...args], env);
    const migrate = await svcdb(project.dir, db.url, ['migrate', '--all', ...args], env);
    return { plan, migrate, objects: await userObjects() };
  } finally {
    project.cleanup();
  }
}

describe('under shared, plan and migrate refuse and apply nothing when two services create', () => {
  const cases: Array<[string, string, string, string]> = [
    [
      'a table, one of them inside a DO block',
      'CREATE TABLE IF NOT EXISTS dlq (x int);\n',
      'DO $$ BEGIN CREATE TABLE IF NOT EXISTS dlq (x int); END $$;\n',
      'table dlq is created by ca (internal/ca/migrations/001_a.sql:1) and cb (internal/cb/migrations/001_b.sql:1)',
    ],
    [
      'a table, one of them by RENAME TO',
      'CREATE TABLE dlq (x int);\n',
      'CREATE TABLE b_tmp (x int);\nALTER TABLE b_tmp RENAME TO dlq;\n',
      'table dlq is created by ca (internal/ca/migrations/001_a.sql:1) and cb (internal/cb/migrations/001_b.sql:2)',
    ],
    [
      'a table, one of them by SELECT INTO',
      'CREATE TABLE dlq (x int);\n',
      'SELECT 1 AS x INTO dlq;\n',
      'table dlq is created by ca',
    ],
    [
      'a table, one of them by CREATE TABLE AS',
      'CREATE TABLE dlq (x int);\n',
      'CREATE TABLE IF NOT EXISTS dlq AS SELECT 1 AS x;\n',
      'table dlq is created by ca',
    ],
    [
      'one index name on two tables',
      'CREATE TABLE a (x int);\nCREATE INDEX IF NOT EXISTS idx ON a (x);\n',
      'CREATE TABLE b (x int);\nCREATE INDEX IF NOT EXISTS idx ON b (x);\n',
      'index idx is created by ca (internal/ca/migrations/001_a.sql:2) and cb (internal/cb/migrations/001_b.sql:2)',
    ],
    [
      "a type named like the other's table",
      "CREATE TYPE status AS ENUM ('a');\n",
      'CREATE TABLE status (x int);\n',
      'status is created by ca (type, internal/ca/migrations/001_a.sql:1) and cb (table, internal/cb/migrations/001_b.sql:1)',
    ],
    [
      'a view and a sequence',
      'CREATE SEQUENCE ids;\nCREATE VIEW recent AS SELECT 1 AS x;\n',
      'CREATE SEQUENCE IF NOT EXISTS ids;\nCREATE OR REPLACE VIEW recent AS SELECT 2 AS x;\n',
      '2 objects collide:\n  sequence ids is created by ca',
    ],
    [
      'a function with the same arguments',
      "CREATE FUNCTION touch(int) RETURNS int LANGUAGE sql AS 'select 1';\n",
      "CREATE OR REPLACE FUNCTION touch(integer) RETURNS int LANGUAGE sql AS 'select 2';\n",
      'function touch(int4) is created by ca',
    ],
  ];
  for (const [name, a, b, message] of cases) {
    it(name, async () => {
      const r = await refused(a, b);
      expect(r.plan.exitCode, r.plan.stderr).toBe(1);
      expect(r.plan.stderr).toContain(message);
      expect(r.migrate.exitCode).toBe(1);
      expect(r.migrate.stderr).toContain(message);
      expect(r.migrate.stderr).toContain('nothing was applied');
      expect(r.objects).toEqual([]);
    });
  }

  it('but not overloads of one function, nor an index named like a type', async () => {
    const project = tempProject({
      'internal/ca/migrations/001_a.sql':
        "CREATE FUNCTION touch(int) RETURNS int LANGUAGE sql AS 'select 1';\nCREATE TYPE mood AS ENUM ('a');\n",
      'internal/cb/migrations/001_b.sql':
        "CREATE FUNCTION touch(text) RETURNS int LANGUAGE sql AS 'select 2';\nCREATE TABLE t (x int);\nCREATE INDEX mood ON t (x);\n",
    });
    try {
      const r = await svcdb(project.dir, db.url, ['plan', '--all']);
      expect(r.exitCode, r.stderr).toBe(0);
    } finally {
      project.cleanup();
    }
  });
});

describe('under schema (dev-aws), each service has its own schema but shares public', () => {
  it('refuses public.x created by two services', async () => {
    const r = await refused('CREATE TABLE public.x (id int);\n', 'CREATE TABLE IF NOT EXISTS public.x (id int);\n', [
      '--profile',
      'dev-aws',
    ]);
    expect(r.migrate.exitCode).toBe(1);
    expect(r.migrate.stderr).toContain('table x is created by ca (internal/ca/migrations/001_a.sql:1) and cb');
    expect(r.plan.exitCode).toBe(1);
    expect(r.objects).toEqual([]);
  });

  it('applies the same unqualified name in each schema', async () => {
    const r = await refused('CREATE TABLE x (id int);\n', 'CREATE TABLE x (id int);\n', ['--profile', 'dev-aws']);
    expect(r.migrate.exitCode, r.migrate.stderr).toBe(0);
    expect(r.objects).toEqual(expect.arrayContaining(['ca.x', 'cb.x']));
    await db.sql.unsafe('drop schema ca cascade; drop schema cb cascade');
  });
});

describe('two spellings of one database are one database', () => {
  it('localhost vs 127.0.0.1 with the port written out: refused, no dlq shared', async () => {
    const u = new URL(db.url);
    const port = u.port || '5432';
    const spell = (host: string) => `postgres://${u.username}@${host}:${port}/${db.name}`;
    const sql = 'CREATE TABLE IF NOT EXISTS dlq (svc text);\n';
    const r = await refused(sql, sql, [], { CA_DATABASE_URL: spell('127.0.0.1'), CB_DATABASE_URL: spell('localhost') });
    expect(r.migrate.exitCode, r.migrate.stderr).toBe(1);
    expect(r.migrate.stderr).toContain('table dlq is created by ca');
    expect(r.objects).toEqual([]);
  });

  it('the default port omitted is the default port written out', () => {
    // only the key is checked: the test server need not listen on 5432
    expect(endpointOf('postgres://u@localhost/app').key).toBe(endpointOf('postgres://u@127.0.0.1:5432/app').key);
    expect(endpointOf('postgres://u@localhost/app').key).not.toBe(endpointOf('postgres://u@127.0.0.1:5433/app').key);
  });
});
