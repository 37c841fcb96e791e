// lintMigrations: the findings `plan` shows for the migrations it is about to apply.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintMigrations } from '../../src/core/ownership/index.js';
import { loadProject } from '../../src/core/project.js';

const fixture = path.resolve(__dirname, '../fixtures/ownership/rules');

describe('lintMigrations', () => {
  it("reports only the given migrations, judged against every service's ownership", async () => {
    const project = await loadProject({ cwd: fixture });
    const eventhandler = project.services.find((s) => s.name === 'eventhandler')!;
    const findings = await lintMigrations(project, eventhandler.migrations, 'shared');
    expect(findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column}`)).toEqual([
      'table-collision error internal/eventhandler/migrations/001_projections.sql:3:14',
      'cross-service-write error internal/eventhandler/migrations/001_projections.sql:7:10',
      'dynamic-sql warning internal/eventhandler/migrations/001_projections.sql:8:3',
    ]);
  });

  it('makes the collision a warning outside the shared strategy and finds nothing in clean migrations', async () => {
    const project = await loadProject({ cwd: fixture });
    const tsdb = project.services.find((s) => s.name === 'tsdb')!;
    expect((await lintMigrations(project, tsdb.migrations, 'isolated')).map((f) => `${f.rule} ${f.severity}`)).toEqual([
      'table-collision warning',
    ]);
    const ingestion = project.services.find((s) => s.name === 'ingestion')!;
    expect(await lintMigrations(project, ingestion.migrations.slice(0, 1), 'shared')).toEqual([]);
  });
});
