// Go through tree-sitter: string expressions folded into SQL candidates (`+` concatenation,
// `fmt.Sprintf` format strings with their verbs as placeholders, raw backquoted strings), GORM
// table names, and config-declared helpers (positional table argument).
import type { AnalysisOptions, NameRef } from '../refs.js';
import { CookedBuilder, type Extracted, type SqlCandidate } from './candidate.js';
import { cookPiece, type Folded, foldedCandidates, type Holes, calls, sqlLiterals } from './fold.js';
import { helperMatchers, helperNames, mentionsHelper } from './helpers.js';
import { gormNames } from './gorm.js';
import type { Grammar, TsNode } from './tree-sitter.js';

const STRINGS = new Set(['interpreted_string_literal', 'raw_string_literal']);
const GORM_HINT = /\bTableName\(\)|\.Table\(/;
const CALLS = '(call_expression function: [(identifier) (selector_expression)] @f arguments: (argument_list) @a) @c';

export function goExtract(g: Grammar, root: TsNode, text: string, options: AnalysisOptions): Extracted {
  const sql: SqlCandidate[] = [];
  const seen = new Set<number>();
  for (const node of sqlLiterals(root, text, STRINGS)) {
    const top = foldRoot(node);
    if (seen.has(top.startIndex)) continue;
    seen.add(top.startIndex);
    const f: Folded = { builder: new CookedBuilder(), pieces: [] };
    fold(top, text, f, 'none');
    sql.push(...foldedCandidates(f, text, 'go'));
  }
  const names = GORM_HINT.test(text) ? gormNames(g, root) : [];
  if (mentionsHelper(text, options.helpers)) names.push(...helperRefs(g, root, options));
  return { sql, names };
}

function isSprintf(call: TsNode | null): boolean {
  if (call?.type !== 'call_expression') return false;
  const fn = call.childForFieldName('function');
  const name = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : fn?.text;
  return name === 'Sprintf';
}

function isPlus(n: TsNode): boolean {
  return n.type === 'binary_expression' && n.childForFieldName('operator')?.type === '+';
}

/** The largest expression a string literal is folded into. */
function foldRoot(s: TsNode): TsNode {
  let n = s;
  for (;;) {
    const p = n.parent;
    if (!p) return n;
    if (isPlus(p) || p.type === 'parenthesized_expression') n = p;
    else if (p.type === 'argument_list' && p.namedChild(0)?.startIndex === n.startIndex && isSprintf(p.parent))
      n = p.parent as TsNode;
    else return n;
  }
}

function fold(n: TsNode, src: string, f: Folded, holes: Holes): void {
  const t = n.type;
  if (t === 'interpreted_string_literal' || t === 'raw_string_literal') {
    const raw = t === 'raw_string_literal';
    const from = n.startIndex + 1;
    const to = Math.max(from, n.endIndex - 1);
    cookPiece(f.builder, src, from, to, 'go', raw, holes);
    f.pieces.push({ from, to, raw, holes });
  } else if (isPlus(n)) {
    fold(n.childForFieldName('left') as TsNode, src, f, holes);
    fold(n.childForFieldName('right') as TsNode, src, f, holes);
  } else if (t === 'parenthesized_expression' && n.namedChildCount === 1) {
    fold(n.namedChild(0) as TsNode, src, f, holes);
  } else if (isSprintf(n)) {
    const format = n.childForFieldName('arguments')?.namedChild(0);
    if (format) fold(format, src, f, 'printf');
    else f.builder.placeholder(n.startIndex);
  } else {
    f.builder.placeholder(n.startIndex);
  }
}

/** A string literal's value and the offset of its first character, or null for other expressions. */
export function goStringValue(n: TsNode | null | undefined): { value: string; offset: number } | null {
  if (!n || (n.type !== 'interpreted_string_literal' && n.type !== 'raw_string_literal')) return null;
  const from = n.startIndex + 1;
  const b = new CookedBuilder();
  cookPiece(b, n.text, 1, Math.max(1, n.text.length - 1), 'go', n.type === 'raw_string_literal', 'none');
  return { value: b.build().text, offset: from };
}

/** Calls of config queryHelpers; Go has no keyword arguments, so only a positional `table`. */
function helperRefs(g: Grammar, root: TsNode, options: AnalysisOptions): NameRef[] {
  const matchers = helperMatchers(options.helpers).filter((m) => typeof m.helper.table === 'number');
  return helperNames(matchers, calls(g, root, CALLS), (c, which) => goStringValue(c.args.namedChild(which as number)));
}
