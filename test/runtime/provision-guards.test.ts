// What `provision` must never take over (issue 10: r04 roles, r05 schemas, r06 minimum
// privileges, r07 names that merge services), against the test server.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCredentials, withSearchPath } from '../../src/core/url.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/db.js';
import { attempt, dropRoles, readJson, removeProject, tempProject, uniquePrefix } from './helpers.js';

type Credentials = { profiles: Record<string, Record<string, { role: string; password: string }>> };

const ORDERS =
  '-- +goose Up\nCREATE TABLE orders (id bigserial PRIMARY KEY, total numeric NOT NULL);\n-- +goose Down\nDROP TABLE orders;\n';
const BILLING = 'CREATE TABLE IF NOT EXISTS invoices (id bigserial PRIMARY KEY, secret text);\n';

const hasPsql = spawnSync('psql', ['--version']).status === 0;

const profileYaml = 'profiles:\n  cloud: { strategy: schema, url: "${TEST_BASE_URL}" }\n';

describe('provision and roles it did not create', () => {
  let db: TestDatabase;
  let prefix: string;
  const roles: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('guard_roles');
    prefix = uniquePrefix('g');
  });
  afterAll(async () => {
    await db.drop();
    await dropRoles(serverUrl(), roles);
  });

  it('an existing role named <prefix><service> is refused, named, and nothing is changed', async () => {
    const role = `${prefix}orders`;
    roles.push(role, `${prefix}billing`);
    await db.sql.unsafe(`create role "${role}" login createrole password 'theirs'`);
    await db.sql.unsafe(`grant pg_read_all_data to "${role}"`);
    const root = tempProject({
      'svcdb.config.yaml': profileYaml,
      'internal/orders/migrations/001_orders.sql': ORDERS,
      'internal/billing/migrations/001_invoices.sql': BILLING,
    });
    try {
      const res = await runCli(['provision', '--profile', 'cloud', '--role-prefix', prefix, '--cwd', root], {
        env: { TEST_BASE_URL: db.url },
      });
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain(`role "${role}" (service orders) exists and was not created by svcdb`);
      expect(res.stderr).toContain('--adopt-roles');
      const [r] =
        await db.sql`select rolcreaterole, pg_has_role(oid, 'pg_read_all_data', 'member') as reads_all from pg_roles where rolname = ${role}`;
      expect(r).toEqual({ rolcreaterole: true, reads_all: true });
      // nothing else was written either: no role for billing, no schemas
      expect(await db.sql`select 1 from pg_roles where rolname = ${`${prefix}billing`}`).toHaveLength(0);
      expect(await db.sql`select nspname from pg_namespace where nspname in ('orders', 'billing')`).toHaveLength(0);
    } finally {
      removeProject(root);
    }
  });

  // The script is for psql: where it is missing (a machine with only the embedded server) there is nothing to run it with.
  it.skipIf(!hasPsql)(
    'the --print script refuses that role too when run with psql, before it changes anything',
    async () => {
      const role = `${prefix}orders`;
      const root = tempProject({
        'svcdb.config.yaml': profileYaml,
        'internal/orders/migrations/001_orders.sql': ORDERS,
        'internal/billing/migrations/001_invoices.sql': BILLING,
      });
      try {
        const printed = await runCli(
          ['provision', '--profile', 'cloud', '--role-prefix', prefix, '--print', '--cwd', root],
          { env: { TEST_BASE_URL: db.url } },
        );
        expect(printed.exitCode, printed.stderr).toBe(0);
        const script = path.join(root, 'provision.sql');
        fs.writeFileSync(script, printed.stdout);
        const vars = ['orders', 'billing'].flatMap((s) => ['-v', `${prefix}${s}_password='x'`]);
        const run = spawnSync('psql', [db.url, '-X', '-q', ...vars, '-f', script], { encoding: 'utf8' });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toContain(`role "${role}" (service orders) exists and was not created by svcdb`);
        const [r] =
          await db.sql`select rolcreaterole, pg_has_role(oid, 'pg_read_all_data', 'member') as reads_all, shobj_description(oid, 'pg_authid') as note from pg_roles where rolname = ${role}`;
        expect(r).toEqual({ rolcreaterole: true, reads_all: true, note: null });
        expect(await db.sql`select 1 from pg_roles where rolname = ${`${prefix}billing`}`).toHaveLength(0);
        expect(await db.sql`select nspname from pg_namespace where nspname in ('orders', 'billing')`).toHaveLength(0);
      } finally {
        removeProject(root);
      }
    },
  );

  it('with --adopt-roles the role is reset to exactly a service role: no CREATEROLE, no memberships either way', async () => {
    const role = `${prefix}orders`;
    const spy = `${prefix}spy`;
    roles.push(spy);
    await db.sql.unsafe(`create role "${spy}" login`);
    await db.sql.unsafe(`grant "${role}" to "${spy}"`);
    const root = tempProject({ 'svcdb.config.yaml': profileYaml, 'internal/orders/migrations/001_orders.sql': ORDERS });
    try {
      const res = await runCli(
        ['provision', '--profile', 'cloud', '--role-prefix', prefix, '--adopt-roles', '--cwd', root],
        { env: { TEST_BASE_URL: db.url } },
      );
      expect(res.exitCode, res.stderr).toBe(0);
      const [r] =
        await db.sql`select rolsuper, rolcreaterole, rolcreatedb, rolinherit, rolcanlogin, shobj_description(oid, 'pg_authid') as note from pg_roles where rolname = ${role}`;
      expect(r).toEqual({
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolinherit: false,
        rolcanlogin: true,
        note: 'svcdb: login role of service orders',
      });
      const memberships =
        await db.sql`select r.rolname as role, m.rolname as member from pg_auth_members a join pg_roles r on r.oid = a.roleid join pg_roles m on m.oid = a.member where ${role} in (r.rolname, m.rolname)`;
      // only the admin that ran provision may remain a member (PostgreSQL 16 makes the creator one)
      expect(memberships.filter((m) => m.member !== 'postgres' && m.member !== 'root')).toEqual([]);
    } finally {
      removeProject(root);
    }
  });

  it('the role provision itself connects as is refused even with --adopt-roles', async () => {
    const admin = `${prefix}admin`;
    roles.push(admin);
    await db.sql.unsafe(`create role "${admin}" login superuser password 'x'`); // the embedded server checks passwords
    const root = tempProject({
      'svcdb.config.yaml': profileYaml,
      'internal/admin/migrations/001_a.sql': 'CREATE TABLE audit (id int);\n',
    });
    try {
      const url = withCredentials(db.url, admin, 'x');
      const res = await runCli(
        ['provision', '--profile', 'cloud', '--role-prefix', prefix, '--adopt-roles', '--cwd', root],
        { env: { TEST_BASE_URL: url } },
      );
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain(`role "${admin}" (service admin) is the role provision connects as`);
      const [r] = await db.sql`select rolsuper from pg_roles where rolname = ${admin}`;
      expect(r.rolsuper).toBe(true);
    } finally {
      removeProject(root);
    }
  });
});

describe('provision as the minimum admin (CREATEROLE + CREATEDB)', () => {
  let db: TestDatabase;
  let prefix: string;
  let root: string;
  let admin: string;
  beforeAll(async () => {
    db = await createTestDatabase('guard_min');
    prefix = uniquePrefix('m');
    admin = `${prefix}admin`;
    await db.sql.unsafe(`create role "${admin}" login createrole createdb password 'adminpw'`); // the embedded server checks passwords
    await db.sql.unsafe(`alter database "${db.name}" owner to "${admin}"`);
    root = tempProject({ 'svcdb.config.yaml': profileYaml, 'internal/orders/migrations/001_orders.sql': ORDERS });
  });
  afterAll(async () => {
    await db.drop();
    await dropRoles(serverUrl(), [`${prefix}orders`, admin]);
    removeProject(root);
  });

  it('works on PostgreSQL 15, stores a SCRAM verifier, and never shows the password', async () => {
    const env = { TEST_BASE_URL: withCredentials(db.url, admin, 'adminpw') };
    const res = await runCli(['provision', '--profile', 'cloud', '--role-prefix', prefix, '--cwd', root], { env });
    expect(res.exitCode, res.stderr).toBe(0);
    const password = readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.cloud.orders.password;
    expect(res.stdout + res.stderr).not.toContain(password);
    const [r] = await db.sql`select rolpassword from pg_authid where rolname = ${`${prefix}orders`}`;
    expect(r.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    const migrated = await runCli(['migrate', '--all', '--profile', 'cloud', '--cwd', root], { env });
    expect(migrated.exitCode, migrated.stderr).toBe(0);
    const [t] = await db.sql`select tableowner from pg_tables where schemaname = 'orders' and tablename = 'orders'`;
    expect(t.tableowner).toBe(`${prefix}orders`);
  });
});

describe('schema squatting', () => {
  let db: TestDatabase;
  let prefix: string;
  let root: string;
  const env = () => ({ TEST_BASE_URL: db.url });
  const as = (service: string, schema = service) => {
    const c = readJson<Credentials>(path.join(root, '.svcdb/credentials.json')).profiles.cloud[service];
    return withSearchPath(withCredentials(db.url, c.role, c.password), schema);
  };
  beforeAll(async () => {
    db = await createTestDatabase('guard_squat');
    prefix = uniquePrefix('s');
    root = tempProject({ 'svcdb.config.yaml': profileYaml, 'internal/orders/migrations/001_orders.sql': ORDERS });
    const res = await runCli(['provision', '--profile', 'cloud', '--role-prefix', prefix, '--cwd', root], {
      env: env(),
    });
    expect(res.exitCode, res.stderr).toBe(0);
  });
  afterAll(async () => {
    await db.drop();
    await dropRoles(
      serverUrl(),
      ['orders', 'billing', 'ledger'].map((s) => `${prefix}${s}`).concat(`${prefix}outsider`),
    );
    removeProject(root);
  });

  it("a service's role cannot create the schema of a service added later", async () => {
    expect(await attempt(as('orders'), 'create schema billing')).toBe('42501');
  });

  it("a schema owned by another service's role is refused, and the new service's migration never runs into it", async () => {
    // as an older svcdb allowed: orders' role made billing's schema and table, open to PUBLIC
    await db.sql.unsafe(`create schema billing authorization "${prefix}orders"`);
    await db.sql.unsafe(
      `create table billing.invoices (id bigserial primary key, secret text); alter table billing.invoices owner to "${prefix}orders"; grant all on billing.invoices to public`,
    );
    fs.mkdirSync(path.join(root, 'internal/billing/migrations'), { recursive: true });
    fs.writeFileSync(path.join(root, 'internal/billing/migrations/001_invoices.sql'), BILLING);
    const res = await runCli(['provision', '--profile', 'cloud', '--cwd', root], { env: env() });
    expect(res.exitCode).toBe(1);
    expect(res.stderr).toContain(
      `schema "billing" (service billing) is owned by "${prefix}orders", another service's role`,
    );
    const [s] = await db.sql`select pg_get_userbyid(nspowner) as owner from pg_namespace where nspname = 'billing'`;
    expect(s.owner).toBe(`${prefix}orders`);
  });

  it('a schema made by someone else is adopted with every right it handed out revoked, PUBLIC included', async () => {
    await db.sql.unsafe('drop schema billing cascade');
    await db.sql.unsafe(`create role "${prefix}outsider" login`);
    await db.sql.unsafe(`create schema billing authorization "${prefix}outsider"`);
    await db.sql.unsafe(
      `create table billing.invoices (id bigserial primary key, secret text); alter table billing.invoices owner to "${prefix}outsider"`,
    );
    await db.sql.unsafe(
      `grant usage on schema billing to public; grant all on billing.invoices to public; grant all on billing.invoices to "${prefix}orders"`,
    );
    const res = await runCli(['provision', '--profile', 'cloud', '--cwd', root], { env: env() });
    expect(res.exitCode, res.stderr).toBe(0);
    const [p] = await db.sql`select has_schema_privilege('public', 'billing', 'usage') as public_usage,
      has_table_privilege(${`${prefix}orders`}, 'billing.invoices', 'select') as orders_reads,
      (select tableowner from pg_tables where schemaname = 'billing' and tablename = 'invoices') as owner`;
    expect(p).toEqual({ public_usage: false, orders_reads: false, owner: `${prefix}billing` });
    expect(await attempt(as('orders', 'orders'), 'select * from billing.invoices')).toBe('42501');
  });
});
