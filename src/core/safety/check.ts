// One migration's up statements → the safety rules they break, from libpg-query's tree.
// What svcdb knows beyond a file-by-file linter: tables created earlier in the same migration
// are new and empty (nothing to lock or scan), and whether the file runs in a transaction is
// the Migration record's flag after prepareTransactions (see ./index.ts), not a guess.
import type { Migration, Statement } from '../types.js';
import { parseSyncShared } from '../ownership/sql/parser.js';
import { byteToChar } from '../ownership/sql/offsets.js';
import { codeText } from '../sources/code-text.js';
import { alterCommand } from './alter-table.js';
import { loneCreatedTable } from '../ownership/created.js';

export interface SafetyDraft {
  rule: string;
  line: number;
  column: number;
  /** line where the statement starts (a suppression above the statement also counts) */
  statementLine: number;
  table: string | null;
  message: string;
}

export type Node = Record<string, unknown>;
export type RangeVar = { relname?: string; schemaname?: string; location?: number };

export function checkMigration(m: Migration, postgresVersion: number): SafetyDraft[] {
  const out: SafetyDraft[] = [];
  const created = new Set<string>();
  const createdIndexes = new Set<string>();
  const notValid = new Set<string>();
  for (const s of m.up) {
    if (!worthParsing(s.sql)) continue;
    const table = loneCreatedTable(s.sql);
    if (table !== null) {
      created.add(table.name); // all a CREATE TABLE tells the rules: no need for its tree
      continue;
    }
    let stmts: Array<{ stmt: Node; stmt_location?: number }>;
    try {
      stmts = (parseSyncShared(s.sql, false).stmts ?? []) as never;
    } catch {
      continue; // the server reports a syntax error itself; this lint has nothing to add
    }
    const toChar = byteToChar(s.sql);
    for (const { stmt, stmt_location: at = 0 } of stmts) {
      const stmtPos = position(s, toChar(at), true);
      const report = (rule: string, byteLoc: number | undefined, table: string | null, message: string) => {
        const pos = typeof byteLoc === 'number' && byteLoc >= 0 ? position(s, toChar(byteLoc)) : stmtPos;
        out.push({ rule, ...pos, statementLine: stmtPos.line, table, message });
      };
      const [kind, node] = Object.entries(stmt)[0] as [string, Node];
      const isNew = (r: RangeVar | undefined) => Boolean(r?.relname && created.has(key(r)));
      switch (kind) {
        case 'CreateStmt':
        case 'CreateTableAsStmt': {
          const rel = (kind === 'CreateStmt' ? node.relation : (node.into as Node | undefined)?.rel) as
            | RangeVar
            | undefined;
          if (rel?.relname) created.add(key(rel));
          break;
        }
        case 'IndexStmt': {
          const rel = node.relation as RangeVar;
          if (typeof node.idxname === 'string') createdIndexes.add(node.idxname);
          if (!node.concurrent && !isNew(rel)) {
            report(
              'require-concurrent-index-creation',
              rel.location,
              name(rel),
              `CREATE INDEX on ${name(rel)} without CONCURRENTLY blocks its writes for the whole build`,
            );
          }
          break;
        }
        case 'DropStmt': {
          const type = node.removeType;
          if (type === 'OBJECT_INDEX' && !node.concurrent) {
            const names = objectNames(node);
            if (!names.every((n) => createdIndexes.has(n.split('.').pop() ?? n))) {
              report(
                'require-concurrent-index-deletion',
                undefined,
                null,
                `DROP INDEX ${names.join(', ')} without CONCURRENTLY locks the table`,
              );
            }
          } else if (type === 'OBJECT_TABLE') {
            const names = objectNames(node).filter((n) => !created.has(n));
            if (names.length) report('ban-drop-table', undefined, names.join(', '), `DROP TABLE ${names.join(', ')}`);
          }
          break;
        }
        case 'DropdbStmt':
          report('ban-drop-database', undefined, null, `DROP DATABASE ${String(node.dbname)}`);
          break;
        case 'TruncateStmt':
          if (node.behavior === 'DROP_CASCADE')
            report(
              'ban-truncate-cascade',
              undefined,
              null,
              'TRUNCATE ... CASCADE also empties every table that references these',
            );
          break;
        case 'RenameStmt': {
          const rel = node.relation as RangeVar | undefined;
          if (isNew(rel)) break;
          if (node.renameType === 'OBJECT_COLUMN')
            report(
              'renaming-column',
              rel?.location,
              name(rel),
              `RENAME COLUMN ${String(node.subname)} of ${name(rel)} to ${String(node.newname)}`,
            );
          else if (node.renameType === 'OBJECT_TABLE')
            report('renaming-table', rel?.location, name(rel), `RENAME TABLE ${name(rel)} to ${String(node.newname)}`);
          break;
        }
        case 'AlterTableStmt': {
          const rel = node.relation as RangeVar;
          if (node.objtype !== 'OBJECT_TABLE' || isNew(rel)) break;
          const table = name(rel);
          for (const c of (node.cmds ?? []) as Node[]) {
            const cmd = c.AlterTableCmd as Node;
            alterCommand(cmd, table, rel, postgresVersion, m.transaction, notValid, report);
          }
          break;
        }
        default:
      }
    }
  }
  return out;
}

// Only DDL can break a rule: INSERTs, functions, triggers and grants skip the parser (a
// function body is most of a migration's text). Tested at the start of every statement of the
// text's code (strings, comments and dollar-quoted bodies blanked): a goose block of several
// statements is parsed when one of them is DDL, a function whose body says `DROP` is not. The
// plain word test on the raw text first: blanking only removes words.
const DDL_WORD = /\b(?:alter|drop|truncate|create)\b/i;
const DDL =
  /(?:^|;)\s*(?:alter|drop|truncate|create\s+(?:(?:global|local|temp|temporary|unlogged)\s+)*table|create\s+(?:unique\s+)?index)\b/i;

function worthParsing(sql: string): boolean {
  if (!DDL_WORD.test(sql)) return false;
  const code = codeText(sql);
  if (code === null) return true;
  if (!DDL.test(code)) return false;
  // one ALTER TABLE that adds, drops, retypes, validates or renames nothing (SET DEFAULT,
  // OWNER TO, ENABLE TRIGGER, ...): no rule reads it
  return !(/^alter\s+table\b/i.test(code) && !code.includes(';') && !ALTER_WORDS.test(code));
}

/** The words of every ALTER TABLE form a rule reads (ADD ..., DROP ..., TYPE, SET/DROP NOT NULL, VALIDATE, RENAME). */
const ALTER_WORDS = /\b(?:add|drop|type|not|validate|rename)\b/i;

function key(r: RangeVar): string {
  return String(r.relname);
}

function name(r: RangeVar | undefined): string {
  if (!r) return '?';
  return r.schemaname ? `${r.schemaname}.${r.relname}` : String(r.relname);
}

function objectNames(node: Node): string[] {
  return ((node.objects ?? []) as Node[]).map((o) =>
    (((o.List as Node | undefined)?.items as Node[] | undefined) ?? []).map((i) => (i.String as Node).sval).join('.'),
  );
}

/** File line:column of a character index in a statement (`skipTrivia`: of its first token). */
function position(s: Statement, index: number, skipTrivia = false): { line: number; column: number } {
  let i = index;
  if (skipTrivia) i += /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(s.sql.slice(i, i + 4000))?.[0].length ?? 0;
  const before = s.sql.slice(0, i);
  const nl = before.lastIndexOf('\n');
  const lines = nl < 0 ? 0 : before.split('\n').length - 1;
  return { line: s.line + lines, column: nl < 0 ? s.column + i : i - nl };
}
