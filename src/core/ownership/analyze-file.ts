// One file → its table references, diagnostics and suppressions. Runs in a worker or in-process.
import type * as TS from 'typescript';
import type { Diagnostic, FileAnalysis, FileKind, Suppression, TableRef } from './refs.js';
import { fileOffset, type SqlCandidate } from './extract/candidate.js';
import { goStrings } from './extract/go.js';
import { pythonStrings } from './extract/python.js';
import { typescriptStrings } from './extract/typescript.js';
import { looksLikeBrokenSql } from './extract/keywords.js';
import { bindPlaceholders } from './extract/placeholders.js';
import { analyzeSql, type Sink } from './sql/analyze.js';
import { lineIndex } from './sql/offsets.js';
import { parser } from './sql/parser.js';
import { isUnterminated, splitStatements } from '../sources/split.js';

/** Cheap test before tokenizing a source file: a quote followed by a SQL keyword. */
const MAYBE_SQL =
  /["'`][\s(]*(?:select|insert|update|delete|with|merge|truncate|create|alter|drop|grant|revoke|comment|copy|lock|refresh|table|do|explain)\s/i;

export function needsTypescript(kind: FileKind, text: string): boolean {
  return kind === 'ts' && MAYBE_SQL.test(text);
}

export function analyzeText(relPath: string, kind: FileKind, text: string, ts: typeof TS | null): FileAnalysis {
  const refs: TableRef[] = [];
  const diagnostics: Diagnostic[] = [];
  const sink: Sink = { refs, diagnostics, position: lineIndex(text) };
  if (kind === 'sql') analyzeSqlFile(text, sink);
  else if (MAYBE_SQL.test(text)) for (const c of candidates(relPath, kind, text, ts)) analyzeCandidate(c, sink);
  return { file: relPath, refs, diagnostics, suppressions: suppressions(text) };
}

function candidates(relPath: string, kind: FileKind, text: string, ts: typeof TS | null): SqlCandidate[] {
  if (kind === 'go') return goStrings(text);
  if (kind === 'py') return pythonStrings(text);
  if (!ts) return [];
  return typescriptStrings(ts, text, /\.[jt]sx$/.test(relPath));
}

function analyzeCandidate(c: SqlCandidate, sink: Sink): void {
  const toFile = (i: number) => fileOffset(c, i);
  sink.literalLine = sink.position(toFile(0)).line;
  // Driver placeholders (psycopg `%s`, `%(name)s`) become `$n` of the same length, so every
  // offset still maps to the same place.
  if (analyzeSql(driverPlaceholders(c.text), toFile, sink)) return;
  // Other drivers' placeholders (`?`, `:name`, `@name`, `{name}`) only when the text does not
  // parse as it is: `?` is also a jsonb operator.
  const bound = bindPlaceholders(c.text);
  if (
    bound &&
    analyzeSql(bound.text, (i) => toFile(bound.map[Math.max(0, Math.min(i, bound.map.length - 1))] ?? 0), sink)
  )
    return;
  const start = c.text.search(/\S/);
  const pos = sink.position(toFile(Math.max(0, start)));
  if (c.interpolated) {
    sink.diagnostics.push({
      rule: 'dynamic-sql',
      ...pos,
      message: 'SQL built with interpolated values does not parse on its own: the tables it touches cannot be checked',
    });
  } else if (looksLikeBrokenSql(c.text)) {
    sink.diagnostics.push({
      rule: 'unparsable-sql',
      ...pos,
      message: `string looks like SQL but does not parse: ${parseError(c.text).message}`,
    });
  }
}

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
    const at =
      typeof details?.cursorPosition === 'number'
        ? Buffer.from(sql, 'utf8').subarray(0, details.cursorPosition).toString('utf8').length
        : -1;
    return { message: e instanceof Error ? e.message : String(e), at };
  }
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
