// The PostgreSQL parser (libpg-query, WASM), loaded once per thread.
import { createRequire } from 'node:module';
import type * as PgQuery from 'libpg-query';

let pg: typeof PgQuery | null = null;

export async function loadParser(): Promise<typeof PgQuery> {
  if (!pg) {
    // No engine flags here (a library sets nothing process-wide): the svcdb command chooses
    // V8's WASM tier for the parser itself (cli/v8-flags.ts).
    // require, not import(): the package is CommonJS (no "exports"), and the ES module
    // loader would first lex its 60 KB of emscripten glue for export names (~10 ms a run).
    const mod = createRequire(import.meta.url)('libpg-query') as typeof PgQuery;
    await mod.loadModule();
    pg = mod;
  }
  return pg;
}

/** Starts loading the parser in the background (its WASM compiles off the main thread). */
export function warmUpParser(): void {
  loadParser().catch(() => undefined); // a failure resurfaces when a caller awaits the parser
}

export function parser(): typeof PgQuery {
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
