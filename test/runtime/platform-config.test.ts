// What the example's README promises about its configuration: the ownership lint passes, and the
// three `dlq` tables are why its dev profile is `schema` (a `shared` profile refuses to migrate it).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { copyPlatform, exampleDir, type PlatformCopy } from './platform-harness.js';

describe('examples/platform configuration', () => {
  test('check-ownership passes: query reads projections only through the declared shared module', async () => {
    const res = await runCli(['check-ownership', '--cwd', exampleDir, '--format', 'json']);
    expect(res.exitCode, res.stderr).toBe(0);
    const findings = JSON.parse(res.stdout).findings as Array<{ rule: string; severity: string; table: string | null }>;
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    // the only warnings: the three dlq tables, which the schema profile keeps apart
    expect(findings.map((f) => `${f.rule}:${f.table}`).sort()).toEqual([
      'table-collision:dlq',
      'table-collision:dlq',
      'table-collision:dlq',
    ]);
  });

  test("svcdb services shows five services, query on eventhandler's database", async () => {
    // a copy: a developer's .svcdb/credentials.json would give each service its own role in the URL
    const copy = await copyPlatform();
    const res = await runCli(['services', '--cwd', copy.dir, '--json'], {
      env: { DATABASE_URL: 'postgres://u@127.0.0.1:5432/platform' },
    });
    copy.remove();
    expect(res.exitCode, res.stderr).toBe(0);
    const services = JSON.parse(res.stdout).services as Array<{
      name: string;
      databaseOf: string | null;
      url: string;
      tables: string[];
    }>;
    expect(services.map((s) => s.name)).toEqual(['actions', 'eventhandler', 'ingestion', 'query', 'tsdb']);
    const query = services.find((s) => s.name === 'query')!;
    expect(query).toMatchObject({ databaseOf: 'eventhandler', tables: [] });
    expect(query.url).toBe(services.find((s) => s.name === 'eventhandler')!.url);
    expect(query.url).toContain('search_path%3Deventhandler');
  });
});

describe('the same platform under a shared profile', () => {
  let copy: PlatformCopy;
  let db: TestDatabase;
  beforeAll(async () => {
    copy = await copyPlatform();
    const configFile = path.join(copy.dir, 'svcdb.config.ts');
    const config = fs
      .readFileSync(configFile, 'utf8')
      .replace('  profiles: {\n', "  profiles: {\n    together: { strategy: 'shared' },\n");
    fs.writeFileSync(configFile, config);
    db = await createTestDatabase('platform_shared');
  });
  afterAll(async () => {
    copy?.remove();
    await db?.drop();
  });

  test('migrate refuses before applying anything, naming the dlq table and its three services', async () => {
    const res = await runCli(['migrate', '--all', '--profile', 'together', '--cwd', copy.dir], {
      env: { DATABASE_URL: db.url },
    });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toMatch(
      /table dlq is created by actions .* and eventhandler .* and tsdb .*; nothing was applied/,
    );
    const tables = await db.sql`select table_name from information_schema.tables where table_schema = 'public'`;
    expect(tables).toEqual([]);
  });
});
