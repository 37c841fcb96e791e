// Parses one SQL text (a file, a string literal, a function body) and records its table
// references at their positions in the host file.
import type { Diagnostic, TableRef } from '../refs.js';
import { parser } from './parser.js';
import { byteToChar, findIdentifier } from './offsets.js';
import { TreeWalker, type Body } from './walk.js';
import { plpgsqlQueries } from './plpgsql.js';

export interface Sink {
  refs: TableRef[];
  diagnostics: Diagnostic[];
  position(fileOffset: number): { line: number; column: number };
  /** line where the host string literal opens (a suppression may sit above it) */
  literalLine?: number;
  /** temp tables, trigger transition tables and CTE names seen anywhere in the host file:
   * a string that uses one made by another string of the same file is not naming a table */
  fileLocals?: Set<string>;
}

/** Maps a character index of the analysed text to an offset in the host file. */
export type ToFile = (charIndex: number) => number;

export interface AnalyzeOptions {
  /** names that are not tables here (trigger NEW/OLD, PL/pgSQL variables) */
  localNames?: Set<string>;
  depth?: number;
}

const LEADING_TRIVIA = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/;

/** Parses `text`; returns false (recording nothing) when it does not parse. */
export function analyzeSql(text: string, toFile: ToFile, sink: Sink, opts: AnalyzeOptions = {}): boolean {
  let parsed: ReturnType<ReturnType<typeof parser>['parseSync']>;
  try {
    parsed = parser().parseSync(text);
  } catch {
    // A fragment ("WITH recent AS (…)", joined to another string at run time) still names
    // what the other strings of the file may use.
    addFileLocals(sink, fragmentLocals(text));
    return false;
  }
  const walker = new TreeWalker();
  for (const name of opts.localNames ?? []) walker.localNames.add(name);
  for (const name of sink.fileLocals ?? []) walker.localNames.add(name);
  walker.walkStatements(parsed as never);
  addFileLocals(sink, walker.fileLocals);
  const toChar = byteToChar(text);
  let lower: string | null = null;
  for (const ref of walker.refs) {
    if (!ref.schema && walker.localNames.has(ref.name)) continue;
    const at =
      ref.location >= 0
        ? toChar(ref.location)
        : findIdentifier(text, (lower ??= text.toLowerCase()), ref.name, toChar(ref.searchFrom ?? 0));
    const pos = sink.position(toFile(at));
    const stmtAt = toChar(ref.statement);
    // The parser's statement start includes the blanks and comments after the previous `;`.
    const stmtStart = stmtAt + (LEADING_TRIVIA.exec(text.slice(stmtAt, stmtAt + 4000))?.[0].length ?? 0);
    const statementLine = Math.min(sink.position(toFile(stmtStart)).line, sink.literalLine ?? Infinity);
    sink.refs.push({
      schema: ref.schema,
      name: ref.name,
      access: ref.access,
      verb: ref.verb,
      line: pos.line,
      column: pos.column,
      statementLine,
      ...(ref.object ? { object: ref.object } : {}),
      ...(ref.renamedTo ? { renamedTo: ref.renamedTo } : {}),
      ...(ref.args !== undefined ? { args: ref.args } : {}),
      ...(ref.catalog ? { catalog: true } : {}),
    });
  }
  if ((opts.depth ?? 0) < 3)
    for (const body of walker.bodies) analyzeBody(text, toChar, body, toFile, sink, opts.depth ?? 0);
  return true;
}

/** Names local to the host file; references to them found before they were known are dropped. */
function addFileLocals(sink: Sink, names: Iterable<string>): void {
  const added: string[] = [];
  sink.fileLocals ??= new Set();
  for (const name of names) {
    if (sink.fileLocals.has(name)) continue;
    sink.fileLocals.add(name);
    added.push(name);
  }
  if (added.length === 0) return;
  const kept = sink.refs.filter((r) => r.schema !== null || r.access === 'create' || !added.includes(r.name));
  sink.refs.splice(0, sink.refs.length, ...kept);
}

/** CTE and temp-table names in SQL that does not parse on its own. */
function fragmentLocals(text: string): string[] {
  const out: string[] = [];
  const cte = /(?:\bwith\s+(?:recursive\s+)?|,\s*)([a-z_][a-z0-9_]*)\s+as\s+(?:(?:not\s+)?materialized\s+)?\(/gi;
  const temp =
    /\bcreate\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+(?:table|view)\s+(?:if\s+not\s+exists\s+)?([a-z_][a-z0-9_]*)/gi;
  for (const re of [cte, temp]) for (const m of text.matchAll(re)) out.push(m[1].toLowerCase());
  return out;
}

/** A function body or DO block: SQL bodies parse as SQL, PL/pgSQL ones through its own parser. */
function analyzeBody(
  text: string,
  toChar: (b: number) => number,
  body: Body,
  toFile: ToFile,
  sink: Sink,
  depth: number,
): void {
  const found = text.indexOf(body.text, toChar(body.location));
  const bodyStart = found >= 0 ? found : toChar(body.location);
  // When the body was single-quoted its text differs from the source (doubled quotes): fall
  // back to pointing at the body's start.
  const bodyToFile: ToFile = found >= 0 ? (i) => toFile(bodyStart + i) : () => toFile(bodyStart);
  if (body.language === 'sql') {
    analyzeSql(body.text, bodyToFile, sink, { depth: depth + 1 });
    return;
  }
  if (body.language !== 'plpgsql' || !touchesTables(body.text)) return;
  const source = body.statement
    ? sliceBytes(text, body.statement.location, body.statement.length)
    : `CREATE FUNCTION svcdb_do_block() RETURNS void LANGUAGE plpgsql AS $svcdb_body$${body.text}$svcdb_body$`;
  const fn = plpgsqlQueries(source, body.text);
  if ('error' in fn) {
    const pos = sink.position(bodyToFile(Math.max(0, body.text.search(/\S/))));
    sink.diagnostics.push({ rule: 'unparsable-sql', ...pos, message: `PL/pgSQL body does not parse: ${fn.error}` });
    return;
  }
  const localNames = new Set([...fn.variables, ...(sink.fileLocals ?? [])]);
  if (body.isTrigger) {
    localNames.add('new');
    localNames.add('old');
  }
  for (const q of fn.queries) {
    const qToFile: ToFile = (i) => bodyToFile(q.map[Math.max(0, Math.min(i - q.prefix, q.map.length - 1))] ?? 0);
    analyzeSql(q.sql, qToFile, sink, { localNames, depth: depth + 1 });
  }
  for (const d of fn.dynamic) {
    const pos = sink.position(bodyToFile(d.offset));
    sink.diagnostics.push({
      rule: 'dynamic-sql',
      line: pos.line,
      column: pos.column,
      message: `EXECUTE of a built string: the tables it touches cannot be checked (${shorten(d.expr)})`,
    });
  }
}

/**
 * Whether a PL/pgSQL body may name a table: a statement keyword outside string literals and
 * comments. Bodies that only assign, branch and RAISE skip the second parser (most trigger
 * helpers and DO blocks in migrations).
 */
function touchesTables(body: string): boolean {
  const code = body.replace(/'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  return /\b(?:select|insert|update|delete|merge|truncate|execute|perform|from|into|create|alter|drop|copy|lock|refresh|grant|revoke|comment|return\s+query|open|for)\b/i.test(
    code,
  );
}

function sliceBytes(text: string, byteStart: number, byteLength: number): string {
  const buf = Buffer.from(text, 'utf8');
  return buf.subarray(byteStart, byteLength > 0 ? byteStart + byteLength : buf.length).toString('utf8');
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}
