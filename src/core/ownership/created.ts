// Which objects each service's migrations create: the one answer `svcdb services`, the
// shared-strategy collision check and check-ownership all give. It comes from the lint's
// analysis of each migration file (the PostgreSQL parser, DO blocks and function bodies
// included), in migration order, following `ALTER … RENAME TO`.
import { readFileSync } from 'node:fs';
import type { Project, Service } from '../types.js';
import type { FileAnalysis, ObjectKind } from './refs.js';
import { collectFiles } from './collect.js';
import { codeText } from '../sources/code-text.js';
import { skipSpaceAndComments } from '../sources/lex.js';

export interface CreatedObject {
  service: string;
  kind: ObjectKind;
  /** as written in the migration; null when unqualified */
  schema: string | null;
  name: string;
  /** functions: input argument types (overloads are distinct objects) */
  args?: string;
  file: string;
  line: number;
  column: number;
  /** the old name, when this name came from `ALTER … RENAME TO` */
  renamedFrom?: string;
  /** set on the old object by a later `ALTER … RENAME TO`: the name it has now */
  renamedTo?: string;
}

/** The kinds check-ownership treats as tables a service owns. */
export const TABLE_KINDS: ReadonlySet<ObjectKind> = new Set(['table', 'view', 'matview', 'sequence']);

/**
 * Every object the migration files create, per file in the order given (each service's
 * migrations in order). A rename of an object the same service created adds the new name and
 * marks the old one `renamedTo`; renaming it back (a down section) changes nothing.
 */
export function createdObjects(analyses: FileAnalysis[], migrationOwner: Map<string, string>): CreatedObject[] {
  const out: CreatedObject[] = [];
  for (const a of analyses) {
    const service = migrationOwner.get(a.file);
    if (!service) continue;
    const refs = [...a.refs].sort((x, y) => x.line - y.line || x.column - y.column);
    for (const ref of refs) {
      if (!ref.object) continue;
      const at = { service, file: a.file, line: ref.line, column: ref.column };
      if (ref.access === 'create') {
        out.push({ ...at, kind: ref.object, schema: ref.schema, name: ref.name, ...argsOf(ref.args) });
      } else if (ref.renamedTo) {
        const from = out.findLast(
          (c) =>
            c.service === service &&
            c.name === ref.name &&
            c.schema === ref.schema &&
            sameNamespace(c.kind, ref.object!),
        );
        if (from && from.renamedFrom !== ref.renamedTo) {
          from.renamedTo ??= ref.renamedTo;
          out.push({ ...at, kind: from.kind, schema: from.schema, name: ref.renamedTo, renamedFrom: ref.name });
        }
      }
    }
  }
  return out;
}

function argsOf(args: string | undefined): { args?: string } {
  return args === undefined ? {} : { args };
}

/**
 * Whether two kinds of object can clash on one name in one schema: relations (tables, views,
 * sequences, indexes, composite types) share pg_class; types share pg_type with every table's
 * and view's row type; functions share pg_proc with each other only.
 */
export function sameNamespace(a: ObjectKind, b: ObjectKind): boolean {
  if (a === 'function' || b === 'function') return a === b;
  const inClass = (k: ObjectKind) => k !== 'type';
  const inType = (k: ObjectKind) => k === 'type' || k === 'table' || k === 'view' || k === 'matview';
  return (inClass(a) && inClass(b)) || (inType(a) && inType(b));
}

/** `table dlq`, `index orders_idx`, `function touch(int4)`: for messages. */
export function describeObject(o: Pick<CreatedObject, 'kind' | 'name' | 'args'>, qualified: string): string {
  const kind = o.kind === 'matview' ? 'materialized view' : o.kind;
  return o.kind === 'function' ? `${kind} ${qualified}(${o.args ?? ''})` : `${kind} ${qualified}`;
}

/**
 * The name a service's table is listed under: bare when it lives where the service's
 * unqualified names go (no schema, `public`, or the service's own schema), else `schema.name`.
 */
export function ownedName(service: string, schema: string | null, name: string): string {
  return !schema || schema === 'public' || schema === service ? name : `${schema}.${name}`;
}

/** Cheap test before parsing: only a file with one of these words can create or rename. */
const MAY_CREATE = /\b(?:create|rename)\b/i;
const SELECT_INTO = /\bselect\b[^;]*?\binto\b/i;

const NAME = String.raw`("(?:[^"]|"")+"|[\p{L}_][\p{L}\p{N}_$]*)(?:\s*\.\s*("(?:[^"]|"")+"|[\p{L}_][\p{L}\p{N}_$]*))?`;
const CANDIDATE = new RegExp(
  String.raw`\b(?:create\s+(?:or\s+replace\s+)?(?:[a-z]+\s+){0,3}(?:table|view|index|type|function|procedure|sequence|domain)\s+(?:(?:if\s+not\s+exists|concurrently)\s+)*|rename\s+to\s+|into\s+(?:(?:temp|temporary|unlogged|table)\s+)*)` +
    NAME,
  'giu',
);
const NOT_A_NAME = new Set(['on', 'if', 'only', 'as', 'select', 'values', 'table']);

/**
 * Every name the files might create, as a superset (a cheap scan, comments removed, names
 * folded to lower case): when no name is in two services' sets, nothing can collide and the
 * files need not be parsed.
 */
export function candidateNames(project: Project, services: Service[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const scan = (service: string, text: string) => {
    const names = out.get(service) ?? new Set<string>();
    const code = text.replace(/\/\*[\s\S]*?\*\/|--[^\n]*/g, ' ');
    for (const m of code.matchAll(CANDIDATE)) {
      const raw = m[2] ?? m[1];
      const name = raw.replace(/^"|"$/g, '').toLowerCase();
      if (raw.startsWith('"') || !NOT_A_NAME.has(name)) names.add(name);
    }
    out.set(service, names);
  };
  // Migrations already read with the project (migrate, plan) are scanned as they are in memory,
  // up and down sections alike; only a project loaded without them goes back to the files.
  const unread = new Set<string>();
  for (const service of services) {
    if (service.migrations.length === 0) unread.add(service.name);
    for (const m of service.migrations)
      for (const statement of [...m.up, ...(m.down ?? [])]) scan(service.name, statement.sql);
  }
  if (unread.size === 0) return out;
  const collected = collectFiles(project, { migrationsOnly: true });
  for (const task of collected.tasks) {
    const service = collected.migrationOwner.get(task.relPath) ?? '';
    if (!unread.has(service)) continue;
    try {
      scan(service, readFileSync(task.path, 'utf8'));
    } catch {
      // a migration that cannot be read fails where it is applied, with its path
    }
  }
  return out;
}

/**
 * Analyses the migration files of `services` in this thread (the parser loads only when a
 * file passes the pre-filter), for `services` and the collision check.
 */
export async function analyzeMigrations(
  project: Project,
  services: Service[],
): Promise<{ analyses: FileAnalysis[]; migrationOwner: Map<string, string> }> {
  const wanted = new Set(services.map((s) => s.name));
  const collected = collectFiles(project, { migrationsOnly: true });
  const texts: Array<{ relPath: string; text: string }> = [];
  for (const task of collected.tasks) {
    if (!wanted.has(collected.migrationOwner.get(task.relPath) ?? '')) continue;
    let text: string;
    try {
      text = readFileSync(task.path, 'utf8');
    } catch {
      continue; // a migration that cannot be read fails where it is applied, with its path
    }
    if (MAY_CREATE.test(text) || SELECT_INTO.test(text)) texts.push({ relPath: task.relPath, text });
  }
  const analyses: FileAnalysis[] = [];
  if (texts.length > 0) {
    const [{ loadParser }, { analyzeText }] = await Promise.all([
      import('./sql/parser.js'),
      import('./analyze-file.js'),
    ]);
    await loadParser();
    for (const t of texts) analyses.push(analyzeText(t.relPath, 'sql', t.text, null));
  }
  return { analyses, migrationOwner: collected.migrationOwner };
}

// A statement that is one CREATE TABLE [AS]: its table's name as the parser would give it
// (unquoted names folded to lower case, quotes removed), read off the text. The fast path of
// this file's parse, for callers that only ask which tables a statement creates.
const CREATE_TABLE =
  /^create\s+(?:(?:global|local|temp|temporary|unlogged)\s+)*table\s+(?:if\s+not\s+exists\s+)?((?:(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)\s*\.\s*){0,2})("(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)[\s(]/i;

function foldName(name: string): string {
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.replace(/[A-Z]+/g, (c) => c.toLowerCase());
}

/** The table a lone CREATE TABLE statement creates (schema when qualified), or null: anything else, or unsure (parse it). */
export function loneCreatedTable(sql: string): { schema: string | null; name: string } | null {
  const found = CREATE_TABLE.exec(sql);
  // temp tables are no created objects (the parse says so); several statements need the parse
  if (!found || /^create\s+(?:\w+\s+)*?temp/i.test(found[0]) || codeText(sql)?.includes(';') !== false) return null;
  const qualifiers = [...found[1].matchAll(/("(?:[^"]|"")+"|[^\s."]+)\s*\./g)].map((q) => foldName(q[1]));
  return { schema: qualifiers.length ? qualifiers[qualifiers.length - 1] : null, name: foldName(found[2]) };
}

/**
 * What some statements create (a migration's up section), with the line of each in its file:
 * the same parse as above, for callers that hold statements rather than files.
 */
export async function createdByStatements(
  statements: Array<{ sql: string; line: number }>,
): Promise<Array<{ kind: ObjectKind; schema: string | null; name: string; line: number }>> {
  const out: Array<{ kind: ObjectKind; schema: string | null; name: string; line: number }> = [];
  const candidates: typeof statements = [];
  for (const s of statements) {
    if (!MAY_CREATE.test(s.sql) && !SELECT_INTO.test(s.sql)) continue;
    // The usual first migration, one CREATE TABLE a statement, never loads the parser (~20 MiB).
    const start = skipSpaceAndComments(s.sql, 0);
    const lone = loneCreatedTable(s.sql.slice(start));
    if (lone) out.push({ kind: 'table', ...lone, line: s.line + (s.sql.slice(0, start).match(/\n/g)?.length ?? 0) });
    else candidates.push(s);
  }
  if (candidates.length === 0) return out;
  const [{ loadParser }, { analyzeText }] = await Promise.all([import('./sql/parser.js'), import('./analyze-file.js')]);
  await loadParser();
  const owner = new Map([['statement', 'self']]);
  for (const s of candidates) {
    for (const c of createdObjects([analyzeText('statement', 'sql', s.sql, null)], owner))
      out.push({ kind: c.kind, schema: c.schema, name: c.name, line: s.line + c.line - 1 });
  }
  return out;
}
