import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { numberedMigrations, svcdb, tempProject, type TempProject } from '../helpers/project.js';

async function tableNames(db: TestDatabase, schema = 'public'): Promise<string[]> {
  const rows = await db.sql`select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r' order by relname`;
  return rows.map((r) => r.relname as string);
}

describe('migrate under a shared database', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_shared');
    project = tempProject({ ...numberedMigrations('alpha', 20), ...numberedMigrations('beta', 20) });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('applies two services numbered 001…020 fully: neither skips the other', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.stderr).toContain('alpha: applied 20');
    expect(r.exitCode).toBe(0);
    const tables = await tableNames(db);
    for (let i = 1; i <= 20; i++) expect(tables).toEqual(expect.arrayContaining([`alpha_t${i}`, `beta_t${i}`]));
    const [a] = await db.sql`select count(*)::int as n from svcdb_migrations_alpha`;
    const [b] = await db.sql`select count(*)::int as n from svcdb_migrations_beta`;
    expect([a.n, b.n]).toEqual([20, 20]);
    const [row] =
      await db.sql`select checksum, duration_ms, svcdb_version, applied_at from svcdb_migrations_beta where id = '007_create_t7'`;
    expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
    expect(row.svcdb_version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a second run finds nothing to do and prints a summary table', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'alpha', 'beta']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/SERVICE\s+STATUS/);
    expect(r.stdout).toMatch(/alpha\s+up to date/);
  });

  it("--json prints one document with each service's result", async () => {
    project.write('internal/alpha/migrations/021_more.sql', 'CREATE TABLE alpha_more (id int);\n');
    const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    const alpha = doc.services.find((s: { service: string }) => s.service === 'alpha');
    expect(alpha.status).toBe('applied');
    expect(alpha.applied.map((a: { id: string }) => a.id)).toEqual(['021_more']);
  });

  it('an unknown service is bad input: exit 2 naming it, nothing runs', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'alpha', 'gamma']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown service: gamma');
    expect(r.stderr).toContain('known services: alpha, beta');
  });

  it('no service and no --all is bad input', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--all');
  });
});

describe('migrate --to and status', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_to');
    project = tempProject(numberedMigrations('orders', 5));
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('--to stops after the named migration; status --exit-code then exits 1 with pending', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'orders', '--to', '003']);
    expect(r.exitCode).toBe(0);
    expect(await tableNames(db)).not.toContain('orders_t4');
    const s = await svcdb(project.dir, db.url, ['status', '--exit-code']);
    expect(s.exitCode).toBe(1);
    expect(s.stdout).toMatch(/orders\s+3\s+2\s+0\s+0/);
    expect(s.stderr).toContain('orders: pending 004_create_t4');
    const plain = await svcdb(project.dir, db.url, ['status']);
    expect(plain.exitCode).toBe(0);
  });

  it('--to naming no migration of the service is bad input', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'orders', '--to', '042']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--to 042: service orders has no such migration');
  });

  it('status --exit-code exits 0 once everything is applied; --json lists ids', async () => {
    expect((await svcdb(project.dir, db.url, ['migrate', '--all'])).exitCode).toBe(0);
    const s = await svcdb(project.dir, db.url, ['status', '--exit-code', '--json']);
    expect(s.exitCode).toBe(0);
    const doc = JSON.parse(s.stdout);
    expect(doc.services[0].applied.map((a: { id: string }) => a.id)).toHaveLength(5);
    expect(doc.services[0].pending).toEqual([]);
  });
});

describe('trackingTable', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_tracking');
    project = tempProject({
      ...numberedMigrations('ingestion', 2),
      ...numberedMigrations('actions', 1),
      'svcdb.config.json': JSON.stringify({
        services: { ingestion: { trackingTable: 'ingestion_history' }, actions: { trackingTable: 'goose_actions' } },
      }),
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('names the history table; a same-named table of another tool is refused with the adopt hint', async () => {
    await db.sql.unsafe(
      'CREATE TABLE goose_actions (id serial primary key, version_id bigint not null, is_applied boolean not null, tstamp timestamp default now())',
    );
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('table public.goose_actions exists but is not an svcdb history table');
    expect(r.stderr).toContain('svcdb adopt actions --from goose --table goose_actions');
    const [h] = await db.sql`select count(*)::int as n from ingestion_history`;
    expect(h.n).toBe(2);
  });
});

describe('two services whose URLs point at one database (isolated profile)', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_isolated');
    // identical file names in both services: same ids, different SQL
    project = tempProject({ ...numberedMigrations('alpha', 3), ...numberedMigrations('beta', 3) });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('share a history table without skipping each other', async () => {
    const env = { ALPHA_DATABASE_URL: db.url, BETA_DATABASE_URL: db.url };
    const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--profile', 'prod'], env);
    expect(r.exitCode, r.stderr).toBe(0);
    const rows =
      await db.sql`select service, count(*)::int as n from svcdb_migrations group by service order by service`;
    expect(rows).toEqual([
      { service: 'alpha', n: 3 },
      { service: 'beta', n: 3 },
    ]);
    expect(await tableNames(db)).toEqual(expect.arrayContaining(['alpha_t3', 'beta_t3']));
    const s = await svcdb(project.dir, db.url, ['status', '--profile', 'prod', '--exit-code'], env);
    expect(s.exitCode).toBe(0);
  });
});
