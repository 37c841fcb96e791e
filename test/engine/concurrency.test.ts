import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { lockKey } from '../../src/db/lock.js';
import { createMigrator } from '../../src/index.js';
import { numberedMigrations, svcdb, tempProject, type TempProject } from '../helpers/project.js';

/** Each migration also bumps a counter, so a double application would show. */
function countedMigrations(service: string, count: number): Record<string, string> {
  const files: Record<string, string> = {};
  files[`internal/${service}/migrations/000_counter.sql`] = `CREATE TABLE ${service}_runs (id text primary key);\n`;
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(3, '0');
    files[`internal/${service}/migrations/${v}_step.sql`] =
      `CREATE TABLE ${service}_t${i} (id int);\nINSERT INTO ${service}_runs VALUES ('${v}');\n`;
  }
  return files;
}

describe('concurrent runs', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_conc');
    project = tempProject({ ...countedMigrations('north', 12), ...countedMigrations('south', 12) });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('eight concurrent `migrate --all` all exit 0 and apply each migration exactly once', async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => svcdb(project.dir, db.url, ['migrate', '--all'])));
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    for (const service of ['north', 'south']) {
      const rows = await db.sql.unsafe(`select id, count(*)::int as n from ${service}_runs group by id`);
      expect(rows).toHaveLength(12);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      const [h] = await db.sql.unsafe(`select count(*)::int as n from svcdb_migrations_${service}`);
      expect(h.n).toBe(13);
    }
    // each service's work was done by exactly one of the eight runs
    const applied =
      runs
        .map((r) => r.stderr)
        .join('\n')
        .match(/north: applied 13/g) ?? [];
    expect(applied).toHaveLength(1);
  });
});

describe('services starting at the same moment in one schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('engine_race');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('eight services whose first migration runs outside a transaction all apply (the progress table they share is created once)', async () => {
    for (let round = 0; round < 8; round++) {
      const schema = `race_${round}`;
      const migrators = Array.from({ length: 8 }, (_, i) =>
        createMigrator({
          url: db.url,
          service: `svc${i}`,
          schema,
          migrations: [
            { id: '001_items', up: `CREATE TABLE items_${i} (id int);` },
            {
              id: '002_items_idx',
              up: `CREATE INDEX CONCURRENTLY items_${i}_id ON items_${i} (id);`,
              transaction: false,
            },
          ],
        }),
      );
      const results = await Promise.all(migrators.map((m) => m.up()));
      for (const r of results) expect(r.ok, r.failure?.message).toBe(true);
      const [n] =
        await db.sql`select count(*)::int as n from pg_indexes where schemaname = ${schema} and indexname like 'items%'`;
      expect(n.n).toBe(8);
      const [h] = await db.sql.unsafe(`select count(*)::int as n from ${schema}.svcdb_migrations`);
      expect(h.n).toBe(16);
    }
  });
});

describe('the lock', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_lock');
    project = tempProject(numberedMigrations('locked', 2));
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('a held lock makes a run say who holds it, then give up after --lock-timeout with exit 1', async () => {
    const holder = await db.sql.reserve();
    try {
      await holder`select pg_advisory_lock(${lockKey(db.name, null, 'locked')}::bigint)`;
      const [{ pid }] = await holder`select pg_backend_pid() as pid`;
      const r = await svcdb(project.dir, db.url, ['migrate', 'locked', '--lock-timeout', '1s']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(`locked: waiting for lock held by pid ${pid}`);
      expect(r.stderr).toContain('gave up after 1s waiting for the migration lock');
      const [t] = await db.sql`select to_regclass('locked_t1') is null as absent`;
      expect(t.absent).toBe(true);
    } finally {
      holder.release();
    }
  });
});

function startCli(
  dir: string,
  url: string,
  args: string[],
): { child: ChildProcess; done: Promise<number | null>; stderr: () => string } {
  const env = { ...process.env, DATABASE_URL: url, NO_COLOR: '1' };
  const child = spawn(process.execPath, [binPath, '--cwd', dir, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, done, stderr: () => stderr };
}

async function waitForSleep(db: TestDatabase): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const rows =
      await db.sql`select pid from pg_stat_activity where datname = ${db.name} and query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()`;
    if (rows.length) return Number(rows[0].pid);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the slow migration never started');
}

describe('killed and dropped runs', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_kill');
    project = tempProject({
      'internal/slow/migrations/001_first.sql': 'CREATE TABLE slow_first (id int);\n',
      'internal/slow/migrations/002_slow.sql':
        'CREATE TABLE slow_half (id int);\nINSERT INTO slow_half VALUES (1);\nSELECT pg_sleep(30);\n',
      'internal/slow/migrations/003_after.sql': 'CREATE TABLE slow_after (id int);\n',
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('SIGKILL inside a slow transactional migration leaves nothing of it, and the next run is not blocked by a stale lock', async () => {
    const run = startCli(project.dir, db.url, ['migrate', 'slow']);
    await waitForSleep(db);
    run.child.kill('SIGKILL');
    await run.done;
    const [t] =
      await db.sql`select to_regclass('slow_first') is not null as first, to_regclass('slow_half') is null as half_gone`;
    expect(t).toEqual({ first: true, half_gone: true });
    const rows = await db.sql`select id from svcdb_migrations_slow`;
    expect(rows.map((r) => r.id)).toEqual(['001_first']);
    // the next run gets the lock within seconds (the server noticed the dead client), then finishes
    project.write(
      'internal/slow/migrations/002_slow.sql',
      'CREATE TABLE slow_half (id int);\nINSERT INTO slow_half VALUES (1);\n',
    );
    const started = Date.now();
    const next = await svcdb(project.dir, db.url, ['migrate', 'slow', '--lock-timeout', '20s']);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const [after] = await db.sql`select to_regclass('slow_after') is not null as ok`;
    expect(after.ok).toBe(true);
  });

  it('a connection dropped mid-migration fails that run (exit 1, file named) and leaves nothing half-applied', async () => {
    project.write(
      'internal/slow/migrations/004_slow_again.sql',
      'CREATE TABLE slow_again (id int);\nSELECT pg_sleep(30);\n',
    );
    const run = startCli(project.dir, db.url, ['migrate', 'slow']);
    const pid = await waitForSleep(db);
    await db.sql`select pg_terminate_backend(${pid})`;
    expect(await run.done).toBe(1);
    expect(run.stderr()).toContain('internal/slow/migrations/004_slow_again.sql');
    const [t] = await db.sql`select to_regclass('slow_again') is null as gone`;
    expect(t.gone).toBe(true);
    project.write('internal/slow/migrations/004_slow_again.sql', 'CREATE TABLE slow_again (id int);\n');
    const next = await svcdb(project.dir, db.url, ['migrate', 'slow']);
    expect(next.exitCode, next.stderr).toBe(0);
  });
});
