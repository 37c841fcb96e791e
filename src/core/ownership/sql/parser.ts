// The PostgreSQL parser (libpg-query, WASM), loaded once per thread.
import type * as PgQuery from 'libpg-query';

let pg: typeof PgQuery | null = null;

export async function loadParser(): Promise<typeof PgQuery> {
  if (!pg) {
    // No engine flags here (a library sets nothing process-wide): the svcdb command chooses
    // V8's WASM tier for the parser itself (cli/v8-flags.ts).
    const mod = await import('libpg-query');
    await mod.loadModule();
    pg = mod;
  }
  return pg;
}

export function parser(): typeof PgQuery {
  if (!pg) throw new Error('the SQL parser is not loaded: call loadParser() first');
  return pg;
}

type ParseResult = ReturnType<typeof PgQuery.parseSync>;
let cache: Map<string, { tree?: ParseResult; error?: unknown }> | null = null;

/**
 * `parseSync`, remembered while `withParseCache` runs: the safety lint parses a statement for
 * prepareTransactions and again for its rules; with the cache, once. The trees are shared:
 * callers only read them. Outside `withParseCache` it is plain `parseSync`.
 */
export function parseSyncShared(sql: string): ParseResult {
  const pgq = parser();
  if (!cache) return pgq.parseSync(sql);
  let hit = cache.get(sql);
  if (!hit) {
    try {
      hit = { tree: pgq.parseSync(sql) };
    } catch (error) {
      hit = { error };
    }
    cache.set(sql, hit);
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
