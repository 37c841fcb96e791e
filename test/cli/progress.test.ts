// Issue 13, point 12: off a terminal, migrate prints one line per migration applied with its
// time (as dbmate and goose do); --quiet prints only the summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { goose, svcdb, tempProject } from './helpers.js';

const dir = 'internal/users/migrations';
const files = {
  [`${dir}/001_create_users.sql`]: goose('users'),
  [`${dir}/002_create_orders.sql`]: goose('orders'),
  [`${dir}/003_create_items.sql`]: goose('items'),
};
const ids = ['001_create_users', '002_create_orders', '003_create_items'];

describe('migrate progress off a terminal', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('progress');
  });
  afterAll(async () => {
    await db.drop();
  });

  async function fresh(): Promise<void> {
    await db.sql`drop schema public cascade`;
    await db.sql`create schema public`;
  }

  it('one line per migration applied, in order, each with its time; then the summary', async () => {
    await fresh();
    const p = tempProject(files);
    try {
      const r = await svcdb(p.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode, r.stderr).toBe(0);
      const out = `${r.stderr}\n${r.stdout}`;
      const lines = out.split('\n').filter((l) => /^users: applied \d{3}_/.test(l));
      expect(lines).toHaveLength(3);
      ids.forEach((id, i) =>
        expect(lines[i]).toMatch(new RegExp(`^users: applied ${id} \\(\\d+(\\.\\d+)? ?(ms|s)\\)$`)),
      );
      expect(r.stdout).toMatch(/users\s+applied\s+3\s+0/);
    } finally {
      p.cleanup();
    }
  });

  it('--quiet prints only the summary', async () => {
    await fresh();
    const p = tempProject(files);
    try {
      const r = await svcdb(p.dir, db.url, ['migrate', '--all', '--quiet']);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const id of ids) {
        expect(r.stderr).not.toContain(id);
        expect(r.stdout).not.toContain(id);
      }
      expect(r.stderr.trim()).toBe('');
      expect(r.stdout).toMatch(/users\s+applied\s+3\s+0/);
      expect(await db.sql`select 1 from pg_class where relname = 'items' and relkind = 'r'`).toHaveLength(1);
    } finally {
      p.cleanup();
    }
  });
});
