// Issue 13, point 4: status exits 1 on drift or a missing file, 0 with only pending migrations
// (1 with --exit-code), and its --json exitCode is always the process's exit code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { goose, jsonOf, svcdb, tempProject, type CliResult } from './helpers.js';

const dir = 'internal/users/migrations';

/** the one JSON document's exitCode equals the process's; returns it */
function jsonExit(r: CliResult): number {
  const doc = jsonOf(r);
  expect(doc.exitCode, r.stderr).toBe(r.exitCode);
  expect(doc.ok).toBe(r.exitCode === 0);
  return doc.exitCode;
}

describe('status exit codes', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('status_exit');
  });
  afterAll(async () => {
    await db.drop();
  });

  /** a fresh public schema with both migrations applied */
  async function applied(): Promise<ReturnType<typeof tempProject>> {
    await db.sql`drop schema public cascade`;
    await db.sql`create schema public`;
    const p = tempProject({
      [`${dir}/001_create_users.sql`]: goose('users'),
      [`${dir}/002_create_orders.sql`]: goose('orders'),
    });
    const r = await svcdb(p.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode, r.stderr).toBe(0);
    return p;
  }

  it('in step: exit 0, with --exit-code too, and the JSON says 0', async () => {
    const p = await applied();
    try {
      for (const args of [['status'], ['status', '--exit-code']]) {
        const r = await svcdb(p.dir, db.url, args);
        expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(jsonExit(await svcdb(p.dir, db.url, [...args, '--json']))).toBe(0);
      }
    } finally {
      p.cleanup();
    }
  });

  it('pending only: exit 0; with --exit-code exit 1; the JSON exitCode matches each', async () => {
    const p = await applied();
    try {
      p.write(`${dir}/003_create_items.sql`, goose('items'));
      const r = await svcdb(p.dir, db.url, ['status']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/users\s+2\s+1\s+0\s+0/);
      expect(jsonExit(await svcdb(p.dir, db.url, ['status', '--json']))).toBe(0);
      const strict = await svcdb(p.dir, db.url, ['status', '--exit-code']);
      expect(strict.exitCode, strict.stderr).toBe(1);
      expect(jsonExit(await svcdb(p.dir, db.url, ['status', '--exit-code', '--json']))).toBe(1);
    } finally {
      p.cleanup();
    }
  });

  it('a drifted file: exit 1, named on stderr; the JSON lists it and says 1', async () => {
    const p = await applied();
    try {
      p.write(`${dir}/002_create_orders.sql`, `${goose('orders')}-- edited after it was applied\n`);
      const r = await svcdb(p.dir, db.url, ['status']);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toContain('002_create_orders.sql changed since it was applied');
      const j = await svcdb(p.dir, db.url, ['status', '--json']);
      expect(jsonExit(j)).toBe(1);
      const svc = (jsonOf(j).services as { drifted: string[] }[])[0];
      expect(svc?.drifted).toEqual([`${dir}/002_create_orders.sql`]);
      expect(jsonExit(await svcdb(p.dir, db.url, ['status', '--exit-code', '--json']))).toBe(1);
    } finally {
      p.cleanup();
    }
  });

  it('a missing file: exit 1, named on stderr; the JSON lists it and says 1', async () => {
    const p = await applied();
    try {
      p.remove(`${dir}/002_create_orders.sql`);
      const r = await svcdb(p.dir, db.url, ['status']);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toContain('002_create_orders is recorded as applied but its file is gone');
      const j = await svcdb(p.dir, db.url, ['status', '--json']);
      expect(jsonExit(j)).toBe(1);
      const svc = (jsonOf(j).services as { missing: unknown[] }[])[0];
      expect(JSON.stringify(svc?.missing)).toContain('002_create_orders');
    } finally {
      p.cleanup();
    }
  });
});
