// Pieces shared by the tree-sitter extractors (Go, Python): cooking one literal's text into a
// CookedBuilder with format holes turned into placeholders; ORM table names as SQL text.
import { CookedBuilder, decodeEscape, type SqlCandidate } from './candidate.js';
import { calleeOf } from './helpers.js';
import { startsWithSqlKeyword } from './keywords.js';
import type { Grammar, TsNode } from './tree-sitter.js';

/**
 * What a literal's text means besides itself: `printf` (Go `fmt.Sprintf`, Python `"…" % x`:
 * `%s`, `%(name)s`, `%5.2f`; `%%` is `%`), `format` (Python `.format()`: `{…}` fields; `{{` is
 * `{`), `fstring` (the fields are separate nodes: only `{{` / `}}` to undo).
 */
export type Holes = 'none' | 'printf' | 'format' | 'fstring';

const VERB = /%(?:\([^)\n]*\))?[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[A-Za-z]/y;

/** Appends `src[from, to)` of a literal: escapes decoded unless raw, holes as placeholders. */
export function cookPiece(
  b: CookedBuilder,
  src: string,
  from: number,
  to: number,
  lang: 'go' | 'py',
  raw: boolean,
  holes: Holes,
): void {
  let i = from;
  while (i < to) {
    const ch = src[i];
    if (ch === '\\' && !raw) {
      const [cooked, next] = decodeEscape(src, i, lang);
      b.push(cooked, i);
      i = Math.max(i + 1, Math.min(next, to));
    } else if (holes === 'printf' && ch === '%') {
      if (src[i + 1] === '%') {
        b.push('%', i);
        i += 2;
        continue;
      }
      VERB.lastIndex = i;
      const m = VERB.exec(src);
      if (m && i + m[0].length <= to) {
        b.placeholder(i);
        i += m[0].length;
      } else {
        b.pushVerbatim(src, i, i + 1);
        i++;
      }
    } else if ((holes === 'format' || holes === 'fstring') && (ch === '{' || ch === '}') && src[i + 1] === ch) {
      b.push(ch, i);
      i += 2;
    } else if (holes === 'format' && ch === '{') {
      b.placeholder(i);
      i = fieldEnd(src, i, to);
    } else {
      b.pushVerbatim(src, i, i + 1);
      i++;
    }
  }
}

/** Index past the `}` closing a `.format()` field (`{0}`, `{name!r:>{width}}`). */
function fieldEnd(src: string, open: number, to: number): number {
  let depth = 0;
  for (let i = open; i < to; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  return to;
}

// A quote, then a SQL keyword (the words of startsWithSqlKeyword): where SQL strings may start.
const QUOTE_KEYWORD =
  /["'`][\s(]*(?:select|insert|update|delete|with|merge|truncate|create|alter|drop|grant|revoke|comment|copy|lock|refresh|table|do|explain|reindex|cluster|vacuum|analyze)\s/gi;

/**
 * The string literals of a tree where a quote is followed by a SQL keyword, found from the raw
 * text: asking the tree for every string literal costs more than parsing it.
 */
export function sqlLiterals(root: TsNode, text: string, types: ReadonlySet<string>): TsNode[] {
  const out: TsNode[] = [];
  for (const m of text.matchAll(QUOTE_KEYWORD)) {
    let n = root.descendantForIndex(m.index);
    for (let up = 0; n && !types.has(n.type) && up < 3; up++) n = n.parent;
    if (n && types.has(n.type)) out.push(n);
  }
  return out;
}

/** A literal's text range inside a folded expression, cooked only if the whole is no SQL. */
export interface Piece {
  from: number;
  to: number;
  raw: boolean;
  holes: Holes;
}

/** A folded expression: its text, and the literals it was folded from. */
export interface Folded {
  builder: CookedBuilder;
  pieces: Piece[];
}

/**
 * The candidates of one folded expression: the whole when it starts like SQL; otherwise each
 * literal that does on its own (`prefix + "INSERT INTO x"`, as the literal-only extractors did).
 */
export function foldedCandidates(f: Folded, src: string, lang: 'go' | 'py'): SqlCandidate[] {
  const whole = f.builder.build();
  const sqlLike = startsWithSqlKeyword(whole.text);
  if (sqlLike && !(whole.interpolated && f.pieces.length > 0)) return [whole];
  const parts: SqlCandidate[] = [];
  for (const p of f.pieces) {
    if (!startsWithSqlKeyword(src, p.from, p.to)) continue;
    const b = new CookedBuilder();
    cookPiece(b, src, p.from, p.to, lang, p.raw, p.holes);
    parts.push(b.build());
  }
  if (!sqlLike) return parts;
  // The whole is checked; if its holes keep it from parsing, its SQL-looking literals are.
  if (parts.length > 0) whole.parts = parts;
  return [whole];
}

/**
 * A table name an ORM will quote (GORM, SQLAlchemy), as SQL text: each part that is not a
 * lower-case identifier is quoted, so `"Orders"` stays case-sensitive and `billing.invoices`
 * stays qualified.
 */
export function ormName(text: string): string {
  return text
    .split('.')
    .map((p) => (/^[a-z_][a-z0-9_$]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`))
    .join('.');
}

/**
 * The calls `query` matches (captures `f`, the function, and `a`, its arguments), for
 * queryHelpers; lazy, so the query does not run when no helper could match.
 */
export function* calls(g: Grammar, root: TsNode, query: string): Generator<{ callee: string; args: TsNode }> {
  for (const match of g.query(query).matches(root)) {
    const fn = match.captures.find((c) => c.name === 'f')?.node;
    const args = match.captures.find((c) => c.name === 'a')?.node;
    if (fn && args) yield { callee: calleeOf(fn.text), args };
  }
}
