// The service's connection pool. postgres.js sends the URL's query parameters (the `search_path`
// or `options` that svcdb puts there under a `schema` profile) as connection settings, so the code
// never names a schema: the same SQL runs in a shared database, a schema, or its own database.
import postgres from 'postgres';

export type Sql = postgres.Sql;

export function openDatabase(url: string): Sql {
  return postgres(url, { max: 5, idle_timeout: 30, connect_timeout: 10, onnotice: () => {} });
}
