// ALTER TABLE's subcommands against the safety rules: what adding a column, a constraint or a
// NOT NULL, or changing a type, does to a table that already has rows (./check.ts calls this
// for tables not created earlier in the same migration).
import type { Node, RangeVar } from './check.js';

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

export type Report = (rule: string, byteLoc: number | undefined, table: string | null, message: string) => void;

export function alterCommand(
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
