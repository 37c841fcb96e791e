// Transaction control written in files, statements that cannot run in a transaction, and
// migrations that run outside one being resumed (not re-run) after a failure or a kill.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { binPath } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject } from '../helpers/project.js';

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function tables(db: TestDatabase, like: string): Promise<string[]> {
  const rows =
    await db.sql`select tablename from pg_tables where schemaname = 'public' and tablename like ${like} order by 1`;
  return rows.map((r) => r.tablename as string);
}

describe('transaction control inside a file', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('tx_control');
  });
  afterAll(async () => {
    await db.drop();
  });

  it.each([
    [
      'COMMIT with a comment',
      'create table t_a(x int);\nCOMMIT /* done */;\ncreate table t_b(x int);\nselect 1/0;\n',
      2,
      'COMMIT without a BEGIN',
    ],
    [
      'COMMIT AND CHAIN',
      'BEGIN;\ncreate table t_a(x int);\nCOMMIT AND CHAIN;\ncreate table t_b(x int);\nCOMMIT;\n',
      3,
      'COMMIT AND CHAIN',
    ],
    ['ROLLBACK', 'create table t_a(x int);\nROLLBACK;\ncreate table t_b(x int);\n', 2, 'ROLLBACK would silently undo'],
    [
      'BEGIN without COMMIT in a goose block',
      '-- +goose Up\n-- +goose StatementBegin\ncreate table t_a(x int);\nBEGIN;\ncreate table t_b(x int);\n-- +goose StatementEnd\n',
      4,
      'BEGIN without a COMMIT',
    ],
    [
      'BEGIN with options',
      'BEGIN ISOLATION LEVEL SERIALIZABLE;\ncreate table t_a(x int);\nCOMMIT;\n',
      1,
      'transaction options',
    ],
  ])('%s is refused with exit 2 at its line, before anything is applied', async (_what, text, line, message) => {
    const project = tempProject({
      'internal/s/migrations/001_first.sql': 'create table t_first(x int);\n',
      'internal/s/migrations/002_m.sql': text,
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(`internal/s/migrations/002_m.sql:${line}`);
      expect(r.stderr).toContain(message);
      expect(await tables(db, 't\\_%')).toEqual([]);
      const plan = await svcdb(project.dir, db.url, ['plan', '--all']);
      expect(plan.exitCode).toBe(2);
      expect(plan.stdout + plan.stderr).toContain(`002_m.sql:${line}`);
    } finally {
      project.cleanup();
    }
  });

  it('psql-style BEGIN ... COMMIT pairs (also inside a goose block) are dropped: applied and recorded atomically', async () => {
    const project = tempProject({
      'internal/w/migrations/001_wrapped.sql':
        'BEGIN;\ncreate table w_a(x int);\nSAVEPOINT s;\ninsert into w_a values (1);\nRELEASE s;\nEND;\n',
      'internal/w/migrations/002_block.sql':
        '-- +goose Up\n-- +goose StatementBegin\nbegin;\ncreate table w_b(x int);\ncommit;\n-- +goose StatementEnd\n',
      // two psql transactions, and a goose block holding one, then a failure: nothing of it stays
      'internal/w/migrations/003_fails.sql':
        '-- +goose Up\nBEGIN;\ncreate table w_c(x int);\nCOMMIT;\n-- +goose StatementBegin\nBEGIN;\ncreate table w_d(x int);\nCOMMIT;\n-- +goose StatementEnd\nBEGIN;\n\nselect 1/0;\nCOMMIT;\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('003_fails.sql:12: division by zero');
      expect(await tables(db, 'w\\_%')).toEqual(['w_a', 'w_b']);
      const rows = await db.sql`select id from svcdb_migrations_w order by id`;
      expect(rows.map((x) => x.id)).toEqual(['001_wrapped', '002_block']);
    } finally {
      project.cleanup();
    }
  });
});

describe('statements that cannot run in a transaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('tx_outside');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('CREATE INDEX CONCURRENTLY in a plain file and in a golang-migrate pair applies; plan says why it runs outside a transaction', async () => {
    const project = tempProject({
      'internal/plain/migrations/001_users.sql': 'create table plain_users(email text);\n',
      'internal/plain/migrations/002_index.sql':
        '-- concurrently, so writes go on\nCREATE INDEX CONCURRENTLY plain_users_email ON plain_users (email);\n',
      'internal/gm/migrations/000001_users.up.sql': 'create table gm_users(email text);\n',
      'internal/gm/migrations/000001_users.down.sql': 'drop table gm_users;\n',
      'internal/gm/migrations/000002_index.up.sql':
        'create unique index concurrently if not exists gm_users_email on gm_users (email);\n',
      'internal/gm/migrations/000002_index.down.sql': 'drop index concurrently gm_users_email;\n',
    });
    try {
      const plan = await svcdb(project.dir, db.url, ['plan', '--all']);
      expect(plan.exitCode).toBe(0);
      expect(plan.stdout).toContain(
        'no transaction: CREATE INDEX CONCURRENTLY at internal/plain/migrations/002_index.sql:2 cannot run in a transaction',
      );
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(0);
      const idx =
        await db.sql`select c.relname, i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname in ('plain_users_email', 'gm_users_email') order by 1`;
      expect(idx.map((x) => [x.relname, x.indisvalid])).toEqual([
        ['gm_users_email', true],
        ['plain_users_email', true],
      ]);
      const down = await svcdb(project.dir, db.url, ['down', 'gm']);
      expect(down.exitCode).toBe(0);
      expect((await db.sql`select to_regclass('gm_users_email') as r`)[0].r).toBeNull();
      const again = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(again.exitCode).toBe(0);
      const status = await svcdb(project.dir, db.url, ['status', '--all', '--exit-code']);
      expect(status.exitCode).toBe(0);
    } finally {
      project.cleanup();
    }
  });

  it('a migration outside a transaction killed after its 2nd of 4 statements finishes on the next run, each effect once', async () => {
    const project = tempProject({
      'internal/k/migrations/001_steps.sql': [
        '-- +goose NO TRANSACTION',
        '-- +goose Up',
        'create table k_log(n int);',
        'insert into k_log values (1);',
        'insert into k_log select 2 from (select pg_advisory_lock(77001)) as held;',
        'insert into k_log values (3);',
        '',
      ].join('\n'),
    });
    const blocker = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await blocker`select pg_advisory_lock(77001)`;
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.endsWith('_DATABASE_URL')) env[k] = v;
      const child = spawn(process.execPath, [binPath, '--cwd', project.dir, 'migrate', '--all'], {
        env: { ...env, DATABASE_URL: db.url, NO_COLOR: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await until(
        async () =>
          (
            await db.sql`select 1 from pg_stat_activity where application_name = 'svcdb' and query like '%pg_advisory_lock(77001)%' and wait_event_type = 'Lock'`
          ).length > 0,
        'the 3rd statement to block',
      );
      child.kill('SIGKILL');
      await exited;
      // the server notices the dead client (client_connection_check_interval) and rolls the 3rd back
      await until(
        async () => (await db.sql`select 1 from pg_stat_activity where application_name = 'svcdb'`).length === 0,
        'the killed backend to go',
      );
      await blocker`select pg_advisory_unlock(77001)`;
      expect((await db.sql`select n from k_log order by n`).map((x) => x.n)).toEqual([1]);
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(0);
      expect((await db.sql`select n from k_log order by n`).map((x) => x.n)).toEqual([1, 2, 3]);
      expect((await db.sql`select id from svcdb_migrations_k`).map((x) => x.id)).toEqual(['001_steps']);
      expect(await db.sql`select * from svcdb_progress`).toHaveLength(0);
    } finally {
      await blocker.end();
      project.cleanup();
    }
  });

  it('a statement failing outside a transaction is resumed from that statement, not from the first', async () => {
    const project = tempProject({
      'internal/f/migrations/001_steps.sql':
        '-- +goose NO TRANSACTION\n-- +goose Up\ncreate table f_log(n int);\ninsert into f_log values (1);\ninsert into f_missing values (2);\ninsert into f_log values (3);\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain('001_steps.sql:5: relation "f_missing" does not exist');
      expect(r.stderr).toContain('its first 2 statements (to line 4) stay applied');
      await db.sql`create table f_missing(n int)`;
      const again = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(again.exitCode).toBe(0);
      expect((await db.sql`select n from f_log order by n`).map((x) => x.n)).toEqual([1, 3]);
      expect((await db.sql`select n from f_missing`).map((x) => x.n)).toEqual([2]);
    } finally {
      project.cleanup();
    }
  });

  it('a procedure that commits by itself runs, called from a migration marked NO TRANSACTION', async () => {
    const project = tempProject({
      'internal/p/migrations/001_proc.sql': [
        '-- +goose NO TRANSACTION',
        '-- +goose Up',
        'create table p_log(n int);',
        '-- +goose StatementBegin',
        'create procedure p_fill() language plpgsql as $$ begin insert into p_log values (1); commit; insert into p_log values (2); end $$;',
        '-- +goose StatementEnd',
        'CALL p_fill();',
        '',
      ].join('\n'),
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode).toBe(0);
      expect((await db.sql`select n from p_log order by n`).map((x) => x.n)).toEqual([1, 2]);
    } finally {
      project.cleanup();
    }
  });

  it('an interrupted CREATE UNIQUE INDEX CONCURRENTLY leaves no INVALID index behind: rebuilt, and duplicates refused', async () => {
    await db.sql`create table u_users(email text)`;
    await db.sql`insert into u_users values ('a@x'), ('b@x')`;
    const project = tempProject({
      'internal/u/migrations/001_unique.sql':
        'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u_users_email ON u_users (email);\n',
    });
    const writer = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      // an open writer makes the index build wait after it has created the (invalid) index
      const reserved = await writer.reserve();
      await reserved`begin`;
      await reserved`insert into u_users values ('c@x')`;
      const run = svcdb(project.dir, db.url, ['migrate', '--all']);
      await until(
        async () =>
          (
            await db.sql`select 1 from pg_stat_activity where application_name = 'svcdb' and query ilike 'create unique index%' and wait_event_type = 'Lock'`
          ).length > 0,
        'the index build to wait',
      );
      await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'svcdb'`;
      const interrupted = await run;
      expect(interrupted.exitCode).not.toBe(0);
      await reserved`rollback`;
      reserved.release();
      expect(
        (
          await db.sql`select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'u_users_email'`
        )[0].indisvalid,
      ).toBe(false);
      await db.sql`insert into u_users values ('a@x')`; // the invalid index does not stop it
      const rerun = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(rerun.exitCode).toBe(1);
      expect(rerun.stderr).toContain('could not create unique index "u_users_email"');
      expect(await db.sql`select id from svcdb_migrations_u`).toHaveLength(0);
      await db.sql`delete from u_users where ctid = (select max(ctid) from u_users where email = 'a@x')`;
      const fixed = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(fixed.exitCode).toBe(0);
      expect(
        (
          await db.sql`select i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname = 'u_users_email'`
        )[0].indisvalid,
      ).toBe(true);
      await expect(db.sql`insert into u_users values ('b@x')`).rejects.toMatchObject({ code: '23505' });
    } finally {
      await writer.end();
      project.cleanup();
    }
  });
});
