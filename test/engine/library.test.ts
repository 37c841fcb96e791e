import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, plan, status } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { numberedMigrations, tempProject, type TempProject } from './project.js';

describe('the library API (a service migrating itself on startup)', () => {
  let db: TestDatabase;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    db = await createTestDatabase('engine_lib');
    project = tempProject({ ...numberedMigrations('ingestion', 3), ...numberedMigrations('query', 1) });
    env = { DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('migrate applies one service and reports each migration as it lands', async () => {
    const events: string[] = [];
    const result = await migrate({
      cwd: project.dir, env, services: ['ingestion'],
      onEvent: (e) => e.type === 'applied' && events.push(e.migration),
    });
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.services[0]).toMatchObject({ service: 'ingestion', status: 'applied', notTried: [] });
    expect(events).toEqual(['001_create_t1', '002_create_t2', '003_create_t3']);
  });

  it('status and plan see the same state', async () => {
    const s = await status({ cwd: project.dir, env });
    expect(s.services.map((x) => [x.service, x.applied.length, x.pending.length])).toEqual([['ingestion', 3, 0], ['query', 0, 1]]);
    expect(s.behind).toBe(true);
    const p = await plan({ cwd: project.dir, env, services: ['query'] });
    expect(p.services[0].pending.map((m) => m.id)).toEqual(['001_create_t1']);
  });

  it('a failure is in the result, not thrown: the caller decides whether to serve traffic', async () => {
    project.write('internal/query/migrations/002_bad.sql', 'SELECT * FROM no_such_table;\n');
    const result = await migrate({ cwd: project.dir, env, all: true });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    const query = result.services.find((s) => s.service === 'query')!;
    expect(query.status).toBe('failed');
    expect(query.failure).toMatchObject({ file: 'internal/query/migrations/002_bad.sql', line: 1, sqlstate: '42P01' });
    expect(query.applied.map((a) => a.id)).toEqual(['001_create_t1']);
  });

  it('bad input is thrown as a UserError', async () => {
    await expect(migrate({ cwd: project.dir, env, services: ['nope'] })).rejects.toMatchObject({ name: 'UserError' });
  });
});
