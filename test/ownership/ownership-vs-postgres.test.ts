// The ownership map agrees with PostgreSQL: applying a service's migrations creates exactly
// the relations the lint says the service owns (quoted names kept, unquoted folded).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/commands/check-ownership.js';
import { loadProject } from '../../src/core/project.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'svcdb-own-pg-'));

beforeAll(async () => {
  db = await createTestDatabase('ownership');
  const dir = path.join(tmp, 'internal/catalog/migrations');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, '001_relations.sql'),
    [
      'CREATE TABLE "Mixed" (id int PRIMARY KEY);',
      'CREATE TABLE plain_lower (id int);',
      'CREATE TABLE UPPER_FOLDED (id int);',
      'CREATE VIEW recent AS SELECT id FROM plain_lower;',
      'CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n FROM "Mixed";',
      'CREATE SEQUENCE counter;',
      'CREATE TEMP TABLE scratch (x int);',
      'CREATE INDEX plain_lower_id ON plain_lower (id);',
    ].join('\n'),
  );
});

afterAll(async () => {
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

async function relationsCreatedBy(projectDir: string, service: string): Promise<string[]> {
  const project = await loadProject({ cwd: projectDir });
  const schema = `own_${service}`;
  await db.sql.unsafe(`CREATE SCHEMA "${schema}"`);
  await db.sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL search_path TO "${schema}"`);
    for (const m of project.services.find((s) => s.name === service)!.migrations) {
      for (const st of m.up) await tx.unsafe(st.sql);
    }
  });
  const rows = await db.sql<{ relname: string }[]>`
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'v', 'm', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'a')`;
  return rows.map((r) => r.relname).sort();
}

describe('the ownership map against PostgreSQL', () => {
  it('names the tables, views, materialized views and sequences PostgreSQL creates', async () => {
    const created = await relationsCreatedBy(tmp, 'catalog');
    const { ownership } = await checkOwnership({ cwd: tmp, profile: 'dev' });
    expect(created).toEqual(['Mixed', 'counter', 'plain_lower', 'recent', 'totals', 'upper_folded']);
    expect([...ownership.catalog].sort()).toEqual(created);
  });

  it('agrees on every service of the seed-shaped repo', async () => {
    const seed = path.resolve(__dirname, '../fixtures/ownership/seed');
    const { ownership } = await checkOwnership({ cwd: seed, profile: 'dev' });
    for (const service of ['actions', 'eventhandler', 'ingestion', 'tsdb']) {
      const created = await relationsCreatedBy(seed, service);
      expect([...ownership[service]].sort(), service).toEqual(created);
    }
  });
});
