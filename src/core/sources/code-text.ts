// The code of a statement without what the parser reads as data: strings, quoted identifiers,
// dollar-quoted bodies and comments become one space each. The prefilters that decide which
// statements are worth handing to the parser (transaction control, DDL the safety rules read)
// test their keywords on this, so a function body's `BEGIN ... END;` or a `'...; ...'` literal
// does not send a statement to the parser for nothing. The lexing rules are ./lex.ts's, as for
// the splitter.
import {
  dollarTagEnd,
  isEscapeStringPrefix,
  isIdentChar,
  isUnterminated,
  skipBlockComment,
  skipQuoted,
} from './lex.js';

/** What can open something to blank; the scan jumps from one to the next (cold code: no per-character loop). */
const OPENER = /['"$]|--|\/\*/g;

/**
 * `sql` with every string, quoted identifier, dollar-quoted body and comment replaced by a
 * space; null when one of them is never closed (a caller then parses, and the parser or the
 * server reports it). Most statements have none and are returned as they are.
 */
export function codeText(sql: string): string | null {
  OPENER.lastIndex = 0;
  let m = OPENER.exec(sql);
  if (!m) return sql;
  let out = '';
  let from = 0; // start of the code not yet copied to `out`
  try {
    while (m) {
      const i = m.index;
      const c = sql.charCodeAt(i);
      let end = -1; // end of what opens at i, or -1: nothing does (a `$` that is no tag)
      if (c === 45) {
        const eol = sql.indexOf('\n', i);
        end = eol === -1 ? sql.length : eol;
      } else if (c === 47) end = skipBlockComment(sql, i);
      else if (c === 39) end = skipQuoted(sql, i, 39, isEscapeStringPrefix(sql, i), 'string');
      else if (c === 34) end = skipQuoted(sql, i, 34, false, 'identifier');
      else if (i === 0 || !isIdentChar(sql.charCodeAt(i - 1))) {
        const tagEnd = dollarTagEnd(sql, i);
        if (tagEnd !== -1) {
          const close = sql.indexOf(sql.slice(i, tagEnd), tagEnd);
          if (close === -1) return null;
          end = close + tagEnd - i;
        }
      }
      if (end === -1) OPENER.lastIndex = i + 1;
      else {
        out += `${sql.slice(from, i)} `;
        from = end;
        OPENER.lastIndex = end;
      }
      m = OPENER.exec(sql);
    }
  } catch (err) {
    if (isUnterminated(err)) return null;
    throw err;
  }
  return out + sql.slice(from);
}
