// Random and mutated SQL and source text never crash the lint: a finding or nothing.
import fc from 'fast-check';
import typescript from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/core/ownership/analyze-file.js';

// The compiler as analyzeText types it (a namespace import there, a default import here).
const ts = typescript as unknown as Parameters<typeof analyzeText>[3];
import { loadParser } from '../../src/core/ownership/sql/parser.js';
import { loadGrammar } from '../../src/core/ownership/extract/tree-sitter.js';
import type { FileKind } from '../../src/core/ownership/refs.js';

beforeAll(async () => {
  await loadParser();
  await Promise.all([loadGrammar('go'), loadGrammar('py')]);
});

const SEEDS: Array<[FileKind, string]> = [
  [
    'sql',
    '-- +goose Up\nCREATE TABLE t (id int REFERENCES u(id));\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO x VALUES (NEW.id); EXECUTE format(\'x\'); RETURN NEW; END $$;\n-- +goose StatementEnd\nWITH c AS (SELECT 1) SELECT * FROM c, "Q".w;\n',
  ],
  [
    'ts',
    'const a = sql`SELECT * FROM t WHERE id = ${id} AND ${`nested ${x}`}`;\nconst b = "UPDATE \\"x\\" SET a = 1"; // svcdb-ignore cross-service-write\nconst re = /`/g;\n',
  ],
  [
    'go',
    'package p\nconst q = `SELECT a FROM b`\nvar r = \'\\\'\'\nvar s = "DELETE FROM c WHERE d = \\"e\\""\n/* INSERT INTO x */\n',
  ],
  [
    'py',
    'q = """SELECT * FROM t"""\nr = f"UPDATE {t} SET a = {{1}}"\ns = rb\'SELECT 1\'\n# svcdb-ignore unknown-table\nu = \'DELETE FROM x WHERE y = %(y)s\'\n',
  ],
];

const kinds: FileKind[] = ['sql', 'ts', 'go', 'py'];
const ALPHABET = [
  '"',
  "'",
  '`',
  '$$',
  '$',
  '{',
  '}',
  '(',
  ')',
  ';',
  '\\',
  '\n',
  '--',
  '/*',
  '*/',
  '#',
  ' SELECT ',
  ' FROM ',
  ' INSERT INTO ',
  '${',
  'é',
  '\u0000',
  '\r',
];

function mutate(text: string, edits: Array<{ at: number; cut: number; insert: string }>): string {
  let out = text;
  for (const e of edits) {
    const at = e.at % (out.length + 1);
    out = out.slice(0, at) + e.insert + out.slice(at + e.cut);
  }
  return out;
}

function wellFormed(kind: FileKind, text: string): void {
  const a = analyzeText(`f.${kind}`, kind, text, ts);
  for (const r of a.refs) {
    expect(r.line).toBeGreaterThanOrEqual(1);
    expect(r.column).toBeGreaterThanOrEqual(1);
  }
  for (const d of a.diagnostics) expect(['unparsable-sql', 'dynamic-sql']).toContain(d.rule);
}

describe('the lint on hostile input', () => {
  it('never throws on mutated SQL and source files', () => {
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.constantFrom(...ALPHABET), fc.string({ maxLength: 6 })),
    });
    fc.assert(
      fc.property(fc.constantFrom(...SEEDS), fc.array(edit, { maxLength: 6 }), ([kind, seed], edits) => {
        wellFormed(kind, mutate(seed, edits));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random text in any host language', () => {
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom(...ALPHABET),
          fc.string({ maxLength: 4 }),
          fc.string({ unit: 'binary', maxLength: 3 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.constantFrom(...kinds), text, (kind, t) => {
        wellFormed(kind, t);
        wellFormed(kind, `"SELECT ${t}"`);
      }),
      { numRuns: 300 },
    );
  });
});
