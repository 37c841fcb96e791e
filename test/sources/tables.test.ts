import { describe, expect, it } from 'vitest';
import { tablesCreatedBy } from '../../src/core/tables.js';
import { splitStatements } from '../../src/core/sources/split.js';

const created = (sql: string) =>
  tablesCreatedBy(splitStatements(sql)).map((t) => (t.schema ? `${t.schema}.${t.name}` : t.name));

describe('tablesCreatedBy', () => {
  it('finds tables, views, materialized views and sequences, folding unquoted names', () => {
    expect(
      created(`
      CREATE TABLE Outbox (id int);
      CREATE UNLOGGED TABLE IF NOT EXISTS cache (k text);
      CREATE TEMP TABLE scratch (x int);
      CREATE OR REPLACE VIEW recent AS SELECT 1;
      CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT 1;
      CREATE SEQUENCE ids;`),
    ).toEqual(['outbox', 'cache', 'scratch', 'recent', 'totals', 'ids']);
  });

  it('keeps quoted names and schemas as written', () => {
    expect(
      created(
        'CREATE TABLE "Event_Store" (id int); CREATE TABLE ingestion."Outbox" (id int); create table "a""b".c (x int);',
      ),
    ).toEqual(['Event_Store', 'ingestion.Outbox', 'a"b.c']);
  });

  it('ignores indexes, functions, ALTERs and comments that mention CREATE TABLE', () => {
    expect(
      created(
        "CREATE INDEX i ON t (x); ALTER TABLE t ADD y int; -- CREATE TABLE fake (x int);\nSELECT 'CREATE TABLE nope';",
      ),
    ).toEqual([]);
  });

  it('sees through leading comments and reports the statement line', () => {
    const [t] = tablesCreatedBy(
      splitStatements('SELECT 1;\n/* owned by ingestion */ CREATE /* really */ TABLE dlq (id int);'),
    );
    expect(t).toEqual({ name: 'dlq', schema: null, line: 2 });
  });

  it('finds every table inside one goose StatementBegin block', () => {
    const block = { sql: 'CREATE TABLE a (x int);\nCREATE TABLE b (x int)', line: 5, column: 1, offset: 0 };
    expect(tablesCreatedBy([block])).toEqual([
      { name: 'a', schema: null, line: 5 },
      { name: 'b', schema: null, line: 6 },
    ]);
  });
});
