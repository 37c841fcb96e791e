// Table-lock timeouts in the runner (issue 14): a migration behind another session's ACCESS
// EXCLUSIVE lock gives up after lockTimeout, is rolled back, and is tried again, visibly.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
  args = ['migrate', '--all'],
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: url, SVCDB_PROFILE: undefined };
    const child = spawn(process.execPath, [binPath, '--cwd', dir, ...args], { env });
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

describe('down and repair wait for table locks like migrate', () => {
  let db: TestDatabase;
  let project: TempProject;
  let holder: postgres.Sql;
  beforeAll(async () => {
    db = await createTestDatabase('engine_locks_down');
    project = tempProject({
      'svcdb.config.yaml': 'lockTimeout: 300ms\nlockRetries: 3\n',
      'internal/orders/migrations/001_create_orders.sql':
        '-- migrate:up\nCREATE TABLE orders (id int);\n\n-- migrate:down\nDROP TABLE orders;\n',
      'internal/orders/migrations/002_add_note.sql':
        '-- migrate:up\nCREATE TABLE order_audit (id int);\nALTER TABLE orders ADD COLUMN note text;\n\n' +
        '-- migrate:down\nDROP TABLE order_audit;\nALTER TABLE orders DROP COLUMN note;\n',
    });
  });
  beforeEach(async () => {
    await db.sql.unsafe('drop schema public cascade; create schema public');
    const r = await migrateStreaming(project.dir, db.url, () => {});
    expect(r.code, r.stderr).toBe(0);
    holder = postgres(db.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  const tables = async () =>
    (await db.sql`select tablename from pg_tables where schemaname = 'public' order by 1`).map((r) => r.tablename);
  const history = async () => (await db.sql`select id from svcdb_migrations_orders order by id`).map((r) => r.id);
  const down = ['down', 'orders'];

  it('down retries visibly and reverts once the holder lets go', async () => {
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table orders in access exclusive mode');
    let released = false;
    const r = await migrateStreaming(
      project.dir,
      db.url,
      (line) => {
        if (!released && line.includes('try 3/4')) {
          released = true;
          void reserved.unsafe('commit').then(() => reserved.release());
        }
      },
      down,
    );
    await holder.end();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `orders: 002_add_note: waiting for a lock on orders held by pid ${pid} (begin; lock table orders in access exclusive mode): try 2/4`,
    );
    expect(r.stderr).toContain('try 3/4');
    expect(await history()).toEqual(['001_create_orders']);
    expect(await tables()).toEqual(['orders', 'svcdb_migrations_orders']);
  });

  it('down fails with exit 1 naming the table and the holder pid once the retries are used up; nothing half-reverted', async () => {
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table orders in access exclusive mode');
    const r = await migrateStreaming(project.dir, db.url, () => {}, down);
    await reserved.unsafe('rollback');
    reserved.release();
    await holder.end();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('try 4/4');
    expect(r.stderr).toContain(
      `gave up waiting for a lock on orders held by pid ${pid} (begin; lock table orders in access exclusive mode) after 4 tries`,
    );
    // the revert's first statement (DROP TABLE order_audit) was rolled back with the rest
    expect(await history()).toEqual(['001_create_orders', '002_add_note']);
    expect(await tables()).toEqual(['order_audit', 'orders', 'svcdb_migrations_orders']);
  });

  it('repair retries while the history table is locked, then records the checksum in one transaction', async () => {
    const file = path.join(project.dir, 'internal/orders/migrations/002_add_note.sql');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}-- reviewed\n`);
    try {
      const reserved = await holder.reserve();
      const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
      // SHARE: reading the history is fine, changing it waits
      await reserved.unsafe('begin; lock table svcdb_migrations_orders in share mode');
      let released = false;
      const r = await migrateStreaming(
        project.dir,
        db.url,
        (line) => {
          if (!released && line.includes('try 2/4')) {
            released = true;
            void reserved.unsafe('commit').then(() => reserved.release());
          }
        },
        ['repair', 'orders'],
      );
      await holder.end();
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(
        `orders: repair: waiting for a lock on svcdb_migrations_orders held by pid ${pid} (begin; lock table svcdb_migrations_orders in share mode): try 2/4`,
      );
      const status = await migrateStreaming(project.dir, db.url, () => {}, ['status', 'orders', '--exit-code']);
      expect(status.code, status.stderr).toBe(0);
    } finally {
      writeFileSync(file, original);
    }
  });
});

describe('the lock a migration waits for, as PostgreSQL tells it', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_locks_inherit');
    project = tempProject({
      'svcdb.config.yaml': 'lockTimeout: 300ms\nlockRetries: 1\n',
      'internal/events/migrations/001_add_source.sql': 'ALTER TABLE events ADD COLUMN source text;\n',
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('a statement outside a transaction is not retried, but who it waited for is said', async () => {
    const dir = tempProject({
      'svcdb.config.yaml': 'lockTimeout: 300ms\nlockRetries: 3\n',
      'internal/events/migrations/001_index.sql': 'CREATE INDEX CONCURRENTLY events_id_idx ON events (id);\n',
    });
    await db.sql.unsafe('drop table if exists events cascade; create table events (id int)');
    const holder = postgres(db.url, { max: 1, onnotice: () => {} });
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table events in access exclusive mode');
    const r = await migrateStreaming(dir.dir, db.url, () => {});
    await reserved.unsafe('rollback');
    reserved.release();
    await holder.end();
    dir.cleanup();
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('try 2');
    expect(r.stderr).toContain(
      `canceling statement due to lock timeout: gave up waiting for a lock on events held by pid ${pid} (begin; lock table events in access exclusive mode)`,
    );
  });

  it('names a child table the SQL never mentions (ALTER TABLE recurses into it) and its holder', async () => {
    await db.sql.unsafe(
      'drop table if exists events cascade; create table events (id int); create table events_2024 () inherits (events)',
    );
    const holder = postgres(db.url, { max: 1, onnotice: () => {} });
    const reserved = await holder.reserve();
    const [{ pid }] = await reserved`select pg_backend_pid() as pid`;
    await reserved.unsafe('begin; lock table events_2024 in access share mode');
    const r = await migrateStreaming(project.dir, db.url, () => {});
    await reserved.unsafe('rollback');
    reserved.release();
    await holder.end();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `events: 001_add_source: waiting for a lock on events_2024 held by pid ${pid} (begin; lock table events_2024 in access share mode): try 2/2`,
    );
    expect(r.stderr).toContain(`gave up waiting for a lock on events_2024 held by pid ${pid}`);
    const [col] =
      await db.sql`select count(*)::int as n from information_schema.columns where table_name = 'events' and column_name = 'source'`;
    expect(col.n).toBe(0);
  });
});
