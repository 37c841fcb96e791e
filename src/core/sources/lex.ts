// The PostgreSQL lexer's rules that svcdb needs, in one place: comments (nested), strings
// (E'' with backslash escapes), quoted identifiers, dollar-quoted bodies and bare words. The
// statement splitter (split.ts) and the code-only view of a statement (code-text.ts) share them.

/** Thrown when a quote or comment is never closed; `offset` is relative to the text split. */
export interface UnterminatedToken {
  kind: 'string' | 'identifier' | 'dollar' | 'comment';
  offset: number;
}

export const DASH = 45; // -
export const SLASH = 47; // /
export const STAR = 42; // *
export const SEMICOLON = 59;
export const QUOTE = 39; // '
export const DQUOTE = 34; // "
export const DOLLAR = 36;
export const BACKSLASH = 92;

/** JavaScript's `\s`: what the scan skips between tokens. */
export function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return WHITESPACE.test(String.fromCharCode(c));
}
const WHITESPACE = /\s/;

/** `[A-Za-z_]` */
export function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `[A-Za-z0-9_$\u0080-\uffff]` */
export function isIdentChar(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57) || c === DOLLAR || c >= 0x80;
}

/** The word at `at` equals `upper`, ignoring ASCII case (the caller checked the length). */
export function wordIs(sql: string, at: number, upper: string): boolean {
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

export function unterminated(kind: UnterminatedToken['kind'], offset: number): UnterminatedToken & Error {
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

/** The offset of the first character at or after `i` that is neither space nor comment. */
export function skipSpaceAndComments(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i])) i++;
    if (sql.startsWith('--', i)) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (sql.startsWith('/*', i)) {
      let depth = 0;
      for (; i < sql.length; i++) {
        if (sql.startsWith('/*', i)) {
          depth++;
          i++;
        } else if (sql.startsWith('*/', i) && --depth === 0) {
          i += 2;
          break;
        }
      }
    } else return i;
  }
}
