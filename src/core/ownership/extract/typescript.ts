// TS/JS string literals, found with the TypeScript scanner (exact positions, comments and
// regular expressions skipped). Template literals, tagged or not, become one candidate with
// each `${}` replaced by a `$n` placeholder.
import type * as TS from 'typescript';
import { CookedBuilder, cookEscaped, literal, type SqlCandidate } from './candidate.js';
import { startsWithSqlKeyword } from './keywords.js';

export function typescriptStrings(ts: typeof TS, src: string, jsx: boolean): SqlCandidate[] {
  const K = ts.SyntaxKind;
  const scanner = scannerFor(ts);
  scanner.setLanguageVariant(jsx ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard);
  scanner.setText(src);
  const out: SqlCandidate[] = [];
  // Brace depth of each open template substitution, innermost last.
  const templateDepths: number[] = [];
  let depth = 0;
  let template: CookedBuilder | null = null;
  let templateStart = 0;
  const templateStack: Array<{ b: CookedBuilder; start: number }> = [];
  let prev: TS.SyntaxKind = K.Unknown;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if (kind === K.SlashToken || kind === K.SlashEqualsToken) {
      if (!endsExpression(ts, prev)) kind = scanner.reScanSlashToken();
    }
    if (
      kind === K.CloseBraceToken &&
      templateDepths.length > 0 &&
      templateDepths[templateDepths.length - 1] === depth
    ) {
      kind = scanner.reScanTemplateToken(false);
    }
    const start = scanner.getTokenStart();
    const end = scanner.getTokenEnd();
    switch (kind) {
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
        if (startsWithSqlKeyword(src, start + 1, end - 1)) out.push(literal(src, start + 1, end - 1, 'js'));
        break;
      case K.TemplateHead:
        if (template) templateStack.push({ b: template, start: templateStart });
        template = cookEscaped(src, start + 1, end - 2, 'js');
        templateStart = start + 1;
        template.placeholder(end - 2);
        templateDepths.push(depth);
        break;
      case K.TemplateMiddle:
        if (template) {
          cookEscaped(src, start + 1, end - 2, 'js', template);
          template.placeholder(end - 2);
        }
        break;
      case K.TemplateTail:
        templateDepths.pop();
        if (template) {
          cookEscaped(src, start + 1, end - 1, 'js', template);
          if (startsWithSqlKeyword(src, templateStart)) out.push(template.build());
        }
        ({ b: template, start: templateStart } = templateStack.pop() ?? {
          b: null as unknown as CookedBuilder,
          start: 0,
        });
        break;
      case K.OpenBraceToken:
        depth++;
        break;
      case K.CloseBraceToken:
        depth--;
        break;
      default:
        break;
    }
    prev = kind;
  }
  return out;
}

// One scanner per thread, re-pointed at each file: creating one builds a large closure.
let cached: { ts: typeof TS; scanner: TS.Scanner } | null = null;

function scannerFor(ts: typeof TS): TS.Scanner {
  if (!cached || cached.ts !== ts) cached = { ts, scanner: ts.createScanner(ts.ScriptTarget.Latest, true) };
  return cached.scanner;
}

/** After these tokens a `/` divides; elsewhere it starts a regular expression. */
function endsExpression(ts: typeof TS, kind: TS.SyntaxKind): boolean {
  const K = ts.SyntaxKind;
  return (
    kind === K.Identifier ||
    kind === K.CloseParenToken ||
    kind === K.CloseBracketToken ||
    kind === K.CloseBraceToken ||
    kind === K.NumericLiteral ||
    kind === K.StringLiteral ||
    kind === K.BigIntLiteral ||
    kind === K.ThisKeyword ||
    kind === K.NoSubstitutionTemplateLiteral ||
    kind === K.TemplateTail ||
    kind === K.PlusPlusToken ||
    kind === K.MinusMinusToken ||
    kind === K.SuperKeyword ||
    kind === K.TrueKeyword ||
    kind === K.FalseKeyword ||
    kind === K.NullKeyword ||
    kind === K.RegularExpressionLiteral
  );
}
