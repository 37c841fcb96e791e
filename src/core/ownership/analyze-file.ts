// One file → its table references, diagnostics and suppressions. Runs in a worker or in-process.
import type * as TS from 'typescript';
import type { AnalysisOptions, Diagnostic, FileAnalysis, FileKind, NameRef, Suppression, TableRef } from './refs.js';
import { type Extracted, fileOffset, type SqlCandidate } from './extract/candidate.js';
import { parseQualifiedName } from './owners.js';
import { prismaRefs } from './extract/prisma.js';
import type { Neighbours } from './extract/ts-context.js';
import { typescriptExtract } from './extract/typescript.js';
import { extractHost, isGrammarKind, namesTablesOutsideSql } from './extract/hosts.js';
import { looksLikeBrokenSql } from './extract/keywords.js';
import { mentionsHelper } from './extract/helpers.js';
import { bindPlaceholders, namesTableByPlaceholder } from './extract/placeholders.js';
import { analyzeSql, type Sink } from './sql/analyze.js';
import { lineIndex } from './sql/offsets.js';
import { parser } from './sql/parser.js';
import { isUnterminated, splitStatements } from '../sources/split.js';

/** Cheap test before tokenizing a source file: a quote followed by a SQL keyword. */
const MAYBE_SQL =
  /["'`][\s(]*(?:select|insert|update|delete|with|merge|truncate|create|alter|drop|grant|revoke|comment|copy|lock|refresh|table|do|explain)\s/i;

/** TS/JS that names tables outside SQL text: query builders, ORMs (see extract/ts-builders.ts, ts-orm.ts). */
const MAYBE_ORM =
  /\.(?:from|into|table|selectFrom|insertInto|updateTable|deleteFrom|mergeInto|replaceInto)\(\s*["'`]|knex|Table\s*\(|@Entity|Repository|prisma|drizzle|\.(?:insert|update|delete)\(\s*[\w.]+\s*\)/i;

/** Cheap test before parsing a source file: SQL-looking strings, builder or ORM calls, configured helpers. */
function worthParsing(kind: FileKind, text: string, options: AnalysisOptions): boolean {
  if (MAYBE_SQL.test(text)) return true;
  if (kind === 'ts') return MAYBE_ORM.test(text) || mentionsHelper(text, options.helpers);
  return isGrammarKind(kind) && namesTablesOutsideSql(kind, text, options);
}

export function needsTypescript(kind: FileKind, text: string, options: AnalysisOptions = NO_OPTIONS): boolean {
  return kind === 'ts' && worthParsing(kind, text, options);
}

/** A Go or Python file worth parsing: its grammar must be loaded before analyzeText. */
export function needsGrammar(kind: FileKind, text: string, options: AnalysisOptions = NO_OPTIONS): boolean {
  return isGrammarKind(kind) && worthParsing(kind, text, options);
}

export const NO_OPTIONS: AnalysisOptions = { helpers: [] };

export function analyzeText(
  relPath: string,
  kind: FileKind,
  text: string,
  ts: typeof TS | null,
  options: AnalysisOptions = NO_OPTIONS,
  neighbours: Neighbours | null = null,
): FileAnalysis {
  const refs: TableRef[] = [];
  const diagnostics: Diagnostic[] = [];
  const sink: Sink = { refs, diagnostics, position: lineIndex(text) };
  if (kind === 'sql') analyzeSqlFile(text, sink);
  else if (kind === 'prisma' || worthParsing(kind, text, options)) {
    const found = extract(relPath, kind, text, ts, options, neighbours);
    for (const c of found.sql) analyzeCandidate(c, sink);
    for (const n of found.names) refs.push(nameRef(n, sink));
  }
  return { file: relPath, refs, diagnostics, suppressions: suppressions(text) };
}

function extract(
  relPath: string,
  kind: FileKind,
  text: string,
  ts: typeof TS | null,
  options: AnalysisOptions,
  neighbours: Neighbours | null,
): Extracted {
  if (isGrammarKind(kind)) return extractHost(kind, text, options);
  if (kind === 'prisma') return { sql: [], names: prismaRefs(text) };
  if (!ts) return { sql: [], names: [] };
  return typescriptExtract(ts, relPath, text, options, neighbours);
}

/** A table named outside SQL text, as a reference at the name's position. */
function nameRef(n: NameRef, sink: Sink): TableRef {
  const { schema, name } = parseQualifiedName(n.name);
  const pos = sink.position(n.offset);
  return { schema, name, access: n.access, verb: n.via, line: pos.line, column: pos.column, statementLine: pos.line };
}

function analyzeCandidate(c: SqlCandidate, sink: Sink): void {
  if (parses(c, sink)) return;
  // Folded text whose holes keep it from parsing: its literals that parse alone still count.
  if (c.parts?.map((p) => parses(p, sink)).includes(true)) return;
  const toFile = (i: number) => fileOffset(c, i);
  const start = c.text.search(/\S/);
  const pos = sink.position(toFile(Math.max(0, start)));
  if (c.interpolated) {
    sink.diagnostics.push({
      rule: 'dynamic-sql',
      ...pos,
      message: 'SQL built with interpolated values does not parse on its own: the tables it touches cannot be checked',
    });
  } else if (namesTableByPlaceholder(c.text)) {
    sink.diagnostics.push({
      rule: 'dynamic-sql',
      ...pos,
      message: 'the table name is a placeholder filled in at run time: the table it touches cannot be checked',
    });
  } else if (looksLikeBrokenSql(c.text)) {
    sink.diagnostics.push({
      rule: 'unparsable-sql',
      ...pos,
      message: `string looks like SQL but does not parse: ${parseError(c.text).message}`,
    });
  }
}

function parses(c: SqlCandidate, sink: Sink): boolean {
  const toFile = (i: number) => fileOffset(c, i);
  sink.literalLine = sink.position(toFile(0)).line;
  // Driver placeholders (psycopg `%s`, `%(name)s`) become `$n` of the same length, so every
  // offset still maps to the same place.
  const text = driverPlaceholders(c.text);
  if (analyzeSql(text, toFile, sink)) return true;
  // Other drivers' placeholders (`?`, `:name`, `@name`, `{name}`, `{}`) only when the text does
  // not parse as it is: `?` is also a jsonb operator.
  const bound = bindPlaceholders(c.text);
  const boundToFile = bound
    ? (i: number) => toFile(bound.map[Math.max(0, Math.min(i, bound.map.length - 1))] ?? 0)
    : toFile;
  if (bound && analyzeSql(bound.text, boundToFile, sink)) return true;
  // A string holding only common table expressions (`WITH recent AS (...)`), joined to the
  // query that uses them at run time: what they read is checked with a stand-in query after
  // them (their names became names local to the file when the text did not parse).
  return CTE_ONLY.test(text) && analyzeSql(`${bound?.text ?? text}\nSELECT 1`, boundToFile, sink);
}

/** Starts with WITH and ends with the closing parenthesis of a CTE. */
const CTE_ONLY = /^\s*with\s[\s\S]*\)\s*,?\s*$/i;

function driverPlaceholders(text: string): string {
  if (!text.includes('%')) return text;
  let n = 0;
  return text.replace(/%(?:\([A-Za-z_]\w*\))?s/g, (m) =>
    `$${++n}`.padEnd(m.length, ' ').slice(0, Math.max(m.length, 2)),
  );
}

/** A .sql file: parsed whole; if that fails, statement by statement so one bad statement costs only itself. */
function analyzeSqlFile(text: string, sink: Sink): void {
  const identity = (i: number) => i;
  if (analyzeSql(text, identity, sink)) return;
  for (const piece of statementsOf(text)) {
    const { sql, offset: start } = piece;
    if (analyzeSql(sql, (i) => start + i, sink)) continue;
    const err = parseError(sql);
    const pos = sink.position(start + Math.max(0, err.at));
    sink.diagnostics.push({ rule: 'unparsable-sql', ...pos, message: `SQL does not parse: ${err.message}` });
  }
}

/** The migrations' splitter (core/sources/split.ts); a quote left open: the whole text. */
function statementsOf(text: string): Array<{ sql: string; offset: number }> {
  try {
    return splitStatements(text);
  } catch (err) {
    if (!isUnterminated(err)) throw err;
    const start = Math.max(0, text.search(/\S/));
    return [{ sql: text.slice(start), offset: start }];
  }
}

function parseError(sql: string): { message: string; at: number } {
  try {
    parser().parseSync(sql);
    return { message: 'unknown error', at: -1 };
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = typeof details?.cursorPosition === 'number' ? utf16Index(sql, details.cursorPosition) : -1;
    return { message: e instanceof Error ? e.message : String(e), at };
  }
}

/**
 * PostgreSQL's error cursor counts characters (code points, as its own errposition does), not
 * UTF-8 bytes and not UTF-16 units: the JavaScript index of code point `n` of `text`.
 */
function utf16Index(text: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

const IGNORE = /svcdb-ignore\s+([a-z][a-z-]*)[ \t]*(?::[ \t]*([^\n]*?))?[ \t]*(?:\*\/|-->|#}|\r)?[ \t]*$/;

/** `svcdb-ignore <rule>: <reason>` comments, one per line. */
export function suppressions(text: string): Suppression[] {
  if (!text.includes('svcdb-ignore')) return [];
  const out: Suppression[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i].indexOf('svcdb-ignore');
    if (at < 0) continue;
    const m = IGNORE.exec(lines[i].slice(at));
    if (!m) continue;
    const reason = (m[2] ?? '').trim();
    out.push({ rule: m[1], reason: reason === '' ? null : reason, line: i + 1, column: at + 1 });
  }
  return out;
}
