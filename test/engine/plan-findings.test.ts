import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

describe('plan shows ownership findings for what it would apply', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_plan_lint');
    project = tempProject({
      'internal/ingestion/migrations/001_outbox.sql': 'CREATE TABLE outbox (id bigint PRIMARY KEY);\n',
      'internal/tsdb/migrations/001_readings.sql':
        'CREATE TABLE readings (\n  id bigint PRIMARY KEY,\n  outbox_id bigint REFERENCES outbox (id)\n);\n',
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it("a pending foreign key to another service's table is reported at its file:line:col", async () => {
    const r = await svcdb(project.dir, db.url, ['plan', 'tsdb', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      findings: Array<{ rule: string; file: string; line: number; column: number; owner: string }>;
    };
    expect(doc.findings).toEqual([
      expect.objectContaining({
        rule: 'cross-service-fk',
        file: 'internal/tsdb/migrations/001_readings.sql',
        line: 3,
        column: 31,
        owner: 'ingestion',
      }),
    ]);
    const text = await svcdb(project.dir, db.url, ['plan', 'tsdb']);
    expect(text.stdout).toContain('internal/tsdb/migrations/001_readings.sql:3:31');
    expect(text.stdout).toContain('cross-service-fk');
  });

  it('once applied, the migration is no longer linted by plan', async () => {
    // (in order: under one database the foreign key needs ingestion's table first)
    expect((await svcdb(project.dir, db.url, ['migrate', 'ingestion'])).exitCode).toBe(0);
    expect((await svcdb(project.dir, db.url, ['migrate', 'tsdb'])).exitCode).toBe(0);
    const r = await svcdb(project.dir, db.url, ['plan', 'tsdb', '--json']);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });
});
