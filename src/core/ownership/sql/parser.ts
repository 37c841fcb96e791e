// The PostgreSQL parser (libpg-query, WASM), loaded once per thread.
import type * as PgQuery from 'libpg-query';

let pg: typeof PgQuery | null = null;

export async function loadParser(): Promise<typeof PgQuery> {
  if (!pg) {
    // A lint run parses each file once: V8's optimising WASM tier costs more to compile than it
    // saves here (cold parse of 1,000 migrations: ~450 ms with tier-up, ~90 ms baseline only).
    // The flag is process-wide; the parser is the only WASM svcdb runs.
    const v8 = await import('node:v8');
    v8.setFlagsFromString('--liftoff-only');
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
