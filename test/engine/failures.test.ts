import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { numberedMigrations, svcdb, tempProject, type TempProject } from '../helpers/project.js';

async function exists(db: TestDatabase, table: string): Promise<boolean> {
  const [r] = await db.sql`select to_regclass(${table}) is not null as ok`;
  return r.ok as boolean;
}

describe('a failing migration under --all', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_fail');
    project = tempProject({
      ...numberedMigrations('good', 3),
      'internal/syntax/migrations/001_ok.sql': 'CREATE TABLE syntax_ok (id int);\n',
      // line 7 holds the typo, inside the third statement (which starts on line 5)
      'internal/syntax/migrations/002_broken.sql':
        '-- +goose Up\nCREATE TABLE syntax_a (id int);\nINSERT INTO syntax_a VALUES (1);\n\nCREATE TABLE syntax_b (\n  id int,\n  name txet\n);\nCREATE TABLE syntax_c (id int);\n',
      'internal/syntax/migrations/003_later.sql': 'CREATE TABLE syntax_later (id int);\n',
      // a runtime error (no position from the server): the duplicate insert on line 6
      'internal/runtime/migrations/001_ok.sql': 'CREATE TABLE runtime_ok (id int);\n',
      'internal/runtime/migrations/002_dup.sql':
        'CREATE TABLE runtime_t (id int primary key);\nINSERT INTO runtime_t VALUES (1);\n-- a comment line\n\nSELECT 1;\nINSERT INTO runtime_t\n  VALUES (1);\nCREATE TABLE runtime_after (id int);\n',
      'internal/runtime/migrations/003_later.sql': 'CREATE TABLE runtime_later (id int);\n',
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('exits 1 naming file and line; earlier kept, failing one rolled back, later not tried, others applied', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'syntax: internal/syntax/migrations/002_broken.sql:7: type "txet" does not exist (SQLSTATE 42704)',
    );
    expect(r.stderr).toContain(
      'runtime: internal/runtime/migrations/002_dup.sql:6: duplicate key value violates unique constraint "runtime_t_pkey" (SQLSTATE 23505)',
    );
    expect(r.stderr).toContain('detail: Key (id)=(1) already exists.');
    expect(r.stderr).toContain('not tried: 003_later');
    expect(r.stdout).toMatch(/good\s+applied\s+3/);
    expect(await exists(db, 'syntax_ok')).toBe(true);
    expect(await exists(db, 'runtime_ok')).toBe(true);
    for (const t of ['syntax_a', 'syntax_later', 'runtime_t', 'runtime_after', 'runtime_later'])
      expect(await exists(db, t)).toBe(false);
    const rows = await db.sql`select id from svcdb_migrations_runtime order by id`;
    expect(rows.map((x) => x.id)).toEqual(['001_ok']);
    expect(await exists(db, 'good_t3')).toBe(true);
  });

  it('a syntax error is located at its line too', async () => {
    project.write('internal/syntax/migrations/002_broken.sql', 'CREATE TABLE syntax_a (id int);\n\nSELEC 1;\n');
    const r = await svcdb(project.dir, db.url, ['migrate', 'syntax']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'internal/syntax/migrations/002_broken.sql:3: syntax error at or near "SELEC" (SQLSTATE 42601)',
    );
    expect(await exists(db, 'syntax_a')).toBe(false);
  });

  it('once fixed, the next run applies the rest', async () => {
    project.write('internal/syntax/migrations/002_broken.sql', 'CREATE TABLE syntax_a (id int);\n');
    project.write('internal/runtime/migrations/002_dup.sql', 'CREATE TABLE runtime_t (id int primary key);\n');
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(0);
    expect(await exists(db, 'syntax_later')).toBe(true);
    expect(await exists(db, 'runtime_later')).toBe(true);
  });
});

describe('a failure deep in a long run of pipelined migrations', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_deep');
    const files = numberedMigrations('deep', 50);
    files['internal/deep/migrations/037_create_t37.sql'] =
      'CREATE TABLE deep_t37 (id int primary key);\nINSERT INTO deep_t37 VALUES (1);\nINSERT INTO deep_t37 VALUES (1);\n';
    project = tempProject(files);
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('keeps the 36 before it, applies nothing after it, and names its line', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'deep', '--json']);
    expect(r.exitCode).toBe(1);
    const result = JSON.parse(r.stdout).services[0];
    expect(result.applied).toHaveLength(36);
    expect(result.failure).toMatchObject({ migration: '037_create_t37', line: 3, sqlstate: '23505' });
    expect(result.notTried).toHaveLength(13);
    const [h] = await db.sql`select count(*)::int as n, max(id) as last from svcdb_migrations_deep`;
    expect(h).toEqual({ n: 36, last: '036_create_t36' });
    for (const t of ['deep_t37', 'deep_t38', 'deep_t50']) expect(await exists(db, t)).toBe(false);
    expect(await exists(db, 'deep_t36')).toBe(true);
  });
});

describe('a migration that fails at COMMIT (deferred constraint)', () => {
  it('is rolled back and the migrations queued behind it are not applied', async () => {
    const db = await createTestDatabase('engine_deferred');
    const project = tempProject({
      'internal/deferred/migrations/001_tables.sql':
        'CREATE TABLE deferred_p (id int primary key);\nCREATE TABLE deferred_c (pid int REFERENCES deferred_p DEFERRABLE INITIALLY DEFERRED);\n',
      'internal/deferred/migrations/002_orphan.sql': 'INSERT INTO deferred_c VALUES (42);\n',
      'internal/deferred/migrations/003_after.sql': 'CREATE TABLE deferred_after (id int);\n',
      'internal/deferred/migrations/004_later.sql': 'CREATE TABLE deferred_later (id int);\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', 'deferred']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('deferred: internal/deferred/migrations/002_orphan.sql');
      expect(r.stderr).toContain('violates foreign key constraint');
      expect(r.stderr).toContain('not tried: 003_after, 004_later');
      expect(await exists(db, 'deferred_after')).toBe(false);
      const rows = await db.sql`select id from svcdb_migrations_deferred`;
      expect(rows.map((x) => x.id)).toEqual(['001_tables']);
      const [c] = await db.sql`select count(*)::int as n from deferred_c`;
      expect(c.n).toBe(0);
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});

describe('files that wrap themselves in BEGIN/COMMIT (written for psql)', () => {
  it('still run as one transaction with their history row: a failure leaves nothing', async () => {
    const db = await createTestDatabase('engine_wrapped');
    const project = tempProject({
      'internal/wrapped/migrations/001_ok.sql': 'BEGIN;\nCREATE TABLE wrapped_ok (id int);\nCOMMIT;\n',
      'internal/wrapped/migrations/002_bad.sql':
        'BEGIN;\nCREATE TABLE wrapped_half (id int);\nCOMMIT;\nBEGIN;\nINSERT INTO wrapped_missing VALUES (1);\nCOMMIT;\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', 'wrapped']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        'internal/wrapped/migrations/002_bad.sql:5: relation "wrapped_missing" does not exist',
      );
      expect(await exists(db, 'wrapped_ok')).toBe(true);
      expect(await exists(db, 'wrapped_half')).toBe(false);
      const rows = await db.sql`select id from svcdb_migrations_wrapped`;
      expect(rows.map((x) => x.id)).toEqual(['001_ok']);
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});

describe('drift and missing files', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_drift');
    project = tempProject({ ...numberedMigrations('billing', 3), ...numberedMigrations('other', 1) });
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('a changed applied file is drift: migrate refuses that service (exit 1 naming the file), others run', async () => {
    project.write(
      'internal/billing/migrations/002_create_t2.sql',
      '-- +goose Up\nCREATE TABLE billing_t2 (id int primary key, note text, extra int);\n',
    );
    project.write('internal/billing/migrations/004_next.sql', 'CREATE TABLE billing_next (id int);\n');
    project.write('internal/other/migrations/002_next.sql', 'CREATE TABLE other_next (id int);\n');
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('billing: applied migrations changed since they were applied, nothing was run');
    expect(r.stderr).toContain('internal/billing/migrations/002_create_t2.sql');
    expect(r.stderr).toContain('svcdb repair billing');
    const [n] =
      await db.sql`select to_regclass('billing_next') is null as absent, to_regclass('other_next') is not null as present`;
    expect(n).toEqual({ absent: true, present: true });
    const s = await svcdb(project.dir, db.url, ['status', 'billing']);
    expect(s.stderr).toContain(
      'drift: billing: internal/billing/migrations/002_create_t2.sql changed since it was applied',
    );
  });

  it('repair records the new checksum and says what changed; migrate then proceeds', async () => {
    const r = await svcdb(project.dir, db.url, ['repair', 'billing']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /billing: internal\/billing\/migrations\/002_create_t2\.sql: recorded checksum [0-9a-f]{12} -> [0-9a-f]{12}/,
    );
    const again = await svcdb(project.dir, db.url, ['repair', 'billing']);
    expect(again.stdout).toContain('billing: no drift, nothing changed');
    const m = await svcdb(project.dir, db.url, ['migrate', 'billing']);
    expect(m.exitCode).toBe(0);
    expect(m.stderr).toContain('billing: applied 1 (004_next');
  });

  it('a recorded migration whose file is gone is reported as missing', async () => {
    project.remove('internal/billing/migrations/003_create_t3.sql');
    const s = await svcdb(project.dir, db.url, ['status', 'billing', '--json']);
    expect(JSON.parse(s.stdout).services[0].missing).toEqual(['003_create_t3']);
    const m = await svcdb(project.dir, db.url, ['migrate', 'billing']);
    expect(m.exitCode).toBe(0);
    expect(m.stderr).toContain('billing: recorded as applied but the file is gone: 003_create_t3');
    const p = await svcdb(project.dir, db.url, ['plan', 'billing']);
    expect(p.stdout).toContain('missing: 003_create_t3 is recorded as applied but its file is gone');
  });
});
