// One uniquely named database per test file (or per test), dropped afterwards.
import postgres from 'postgres';
import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';

export function serverUrl(): string {
  return inject('databaseUrl');
}

/** The server URL with its database replaced by `database`. */
export function urlFor(database: string, base = serverUrl()): string {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  /** a postgres.js client on the database; closed by drop() */
  sql: postgres.Sql;
  drop(): Promise<void>;
}

/** Creates a fresh database named `svcdb_t_<prefix>_<random>`. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `svcdb_t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = urlFor(name);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  return {
    name,
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await dropDatabase(name);
    },
  };
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
