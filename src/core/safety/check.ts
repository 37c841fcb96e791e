// One migration's up statements → the safety rules they break, from libpg-query's tree.
// What svcdb knows beyond a file-by-file linter: tables created earlier in the same migration
// are new and empty (nothing to lock or scan), and whether the file runs in a transaction is
// the Migration record's flag after prepareTransactions (see ./index.ts), not a guess.
import type { Migration, Statement } from '../types.js';
import { parseSyncShared } from '../ownership/sql/parser.js';
import { byteToChar } from '../ownership/sql/offsets.js';
import { codeText } from '../sources/code-text.js';

export interface SafetyDraft {
  rule: string;
  line: number;
  column: number;
  /** line where the statement starts (a suppression above the statement also counts) */
  statementLine: number;
  table: string | null;
  message: string;
}

type Node = Record<string, unknown>;
type RangeVar = { relname?: string; schemaname?: string; location?: number };

// Functions whose result does not change row by row: a DEFAULT of these is stored once in the
// catalog from PostgreSQL 11 on. Anything else is taken as volatile, as squawk does.
const NON_VOLATILE_FUNCTIONS = new Set([
  'now',
  'current_timestamp',
  'current_date',
  'current_time',
  'localtimestamp',
  'localtime',
  'transaction_timestamp',
  'statement_timestamp',
  'lower',
  'upper',
  'concat',
  'coalesce',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'array',
  'make_interval',
  'to_jsonb',
  'current_user',
  'session_user',
  'pg_catalog.now',
]);

export function checkMigration(m: Migration, postgresVersion: number): SafetyDraft[] {
  const out: SafetyDraft[] = [];
  const created = new Set<string>();
  const createdIndexes = new Set<string>();
  const notValid = new Set<string>();
  for (const s of m.up) {
    if (!worthParsing(s.sql)) continue;
    let stmts: Array<{ stmt: Node; stmt_location?: number }>;
    try {
      stmts = (parseSyncShared(s.sql).stmts ?? []) as never;
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
  return code === null || DDL.test(code);
}

type Report = (rule: string, byteLoc: number | undefined, table: string | null, message: string) => void;

function alterCommand(
  cmd: Node,
  table: string,
  rel: RangeVar,
  pg: number,
  inTransaction: boolean,
  notValid: Set<string>,
  report: Report,
): void {
  const def = cmd.def as Node | undefined;
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const col = def?.ColumnDef as Node;
      const column = String(col.colname);
      const constraints = ((col.constraints ?? []) as Node[]).map((x) => x.Constraint as Node);
      const at = col.location as number | undefined;
      const dflt = constraints.find((x) => x.contype === 'CONSTR_DEFAULT');
      const generated = constraints.find((x) => x.contype === 'CONSTR_GENERATED');
      const typeName = ((col.typeName as Node | undefined)?.names as Node[] | undefined)
        ?.map((n) => (n.String as Node).sval)
        .pop();
      const serial = typeof typeName === 'string' && /^(?:small|big)?serial[248]?$/.test(typeName);
      if (generated && generated.generated_kind === 's') {
        report('adding-field-with-default', at, table, `ADD COLUMN ${column} GENERATED ... STORED rewrites ${table}`);
      } else if (dflt && !isNullConst(dflt.raw_expr as Node)) {
        if (pg < 11)
          report(
            'adding-field-with-default',
            at,
            table,
            `ADD COLUMN ${column} with a DEFAULT rewrites ${table} before PostgreSQL 11 (checking for ${pg})`,
          );
        else if (!nonVolatile(dflt.raw_expr as Node))
          report(
            'adding-field-with-default',
            at,
            table,
            `ADD COLUMN ${column} with a volatile DEFAULT rewrites ${table}`,
          );
      }
      if (
        constraints.some((x) => x.contype === 'CONSTR_NOTNULL') &&
        !generated &&
        (!dflt || isNullConst(dflt.raw_expr as Node)) &&
        !serial
      ) {
        report(
          'adding-required-field',
          at,
          table,
          `ADD COLUMN ${column} NOT NULL without a default fails on a table with rows`,
        );
      }
      if (constraints.some((x) => x.contype === 'CONSTR_PRIMARY'))
        report(
          'adding-serial-primary-key-field',
          at,
          table,
          `ADD COLUMN ${column} ... PRIMARY KEY builds the index under an ACCESS EXCLUSIVE lock on ${table}`,
        );
      if (constraints.some((x) => x.contype === 'CONSTR_UNIQUE'))
        report(
          'disallowed-unique-constraint',
          at,
          table,
          `ADD COLUMN ${column} ... UNIQUE builds the index under an ACCESS EXCLUSIVE lock on ${table}`,
        );
      if (constraints.some((x) => x.contype === 'CONSTR_FOREIGN'))
        report(
          'adding-foreign-key-constraint',
          at,
          table,
          `ADD COLUMN ${column} ... REFERENCES adds a foreign key to ${table} in one step`,
        );
      break;
    }
    case 'AT_AddConstraint': {
      const con = def?.Constraint as Node;
      const at = con.location as number | undefined;
      const label = con.conname ? ` ${String(con.conname)}` : '';
      if ((con.contype === 'CONSTR_CHECK' || con.contype === 'CONSTR_FOREIGN') && !con.skip_validation) {
        report(
          'constraint-missing-not-valid',
          at,
          table,
          `ADD CONSTRAINT${label} on ${table} without NOT VALID scans the table under an ACCESS EXCLUSIVE lock`,
        );
      }
      if (con.contype === 'CONSTR_FOREIGN' && !con.skip_validation)
        report('adding-foreign-key-constraint', at, table, `foreign key${label} added to ${table} in one step`);
      if (con.skip_validation && typeof con.conname === 'string') notValid.add(`${table}.${con.conname}`);
      if (con.contype === 'CONSTR_PRIMARY' && !con.indexname)
        report(
          'adding-serial-primary-key-field',
          at,
          table,
          `ADD PRIMARY KEY on ${table} builds the index under an ACCESS EXCLUSIVE lock`,
        );
      if (con.contype === 'CONSTR_UNIQUE' && !con.indexname)
        report(
          'disallowed-unique-constraint',
          at,
          table,
          `ADD UNIQUE on ${table} builds the index under an ACCESS EXCLUSIVE lock`,
        );
      break;
    }
    case 'AT_ValidateConstraint':
      // Validating in the transaction that added the constraint NOT VALID keeps its lock.
      if (inTransaction && notValid.has(`${table}.${String(cmd.name)}`)) {
        report(
          'constraint-missing-not-valid',
          rel.location,
          table,
          `VALIDATE CONSTRAINT ${String(cmd.name)} in the transaction that added it keeps the ACCESS EXCLUSIVE lock on ${table}`,
        );
      }
      break;
    case 'AT_AlterColumnType':
      report('changing-column-type', rel.location, table, `ALTER COLUMN ${String(cmd.name)} TYPE rewrites ${table}`);
      break;
    case 'AT_SetNotNull':
      report(
        'adding-not-nullable-field',
        rel.location,
        table,
        `SET NOT NULL on ${table}.${String(cmd.name)} scans the table under an ACCESS EXCLUSIVE lock`,
      );
      break;
    case 'AT_DropNotNull':
      report('ban-drop-not-null', rel.location, table, `DROP NOT NULL on ${table}.${String(cmd.name)}`);
      break;
    case 'AT_DropColumn':
      report('ban-drop-column', rel.location, table, `DROP COLUMN ${String(cmd.name)} of ${table}`);
      break;
    default:
  }
}

function nonVolatile(expr: Node | undefined): boolean {
  if (!expr) return true;
  const [kind, node] = Object.entries(expr)[0] as [string, Node];
  switch (kind) {
    case 'A_Const':
    case 'SQLValueFunction':
      return true;
    case 'TypeCast':
      return nonVolatile(node.arg as Node);
    case 'A_Expr':
      return nonVolatile(node.lexpr as Node) && nonVolatile(node.rexpr as Node);
    case 'BoolExpr':
    case 'A_ArrayExpr':
      return ((node.args ?? node.elements ?? []) as Node[]).every(nonVolatile);
    case 'FuncCall': {
      const fn = ((node.funcname ?? []) as Node[]).map((n) => (n.String as Node).sval).join('.');
      return (
        NON_VOLATILE_FUNCTIONS.has(fn.replace(/^pg_catalog\./, '')) && ((node.args ?? []) as Node[]).every(nonVolatile)
      );
    }
    default:
      return false;
  }
}

function isNullConst(expr: Node | undefined): boolean {
  return Boolean(expr && (expr.A_Const as Node | undefined)?.isnull);
}

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
