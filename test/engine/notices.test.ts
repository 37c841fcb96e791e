// RAISE NOTICE from a migration: shown with `migrate --verbose`, quiet otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

describe('notices from migrations', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_notice');
    project = tempProject({
      'internal/billing/migrations/001_backfill.sql':
        "CREATE TABLE invoices (id int);\nDO $$ BEGIN RAISE NOTICE 'backfilled % rows', 42; END $$;\n",
      'internal/billing/migrations/002_more.sql': "DO $$ BEGIN RAISE NOTICE 'second step'; END $$;\n",
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('are not printed by default', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'billing', '--to', '001']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('backfilled');
  });

  it('are printed with --verbose, named by service', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 'billing', '--verbose']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('billing: NOTICE: second step');
  });
});
