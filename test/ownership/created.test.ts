// What a migration creates, by the PostgreSQL parser: the one answer behind `svcdb services`,
// the shared-strategy collision check and check-ownership.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/core/ownership/analyze-file.js';
import {
  candidateNames,
  createdByStatements,
  createdObjects,
  loneCreatedTable,
} from '../../src/core/ownership/created.js';
import { loadProject } from '../../src/core/project.js';
import { tempProject } from '../helpers/project.js';
import { loadParser } from '../../src/core/ownership/sql/parser.js';
import { splitStatements } from '../../src/core/sources/split.js';

beforeAll(async () => {
  await loadParser();
});

/** `kind schema.name` of what one migration file creates. */
function created(sql: string): string[] {
  return createdObjects([analyzeText('001_x.sql', 'sql', sql, null)], new Map([['001_x.sql', 's']])).map(
    (c) => `${c.kind} ${c.schema ? `${c.schema}.` : ''}${c.name}${c.kind === 'function' ? `(${c.args})` : ''}`,
  );
}

describe('createdObjects', () => {
  it('finds tables, views, materialized views and sequences, folding unquoted names; temp tables are not created objects', () => {
    expect(
      created(`
      CREATE TABLE Outbox (id int);
      CREATE UNLOGGED TABLE IF NOT EXISTS cache (k text);
      CREATE TEMP TABLE scratch (x int);
      CREATE OR REPLACE VIEW recent AS SELECT 1;
      CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1;
      CREATE SEQUENCE ids;`),
    ).toEqual(['table outbox', 'table cache', 'view recent', 'matview totals', 'sequence ids']);
  });

  it('keeps quoted names and schemas as written', () => {
    expect(
      created(
        'CREATE TABLE "Event_Store" (id int); CREATE TABLE ingestion."Outbox" (id int); create table "a""b".c (x int);',
      ),
    ).toEqual(['table Event_Store', 'table ingestion.Outbox', 'table a"b.c']);
  });

  it('finds indexes, types and functions, and nothing in comments or string literals', () => {
    expect(
      created(
        [
          "CREATE TYPE status AS ENUM ('a'); CREATE TYPE pair AS (a int, b int); CREATE DOMAIN email AS text;",
          'CREATE INDEX orders_idx ON billing.orders (x); CREATE UNIQUE INDEX ON t (x);',
          "CREATE FUNCTION touch(id int, OUT n text) RETURNS text LANGUAGE sql AS 'select 1';",
          "ALTER TABLE t ADD y int; -- CREATE TABLE fake (x int);\nSELECT 'CREATE TABLE nope';",
        ].join('\n'),
      ),
    ).toEqual(['type status', 'type pair', 'type email', 'index billing.orders_idx', 'function touch(int4)']);
  });

  it('sees tables created in a DO block, by SELECT INTO and CREATE TABLE AS, and follows RENAME TO', () => {
    expect(
      created(
        [
          'DO $$ BEGIN CREATE TABLE IF NOT EXISTS dlq (x int); END $$;',
          'SELECT 1 AS x INTO archive;',
          'CREATE TABLE snapshot AS SELECT 1 AS x;',
          'CREATE TABLE b_tmp (x int); ALTER TABLE b_tmp RENAME TO outbox;',
          'ALTER INDEX IF EXISTS other_idx RENAME TO x_idx;',
        ].join('\n'),
      ).sort(),
    ).toEqual(['table archive', 'table b_tmp', 'table dlq', 'table outbox', 'table snapshot']);
  });
});

describe('createdByStatements', () => {
  it('reports the line of each object in its file, inside one goose StatementBegin block too', async () => {
    const block = { sql: 'CREATE TABLE a (x int);\nCREATE TABLE b (x int)', line: 5, column: 1, offset: 0 };
    expect(await createdByStatements([block])).toEqual([
      { kind: 'table', schema: null, name: 'a', line: 5 },
      { kind: 'table', schema: null, name: 'b', line: 6 },
    ]);
    const [t] = await createdByStatements(
      splitStatements('SELECT 1;\n/* owned by ingestion */ CREATE /* really */ TABLE dlq (id int);'),
    );
    expect(t).toEqual({ kind: 'table', schema: null, name: 'dlq', line: 2 });
  });
});

describe('candidateNames', () => {
  it('holds every name the parser finds created, so skipping the parse when none is shared is safe', async () => {
    const sql = [
      'CREATE /* c */ UNLOGGED TABLE IF NOT EXISTS public."Dlq" (x int);',
      'DO $$ BEGIN CREATE TABLE inner_t (x int); END $$;',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx ON t (x);',
      "CREATE OR REPLACE FUNCTION app.touch() RETURNS int LANGUAGE sql AS 'select 1';",
      "CREATE TYPE mood AS ENUM ('a'); CREATE DOMAIN email AS text; CREATE MATERIALIZED VIEW totals AS SELECT 1;",
      'SELECT 1 AS x INTO archive; CREATE TABLE snap AS SELECT 1; ALTER TABLE snap RENAME TO snapshot;',
      'CREATE SEQUENCE ids; CREATE VIEW recent AS SELECT 1;',
    ].join('\n');
    const project = tempProject({ 'internal/a/migrations/001_a.sql': sql });
    try {
      const p = await loadProject({ cwd: project.dir, env: {} });
      const names = candidateNames(p, p.services).get('a') ?? new Set();
      for (const c of created(sql))
        expect(names).toContain(c.split(' ')[1].split('.').pop()?.replace(/\(.*/, '').toLowerCase());
    } finally {
      project.cleanup();
    }
  });
});

describe('loneCreatedTable (the fast path that spares the parser)', () => {
  it('gives what the parse gives for one CREATE TABLE, and null where only the parse can tell', () => {
    const agree = [
      'CREATE TABLE Outbox (id int)',
      'create table if not exists "Mixed Case" (id int)',
      'CREATE UNLOGGED TABLE billing.Invoices (id int)',
      'CREATE TABLE "my.schema"."t" (id int)',
      'create table copy_of as select 1 as x',
      'CREATE TABLE events_2024 PARTITION OF events FOR VALUES IN (2024)',
    ];
    for (const sql of agree) {
      const parsed = created(`${sql};`).filter((c) => c.startsWith('table '));
      const lone = loneCreatedTable(sql);
      expect(lone, sql).not.toBeNull();
      expect([`table ${lone?.schema ? `${lone.schema}.` : ''}${lone?.name}`], sql).toEqual(parsed);
    }
    for (const sql of [
      'CREATE TEMP TABLE scratch (x int)',
      'CREATE TEMPORARY TABLE scratch (x int)',
      'CREATE TABLE a (x int); CREATE TABLE b (y int)',
      'CREATE VIEW v AS SELECT 1',
    ])
      expect(loneCreatedTable(sql), sql).toBeNull();
  });
});
