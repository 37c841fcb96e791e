// TS/JS through the TypeScript compiler API: SQL strings with their concatenations folded
// (`'SELECT id ' + 'FROM orders'`, template literals with their holes, constants of the same
// file inlined), and table names passed to query builders, ORMs and configured helpers.
import type * as TS from 'typescript';
import type { AnalysisOptions } from '../refs.js';
import { CookedBuilder, cookEscaped, type Extracted, literal, type SqlCandidate } from './candidate.js';
import { SQL_STARTERS, startsWithSqlKeyword } from './keywords.js';
import { type Declarations, type Neighbours, stringValue, type TsFile } from './ts-context.js';
import { type HelperMatcher, helperMatchers } from './helpers.js';
import { builderCall, helperCall } from './ts-builders.js';
import { collectDeclaration, ormCall, collectRepository } from './ts-orm.js';

export function typescriptExtract(
  ts: typeof TS,
  filePath: string,
  src: string,
  options: AnalysisOptions,
  neighbours: Neighbours | null = null,
): Extracted {
  // JSDoc comments hold no SQL the lint reads: not parsing them saves a good part of the parse.
  const target = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
  const sf = ts.createSourceFile(filePath, src, target, true, scriptKind(ts, filePath));
  const f: TsFile = {
    ts,
    sf,
    src,
    path: filePath,
    consts: new Map(),
    decls: { tables: new Map(), entities: new Map() },
    namespaces: new Map(),
    repos: new Map(),
    ctes: new Set(),
    neighbours,
    names: [],
  };
  prepass(f);
  const helpers = helperMatchers(options.helpers);
  const found: Array<{ node: TS.Node; c: SqlCandidate }> = [];
  const covered = new Set<TS.Node>();
  const inlined = new Set<TS.Node>();
  const K = ts.SyntaxKind;
  const visit = (node: TS.Node): void => {
    if (isStringRoot(f, node) && !covered.has(node) && mayStartSql(f, node, 0)) {
      const c = fold(f, node as TS.Expression, covered, inlined);
      if (c && startsWithSqlKeyword(c.text) && !(c.interpolated && startsAsProse(c.text))) found.push({ node, c });
    }
    if (node.kind === K.CallExpression) callRefs(f, node as TS.CallExpression, helpers);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { sql: found.filter((x) => !inlined.has(x.node)).map((x) => x.c), names: f.names };
}

/** Cheap look at a string's first piece before folding it: most strings are no SQL. */
function mayStartSql(f: TsFile, node: TS.Node, depth: number): boolean {
  const K = f.ts.SyntaxKind;
  switch (node.kind) {
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
      return startsWithWord(f.src, node.getStart(f.sf) + 1, node.end - 1);
    case K.TemplateExpression: {
      const head = (node as TS.TemplateExpression).head;
      return startsWithWord(f.src, head.getStart(f.sf) + 1, head.end - 2);
    }
    case K.BinaryExpression:
      return mayStartSql(f, (node as TS.BinaryExpression).left, depth);
    case K.ParenthesizedExpression:
      return mayStartSql(f, (node as TS.ParenthesizedExpression).expression, depth);
    case K.Identifier: {
      const init = f.consts.get((node as TS.Identifier).text);
      return init !== undefined && depth < 3 && mayStartSql(f, init, depth + 1);
    }
    default:
      return false;
  }
}

/** The raw text starts with a SQL keyword, or is blank up to its end or first hole (decided after folding). */
function startsWithWord(src: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && (src[i] === ' ' || src[i] === '\t' || src[i] === '\n' || src[i] === '\r' || src[i] === '(')) i++;
  if (i >= to || src[i] === '\\') return true;
  let j = i;
  while (j < to && j - i < 9 && /[A-Za-z]/.test(src[j])) j++;
  return j > i && SQL_STARTERS.has(src.slice(i, j).toLowerCase());
}

/**
 * `${label} (${pattern.source})` with `const label = 'Select the rows you want.'`: a folded
 * string whose text before its first parameter holds a sentence's end is prose, not SQL.
 */
function startsAsProse(text: string): boolean {
  const head = text.split(/\$\d/, 1)[0].replace(/'[^']*'/g, "''");
  return /\w[.!?](?:\s|$)/.test(head);
}

function scriptKind(ts: typeof TS, file: string): TS.ScriptKind {
  if (/\.tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function callRefs(f: TsFile, call: TS.CallExpression, helpers: HelperMatcher[]): void {
  if (helpers.length > 0 && helperCall(f, call, helpers)) return;
  if (builderCall(f, call)) return;
  ormCall(f, call);
}

/** Constants, drizzle tables, TypeORM entities and repositories, imports: what later references resolve through. */
function prepass(f: TsFile): void {
  const { ts } = f;
  const K = ts.SyntaxKind;
  const seen = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (node.kind === K.VariableDeclaration) {
      const d = node as TS.VariableDeclaration;
      if (d.name.kind === K.Identifier && d.initializer) {
        const name = d.name.text;
        const isConst = (ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const) !== 0;
        if (seen.has(name)) f.consts.delete(name);
        else if (isConst && isStringy(f, d.initializer)) f.consts.set(name, d.initializer);
        seen.add(name);
      }
    } else if (node.kind === K.ImportDeclaration) {
      imports(f, node as TS.ImportDeclaration);
    } else if (node.kind === K.CallExpression) {
      const call = node as TS.CallExpression;
      const callee = call.expression;
      const cte =
        callee.kind === K.PropertyAccessExpression &&
        CTE_METHODS.has((callee as TS.PropertyAccessExpression).name.text);
      const name = cte ? stringValue(f, call.arguments[0]) : null;
      if (name) f.ctes.add(name.text.replace(/\s*\(.*$/s, ''));
    }
    collectDeclaration(f, node);
    collectRepository(f, node);
    ts.forEachChild(node, visit);
  };
  visit(f.sf);
}

const CTE_METHODS = new Set(['with', 'withRecursive', 'withMaterialized', 'withNotMaterialized']);

function imports(f: TsFile, node: TS.ImportDeclaration): void {
  const K = f.ts.SyntaxKind;
  const clause = node.importClause;
  if (!f.neighbours || !clause || clause.isTypeOnly || node.moduleSpecifier.kind !== K.StringLiteral) return;
  const spec = (node.moduleSpecifier as TS.StringLiteral).text;
  if (!spec.startsWith('.')) return;
  const bindings = clause.namedBindings;
  if (!bindings) return;
  const decls = f.neighbours.imported(f.path, spec);
  if (!decls) return;
  if (bindings.kind === K.NamespaceImport) {
    f.namespaces.set(bindings.name.text, decls);
    return;
  }
  for (const el of bindings.elements) {
    const exported = (el.propertyName ?? el.name).text;
    copy(decls, exported, f.decls, el.name.text);
  }
}

function copy(from: Declarations, name: string, to: Declarations, as: string): void {
  const table = from.tables.get(name);
  if (table) to.tables.set(as, table);
  const entity = from.entities.get(name);
  if (entity) to.entities.set(as, entity);
}

/** A string value of its own: a literal, a template, a `+` chain with a literal in it. */
function isStringy(f: TsFile, node: TS.Node): boolean {
  const K = f.ts.SyntaxKind;
  switch (node.kind) {
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
    case K.TemplateExpression:
      return true;
    case K.ParenthesizedExpression:
      return isStringy(f, (node as TS.ParenthesizedExpression).expression);
    case K.BinaryExpression: {
      const b = node as TS.BinaryExpression;
      return b.operatorToken.kind === K.PlusToken && (isStringy(f, b.left) || isStringy(f, b.right));
    }
    default:
      return false;
  }
}

/** Where a string starts: not a piece of a larger `+` chain or template hole already folded. */
function isStringRoot(f: TsFile, node: TS.Node): boolean {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.BinaryExpression) {
    const b = node as TS.BinaryExpression;
    return b.operatorToken.kind === K.PlusToken && (hasStringOperand(f, b.left) || hasStringOperand(f, b.right));
  }
  return (
    node.kind === K.StringLiteral || node.kind === K.NoSubstitutionTemplateLiteral || node.kind === K.TemplateExpression
  );
}

function hasStringOperand(f: TsFile, node: TS.Node): boolean {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.Identifier) return f.consts.has((node as TS.Identifier).text);
  return isStringy(f, node);
}

/** The cooked text of a string expression; what is not a constant string becomes a `$n` placeholder. */
function fold(f: TsFile, node: TS.Expression, covered: Set<TS.Node>, inlined: Set<TS.Node>): SqlCandidate | null {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.StringLiteral || node.kind === K.NoSubstitutionTemplateLiteral) {
    return literal(f.src, node.getStart(f.sf) + 1, node.end - 1, 'js');
  }
  const b = new CookedBuilder();
  append(f, node, b, covered, inlined, 0, node.getStart(f.sf));
  return b.build();
}

function append(
  f: TsFile,
  node: TS.Expression,
  b: CookedBuilder,
  covered: Set<TS.Node>,
  inlined: Set<TS.Node>,
  depth: number,
  holeAt: number,
): void {
  const K = f.ts.SyntaxKind;
  const src = f.src;
  switch (node.kind) {
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
      covered.add(node);
      cookEscaped(src, node.getStart(f.sf) + 1, node.end - 1, 'js', b);
      return;
    case K.TemplateExpression: {
      covered.add(node);
      const t = node as TS.TemplateExpression;
      cookEscaped(src, t.head.getStart(f.sf) + 1, t.head.end - 2, 'js', b);
      let at = t.head.end - 2;
      // A tag (sql`…`, $queryRaw`…`) binds its holes as parameters, except a drizzle table, which it names.
      const tagged = node.parent?.kind === K.TaggedTemplateExpression;
      for (const span of t.templateSpans) {
        const table = tagged ? drizzleTable(f, span.expression) : null;
        if (table) b.push(table, span.expression.getStart(f.sf));
        else if (tagged) b.placeholder(at);
        else append(f, span.expression, b, covered, inlined, depth, at);
        const lit = span.literal;
        const tail = lit.kind === K.TemplateTail;
        cookEscaped(src, lit.getStart(f.sf) + 1, lit.end - (tail ? 1 : 2), 'js', b);
        at = lit.end - 2;
      }
      return;
    }
    case K.ParenthesizedExpression:
      append(f, (node as TS.ParenthesizedExpression).expression, b, covered, inlined, depth, holeAt);
      return;
    case K.BinaryExpression: {
      const bin = node as TS.BinaryExpression;
      if (bin.operatorToken.kind !== K.PlusToken || !isStringRoot(f, bin)) break;
      covered.add(node);
      append(f, bin.left, b, covered, inlined, depth, bin.left.getStart(f.sf));
      append(f, bin.right, b, covered, inlined, depth, bin.right.getStart(f.sf));
      return;
    }
    case K.Identifier: {
      const init = f.consts.get((node as TS.Identifier).text);
      if (!init || depth >= 3) break;
      inlined.add(init);
      append(f, init, b, new Set(), inlined, depth + 1, holeAt);
      return;
    }
    default:
      break;
  }
  b.placeholder(holeAt);
}

function drizzleTable(f: TsFile, node: TS.Expression): string | null {
  return node.kind === f.ts.SyntaxKind.Identifier ? (f.decls.tables.get((node as TS.Identifier).text) ?? null) : null;
}
