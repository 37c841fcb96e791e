// A small Go tokenizer: finds string literals (interpreted and raw), skips comments and runes.
import { literal, verbatim, type SqlCandidate } from './candidate.js';
import { startsWithSqlKeyword } from './keywords.js';

export function goStrings(src: string): SqlCandidate[] {
  const out: SqlCandidate[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const ch = src[i];
    if (ch === '/' && src[i + 1] === '/') {
      i = lineEnd(src, i);
    } else if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (ch === "'") {
      i = skipQuoted(src, i, "'");
    } else if (ch === '"') {
      const end = skipQuoted(src, i, '"');
      const close = src[end - 1] === '"' ? end - 1 : end;
      if (startsWithSqlKeyword(src, i + 1, close)) out.push(literal(src, i + 1, close, 'go'));
      i = end;
    } else if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      const close = end < 0 ? n : end;
      if (startsWithSqlKeyword(src, i + 1, close)) out.push(verbatim(src, i + 1, close));
      i = close + 1;
    } else {
      i++;
    }
  }
  return out;
}

function lineEnd(src: string, i: number): number {
  const end = src.indexOf('\n', i);
  return end < 0 ? src.length : end;
}

/** Index just past the closing quote (or the end of line for an unterminated literal). */
function skipQuoted(src: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') i += 2;
    else if (ch === quote) return i + 1;
    else if (ch === '\n') return i;
    else i++;
  }
  return src.length;
}
