// Driver placeholders the PostgreSQL parser does not accept (`?`, `%s`, `%(name)s`, `:name`,
// `@name`, `{name}`) rewritten as `$n` bind parameters, with the way back to each original
// character, so that such strings are checked rather than reported as unparsable.

export interface Bound {
  text: string;
  /** index in the original text of each character of `text` */
  map: Int32Array;
}

// Outside quotes: `?` (qmark), `%s` / `%(name)s` (psycopg), `:name` (not `::type`),
// `@name` (not `@@`), `{name}`, `{}` and `{0}` (str.format, psycopg's sql.SQL). Quoted strings,
// quoted identifiers and comments are matched first and kept as they are.
const PLACEHOLDER = String.raw`%(?:\([A-Za-z_]\w*\))?s|(?<![:\w]):[A-Za-z_]\w*|(?<![@\w])@[A-Za-z_]\w*|\{(?:[A-Za-z_]\w*|\d*)\}|\?`;
const TOKEN = new RegExp(String.raw`'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|\$\d+|${PLACEHOLDER}`, 'g');

/**
 * A placeholder where a table name goes (`FROM {}`, `INSERT INTO %s`, `UPDATE :table`): psycopg's
 * `sql.SQL(...).format(sql.Identifier(t))` and the like pick the table at run time.
 */
const TABLE_PLACEHOLDER = new RegExp(
  String.raw`\b(?:from|join|into|update|table|truncate)\s+(?:only\s+)?(?:${PLACEHOLDER})`,
  'i',
);

/** Whether a table name in `text` is a placeholder filled in at run time. */
export function namesTableByPlaceholder(text: string): boolean {
  return TABLE_PLACEHOLDER.test(text);
}

/** The text with placeholders bound, or null when it holds none. */
export function bindPlaceholders(text: string): Bound | null {
  if (!/[?%:@{]/.test(text)) return null;
  let n = 0;
  for (const m of text.matchAll(/\$(\d+)/g)) n = Math.max(n, Number(m[1]));
  const chars: string[] = [];
  const map: number[] = [];
  let last = 0;
  let changed = false;
  for (const m of text.matchAll(TOKEN)) {
    const tok = m[0];
    const first = tok[0];
    if (first === "'" || first === '"' || first === '-' || (first === '/' && tok[1] === '*') || first === '$') continue;
    const at = m.index ?? 0;
    for (let i = last; i < at; i++) {
      chars.push(text[i]);
      map.push(i);
    }
    const param = `$${++n}`;
    for (let k = 0; k < param.length; k++) {
      chars.push(param[k]);
      map.push(at + Math.min(k, tok.length - 1));
    }
    last = at + tok.length;
    changed = true;
  }
  if (!changed) return null;
  for (let i = last; i < text.length; i++) {
    chars.push(text[i]);
    map.push(i);
  }
  return { text: chars.join(''), map: Int32Array.from(map) };
}
