// Issue 13, point 10: `repair <svc> --forget-missing` removes the history rows whose files are
// gone, printing each, after which `down` (which refused) works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { goose, jsonOf, svcdb, tempProject } from './helpers.js';

const dir = 'internal/users/migrations';

describe('repair --forget-missing', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('forget_missing');
  });
  afterAll(async () => {
    await db.drop();
  });

  async function appliedThenDeleted(): Promise<ReturnType<typeof tempProject>> {
    await db.sql`drop schema public cascade`;
    await db.sql`create schema public`;
    const p = tempProject({
      [`${dir}/001_create_users.sql`]: goose('users'),
      [`${dir}/002_create_orders.sql`]: goose('orders'),
      [`${dir}/003_create_items.sql`]: goose('items'),
    });
    const m = await svcdb(p.dir, db.url, ['migrate', '--all']);
    expect(m.exitCode, m.stderr).toBe(0);
    p.remove(`${dir}/002_create_orders.sql`);
    p.remove(`${dir}/003_create_items.sql`);
    return p;
  }

  it('prints each forgotten id; then status is clean and down reverts what has a file', async () => {
    const p = await appliedThenDeleted();
    try {
      const refused = await svcdb(p.dir, db.url, ['down', 'users']);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('recorded as applied but its file is gone');
      expect(refused.stderr).toContain('svcdb repair users --forget-missing');

      const r = await svcdb(p.dir, db.url, ['repair', 'users', '--forget-missing']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/users: forgot 002_create_orders\b/);
      expect(r.stdout).toMatch(/users: forgot 003_create_items\b/);
      expect(r.stdout).not.toMatch(/forgot 001_create_users/);

      const again = await svcdb(p.dir, db.url, ['repair', 'users', '--forget-missing']);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).not.toContain('forgot');

      const status = await svcdb(p.dir, db.url, ['status']);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/users\s+1\s+0\s+0\s+0/);

      const down = await svcdb(p.dir, db.url, ['down', 'users']);
      expect(down.exitCode, down.stderr).toBe(0);
      expect(down.stdout).toContain('users: reverted 001_create_users');
      expect(await db.sql`select 1 from pg_class where relname = 'users' and relkind = 'r'`).toHaveLength(0);
      // the forgotten migrations' schema changes stay as they are
      expect(await db.sql`select 1 from pg_class where relname = 'orders' and relkind = 'r'`).toHaveLength(1);
    } finally {
      p.cleanup();
    }
  });

  it('with --json: one document listing the forgotten ids', async () => {
    const p = await appliedThenDeleted();
    try {
      const r = await svcdb(p.dir, db.url, ['repair', 'users', '--forget-missing', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const doc = jsonOf(r);
      expect(doc).toMatchObject({ ok: true, exitCode: 0 });
      expect(JSON.stringify(doc.forgotten)).toContain('002_create_orders');
      expect(JSON.stringify(doc.forgotten)).toContain('003_create_items');
      const down = await svcdb(p.dir, db.url, ['down', 'users']);
      expect(down.exitCode, down.stderr).toBe(0);
    } finally {
      p.cleanup();
    }
  });
});
