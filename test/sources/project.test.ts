import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError, UserErrors } from '../../src/core/errors.js';
import { defaultServicePath, envVarName, loadProject } from '../../src/core/project.js';
import { tempProject } from '../helpers/tmp.js';

const M = '-- +goose Up\nCREATE TABLE t (x int);\n';

async function projectError(files: Record<string, string>): Promise<UserError[]> {
  const err = await loadProject({ cwd: tempProject(files), env: {} }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err instanceof UserErrors ? err.errors : [err as UserError];
}

describe('discovering services', () => {
  it('finds internal/*/migrations by default, names services after their folder, sorts them', async () => {
    const root = tempProject({
      'internal/query/migrations/001_a.sql': M,
      'internal/ingestion/migrations/001_a.sql': M,
      'internal/ingestion/migrations/002_b.sql': M,
      'internal/shared/projections.ts': '',
      'node_modules/x/internal/y/migrations/001_a.sql': M,
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(project.configPath).toBeNull();
    expect(project.services.map((s) => [s.name, s.relDir, s.migrations.length, s.envVar])).toEqual([
      ['ingestion', 'internal/ingestion', 2, 'INGESTION_DATABASE_URL'],
      ['query', 'internal/query', 1, 'QUERY_DATABASE_URL'],
    ]);
    expect(project.services[0].migrationsDir).toBe(path.join(root, 'internal/ingestion/migrations'));
  });

  it('follows the config discover globs, including ** and partial wildcards', async () => {
    const root = tempProject({
      'svcdb.config.yaml': 'discover: ["services/**/migrations", "apps/svc-*/migrations"]\n',
      'services/a/migrations/001_x.sql': M,
      'services/deep/b/migrations/001_x.sql': M,
      'apps/svc-c/migrations/001_x.sql': M,
      'apps/web/migrations/001_x.sql': M,
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(project.services.map((s) => s.relDir)).toEqual(['services/a', 'services/deep/b', 'apps/svc-c']);
  });

  it('adds services declared only in config, at the path the first glob would give them', async () => {
    const root = tempProject({
      'svcdb.config.yaml':
        'discover: ["internal/services/*/migrations"]\nservices:\n  query: {}\n  actions: { path: apps/actions }\n',
      'internal/services/ingestion/migrations/001_a.sql': M,
      'apps/actions/migrations/001_a.sql': M,
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(project.services.map((s) => [s.name, s.relDir, s.migrationsDir === null, s.migrations.length])).toEqual([
      ['actions', 'apps/actions', false, 1],
      ['ingestion', 'internal/services/ingestion', false, 1],
      ['query', 'internal/services/query', true, 0],
    ]);
  });

  it('applies envPrefix and turns other characters into _', () => {
    expect(envVarName('CJ_', 'ingestion')).toBe('CJ_INGESTION_DATABASE_URL');
    expect(envVarName('', 'tsdb-v2.eu')).toBe('TSDB_V2_EU_DATABASE_URL');
    expect(defaultServicePath('internal/services/*/migrations', 'query')).toBe('internal/services/query');
    expect(defaultServicePath('db/migrations', 'query')).toBe('internal/query');
  });

  it('rejects two service folders with one name', async () => {
    const [err] = await projectError({
      'svcdb.config.yaml': 'discover: ["internal/*/migrations", "apps/*/migrations"]\n',
      'internal/a/migrations/001_x.sql': M,
      'apps/a/migrations/001_x.sql': M,
    });
    expect(err.message).toBe('two services named "a": internal/a/migrations and apps/a/migrations');
  });

  it('collects the broken files of every service', async () => {
    const errors = await projectError({
      'internal/a/migrations/001_x.sql': '-- +goose Down\n',
      'internal/b/migrations/1_x.sql': M,
      'internal/b/migrations/01_y.sql': M,
    });
    expect(errors.map((e) => e.where)).toEqual(['internal/a/migrations/001_x.sql:1', 'internal/b/migrations/1_x.sql']);
  });
});

describe('config references', () => {
  it('rejects databaseOf, reads, run.after and shared owners naming unknown services', async () => {
    const errors = await projectError({
      'svcdb.config.yaml': [
        'services:',
        '  query: { databaseOf: eventhandlr, reads: [{ service: nobody, tables: [t] }], run: { command: x, after: [ghost] } }',
        'shared:',
        '  internal/shared: phantom',
      ].join('\n'),
      'internal/eventhandler/migrations/001_x.sql': M,
    });
    expect(errors.map((e) => `${e.where} ${e.message}`)).toEqual([
      'svcdb.config.yaml: services.query.databaseOf unknown service "eventhandlr"',
      'svcdb.config.yaml: services.query.reads[0].service unknown service "nobody"',
      'svcdb.config.yaml: services.query.run.after[0] unknown service "ghost"',
      'svcdb.config.yaml: shared.internal/shared unknown service "phantom"',
    ]);
    expect(errors[0].hint).toBe('known services: eventhandler, query');
  });

  it('rejects a databaseOf cycle', async () => {
    const errors = await projectError({
      'svcdb.config.yaml': 'services:\n  a: { databaseOf: b }\n  b: { databaseOf: a }\n',
    });
    expect(errors[0].message).toBe('databaseOf forms a cycle: a → b → a');
  });

  it('says when --cwd does not exist', async () => {
    await expect(loadProject({ cwd: '/nonexistent/svcdb-project' })).rejects.toThrow('project folder not found');
  });
});

describe('{service} patterns and folders given directly (issue 11)', () => {
  it('three services found by one {service} pattern two levels above their migrations', async () => {
    const root = tempProject({
      'svcdb.config.yaml': 'discover: ["internal/services/{service}/storage/migrations"]\n',
      'internal/services/orders/storage/migrations/001_a.sql': M,
      'internal/services/payments/storage/migrations/001_a.sql': M,
      'internal/services/payments/storage/migrations/002_b.sql': M,
      'internal/services/users/storage/migrations/001_a.sql': M,
      'internal/services/users/storage/postgres.go': 'package storage\n',
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(project.services.map((s) => [s.name, s.relDir, s.migrations.length])).toEqual([
      ['orders', 'internal/services/orders', 1],
      ['payments', 'internal/services/payments', 2],
      ['users', 'internal/services/users', 1],
    ]);
  });

  it('{service} as the last segment, and inside a segment', async () => {
    const root = tempProject({
      'svcdb.config.yaml': 'discover: ["sql/migrations/{service}", "apps/svc-{service}/drizzle"]\n',
      'sql/migrations/core/001_a.sql': M,
      'sql/migrations/extra/001_a.sql': M,
      'sql/migrations/README.md': '# sets\n',
      'apps/svc-web/drizzle/0000_init.sql': 'CREATE TABLE w (id int);\n',
      'apps/svc-web/drizzle/meta/_journal.json':
        '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1,"tag":"0000_init","breakpoints":true}]}',
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(project.services.map((s) => [s.name, s.relDir, s.migrations.map((m) => m.format)])).toEqual([
      ['core', 'sql/migrations/core', ['goose']],
      ['extra', 'sql/migrations/extra', ['goose']],
      ['web', 'apps/svc-web', ['drizzle']],
    ]);
  });

  it("a service whose migrations folder is given directly, beside another service's", async () => {
    const root = tempProject({
      'svcdb.config.yaml':
        'discover: ["crates/*/migrations"]\nservices:\n  llm:\n    migrations: crates/collab/migrations_llm\n',
      'crates/collab/migrations/20240101000000_init.sql': M,
      'crates/collab/migrations_llm/20240201000000_llm.sql': M,
    });
    const project = await loadProject({ cwd: root, env: {} });
    expect(
      project.services.map((s) => [
        s.name,
        s.relDir,
        s.migrationsDir && path.relative(root, s.migrationsDir),
        s.migrations.map((m) => m.id),
      ]),
    ).toEqual([
      ['collab', 'crates/collab', 'crates/collab/migrations', ['20240101000000_init']],
      ['llm', 'crates/collab', 'crates/collab/migrations_llm', ['20240201000000_llm']],
    ]);
  });

  it('a name clash names both folders and suggests a {service} pattern, not renaming', async () => {
    const [err] = await projectError({
      'svcdb.config.yaml': 'discover: ["services/*/prisma/migrations", "apps/*/prisma/migrations"]\n',
      'services/users/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'apps/users/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
    });
    expect(err.message).toBe(
      'two services named "prisma": apps/users/prisma/migrations and services/users/prisma/migrations'.replace(
        /apps(.*) and services(.*)/,
        'services$2 and apps$1',
      ),
    );
    expect(err.hint).toContain('apps/{service}/prisma/migrations');
    expect(err.hint).not.toContain('rename');
  });

  it('a migrations folder given directly that does not exist names the key', async () => {
    const [err] = await projectError({ 'svcdb.config.yaml': 'services:\n  llm:\n    migrations: crates/nope\n' });
    expect(err.where).toBe('svcdb.config.yaml: services.llm.migrations');
  });
});
