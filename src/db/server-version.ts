// The server's major PostgreSQL version, for rules whose safety depends on it (check-migrations).
import type { Sql } from './connect.js';

export async function serverMajorVersion(sql: Sql): Promise<number> {
  const [row] = await sql.unsafe<Array<{ v: string }>>("SELECT current_setting('server_version_num') AS v");
  return Math.floor(Number(row.v) / 10000);
}
