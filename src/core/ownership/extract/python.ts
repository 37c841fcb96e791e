// Python through tree-sitter: string expressions folded into SQL candidates (implicit
// concatenation `"a " "b"`, `+`, f-strings with their fields as placeholders, Python 3.12 nested
// quotes included, `"…%s…" % x` and `"…{}…".format(x)` with their holes as placeholders, raw and
// triple-quoted strings; bytes skipped), SQLAlchemy table names, and config-declared helpers.
import type { AnalysisOptions, NameRef } from '../refs.js';
import { CookedBuilder, type Extracted, type SqlCandidate } from './candidate.js';
import { cookPiece, type Folded, foldedCandidates, type Holes, calls, sqlLiterals } from './fold.js';
import { helperMatchers, helperNames, mentionsHelper } from './helpers.js';
import { sqlalchemyNames } from './sqlalchemy.js';
import type { Grammar, TsNode } from './tree-sitter.js';

const STRINGS = new Set(['string']);
const SQLALCHEMY_HINT = /__tablename__|\bTable\(/;
const CALLS = '(call function: [(identifier) (attribute)] @f arguments: (argument_list) @a)';

export function pythonExtract(g: Grammar, root: TsNode, text: string, options: AnalysisOptions): Extracted {
  const sql: SqlCandidate[] = [];
  const seen = new Set<number>();
  for (const node of sqlLiterals(root, text, STRINGS)) {
    if (node.parent?.type === 'interpolation' || isBytes(node)) continue;
    const top = foldRoot(node);
    if (seen.has(top.startIndex)) continue;
    seen.add(top.startIndex);
    const f: Folded = { builder: new CookedBuilder(), pieces: [] };
    fold(top, text, f, 'none');
    sql.push(...foldedCandidates(f, text, 'py'));
  }
  const names = SQLALCHEMY_HINT.test(text) ? sqlalchemyNames(g, root) : [];
  if (mentionsHelper(text, options.helpers)) names.push(...helperRefs(g, root, options));
  return { sql, names };
}

function prefixOf(s: TsNode): string {
  const start = s.namedChild(0);
  return start?.type === 'string_start' ? start.text.replace(/["']+$/, '').toLowerCase() : '';
}

function isBytes(s: TsNode): boolean {
  return prefixOf(s).includes('b');
}

function isOperator(n: TsNode, op: string): boolean {
  return n.type === 'binary_operator' && n.childForFieldName('operator')?.type === op;
}

function isFormatCall(n: TsNode | null): boolean {
  if (n?.type !== 'call') return false;
  const fn = n.childForFieldName('function');
  return fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format';
}

/** The largest expression a string is folded into. */
function foldRoot(s: TsNode): TsNode {
  let n = s;
  for (;;) {
    const p = n.parent;
    if (!p) return n;
    if (p.type === 'concatenated_string' || p.type === 'parenthesized_expression' || isOperator(p, '+')) n = p;
    else if (isOperator(p, '%') && p.childForFieldName('left')?.startIndex === n.startIndex) n = p;
    else if (
      p.type === 'attribute' &&
      isFormatCall(p.parent) &&
      p.childForFieldName('object')?.startIndex === n.startIndex
    )
      n = p.parent as TsNode;
    else return n;
  }
}

function fold(n: TsNode, src: string, f: Folded, holes: Holes): void {
  const t = n.type;
  if (t === 'string' && !isBytes(n)) foldString(n, src, f, holes);
  else if (t === 'concatenated_string' || isOperator(n, '+')) {
    for (const c of n.namedChildren) if (c) fold(c, src, f, holes);
  } else if (t === 'parenthesized_expression' && n.namedChildCount === 1) {
    fold(n.namedChild(0) as TsNode, src, f, holes);
  } else if (isOperator(n, '%')) {
    fold(n.childForFieldName('left') as TsNode, src, f, 'printf');
  } else if (isFormatCall(n)) {
    fold(n.childForFieldName('function')?.childForFieldName('object') as TsNode, src, f, 'format');
  } else {
    f.builder.placeholder(n.startIndex);
  }
}

function foldString(s: TsNode, src: string, f: Folded, holes: Holes): void {
  const prefix = prefixOf(s);
  const raw = prefix.includes('r');
  const own: Holes = prefix.includes('f') ? 'fstring' : holes;
  for (const c of s.namedChildren) {
    if (c?.type === 'string_content') {
      cookPiece(f.builder, src, c.startIndex, c.endIndex, 'py', raw, own);
      f.pieces.push({ from: c.startIndex, to: c.endIndex, raw, holes: own });
    } else if (c?.type === 'interpolation') {
      f.builder.placeholder(c.startIndex);
    }
  }
}

/** A plain string literal's value and the offset of its first character, else null. */
export function pyStringValue(n: TsNode | null | undefined): { value: string; offset: number } | null {
  if (n?.type !== 'string' || isBytes(n)) return null;
  const prefix = prefixOf(n);
  if (prefix.includes('f')) return null;
  const contents = n.namedChildren.filter((c) => c?.type === 'string_content') as TsNode[];
  const start = n.namedChild(0);
  const offset = contents[0]?.startIndex ?? start?.endIndex ?? n.startIndex;
  const b = new CookedBuilder();
  for (const c of contents) cookPiece(b, c.text, 0, c.text.length, 'py', prefix.includes('r'), 'none');
  return { value: b.build().text, offset };
}

/** Calls of config queryHelpers: the table by keyword (`table="t"`) or by position. */
function helperRefs(g: Grammar, root: TsNode, options: AnalysisOptions): NameRef[] {
  return helperNames(helperMatchers(options.helpers), calls(g, root, CALLS), (c, which) =>
    pyStringValue(argument(c.args, which)),
  );
}

/** A call's argument by keyword name or by 0-based position among the positional ones. */
export function argument(args: TsNode, which: string | number): TsNode | null {
  let position = 0;
  for (const a of args.namedChildren) {
    if (!a || a.type === 'comment') continue;
    if (a.type === 'keyword_argument') {
      if (typeof which === 'string' && a.childForFieldName('name')?.text === which) return a.childForFieldName('value');
    } else if (a.type === 'list_splat' || a.type === 'dictionary_splat') {
      if (typeof which === 'number') return null;
    } else if (typeof which === 'number' && position++ === which) {
      return a;
    }
  }
  return null;
}
