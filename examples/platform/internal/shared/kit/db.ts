// The service's connection pool. postgres.js sends the URL's query parameters (the `search_path`
// or `options` that svcdb puts there under a `schema` profile) as connection settings, so the code
// never names a schema: the same SQL runs in a shared database, a schema, or its own database.
import postgres from 'postgres';

export type Sql = postgres.Sql;

export function openDatabase(url: string): Sql {
  return postgres(url, { max: 5, idle_timeout: 30, connect_timeout: 10, onnotice: () => {} });
}

/** A value for a jsonb column. Request bodies arrive as `unknown` but are parsed JSON already. */
export function jsonValue(value: unknown): postgres.JSONValue {
  return value as postgres.JSONValue;
}
