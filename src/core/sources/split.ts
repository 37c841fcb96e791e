// Splits SQL text into statements at top-level semicolons, the way PostgreSQL's lexer sees them:
// `;` inside strings, quoted identifiers, dollar-quoted bodies, comments and BEGIN ATOMIC blocks
// does not end a statement.
import type { Statement } from '../types.js';

const IDENT_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/** Thrown when a quote or comment is never closed; `offset` is relative to the text split. */
export interface UnterminatedToken {
  kind: 'string' | 'identifier' | 'dollar' | 'comment';
  offset: number;
}

/**
 * `startLine`/`startOffset` say where `sql` begins in its file (it starts at column 1), so each
 * statement's line, column and offset are positions in the file. Statements that hold only
 * comments or whitespace are dropped; each statement's text excludes leading comments and the
 * terminating `;`.
 */
export function splitStatements(sql: string, startLine = 1, startOffset = 0): Statement[] {
  const statements: Statement[] = [];
  let stmtStart = -1; // offset of the first significant character of the current statement
  let atomicDepth = 0; // inside BEGIN ATOMIC ... END, `;` does not end the statement
  let prevWord = '';
  let i = 0;
  const n = sql.length;
  const flush = (end: number) => {
    if (stmtStart !== -1) {
      const text = sql.slice(stmtStart, end).trimEnd();
      statements.push({ sql: text, ...position(sql, stmtStart, startLine, startOffset) });
    }
    stmtStart = -1;
    atomicDepth = 0;
    prevWord = '';
  };
  while (i < n) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === ';' && atomicDepth === 0) {
      flush(i);
      i++;
      continue;
    }
    if (stmtStart === -1) stmtStart = i;
    if (ch === "'") {
      const escapes = isEscapeStringPrefix(sql, i);
      i = skipQuoted(sql, i, "'", escapes, 'string');
      continue;
    }
    if (ch === '"') {
      i = skipQuoted(sql, i, '"', false, 'identifier');
      continue;
    }
    if (ch === '$' && (i === 0 || !IDENT_CHAR.test(sql[i - 1]))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw unterminated('dollar', i);
        i = close + tag[0].length;
        continue;
      }
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < n && IDENT_CHAR.test(sql[j])) j++;
      const word = sql.slice(i, j).toUpperCase();
      if (word === 'ATOMIC' && prevWord === 'BEGIN') atomicDepth++;
      else if (atomicDepth > 0 && word === 'CASE') atomicDepth++;
      else if (atomicDepth > 0 && word === 'END') atomicDepth--;
      prevWord = word;
      i = j;
      continue;
    }
    i++;
  }
  flush(n);
  return statements;
}

function unterminated(kind: UnterminatedToken['kind'], offset: number): UnterminatedToken & Error {
  const err = new Error(`unterminated ${kind}`) as UnterminatedToken & Error;
  err.kind = kind;
  err.offset = offset;
  return err;
}

export function isUnterminated(err: unknown): err is UnterminatedToken & Error {
  return err instanceof Error && typeof (err as Partial<UnterminatedToken>).offset === 'number' && 'kind' in err;
}

/** E'...' (and e'...') strings take backslash escapes; so does U&'' not (it uses its own). */
function isEscapeStringPrefix(sql: string, quote: number): boolean {
  const prev = sql[quote - 1];
  if (prev !== 'E' && prev !== 'e') return false;
  return quote < 2 || !IDENT_CHAR.test(sql[quote - 2]);
}

function skipQuoted(sql: string, start: number, quote: string, backslash: boolean, kind: UnterminatedToken['kind']): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslash && ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // '' or "" is an escaped quote
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw unterminated(kind, start);
}

/** PostgreSQL block comments nest. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  throw unterminated('comment', start);
}

/** Line and column (1-based) of `offset` in `text`, shifted to the file's coordinates. */
export function position(text: string, offset: number, startLine = 1, startOffset = 0): Omit<Statement, 'sql'> {
  let line = startLine;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1, offset: startOffset + offset };
}
