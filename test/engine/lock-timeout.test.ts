// Table-lock timeouts in the runner (issue 14): a migration behind another session's ACCESS
// EXCLUSIVE lock gives up after lockTimeout, is rolled back, and is tried again, visibly.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { binPath } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { tempProject, type TempProject } from '../helpers/project.js';

/** Runs migrate, calling `onLine` for each stderr line as it arrives. */
function migrateStreaming(
  dir: string,
  url: string,
  onLine: (line: string) => void,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: url, SVCDB_PROFILE: undefined };
    const child = spawn(process.execPath, [binPath, '--cwd', dir, 'migrate', '--all'], { env });
    let stderr = '';
    let pending = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line);
    });
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a migration waiting for a table lock another session holds', () => {
  let db: TestDatabase;
  let project: TempProject;
  let holder: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase('engine_locks');
    project = tempProject({
      'svcdb.config.yaml': 'lockTimeout: 300ms\nlockRetries: 3\n',
      'internal/orders/migrations/001_create_accounts.sql': 'CREATE TABLE accounts (id int);\n',
      'internal/orders/migrations/002_add_note.sql':
        'CREATE TABLE order_audit (id int);\nALTER TABLE orders ADD COLUMN note text;\n',
    });
  });
  beforeEach(async () => {
    await db.sql.unsafe('drop schema public cascade; create schema public; create table orders (id int)');
    holder = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  const tables = async () =>
    (await db.sql`select tablename from pg_tables where schemaname = 'public' order by 1`).map((r) => r.tablename);
  const history = async () => (await db.sql`select id from svcdb_migrations_orders order by id`).map((r) => r.id);

  it('retries visibly and succeeds once the holder lets go within the retries', async () => {
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table orders in access exclusive mode');
    let released = false;
    const r = await migrateStreaming(project.dir, db.url, (line) => {
      if (!released && line.includes('try 3/4')) {
        released = true;
        void reserved.unsafe('commit').then(() => reserved.release());
      }
    });
    await holder.end();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `orders: 002_add_note: waiting for a lock on orders held by pid ${pid} (begin; lock table orders in access exclusive mode): try 2/4`,
    );
    expect(r.stderr).toContain('try 3/4');
    expect(await history()).toEqual(['001_create_accounts', '002_add_note']);
    const [col] =
      await db.sql`select count(*)::int as n from information_schema.columns where table_name = 'orders' and column_name = 'note'`;
    expect(col.n).toBe(1);
  });

  it('fails with exit 1 naming the table and the holder pid once the retries are used up; nothing half-applied', async () => {
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table orders in access exclusive mode');
    const r = await migrateStreaming(project.dir, db.url, () => {});
    await reserved.unsafe('rollback');
    reserved.release();
    await holder.end();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('try 4/4');
    expect(r.stderr).toContain(
      'error: orders: internal/orders/migrations/002_add_note.sql:2: canceling statement due to lock timeout: ' +
        `gave up waiting for a lock on orders held by pid ${pid} (begin; lock table orders in access exclusive mode) after 4 tries`,
    );
    expect(r.stderr).toContain('after 4 tries');
    expect(await history()).toEqual(['001_create_accounts']);
    expect(await tables()).toEqual(['accounts', 'orders', 'svcdb_migrations_orders']);
  });
});
