// Shapes produced by the per-file analysis (plain data: they cross worker boundaries).
import type { QueryHelper } from '../types.js';

export type Access = 'read' | 'write' | 'fk' | 'create';

/** What a name is: the lint's tables (table, view, matview, sequence) and the other objects a
 * migration can create in a schema, which collide when two services share one. */
export type ObjectKind = 'table' | 'view' | 'matview' | 'sequence' | 'index' | 'type' | 'function';

/** One table name found in SQL, at its position in the host file. */
export interface TableRef {
  schema: string | null;
  name: string;
  access: Access;
  /** what the statement does with it: "INSERT", "SELECT", "REFERENCES", "CREATE TABLE"... */
  verb: string;
  /** 1-based */
  line: number;
  column: number;
  /** line where the statement (or the string holding it) starts: a suppression may sit above it */
  statementLine: number;
  /** what the name is, when known: set on creations, renames and index references */
  object?: ObjectKind;
  /** `ALTER … RENAME TO`: the new name (ownership follows it) */
  renamedTo?: string;
  /** a function's input argument types (`int4,text`): overloads are distinct objects */
  args?: string;
  /** an unqualified `pg_*` name: a system catalog unless a service creates it */
  catalog?: boolean;
}

export interface Diagnostic {
  rule: 'unparsable-sql' | 'dynamic-sql';
  line: number;
  column: number;
  message: string;
}

export interface Suppression {
  rule: string;
  reason: string | null;
  line: number;
  column: number;
}

export type FileKind = 'sql' | 'ts' | 'go' | 'py' | 'prisma';

/**
 * A table named outside SQL text: a query builder's argument (`knex('orders').insert(...)`),
 * an ORM declaration (`pgTable('orders', ...)`, `__tablename__ = 'orders'`), a config-declared
 * helper's table argument. Host-language extractors produce these beside SQL strings.
 */
export interface NameRef {
  /** as written, possibly schema-qualified (`billing.invoices`); unquoted parts are folded later */
  name: string;
  access: 'read' | 'write';
  /** file offset of the name (the string literal's first character inside its quotes) */
  offset: number;
  /** what names it, shown in findings: "knex insert", "drizzle pgTable", "simple_insert helper" */
  via: string;
}

/** Options every file analysis gets (they cross worker boundaries: plain data). */
export interface AnalysisOptions {
  /** config `queryHelpers` */
  helpers: QueryHelper[];
}

export interface FileAnalysis {
  /** relative to the project root */
  file: string;
  refs: TableRef[];
  diagnostics: Diagnostic[];
  suppressions: Suppression[];
  /** set when the file could not be read */
  error?: string;
}

export interface FileTask {
  path: string;
  relPath: string;
  kind: FileKind;
}
