import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/core/sources/split.js';

const sqls = (text: string) => splitStatements(text).map((s) => s.sql);

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops the terminator', () => {
    expect(sqls('CREATE TABLE a (x int);\nCREATE TABLE b (y int);')).toEqual([
      'CREATE TABLE a (x int)',
      'CREATE TABLE b (y int)',
    ]);
  });

  it('keeps a final statement without a semicolon', () => {
    expect(sqls('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('does not split inside $$ and $tag$ bodies', () => {
    const fn = 'CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql';
    const tagged = "DO $body$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body$";
    expect(sqls(`${fn};\n${tagged};\nSELECT 3;`)).toEqual([fn, tagged, 'SELECT 3']);
  });

  it('treats $1 and identifiers with $ as plain text, not dollar quotes', () => {
    expect(sqls('PREPARE p AS SELECT $1; SELECT a$b$ FROM t;')).toEqual([
      'PREPARE p AS SELECT $1',
      'SELECT a$b$ FROM t',
    ]);
  });

  it("respects single-quoted strings with '' escapes", () => {
    expect(sqls("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 1;")).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
      'SELECT 1',
    ]);
  });

  it("respects E'' strings with backslash-escaped quotes", () => {
    expect(sqls("SELECT E'it\\'s; fine', e'\\\\';SELECT 2;")).toEqual(["SELECT E'it\\'s; fine', e'\\\\'", 'SELECT 2']);
  });

  it('does not take a word ending in e before a quote for an E string', () => {
    // `one'` here: the quote opens a normal string in which \ is literal.
    expect(sqls("SELECT 'x\\';SELECT 2;")).toEqual(["SELECT 'x\\'", 'SELECT 2']);
  });

  it('respects double-quoted identifiers holding ; and ""', () => {
    expect(sqls('CREATE TABLE "a;""b" (x int); SELECT 1')).toEqual(['CREATE TABLE "a;""b" (x int)', 'SELECT 1']);
  });

  it('ignores semicolons in -- and nested /* */ comments', () => {
    const text = 'SELECT 1 -- not; here\n, 2 /* outer; /* inner; */ still; */ ;SELECT 3;';
    expect(sqls(text)).toEqual(['SELECT 1 -- not; here\n, 2 /* outer; /* inner; */ still; */', 'SELECT 3']);
  });

  it('drops statements made only of comments and whitespace', () => {
    expect(sqls('-- just a note;\n/* and; this */\n;  ;\nSELECT 1;\n-- trailing')).toEqual(['SELECT 1']);
  });

  it('starts a statement after its leading comments', () => {
    const [s] = splitStatements('-- creates the outbox\n  CREATE TABLE outbox (id int);');
    expect(s).toMatchObject({ sql: 'CREATE TABLE outbox (id int)', line: 2, column: 3, offset: 24 });
  });

  it('keeps BEGIN ATOMIC function bodies whole', () => {
    const fn =
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END';
    expect(sqls(`${fn};\nSELECT 2;`)).toEqual([fn, 'SELECT 2']);
  });

  it('reports positions in the file when given a start line and offset', () => {
    const [, second] = splitStatements('SELECT 1;\n\n  SELECT 2;', 10, 500);
    expect(second).toMatchObject({ line: 12, column: 3, offset: 513 });
  });

  it('throws on an unterminated string, with the offset of its quote', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'oops;")).toThrow(
      expect.objectContaining({ kind: 'string', offset: 17 }),
    );
  });

  it('throws on an unterminated dollar body and block comment', () => {
    expect(() => splitStatements('DO $$ BEGIN')).toThrow(expect.objectContaining({ kind: 'dollar' }));
    expect(() => splitStatements('/* /* */ SELECT 1;')).toThrow(expect.objectContaining({ kind: 'comment' }));
  });
});
