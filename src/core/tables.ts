// A light lexical scan for the relations a migration creates. Fast and parser-free, for
// `svcdb services` and the shared-strategy collision check; the ownership lint uses the real
// PostgreSQL parser instead.
import type { Statement } from './types.js';
import { splitStatements } from './sources/split.js';

export interface CreatedTable {
  /** unquoted names folded to lower case; quoted names kept as written */
  name: string;
  schema: string | null;
  line: number;
}

const NAME = String.raw`("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)`;
const CREATE = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:UNLOGGED\s+|TEMP(?:ORARY)?\s+)?(?:RECURSIVE\s+)?` +
    String.raw`(?:TABLE|VIEW|MATERIALIZED\s+VIEW|SEQUENCE)\s+(?:IF\s+NOT\s+EXISTS\s+)?` +
    NAME +
    String.raw`(?:\s*\.\s*` +
    NAME +
    ')?',
  'i',
);

const CREATE_WORD = /create/i;

export function tablesCreatedBy(statements: Statement[]): CreatedTable[] {
  const found: CreatedTable[] = [];
  for (const statement of statements) {
    // most statements of a project create nothing: no copy, no re-split, no comment stripping
    if (!CREATE_WORD.test(statement.sql)) continue;
    for (const part of subStatements(statement)) {
      const text = part.sql.length > 1000 ? part.sql.slice(0, 1000) : part.sql;
      const head = (text.includes('--') || text.includes('/*') ? stripComments(text) : text).trimStart();
      const m = CREATE.exec(head);
      if (!m) continue;
      const [first, second] = [m[1], m[2]];
      found.push(
        second === undefined
          ? { name: identifier(first), schema: null, line: part.line }
          : { name: identifier(second), schema: identifier(first), line: part.line },
      );
    }
  }
  return found;
}

/** A goose StatementBegin block may hold several statements. */
function subStatements(statement: Statement): Statement[] {
  // Only a statement with a `;` before its end can hold more than one: splitting every
  // statement of every file again cost the no-op `migrate --all` most of its collision check.
  const inner = statement.sql.indexOf(';');
  if (inner === -1 || inner >= statement.sql.trimEnd().length - 1) return [statement];
  try {
    return splitStatements(statement.sql, statement.line, statement.offset);
  } catch {
    return [statement];
  }
}

function stripComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

function identifier(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
}
