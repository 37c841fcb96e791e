// The SQL inside a PL/pgSQL body: each embedded query with its offset in the body, the
// function's variable names, and every EXECUTE of a built string.
import { parser } from './parser.js';

export interface EmbeddedQuery {
  /** text handed to the SQL parser */
  sql: string;
  /** offset in the body of each character of sql after the prefix */
  map: Int32Array;
  /** characters added in front of the body text ("SELECT ") */
  prefix: number;
}

export interface PlpgsqlFunction {
  queries: EmbeddedQuery[];
  variables: string[];
  dynamic: Array<{ offset: number; expr: string }>;
}

type Node = Record<string, unknown>;

const DYNAMIC = new Set(['PLpgSQL_stmt_dynexecute', 'PLpgSQL_stmt_dynfors']);

export function plpgsqlQueries(createFunction: string, body: string): PlpgsqlFunction | { error: string } {
  let parsed: unknown;
  try {
    parsed = parser().parsePlPgSQLSync(createFunction);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  const out: PlpgsqlFunction = { queries: [], variables: [], dynamic: [] };
  const lowerBody = body.toLowerCase();
  let cursor = 0;
  const locate = (query: string): Int32Array | null => {
    let at = body.indexOf(query, cursor);
    if (at < 0) at = body.indexOf(query);
    if (at >= 0) {
      cursor = at + query.length;
      return Int32Array.from({ length: query.length }, (_, i) => at + i);
    }
    const map = blanked(body, query) ?? align(body, query, cursor) ?? align(body, query, 0);
    if (map) cursor = map[map.length - 1] + 1;
    return map;
  };
  const visit = (node: unknown, dynamicParent: boolean): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, dynamicParent);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'PLpgSQL_var' || key === 'PLpgSQL_rec' || key === 'PLpgSQL_row') {
        const name = (value as Node).refname;
        if (typeof name === 'string') out.variables.push(name);
      }
      if (key === 'PLpgSQL_expr') {
        const query = (value as Node).query;
        if (typeof query === 'string') addQuery(query, Number((value as Node).parseMode ?? 0), dynamicParent);
        continue;
      }
      const isDynamic =
        DYNAMIC.has(key) ||
        ((key === 'PLpgSQL_stmt_open' || key === 'PLpgSQL_stmt_return_query') && Boolean((value as Node).dynquery));
      if (isDynamic && value && typeof value === 'object') {
        // Only the built string is dynamic; USING parameters and loop bodies are ordinary.
        for (const [field, child] of Object.entries(value as Node))
          visit(child, field === 'query' || field === 'dynquery');
        continue;
      }
      visit(value, dynamicParent);
    }
  };
  const addQuery = (query: string, mode: number, dynamic: boolean): void => {
    const map = locate(query);
    if (!map) return;
    const at = map[0] ?? 0;
    if (dynamic) {
      const exec = lowerBody.lastIndexOf('execute', at);
      out.dynamic.push({ offset: exec >= 0 && at - exec < 40 ? exec : at, expr: query });
      dynamic = false;
    }
    if (mode === 0) {
      out.queries.push({ sql: query, map, prefix: 0 });
    } else {
      // Expressions and assignments ("x := (SELECT ...)"): parse the expression as a SELECT.
      const assign = /^\s*[A-Za-z_][\w.]*\s*:?=\s*/.exec(query);
      const skip = assign ? assign[0].length : 0;
      out.queries.push({ sql: `SELECT ${query.slice(skip)}`, map: map.subarray(skip), prefix: 7 });
    }
  };
  visit(parsed, false);
  return out;
}

/** `SELECT a INTO r FROM t` comes back as `SELECT a        FROM t`: same length, INTO blanked. */
function blanked(body: string, query: string): Int32Array | null {
  const head = /^\S+/.exec(query)?.[0] ?? query;
  for (let at = body.indexOf(head); at >= 0; at = body.indexOf(head, at + 1)) {
    let ok = at + query.length <= body.length;
    for (let i = 0; ok && i < query.length; i++) ok = query[i] === ' ' || query[i] === body[at + i];
    if (ok) return Int32Array.from({ length: query.length }, (_, i) => at + i);
  }
  return null;
}

/**
 * PL/pgSQL hands back some queries with parts removed (`SELECT ... INTO r FROM t` loses
 * `INTO r`): match the query as a subsequence of the body to recover each character's offset.
 */
function align(body: string, query: string, from: number): Int32Array | null {
  const head = query.slice(0, Math.min(12, query.length));
  const start = body.indexOf(head, from);
  if (start < 0) return null;
  const map = new Int32Array(query.length);
  let j = start;
  for (let i = 0; i < query.length; i++) {
    while (j < body.length && body[j] !== query[i]) j++;
    if (j >= body.length) return null;
    map[i] = j++;
  }
  return map;
}
