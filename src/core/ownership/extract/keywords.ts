// Which strings are worth handing to the SQL parser.

export const SQL_STARTERS = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'with',
  'merge',
  'truncate',
  'create',
  'alter',
  'drop',
  'grant',
  'revoke',
  'comment',
  'copy',
  'lock',
  'refresh',
  'table',
  'do',
  'explain',
  'reindex',
  'cluster',
  'vacuum',
  'analyze',
]);

/** True when the text (after blanks and opening parentheses) begins with a SQL keyword and a second word. */
export function startsWithSqlKeyword(raw: string, from = 0, to = raw.length): boolean {
  let i = from;
  while (i < to && (raw[i] === ' ' || raw[i] === '\t' || raw[i] === '\n' || raw[i] === '\r' || raw[i] === '(')) i++;
  let j = i;
  while (j < to && j - i < 9 && isLetter(raw.charCodeAt(j))) j++;
  if (j === i || j - i > 8) return false;
  if (!SQL_STARTERS.has(raw.slice(i, j).toLowerCase())) return false;
  // A lone keyword ("update", "delete") is an event name, not a statement.
  let k = j;
  while (k < to && /\s/.test(raw[k])) k++;
  return k > j && k < to;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A string that starts like SQL but does not parse: is it broken SQL or English prose
 * ("Select the rows from the table.")? Report it only when it has SQL punctuation or an
 * upper-case keyword, and does not read like a sentence.
 */
export function looksLikeBrokenSql(text: string): boolean {
  const trimmed = text.trim();
  const firstWord = /^[(\s]*([A-Za-z]+)/.exec(trimmed)?.[1] ?? '';
  const upperKeyword = firstWord.length > 1 && firstWord === firstWord.toUpperCase();
  const punctuation = /[()*=;,]|\$\d/.test(trimmed);
  const sentence = /[.!?]$/.test(trimmed) && !/[()*=]/.test(trimmed);
  if (sentence) return false;
  return upperKeyword || punctuation;
}
