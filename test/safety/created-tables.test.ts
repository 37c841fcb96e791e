// Tables created earlier in the same migration are new and empty: the rules leave them alone.
// The CREATE TABLE's name is read off the text (no parse tree needed), as PostgreSQL folds it.
import { describe, expect, it } from 'vitest';
import { lintSafety } from '../../src/core/safety/index.js';
import { splitStatements } from '../../src/core/sources/split.js';
import type { Migration } from '../../src/core/types.js';

function migration(up: string): Migration {
  return {
    service: 'billing',
    version: '002',
    name: 'lines',
    id: '002_lines',
    path: '/nowhere/002_lines.sql',
    relPath: 'internal/billing/migrations/002_lines.sql',
    checksum: 'c',
    format: 'plain',
    up: splitStatements(up),
    down: null,
    transaction: true,
  };
}

async function rules(up: string): Promise<string[]> {
  return (await lintSafety([migration(up)], { postgresVersion: 16, rules: {} })).map((f) => `${f.line}:${f.rule}`);
}

describe('a table created earlier in the same migration', () => {
  it.each([
    ['CREATE TABLE Invoice_Lines (id int);\nCREATE INDEX ON invoice_lines (id);'],
    [
      'create unlogged table if not exists billing . "Invoice ""Lines""" (id int);\ncreate index on "Invoice ""Lines""" (id);',
    ],
    ['CREATE TEMP TABLE scratch AS SELECT 1 AS id;\nALTER TABLE scratch ADD COLUMN n int NOT NULL;'],
    ['create table if(a int);\nalter table "if" alter column a type bigint;'],
    ['CREATE TABLE lines (id int) PARTITION BY RANGE (id);\nALTER TABLE lines ADD PRIMARY KEY (id);'],
  ])('%j: no finding', async (up) => {
    expect(await rules(up)).toEqual([]);
  });

  it.each([
    ['CREATE TABLE "Lines" (id int);\nCREATE INDEX ON lines (id);', ['2:require-concurrent-index-creation']],
    ['CREATE TABLE lines_new (id int);\nCREATE INDEX ON lines (id);', ['2:require-concurrent-index-creation']],
    ['-- x\nCREATE TABLE /* c */ lines (id int);\nALTER TABLE lines DROP COLUMN id;', []],
  ])('%j: only the other table', async (up, expected) => {
    expect(await rules(up)).toEqual(expected);
  });
});

describe('ALTER TABLE forms on an existing table', () => {
  it.each([
    ['ALTER TABLE invoices ADD total int NOT NULL', ['1:adding-required-field']],
    ['alter table invoices alter total set data type bigint', ['1:changing-column-type']],
    ['ALTER TABLE invoices ALTER COLUMN total SET NOT NULL', ['1:adding-not-nullable-field']],
    ['alter table invoices drop total', ['1:ban-drop-column']],
    ["ALTER TABLE invoices ALTER COLUMN state SET DEFAULT 'add'", []],
    ['ALTER TABLE invoices OWNER TO billing', []],
  ])('%j', async (up, expected) => {
    expect(await rules(`${up};\n`)).toEqual(expected);
  });
});
