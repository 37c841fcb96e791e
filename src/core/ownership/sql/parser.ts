// The PostgreSQL parser (libpg-query, WASM), loaded once per thread.
import type * as PgQuery from 'libpg-query';

let pg: typeof PgQuery | null = null;

export async function loadParser(): Promise<typeof PgQuery> {
  if (!pg) {
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
