// Positions of table names inside host-language strings: escapes, placeholders and
// interpolations must not shift the column a finding points at.
import typescript from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/core/ownership/analyze-file.js';

// The compiler as analyzeText types it (a namespace import there, a default import here).
const ts = typescript as unknown as Parameters<typeof analyzeText>[3];
import { loadParser } from '../../src/core/ownership/sql/parser.js';
import { loadGrammar } from '../../src/core/ownership/extract/tree-sitter.js';

beforeAll(async () => {
  await loadParser();
  await Promise.all([loadGrammar('go'), loadGrammar('py')]);
});

const refs = (file: string, kind: 'sql' | 'ts' | 'go' | 'py', text: string) =>
  analyzeText(file, kind, text, ts).refs.map(
    (r) => `${r.access} ${r.schema ? `${r.schema}.` : ''}${r.name} ${r.line}:${r.column}`,
  );

describe('SQL inside TypeScript and JavaScript', () => {
  it('finds tables in plain strings after escapes, at their exact column', () => {
    expect(refs('a.ts', 'ts', 'const q = "SELECT \\"x\\", \\u0041 FROM\\tevents";\n')).toEqual(['read events 1:39']);
  });

  it('turns ${} of a tagged template into parameters and keeps offsets after it', () => {
    const src = 'await sql`UPDATE dlq SET reason = ${why} WHERE id = ${id} AND x IN (SELECT y FROM other)`;\n';
    expect(refs('a.ts', 'ts', src)).toEqual(['write dlq 1:18', 'read other 1:83']);
  });

  it('skips comments, regular expressions and strings that only start like SQL', () => {
    const src = [
      '// SELECT * FROM commented',
      '/* DELETE FROM block_commented */',
      'const re = /select from x/g;',
      'const event = "update";',
      'const prose = "Delete the rows from the table.";',
      'const ok = `select id from kept`;',
    ].join('\n');
    expect(refs('a.js', 'ts', src)).toEqual(['read kept 6:28']);
  });
});

describe('SQL inside Go', () => {
  it('reads raw strings and interpreted strings (with escapes) and skips runes and comments', () => {
    const src =
      'package x\n// SELECT * FROM c\nvar r = \'"\'\nconst q = `\n  INSERT INTO "Mixed" (a)\n  VALUES (1)`\nvar s = "DELETE FROM \\tdlq WHERE a = $1"\n';
    expect(refs('a.go', 'go', src)).toEqual(['write Mixed 5:15', 'write dlq 7:24']);
  });
});

describe('SQL inside Python', () => {
  it('reads single, triple-quoted and f-strings, with psycopg placeholders', () => {
    const src =
      '# select * from c\nq = """\n  SELECT * FROM app.projections\n"""\nr = f"DELETE FROM dlq WHERE id = {x[\'a\']} AND b = 1"\ns = \'UPDATE t SET a = %(a)s WHERE id = %s\'\n';
    expect(refs('a.py', 'py', src)).toEqual(['read app.projections 3:17', 'write dlq 5:19', 'write t 6:13']);
  });
});

describe('SQL files', () => {
  it('classifies reads, writes, foreign keys and creations, and skips CTE names and NEW/OLD', () => {
    const src = [
      'CREATE TABLE a (id int REFERENCES b (id));',
      'CREATE VIEW v AS SELECT * FROM c;',
      'CREATE MATERIALIZED VIEW mv AS SELECT 1 FROM d;',
      'CREATE SEQUENCE s;',
      'WITH c AS (SELECT 1) MERGE INTO e USING c ON true WHEN MATCHED THEN DELETE;',
      "TRUNCATE f; GRANT SELECT ON g TO someone; COMMENT ON TABLE h IS 'x';",
      'CREATE INDEX ON i (x); CREATE POLICY p ON j USING (true);',
      'CREATE RULE r AS ON INSERT TO k DO ALSO INSERT INTO l VALUES (NEW.id);',
    ].join('\n');
    expect(refs('a.sql', 'sql', src)).toEqual([
      'create a 1:14',
      'fk b 1:35',
      'create v 2:13',
      'read c 2:32',
      'create mv 3:26',
      'read d 3:46',
      'create s 4:17',
      'write e 5:33',
      'write f 6:10',
      'write g 6:29',
      'write h 6:60',
      'write i 7:17',
      'write j 7:43',
      'write k 8:31',
      'write l 8:53',
    ]);
  });

  it('leaves system catalogs alone', () => {
    // an unqualified pg_* name is kept, marked as a catalog: a service may own a pg_-named table
    const found = analyzeText(
      'a.sql',
      'sql',
      'SELECT * FROM pg_stat_activity, pg_catalog.pg_class, information_schema.tables, "Mine";',
      ts,
    ).refs;
    expect(found.map((r) => `${r.name} ${r.catalog ?? false}`)).toEqual(['pg_stat_activity true', 'Mine false']);
  });

  it('keeps going past a statement that does not parse, and reports it at the error', () => {
    const a = analyzeText('a.sql', 'sql', 'SELECT 1 FROM ok1;\nSELEC oops;\nINSERT INTO ok2 VALUES (1);\n', null);
    expect(a.refs.map((r) => `${r.name} ${r.line}`)).toEqual(['ok1 1', 'ok2 3']);
    expect(a.diagnostics).toEqual([
      { rule: 'unparsable-sql', line: 2, column: 1, message: 'SQL does not parse: syntax error at or near "SELEC"' },
    ]);
  });

  it('puts a syntax error after multi-byte text at the token, not some bytes before it', () => {
    // PostgreSQL counts the error position in characters: ü is two UTF-8 bytes and 🙂 four, so
    // reading it as bytes put the column four early (15). Columns count UTF-16 units, as the
    // columns of every other finding do (🙂 is two).
    const a = analyzeText('a.sql', 'sql', "SELECT 1 FROM ok1;\nSELECT 'ü🙂' FROM WHERE;\n", null);
    expect(a.diagnostics).toEqual([
      { rule: 'unparsable-sql', line: 2, column: 19, message: 'SQL does not parse: syntax error at or near "WHERE"' },
    ]);
  });

  it('past a broken statement, a BEGIN ATOMIC body and a dollar-quoted body stay whole statements', () => {
    const text = [
      'CREATE FUNCTION total() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM atomic_t; SELECT 1; END;',
      'DO $$ BEGIN DELETE FROM body_t; END $$; -- the end',
      'SELEC oops;',
      '/* before */ DELETE FROM after_t;',
    ].join('\n');
    const a = analyzeText('a.sql', 'sql', text, null);
    expect(a.refs.map((r) => `${r.access} ${r.name} ${r.line}:${r.column}`)).toEqual([
      'create total 1:17',
      'read atomic_t 1:87',
      'write body_t 2:25',
      'write after_t 4:26',
    ]);
    expect(a.diagnostics).toEqual([
      { rule: 'unparsable-sql', line: 3, column: 1, message: 'SQL does not parse: syntax error at or near "SELEC"' },
    ]);
  });

  it('maps positions in a line with non-ASCII text before the table', () => {
    expect(refs('a.sql', 'sql', "SELECT 'héllo ✓' AS x FROM después;\n")).toEqual(['read después 1:28']);
  });
});

describe('PL/pgSQL bodies', () => {
  it('finds tables in function bodies and DO blocks at their line, and flags EXECUTE of built strings', () => {
    const src = [
      'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$',
      'DECLARE n int; p_id int;',
      'BEGIN',
      '  SELECT count(*) INTO n FROM audit WHERE id = p_id;',
      '  INSERT INTO history SELECT NEW.*;',
      "  EXECUTE 'DELETE FROM ' || quote_ident(TG_TABLE_NAME);",
      '  RETURN NEW;',
      'END $body$;',
      'DO $$ BEGIN UPDATE counters SET n = n + 1; END $$;',
    ].join('\n');
    const a = analyzeText('f.sql', 'sql', src, null);
    expect(a.refs.map((r) => `${r.access} ${r.name} ${r.line}:${r.column}`)).toEqual([
      'create f 1:17', // the function itself
      'read audit 4:31',
      'write history 5:15',
      'write counters 9:20',
    ]);
    expect(a.diagnostics.map((d) => `${d.rule} ${d.line}:${d.column}`)).toEqual(['dynamic-sql 6:3']);
  });

  it('reports a PL/pgSQL body the parser rejects instead of skipping it silently', () => {
    const a = analyzeText(
      'f.sql',
      'sql',
      'CREATE FUNCTION g(x int) RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN INSERT INTO log VALUES (1); RETURN NEW; END $$;\n',
      null,
    );
    expect(a.diagnostics).toEqual([
      {
        rule: 'unparsable-sql',
        line: 2,
        column: 1,
        message: 'PL/pgSQL body does not parse: trigger functions cannot have declared arguments',
      },
    ]);
  });
});
