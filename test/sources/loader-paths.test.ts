// The loader's fast paths (jumping between special characters when a text has no ATOMIC, line
// numbers carried from annotation lines, one reused read buffer) must read files exactly as
// the plain character-by-character scan did.
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMigrationFiles, splitStatements } from '../../src/core/sources/index.js';
import { tempProject } from '../helpers/tmp.js';

async function parse(files: Record<string, string | Buffer>) {
  const root = tempProject(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [`internal/svc/migrations/${k}`, v])),
  );
  return parseMigrationFiles('svc', path.join(root, 'internal/svc/migrations'), root);
}

const at = (statements: Array<{ sql: string; line: number }>) => statements.map((s) => `${s.line}:${s.sql}`);

describe('migration loader fast paths', () => {
  it('splits the same with or without the word ATOMIC somewhere in the text', () => {
    const text =
      "-- note\nCREATE TABLE a (x text DEFAULT 'a;b', \"c;d\" int);\nDO $$ BEGIN PERFORM 1; END $$;\nSELECT E'\\';', 1 - 2 / 3; -- tail\nSELECT 4";
    const plain = splitStatements(text);
    const slow = splitStatements(`${text};\n-- atomic`);
    expect(at(slow)).toEqual(at(plain));
    expect(at(plain)).toEqual([
      '2:CREATE TABLE a (x text DEFAULT \'a;b\', "c;d" int)',
      '3:DO $$ BEGIN PERFORM 1; END $$',
      "4:SELECT E'\\';', 1 - 2 / 3",
      '5:SELECT 4',
    ]);
  });

  it('numbers the lines of dbmate and goose files with CRLF line endings', async () => {
    const dbmate =
      '-- migrate:up\r\nCREATE TABLE a (id int);\r\n\r\nCREATE TABLE b (id int);\r\n-- migrate:down\r\nDROP TABLE b;\r\n';
    const goose =
      '-- +goose Up\r\n-- +goose StatementBegin\r\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\r\n-- +goose StatementEnd\r\nCREATE TABLE c (id int);\r\n';
    const [d, g] = await parse({ '001_d.sql': dbmate, '002_g.sql': goose });
    expect(at(d.up)).toEqual(['2:CREATE TABLE a (id int)', '4:CREATE TABLE b (id int)']);
    expect(at(d.down ?? [])).toEqual(['6:DROP TABLE b']);
    expect(at(g.up)).toEqual([
      '3:CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql',
      '5:CREATE TABLE c (id int)',
    ]);
  });

  it('reads a file larger than the read buffer whole, and checksums a golang-migrate pair over both files', async () => {
    const big = `${'-- padding\n'.repeat(10_000)}CREATE TABLE big (id int);\n`;
    const up = 'CREATE TABLE t (id int);\n';
    const down = 'DROP TABLE t;\n';
    const [first, second] = await parse({ '001_big.sql': big, '002_t.up.sql': up, '002_t.down.sql': down });
    expect(at(first.up)).toEqual(['10001:CREATE TABLE big (id int)']);
    expect(first.checksum).toBe(createHash('sha256').update(big).digest('hex'));
    expect(second.checksum).toBe(createHash('sha256').update(up).update(down).digest('hex'));
  });
});
