// svcdb's own calls into libpg-query's WASM (sql/parser.ts) give what the library's parseSync
// and parsePlPgSQLSync give: the same trees, the same errors with the same positions, for
// multi-byte text and for a text big enough to make the module's memory grow.
import { createRequire } from 'node:module';
import type * as PgQuery from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { directParser, loadParser, parser, type SqlParser } from '../../src/core/ownership/sql/parser.js';

let lib: typeof PgQuery;
let direct: SqlParser;

beforeAll(async () => {
  lib = createRequire(import.meta.url)('libpg-query') as typeof PgQuery;
  await lib.loadModule();
  const d = await directParser();
  if (!d) throw new Error('this libpg-query build lacks the WASM functions svcdb calls');
  direct = d;
});

function outcome(fn: () => unknown): unknown {
  try {
    return { tree: fn() };
  } catch (e) {
    const err = e as Error & { sqlDetails?: unknown };
    return { error: err.message, details: err.sqlDetails };
  }
}

const SQL = [
  'SELECT 1',
  "-- migrate:up\nCREATE TABLE orders (id bigserial PRIMARY KEY, note text DEFAULT 'é');\nINSERT INTO orders (note) VALUES ('日本語'), ('🙂 emoji, four bytes');\n",
  'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END $$;',
  'WITH c AS (SELECT * FROM "Ünïcode"."Tåble") UPDATE t SET a = c.a FROM c; DELETE FROM u WHERE id = $1',
  // errors: the message and the cursor (a byte offset) must match, after multi-byte text too
  "SELECT 'ü' FROM WHERE",
  'CREATE TABLE (id int)',
  "SELECT 'unterminated",
  '',
];

describe('the direct parser', () => {
  it('is the one loadParser hands out', async () => {
    await loadParser();
    const tree = parser().parseSync('SELECT 1 FROM t');
    expect(tree).toEqual(lib.parseSync('SELECT 1 FROM t'));
    // not the library's own function (that would make these tests compare it with itself)
    expect(parser().parseSync).not.toBe(lib.parseSync);
  });

  it.each(SQL.map((s) => [s]))('parses %j as libpg-query does', (sql) => {
    expect(outcome(() => direct.parseSync(sql))).toEqual(outcome(() => lib.parseSync(sql)));
  });

  it('reports the same error position as the library', () => {
    const mine = outcome(() => direct.parseSync("SELECT 'ü' FROM WHERE")) as { details: { cursorPosition: number } };
    // characters, as PostgreSQL counts them (not bytes: ü is two)
    expect(mine.details.cursorPosition).toBe(16);
  });

  it('parses PL/pgSQL bodies, and fails on bad ones, as libpg-query does', () => {
    const good =
      "CREATE FUNCTION g(x int) RETURNS int LANGUAGE plpgsql AS $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM ledger WHERE note = 'ß'; RETURN n; END $$";
    const bad = 'CREATE FUNCTION h() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1 $$';
    expect(outcome(() => direct.parsePlPgSQLSync(good))).toEqual(outcome(() => lib.parsePlPgSQLSync(good)));
    expect((outcome(() => direct.parsePlPgSQLSync(good)) as { tree?: unknown }).tree).toBeDefined();
    expect(outcome(() => direct.parsePlPgSQLSync(bad))).toEqual(outcome(() => lib.parsePlPgSQLSync(bad)));
    expect((outcome(() => direct.parsePlPgSQLSync(bad)) as { error?: string }).error).toBeTruthy();
  });

  it('reads the right memory after the module grows it', () => {
    // ~24 MB of literal: the query buffer and the JSON tree need more memory than the module starts with
    const long = 'x'.repeat(8_000_000);
    const first = direct.parseSync(`SELECT 'ä${long}' AS big FROM tbl`) as {
      stmts: Array<{
        stmt: { SelectStmt: { targetList: Array<{ ResTarget: { val: { A_Const: { sval: { sval: string } } } } }> } };
      }>;
    };
    expect(first.stmts[0].stmt.SelectStmt.targetList[0].ResTarget.val.A_Const.sval.sval).toBe(`ä${long}`);
    // and a small parse after the growth still reads the current memory
    expect(direct.parseSync('SELECT a FROM after_growth')).toEqual(lib.parseSync('SELECT a FROM after_growth'));
  });
});
