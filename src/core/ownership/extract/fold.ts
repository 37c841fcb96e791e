// Pieces shared by the tree-sitter extractors (Go, Python): cooking one literal's text into a
// CookedBuilder with format holes turned into placeholders, and the queryHelpers name match.
import type { QueryHelper } from '../../types.js';
import { CookedBuilder, decodeEscape, type SqlCandidate } from './candidate.js';
import { startsWithSqlKeyword } from './keywords.js';

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

/** A folded expression: its text, and each literal piece on its own for the fallback. */
export interface Folded {
  builder: CookedBuilder;
  /** the literals it was folded from, each cooked alone */
  pieces: SqlCandidate[];
}

/**
 * The candidates of one folded expression: the whole when it starts like SQL; otherwise each
 * literal that does on its own (`prefix + "INSERT INTO x"`, as the literal-only extractors did).
 */
export function foldedCandidates(f: Folded): SqlCandidate[] {
  const whole = f.builder.build();
  if (startsWithSqlKeyword(whole.text)) return [whole];
  return f.pieces.filter((p) => startsWithSqlKeyword(p.text));
}

/** A piece cooked alone (for the fallback of foldedCandidates). */
export function piece(
  src: string,
  from: number,
  to: number,
  lang: 'go' | 'py',
  raw: boolean,
  holes: Holes,
): SqlCandidate {
  const b = new CookedBuilder();
  cookPiece(b, src, from, to, lang, raw, holes);
  return b.build();
}

export interface HelperMatcher {
  helper: QueryHelper;
  test: (callee: string) => boolean;
}

/** config queryHelpers as name tests: `*` any characters; a dotted pattern matches the callee's tail. */
export function helperMatchers(helpers: QueryHelper[]): HelperMatcher[] {
  return helpers.map((helper) => {
    const body = helper.call
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const re = new RegExp(helper.call.includes('.') ? `(?:^|\\.)${body}$` : `^${body}$`);
    return { helper, test: (callee) => re.test(helper.call.includes('.') ? callee : lastSegment(callee)) };
  });
}

function lastSegment(callee: string): string {
  const dot = callee.lastIndexOf('.');
  return dot < 0 ? callee : callee.slice(dot + 1);
}

/** Cheap test on the raw file: could any helper be called in it? */
export function mentionsHelper(text: string, helpers: QueryHelper[]): boolean {
  return helpers.some((h) => {
    const fixed = h.call.split('*').reduce((a, b) => (b.length > a.length ? b : a), '');
    return text.includes(lastSegment(fixed) || fixed);
  });
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
