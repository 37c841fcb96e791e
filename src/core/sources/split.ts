// Splits SQL text into statements at top-level semicolons, the way PostgreSQL's lexer sees them:
// `;` inside strings, quoted identifiers, dollar-quoted bodies, comments and BEGIN ATOMIC blocks
// does not end a statement.
import type { Statement } from '../types.js';

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
 *
 * Character codes, not regular expressions, and line numbers counted once as the scan moves
 * on: every migration file of a project is split on every run, so this loop is hot.
 */
export function splitStatements(sql: string, startLine = 1, startOffset = 0): Statement[] {
  const statements: Statement[] = [];
  let stmtStart = -1; // offset of the first significant character of the current statement
  let atomicDepth = 0; // inside BEGIN ATOMIC ... END, `;` does not end the statement
  let prevBegin = false; // the previous word was BEGIN
  // line of `lineScan`, and the offset where that line starts: positions only move forward
  let line = startLine;
  let lineStart = 0;
  let lineScan = 0;
  let i = 0;
  const n = sql.length;
  // Without the word ATOMIC, words never matter, and inside a statement only the characters
  // that open a comment, quote or dollar body or end the statement do: jump between those.
  const skipWords = !ATOMIC.test(sql);
  const nextSpecial = skipWords ? specialFinder(sql) : null;
  const flush = (end: number) => {
    if (stmtStart !== -1) {
      for (let k = sql.indexOf('\n', lineScan); k !== -1 && k < stmtStart; k = sql.indexOf('\n', k + 1)) {
        line++;
        lineStart = k + 1;
      }
      lineScan = stmtStart;
      const text = sql.slice(stmtStart, end).trimEnd();
      statements.push({ sql: text, line, column: stmtStart - lineStart + 1, offset: startOffset + stmtStart });
    }
    stmtStart = -1;
    atomicDepth = 0;
    prevBegin = false;
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === DASH && sql.charCodeAt(i + 1) === DASH) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      continue;
    }
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === SEMICOLON && atomicDepth === 0) {
      flush(i);
      i++;
      continue;
    }
    if (stmtStart === -1) stmtStart = i;
    if (c === QUOTE) {
      const escapes = isEscapeStringPrefix(sql, i);
      i = skipQuoted(sql, i, QUOTE, escapes, 'string');
      continue;
    }
    if (c === DQUOTE) {
      i = skipQuoted(sql, i, DQUOTE, false, 'identifier');
      continue;
    }
    if (c === DOLLAR && (i === 0 || !isIdentChar(sql.charCodeAt(i - 1)))) {
      const tagEnd = dollarTagEnd(sql, i);
      if (tagEnd !== -1) {
        const tag = sql.slice(i, tagEnd);
        const close = sql.indexOf(tag, tagEnd);
        if (close === -1) throw unterminated('dollar', i);
        i = close + tag.length;
        continue;
      }
    }
    if (nextSpecial) {
      i = nextSpecial(i + 1);
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
      const len = j - i;
      if (len === 6 && prevBegin && wordIs(sql, i, 'ATOMIC')) atomicDepth++;
      else if (atomicDepth > 0 && len === 4 && wordIs(sql, i, 'CASE')) atomicDepth++;
      else if (atomicDepth > 0 && len === 3 && wordIs(sql, i, 'END')) atomicDepth--;
      prevBegin = len === 5 && wordIs(sql, i, 'BEGIN');
      i = j;
      continue;
    }
    i++;
  }
  flush(n);
  return statements;
}

const ATOMIC = /atomic/i;
const SPECIAL = ['-', '/', ';', "'", '"', '$'];

/**
 * Returns a function giving the offset of the next `-` `/` `;` `'` `"` or `$` at or after
 * `from` (the text's length when none): native indexOf per character kind, each redone only
 * once the scan has passed its last answer.
 */
function specialFinder(sql: string): (from: number) => number {
  const next = [-2, -2, -2, -2, -2, -2]; // -2: not looked for yet; -1: none left
  return (from) => {
    let best = sql.length;
    for (let k = 0; k < SPECIAL.length; k++) {
      let at = next[k];
      if (at !== -1 && at < from) next[k] = at = sql.indexOf(SPECIAL[k], from);
      if (at !== -1 && at < best) best = at;
    }
    return best;
  };
}

const DASH = 45; // -
const SLASH = 47; // /
const STAR = 42; // *
const SEMICOLON = 59;
const QUOTE = 39; // '
const DQUOTE = 34; // "
const DOLLAR = 36;
const BACKSLASH = 92;

/** JavaScript's `\s`: what the scan skips between tokens. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WHITESPACE.test(String.fromCharCode(c));
}
const WHITESPACE = /\s/;

/** `[A-Za-z_]` */
function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `[A-Za-z0-9_$\u0080-\uffff]` */
export function isIdentChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === DOLLAR || c >= 0x80;
}

/** The word at `at` equals `upper`, ignoring ASCII case (the caller checked the length). */
function wordIs(sql: string, at: number, upper: string): boolean {
  for (let k = 0; k < upper.length; k++) {
    if ((sql.charCodeAt(at + k) & ~32) !== upper.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * End (exclusive) of the dollar-quote tag `$tag$` or `$$` opening at `start`, or -1. Tags are
 * looked for within 64 characters, like the scan always has.
 */
export function dollarTagEnd(sql: string, start: number): number {
  const limit = Math.min(sql.length, start + 64);
  let k = start + 1;
  if (k < limit && sql.charCodeAt(k) !== DOLLAR) {
    const c = sql.charCodeAt(k);
    if (!(isWordStart(c) || c >= 0x80)) return -1;
    k++;
    while (k < limit && sql.charCodeAt(k) !== DOLLAR) {
      const d = sql.charCodeAt(k);
      if (!(isWordStart(d) || (d >= 48 && d <= 57) || d >= 0x80)) return -1;
      k++;
    }
  }
  return k < limit ? k + 1 : -1;
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
export function isEscapeStringPrefix(sql: string, quote: number): boolean {
  const prev = sql.charCodeAt(quote - 1);
  if (prev !== 69 && prev !== 101) return false; // E e
  return quote < 2 || !isIdentChar(sql.charCodeAt(quote - 2));
}

export function skipQuoted(
  sql: string,
  start: number,
  quote: number,
  backslash: boolean,
  kind: UnterminatedToken['kind'],
): number {
  if (!backslash) {
    const mark = quote === QUOTE ? "'" : '"';
    for (let from = start + 1; ; ) {
      const close = sql.indexOf(mark, from);
      if (close === -1) break;
      if (sql.charCodeAt(close + 1) !== quote) return close + 1;
      from = close + 2; // '' or "" is an escaped quote
    }
    throw unterminated(kind, start);
  }
  let i = start + 1;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslash && c === BACKSLASH) {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql.charCodeAt(i + 1) === quote) {
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
export function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === SLASH && sql.charCodeAt(i + 1) === STAR) {
      depth++;
      i += 2;
    } else if (c === STAR && sql.charCodeAt(i + 1) === SLASH) {
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
