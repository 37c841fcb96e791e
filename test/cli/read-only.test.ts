// Issue 13, point 3: read-only and reverting commands (down, repair, status, plan) never create
// a database, schema or history table. The catalog is checked after each run.
import postgres from 'postgres';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, serverUrl, urlFor, type TestDatabase } from '../helpers/db.js';
import { goose, svcdb, tempProject } from './helpers.js';

describe('read-only and reverting commands create nothing', () => {
  const project = tempProject({ 'internal/users/migrations/001_create_users.sql': goose('users') });
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('readonly');
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('against a database that does not exist: down and repair exit 2, status and plan say what is pending; no database appears', async () => {
    const missing = `svcdb_t_missing_${randomBytes(4).toString('hex')}`;
    const url = urlFor(missing);
    const downR = await svcdb(project.dir, url, ['down', 'users']);
    expect(downR.exitCode, downR.stderr).toBe(2);
    expect(downR.stderr).toContain(`database ${missing} does not exist`);
    expect(downR.stderr).toContain('nothing was changed');
    expect(downR.stdout).not.toContain('nothing to revert');
    const repairR = await svcdb(project.dir, url, ['repair', 'users']);
    expect(repairR.exitCode, repairR.stderr).toBe(2);
    expect(repairR.stdout).not.toContain('no drift');
    const statusR = await svcdb(project.dir, url, ['status']);
    expect(statusR.exitCode, statusR.stderr).toBe(0);
    expect(statusR.stderr).toContain('users: pending 001_create_users');
    const planR = await svcdb(project.dir, url, ['plan', '--all']);
    expect(planR.exitCode, planR.stderr).toBe(0);

    const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
    try {
      expect(await admin`select 1 from pg_database where datname = ${missing}`).toHaveLength(0);
    } finally {
      await admin.end();
    }
  });

  it('against an empty database under a schema profile: no schema and no history table appear', async () => {
    for (const args of [
      ['down', 'users'],
      ['repair', 'users'],
      ['status'],
      ['plan', '--all'],
      ['down', 'users', '--json'],
      ['repair', 'users', '--forget-missing'],
    ]) {
      const r = await svcdb(project.dir, db.url, ['--profile', 'dev-aws', ...args]);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const r = await svcdb(project.dir, db.url, ['--profile', 'dev-aws', 'down', 'users']);
    expect(r.stdout).toContain('users: nothing to revert (no schema users and no history table');
    expect(r.stdout).toContain('nothing was created');
    expect(await db.sql`select nspname from pg_namespace where nspname = 'users'`).toHaveLength(0);
    expect(await db.sql`select relname from pg_class where relname like 'svcdb_migrations%'`).toHaveLength(0);
  });

  it('against an empty database under the shared profile: no history table appears', async () => {
    for (const args of [['down', 'users'], ['repair', 'users'], ['status'], ['plan', '--all']]) {
      const r = await svcdb(project.dir, db.url, args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(await db.sql`select relname from pg_class where relname like 'svcdb_migrations%'`).toHaveLength(0);
  });
});
