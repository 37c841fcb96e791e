// Flag values refused up front (exit 2, nothing touched), not only when the circumstance
// that uses them comes along.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

describe('flag values checked before anything runs', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('flags');
    project = tempProject({ 'internal/s/migrations/001_a.sql': 'create table flags_a(x int);\n' });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('--lock-timeout beyond what PostgreSQL accepts is exit 2 with no contention and nothing applied', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', 's', '--lock-timeout', '9999999s']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--lock-timeout');
    expect(r.stderr).toContain("PostgreSQL's lock_timeout limit");
    expect((await db.sql`select to_regclass('flags_a') is null as none`)[0].none).toBe(true);
  });

  it.each(['bad prefix;', 'x; drop role postgres', 'Svc-'])(
    '--role-prefix %j is refused, not rewritten',
    async (prefix) => {
      const r = await svcdb(project.dir, db.url, ['provision', '--print', '--role-prefix', prefix]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('--role-prefix');
      expect(r.stdout).toBe('');
    },
  );
});
