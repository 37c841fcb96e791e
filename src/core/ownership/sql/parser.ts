// The PostgreSQL parser (libpg-query, WASM), loaded once per thread.
import { createRequire } from 'node:module';
import type * as PgQuery from 'libpg-query';

/** What svcdb calls of the parser: libpg-query's two synchronous parses. */
export type SqlParser = Pick<typeof PgQuery, 'parseSync' | 'parsePlPgSQLSync'>;

let pg: SqlParser | null = null;
let loading: Promise<SqlParser> | null = null;

export async function loadParser(): Promise<SqlParser> {
  if (pg) return pg;
  // No engine flags here (a library sets nothing process-wide): the svcdb command chooses
  // V8's WASM tier for the parser itself (cli/v8-flags.ts).
  loading ??= load().then((p) => (pg = p));
  return loading;
}

async function load(): Promise<SqlParser> {
  // require, not import(): the package is CommonJS (no "exports"), and the ES module loader
  // would first lex its 60 KB of emscripten glue for export names (~10 ms a run).
  const direct = await directParser();
  if (direct) return direct;
  const mod = createRequire(import.meta.url)('libpg-query') as typeof PgQuery;
  await mod.loadModule();
  return mod;
}

/** libpg-query's emscripten module (wasm/libpg-query.js), the part of it svcdb calls. */
interface PgQueryWasm {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(query: number): number;
  _wasm_free_parse_result(result: number): void;
  _wasm_parse_plpgsql(query: number): number;
  _wasm_free_string(str: number): void;
}

const WASM_FUNCTIONS = [
  '_malloc',
  '_free',
  '_wasm_parse_query_raw',
  '_wasm_free_parse_result',
  '_wasm_parse_plpgsql',
  '_wasm_free_string',
] as const;

/**
 * The same WASM functions libpg-query's parseSync and parsePlPgSQLSync call (its
 * wasm/index.cjs), with the strings copied by the engine's TextEncoder, TextDecoder and
 * indexOf: the emscripten helpers it uses walk every byte of the query and of the JSON tree
 * in JavaScript (~4 ms of a 1,000-file lint, bench/lint.js). Null when this build of
 * libpg-query does not have them: then its own functions are used. Each call makes a new
 * instance of the module (loadParser keeps one per thread).
 */
export async function directParser(): Promise<SqlParser | null> {
  let factory: (() => Promise<PgQueryWasm>) | undefined;
  try {
    factory = createRequire(import.meta.url)('libpg-query/wasm/libpg-query.js') as typeof factory;
  } catch {
    return null;
  }
  if (typeof factory !== 'function') return null;
  const m = await factory();
  const views = m.HEAPU8 instanceof Uint8Array && m.HEAPU32 instanceof Uint32Array;
  if (!views || !WASM_FUNCTIONS.every((f) => typeof m[f] === 'function')) return null;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const u32 = (ptr: number) => m.HEAPU32[ptr >>> 2];
  const text = (ptr: number) => {
    const heap = m.HEAPU8;
    const end = heap.indexOf(0, ptr);
    return decoder.decode(heap.subarray(ptr, end < 0 ? heap.length : end));
  };
  /** `query` as a NUL-terminated UTF-8 string in the module's memory; the caller frees it. */
  const cString = (query: string) => {
    if (typeof query !== 'string') throw new TypeError(`Expected a string, got ${typeof query}`);
    const size = query.length * 3 + 1;
    const ptr = m._malloc(size);
    if (!ptr) throw new Error('Failed to parse query: memory allocation failed');
    const { written } = encoder.encodeInto(query, m.HEAPU8.subarray(ptr, ptr + size - 1));
    m.HEAPU8[ptr + written] = 0;
    return ptr;
  };
  const parseSync = (query: string) => {
    if (query === null || query === undefined) throw new Error('Query cannot be null or undefined');
    if (query === '') throw new Error('Query cannot be empty');
    const queryPtr = cString(query);
    let result = 0;
    try {
      result = m._wasm_parse_query_raw(queryPtr);
      if (!result) throw new Error('Failed to parse query: memory allocation failed');
      // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error }
      const tree = u32(result);
      const error = u32(result + 8);
      if (error) throw sqlError(error);
      if (!tree) throw new Error('No parse tree generated');
      return JSON.parse(text(tree));
    } finally {
      m._free(queryPtr);
      if (result) m._wasm_free_parse_result(result);
    }
  };
  // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos }
  const sqlError = (ptr: number) => {
    const field = (k: number) => (u32(ptr + k) ? text(u32(ptr + k)) : undefined);
    const message = field(0) ?? 'Unknown error';
    const lineno = u32(ptr + 12) | 0;
    const cursorpos = u32(ptr + 16) | 0;
    return Object.assign(new Error(message), {
      name: 'SqlError',
      sqlDetails: {
        message,
        cursorPosition: cursorpos > 0 ? cursorpos - 1 : 0,
        fileName: field(8),
        functionName: field(4),
        lineNumber: lineno > 0 ? lineno : undefined,
      },
    });
  };
  const parsePlPgSQLSync = (query: string) => {
    const queryPtr = cString(query);
    let result = 0;
    try {
      result = m._wasm_parse_plpgsql(queryPtr);
      const out = result ? text(result) : '';
      // success is a JSON object; anything else is the error message
      if (!out.startsWith('{')) throw new Error(out);
      return JSON.parse(out);
    } finally {
      m._free(queryPtr);
      if (result) m._wasm_free_string(result);
    }
  };
  return { parseSync, parsePlPgSQLSync } as SqlParser;
}

/** Starts loading the parser in the background (its WASM compiles off the main thread). */
export function warmUpParser(): void {
  loadParser().catch(() => undefined); // a failure resurfaces when a caller awaits the parser
}

export function parser(): SqlParser {
  if (!pg) throw new Error('the SQL parser is not loaded: call loadParser() first');
  return pg;
}

type ParseResult = ReturnType<typeof PgQuery.parseSync>;
let cache: Map<string, { tree?: ParseResult; error?: unknown }> | null = null;

/**
 * `parseSync`, remembered while `withParseCache` runs: the safety lint's rules read the trees
 * prepareTransactions parsed (`keep`: remember it) and take them out of the cache as they do
 * (`keep` false), so no tree outlives its two readers (kept ones would be copied by every
 * garbage collection of the lint). The trees are shared: callers only read them. Outside
 * `withParseCache` it is plain `parseSync`.
 */
export function parseSyncShared(sql: string, keep = true): ParseResult {
  const pgq = parser();
  if (!cache) return pgq.parseSync(sql);
  let hit = cache.get(sql);
  if (hit && !keep) cache.delete(sql);
  if (!hit) {
    try {
      hit = { tree: pgq.parseSync(sql) };
    } catch (error) {
      hit = { error };
    }
    if (keep) cache.set(sql, hit);
  }
  if (hit.error !== undefined || !hit.tree) throw hit.error;
  return hit.tree;
}

export async function withParseCache<T>(fn: () => Promise<T>): Promise<T> {
  const outer = cache;
  cache ??= new Map();
  try {
    return await fn();
  } finally {
    cache = outer;
  }
}
