// Splits SQL text into statements at top-level semicolons, the way PostgreSQL's lexer sees them:
// `;` inside strings, quoted identifiers, dollar-quoted bodies, comments and BEGIN ATOMIC blocks
// does not end a statement.
import type { Statement } from '../types.js';
import {
  DASH,
  DOLLAR,
  DQUOTE,
  dollarTagEnd,
  isEscapeStringPrefix,
  isIdentChar,
  isSpace,
  isWordStart,
  QUOTE,
  SEMICOLON,
  SLASH,
  STAR,
  skipBlockComment,
  skipQuoted,
  unterminated,
  wordIs,
} from './lex.js';

export { isUnterminated, type UnterminatedToken } from './lex.js';

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
