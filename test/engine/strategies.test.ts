import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, dropDatabase, serverUrl, urlFor, type TestDatabase } from '../helpers/db.js';
import { numberedMigrations, svcdb, tempProject, type TempProject } from '../helpers/project.js';

const dlqServices = {
  'internal/eventhandler/migrations/001_dlq.sql':
    'CREATE TABLE IF NOT EXISTS dlq (id bigserial primary key, payload jsonb);\n',
  'internal/eventhandler/migrations/002_projections.sql': 'CREATE TABLE projections (id int);\n',
  'internal/tsdb/migrations/001_points.sql': 'CREATE TABLE points (t timestamptz);\n',
  'internal/tsdb/migrations/002_dlq.sql':
    '-- +goose Up\nCREATE TABLE IF NOT EXISTS dlq (id bigserial primary key, payload jsonb);\n',
  'internal/actions/migrations/001_dlq.sql': 'CREATE TABLE dlq (id bigserial primary key, payload jsonb);\n',
};

async function userObjects(db: TestDatabase): Promise<string[]> {
  const rows =
    await db.sql`select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by 1`;
  return rows.map((r) => r.name as string);
}

describe('three services each creating dlq', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_dlq');
    project = tempProject(dlqServices);
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('under shared: migrate and plan refuse, naming table and services, before any table exists', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'table dlq is created by actions (internal/actions/migrations/001_dlq.sql:1) and eventhandler',
    );
    expect(r.stderr).toContain('tsdb (internal/tsdb/migrations/002_dlq.sql:2)');
    expect(r.stderr).toContain('use a schema profile');
    expect(await userObjects(db)).toEqual([]);
    const p = await svcdb(project.dir, db.url, ['plan', '--all']);
    expect(p.exitCode).toBe(1);
    expect(p.stderr).toContain('table dlq is created by');
    // even one service alone is refused: it would share dlq with the others
    const one = await svcdb(project.dir, db.url, ['migrate', 'tsdb']);
    expect(one.exitCode).toBe(1);
    expect(await userObjects(db)).toEqual([]);
  });

  it('under schema (dev-aws): all three apply, each into its own schema with its own history', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--profile', 'dev-aws']);
    expect(r.exitCode, r.stderr).toBe(0);
    const objects = await userObjects(db);
    for (const s of ['actions', 'eventhandler', 'tsdb']) {
      expect(objects).toContain(`${s}.dlq`);
      expect(objects).toContain(`${s}.svcdb_migrations`);
    }
    expect(objects).toContain('eventhandler.projections');
    expect(objects.filter((o) => o.startsWith('public.'))).toEqual([]);
    const s = await svcdb(project.dir, db.url, ['status', '--profile', 'dev-aws', '--exit-code']);
    expect(s.exitCode).toBe(0);
  });
});

describe('collisions through schema-qualified names', () => {
  it('public.outbox and outbox are one table under shared', async () => {
    const db = await createTestDatabase('engine_qual');
    const project = tempProject({
      'internal/one/migrations/001_outbox.sql': 'CREATE TABLE public.outbox (id int);\n',
      'internal/two/migrations/001_outbox.sql': 'CREATE TABLE IF NOT EXISTS outbox (id int);\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('table outbox is created by one (internal/one/migrations/001_outbox.sql:1) and two');
      expect(await userObjects(db)).toEqual([]);
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});

describe('plan is strictly read-only', () => {
  let db: TestDatabase;
  let project: TempProject;
  const tag = randomBytes(3).toString('hex');
  const services = [`pa${tag}`, `pb${tag}`];
  beforeAll(async () => {
    db = await createTestDatabase('engine_plan');
    project = tempProject({
      ...numberedMigrations(services[0], 3),
      ...numberedMigrations(services[1], 2),
      'svcdb.config.json': JSON.stringify({ profiles: { staging: { strategy: 'database', url: serverUrl() } } }),
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  async function snapshot() {
    const classes = await db.sql`select count(*)::int as n from pg_class`;
    const spaces = await db.sql`select nspname from pg_namespace order by 1`;
    const dbs = await db.sql`select datname from pg_database where datname = any(${services})`;
    return { classes: classes[0].n, spaces: spaces.map((r) => r.nspname), dbs: dbs.map((r) => r.datname) };
  }

  it('on a fresh database creates no object at all, under shared, schema and database profiles', async () => {
    const before = await snapshot();
    const shared = await svcdb(project.dir, db.url, ['plan', '--all']);
    expect(shared.exitCode, shared.stderr).toBe(0);
    expect(shared.stdout).toContain(`would create history table public.svcdb_migrations_${services[0]}`);
    expect(shared.stdout).toContain(`internal/${services[0]}/migrations/001_create_t1.sql`);
    expect(shared.stdout).toMatch(/2: CREATE TABLE \w+_t1/);
    const schema = await svcdb(project.dir, db.url, ['plan', '--all', '--profile', 'dev-aws', '--json']);
    expect(schema.exitCode, schema.stderr).toBe(0);
    const doc = JSON.parse(schema.stdout);
    expect(doc.services[0].wouldCreate).toContain(`schema ${services[0]}`);
    expect(doc.services[0].pending).toHaveLength(3);
    expect(doc.services[0].pending[0].statements[0]).toEqual({ line: 2, sql: expect.stringContaining('CREATE TABLE') });
    const database = await svcdb(project.dir, db.url, ['plan', '--all', '--profile', 'staging']);
    expect(database.exitCode, database.stderr).toBe(0);
    expect(database.stdout).toContain(`would create database ${services[0]}`);
    expect(await snapshot()).toEqual(before);
  });

  it('after migrate, plan shows nothing pending', async () => {
    expect((await svcdb(project.dir, db.url, ['migrate', '--all'])).exitCode).toBe(0);
    const p = await svcdb(project.dir, db.url, ['plan', services[0]]);
    expect(p.stdout).toContain('nothing pending (3 applied)');
  });

  it("the database strategy: migrate creates each service's database, with its history inside", async () => {
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--profile', 'staging']);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const s of services) {
        const sql = postgres(urlFor(s), { max: 1, onnotice: () => {} });
        try {
          const rows = await sql`select count(*)::int as n from svcdb_migrations`;
          expect(rows[0].n).toBe(s === services[0] ? 3 : 2);
        } finally {
          await sql.end();
        }
      }
    } finally {
      for (const s of services) await dropDatabase(s);
    }
  });
});
