// Extensions under the schema strategy (issue 11 item 4): one per database, where every
// service sees it (public, on every search_path), and never a race between two services.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/db.js';
import { dropRoles, readJson, removeProject, tempProject, uniquePrefix } from './helpers.js';

const config = 'profiles:\n  cloud: { strategy: schema, url: "${TEST_BASE_URL}" }\n';
const ACCOUNTS =
  '-- +goose Up\nCREATE EXTENSION IF NOT EXISTS citext;\nCREATE TABLE accounts (id bigserial PRIMARY KEY, email citext UNIQUE NOT NULL);\n';
const HANDLES =
  '-- migrate:up\nCREATE EXTENSION citext;\nCREATE TABLE handles (handle citext PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE handles;\n';
const USES_ONLY =
  'CREATE TABLE contacts (id bigserial PRIMARY KEY, email citext NOT NULL);\nCREATE FUNCTION normalized(e citext) RETURNS text LANGUAGE sql AS $$ SELECT lower(e::text) $$;\n';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

async function database(tag: string): Promise<TestDatabase> {
  const db = await createTestDatabase(tag);
  cleanup.push(() => db.drop());
  return db;
}

describe('CREATE EXTENSION under the schema strategy', () => {
  it('two services creating citext at once both succeed, and it lands in public (3 fresh databases)', async () => {
    for (let round = 0; round < 3; round++) {
      const db = await database(`ext_race${round}`);
      const root = tempProject({
        'svcdb.config.yaml': config,
        'internal/accounts/migrations/001_accounts.sql': ACCOUNTS,
        'internal/profiles/migrations/001_handles.sql': HANDLES,
      });
      cleanup.push(async () => removeProject(root));
      const res = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode, res.stderr).toBe(0);
      const [ext] =
        await db.sql`select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'citext'`;
      expect(ext.nspname).toBe('public');
      await db.sql`insert into profiles.handles values ('Ada')`;
      expect((await db.sql`select count(*)::int as n from profiles.handles where handle = 'ADA'`)[0].n).toBe(1);
    }
  });

  it("provisioned roles: A's migration creates citext, B's table uses it, both started at once", async () => {
    const prefix = uniquePrefix('e');
    const root = tempProject({
      'svcdb.config.yaml': config,
      'internal/accounts/migrations/001_accounts.sql': ACCOUNTS,
      'internal/crm/migrations/001_contacts.sql': USES_ONLY,
    });
    // roles go after the database holding their objects (cleanup runs in reverse)
    cleanup.push(async () => {
      await dropRoles(serverUrl(), [`${prefix}accounts`, `${prefix}crm`]);
      removeProject(root);
    });
    const db = await database('ext_roles');
    const env = { TEST_BASE_URL: db.url };
    const provisioned = await runCli(['provision', '--profile', 'cloud', '--role-prefix', prefix, '--cwd', root], {
      env,
    });
    expect(provisioned.exitCode, provisioned.stderr).toBe(0);
    const res = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], { env });
    expect(res.exitCode, res.stderr).toBe(0);
    const owners =
      await db.sql`select tablename, tableowner from pg_tables where tablename in ('accounts', 'contacts') order by 1`;
    expect(owners.map((o) => o.tableowner)).toEqual([`${prefix}accounts`, `${prefix}crm`]);
    expect(
      readJson<{ profiles: Record<string, unknown> }>(path.join(root, '.svcdb/credentials.json')).profiles.cloud,
    ).toBeTruthy();
  });
});
