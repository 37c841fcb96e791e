import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atlasSum } from '../../src/core/sources/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

const gooseFiles = {
  'internal/ledger/migrations/00001_create_ledger.sql':
    '-- +goose Up\nCREATE TABLE ledger (id serial primary key, amount int, updated_at timestamptz);\n\n-- +goose Down\nDROP TABLE ledger;\n',
  'internal/ledger/migrations/00002_touch_trigger.sql': [
    '-- +goose Up',
    '-- +goose StatementBegin',
    'CREATE FUNCTION ledger_touch() RETURNS trigger AS $$',
    'BEGIN',
    '  NEW.updated_at := now();',
    '  RETURN NEW;',
    'END;',
    '$$ LANGUAGE plpgsql;',
    '-- +goose StatementEnd',
    'CREATE TRIGGER ledger_touch BEFORE INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_touch();',
    '',
    '-- +goose Down',
    'DROP TRIGGER ledger_touch ON ledger;',
    'DROP FUNCTION ledger_touch();',
    '',
  ].join('\n'),
  'internal/ledger/migrations/00003_concurrent_index.sql':
    '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY ledger_updated_idx ON ledger (updated_at);\n\n-- +goose Down\nDROP INDEX CONCURRENTLY ledger_updated_idx;\n',
  'internal/ledger/migrations/00004_seed.sql':
    '-- +goose Up\nINSERT INTO ledger (amount) VALUES (10), (20);\n-- +goose Down\nDELETE FROM ledger;\n',
  'internal/audit/migrations/20240101120000_create_audit.sql':
    '-- migrate:up\nCREATE TABLE audit (id int);\n\n-- migrate:down\nDROP TABLE audit;\n',
  'internal/audit/migrations/20240102120000_audit_idx.sql':
    '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY audit_idx ON audit (id);\n\n-- migrate:down\nDROP INDEX audit_idx;\n',
  'internal/plainsvc/migrations/001_plain.sql': 'CREATE TABLE plain_t (id int);\n',
};

describe('goose and dbmate files', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_formats');
    project = tempProject(gooseFiles);
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('StatementBegin bodies and NO TRANSACTION (CREATE INDEX CONCURRENTLY) apply as goose applies them', async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode, r.stderr).toBe(0);
    const [row] = await db.sql`select updated_at is not null as touched from ledger limit 1`;
    expect(row.touched).toBe(true);
    const idx =
      await db.sql`select indexname from pg_indexes where indexname in ('ledger_updated_idx', 'audit_idx') order by 1`;
    expect(idx.map((i) => i.indexname)).toEqual(['audit_idx', 'ledger_updated_idx']);
    const valid =
      await db.sql`select bool_and(indisvalid) as ok from pg_index where indexrelid::regclass::text in ('ledger_updated_idx', 'audit_idx')`;
    expect(valid[0].ok).toBe(true);
  });

  it('down --step reverts newest first, a no-transaction migration included', async () => {
    const r = await svcdb(project.dir, db.url, ['down', 'ledger', '--step', '2']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('ledger: reverted 00004_seed');
    expect(r.stdout).toContain('ledger: reverted 00003_concurrent_index');
    const idx = await db.sql`select 1 from pg_indexes where indexname = 'ledger_updated_idx'`;
    expect(idx).toHaveLength(0);
    const s = await svcdb(project.dir, db.url, ['status', 'ledger', '--json']);
    expect(JSON.parse(s.stdout).services[0].pending).toEqual(['00003_concurrent_index', '00004_seed']);
  });

  it('down --to keeps the named migration applied', async () => {
    const r = await svcdb(project.dir, db.url, ['down', 'ledger', '--to', '1']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('ledger: reverted 00002_touch_trigger');
    const [f] =
      await db.sql`select to_regprocedure('ledger_touch()') is null as gone, to_regclass('ledger') is not null as kept`;
    expect(f).toEqual({ gone: true, kept: true });
  });

  it('down refuses, before touching anything, when a migration in range has no down section', async () => {
    project.write('internal/ledger/migrations/00005_plain.sql', 'CREATE TABLE ledger_extra (id int);\n');
    expect((await svcdb(project.dir, db.url, ['migrate', 'ledger'])).exitCode).toBe(0);
    const r = await svcdb(project.dir, db.url, ['down', 'ledger', '--step', '3']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('internal/ledger/migrations/00005_plain.sql: has no down section');
    expect(r.stderr).toContain('nothing was changed');
    const [t] = await db.sql`select to_regclass('ledger_extra') is not null as still`;
    expect(t.still).toBe(true);
    const h = await db.sql`select count(*)::int as n from svcdb_migrations_ledger`;
    expect(h[0].n).toBe(5);
  });
});

describe('CREATE INDEX CONCURRENTLY in a file not marked NO TRANSACTION', () => {
  it('runs the file outside a transaction by itself (found by the parser)', async () => {
    const db = await createTestDatabase('engine_concidx');
    const project = tempProject({
      'internal/idx/migrations/001_t.sql':
        '-- +goose Up\nCREATE TABLE idx_t (id int);\nCREATE INDEX CONCURRENTLY idx_t_id ON idx_t (id);\n',
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', 'idx']);
      expect(r.exitCode).toBe(0);
      expect(
        (await db.sql`select indisvalid from pg_index where indexrelid = to_regclass('idx_t_id')`)[0].indisvalid,
      ).toBe(true);
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});

describe('adopt', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_adopt');
    project = tempProject({
      ...gooseFiles,
      'internal/mig/migrations/1_one.up.sql': 'CREATE TABLE mig_one (id int);\n',
      'internal/mig/migrations/1_one.down.sql': 'DROP TABLE mig_one;\n',
      'internal/mig/migrations/2_two.up.sql': 'CREATE TABLE mig_two (id int);\n',
      'internal/mig/migrations/2_two.down.sql': 'DROP TABLE mig_two;\n',
      'internal/mig/migrations/3_three.up.sql': 'CREATE TABLE mig_three (id int);\n',
      'internal/mig/migrations/3_three.down.sql': 'DROP TABLE mig_three;\n',
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('--from goose on a goose-migrated database: nothing pending, nothing re-run', async () => {
    // the database as goose left it: objects created, and goose's own history rows
    await db.sql.unsafe(`
      CREATE TABLE ledger (id serial primary key, amount int, updated_at timestamptz);
      CREATE FUNCTION ledger_touch() RETURNS trigger AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END; $$ LANGUAGE plpgsql;
      CREATE TRIGGER ledger_touch BEFORE INSERT OR UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_touch();
      CREATE INDEX ledger_updated_idx ON ledger (updated_at);
      INSERT INTO ledger (amount) VALUES (10), (20);
      CREATE TABLE goose_ledger (id serial NOT NULL, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now(), PRIMARY KEY (id));
      INSERT INTO goose_ledger (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (4, true), (4, false), (4, true);
    `);
    const r = await svcdb(project.dir, db.url, ['adopt', 'ledger', '--from', 'goose', '--table', 'goose_ledger']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'ledger: recorded 4 migration(s) from goose table public.goose_ledger as applied (nothing was run)',
    );
    const s = await svcdb(project.dir, db.url, ['status', 'ledger', '--exit-code']);
    expect(s.exitCode).toBe(0);
    const m = await svcdb(project.dir, db.url, ['migrate', 'ledger']);
    expect(m.exitCode, m.stderr).toBe(0);
    expect(m.stdout).toMatch(/ledger\s+up to date\s+0/);
    const [n] = await db.sql`select count(*)::int as n from ledger`;
    expect(n.n).toBe(2);
    // goose's table is left as it was
    const [g] = await db.sql`select count(*)::int as n from goose_ledger`;
    expect(g.n).toBe(7);
  });

  it('a version goose rolled back stays pending', async () => {
    await db.sql.unsafe(`CREATE TABLE goose_audit (id serial primary key, version_id bigint not null, is_applied boolean not null, tstamp timestamp default now());
      INSERT INTO goose_audit (version_id, is_applied) VALUES (0, true), (20240101120000, true), (20240102120000, true), (20240102120000, false);
      CREATE TABLE audit (id int);`);
    const r = await svcdb(project.dir, db.url, [
      'adopt',
      'audit',
      '--from',
      'goose',
      '--table',
      'goose_audit',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.recorded).toEqual(['20240101120000_create_audit']);
    expect(doc.pending).toEqual(['20240102120000_audit_idx']);
  });

  it('--from dbmate reads schema_migrations(version)', async () => {
    await db.sql.unsafe(
      `CREATE TABLE dbmate_hist (version varchar(128) primary key); INSERT INTO dbmate_hist VALUES ('001'), ('999');`,
    );
    const r = await svcdb(project.dir, db.url, ['adopt', 'plainsvc', '--from', 'dbmate', '--table', 'dbmate_hist']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('dbmate recorded versions with no file here: 999');
    expect((await svcdb(project.dir, db.url, ['status', 'plainsvc', '--exit-code'])).exitCode).toBe(0);
  });

  it('--from golang-migrate: one row means everything up to it; a dirty row is refused', async () => {
    await db.sql.unsafe(
      `CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null); INSERT INTO schema_migrations VALUES (2, true);`,
    );
    const dirty = await svcdb(project.dir, db.url, ['adopt', 'mig', '--from', 'golang-migrate']);
    expect(dirty.exitCode).toBe(1);
    expect(dirty.stderr).toContain('left version 2 dirty');
    await db.sql`update schema_migrations set dirty = false`;
    const r = await svcdb(project.dir, db.url, ['adopt', 'mig', '--from', 'golang-migrate', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recorded: ['1_one', '2_two'], pending: ['3_three'] });
  });

  it('a missing source table is bad input (exit 2)', async () => {
    const r = await svcdb(project.dir, db.url, ['adopt', 'ledger', '--from', 'goose']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no table public.goose_db_version');
  });
});

// ---- every layout of a real repository, unchanged (issue 11) ----

const polyglot = path.resolve(import.meta.dirname, '../fixtures/sources/polyglot');

/** A copy of the polyglot fixture, to edit files in. */
function polyglotCopy(): TempProject {
  const project = tempProject({});
  cpSync(polyglot, project.dir, { recursive: true });
  return project;
}

describe('one repository, one layout per service, found by {service} patterns', () => {
  let db: TestDatabase;
  let project: TempProject;
  beforeAll(async () => {
    db = await createTestDatabase('engine_layouts');
    project = polyglotCopy();
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it("applies every layout in its own tool's order; status is then clean and a rerun is a no-op", async () => {
    const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const applied = Object.fromEntries(
      JSON.parse(r.stdout).services.map((s: { service: string; applied: Array<{ id: string }> }) => [
        s.service,
        s.applied.map((a) => a.id),
      ]),
    );
    // Flyway: 1 < 1.1 < 1.10 < 2.1, the repeatable last
    expect(applied.billing).toEqual([
      'V1__create_invoice',
      'V1.1__add_currency',
      'V1.10__add_due_on',
      'V2.1__create_invoice_line',
      'R__invoice_totals',
    ]);
    // Prisma: folder names as strings
    expect(applied.users).toEqual(['20240105093000_init', '20240212101500_add_profile']);
    // Drizzle: the journal's order, not the file names'
    expect(applied.web).toEqual(['0000_flat_sessions', '0002_brave_log', '0001_lush_expiry']);
    // folder per migration: metadata.yaml parents, not the ids
    expect(applied.search).toEqual([
      '1700000000_create_documents',
      '1690000000_create_terms',
      '1710000000_create_postings',
    ]);
    // versioned sub-folders: v1.2 < v1.9 < v1.10, each in its manifest's order
    expect(applied.catalog).toEqual([
      'v1.2/schema',
      'v1.9/001_price',
      'v1.9/002_backfill',
      'v1.10/constraints',
      'v1.10/data',
    ]);
    expect(applied.inventory).toEqual(['20240301120000_init', '20240302120000_sku_index']);
    const [idx] = await db.sql`select i.indisvalid from pg_index i where i.indexrelid = 'stock_item_sku'::regclass`;
    expect(idx.indisvalid).toBe(true);
    const s = await svcdb(project.dir, db.url, ['status', '--all', '--exit-code']);
    expect(s.exitCode, s.stdout + s.stderr).toBe(0);
    // status lists what is applied in that same order, not by number
    const listed = await svcdb(project.dir, db.url, ['status', 'web', 'search', '--json']);
    const listedIds = Object.fromEntries(
      JSON.parse(listed.stdout).services.map((x: { service: string; applied: Array<{ id: string }> }) => [
        x.service,
        x.applied.map((a) => a.id),
      ]),
    );
    expect(listedIds).toEqual({ web: applied.web, search: applied.search });
    const again = await svcdb(project.dir, db.url, ['migrate', '--all', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).services.every((x: { applied: unknown[] }) => x.applied.length === 0)).toBe(true);
  });

  it('a Flyway repeatable is applied again after an edit, and only it', async () => {
    project.write(
      'services/billing/src/main/resources/db/migration/R__invoice_totals.sql',
      'CREATE OR REPLACE VIEW invoice_totals AS\n  SELECT id, amount_cents, currency FROM invoice;\n',
    );
    const r = await svcdb(project.dir, db.url, ['migrate', 'billing', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).services[0].applied.map((a: { id: string }) => a.id)).toEqual(['R__invoice_totals']);
    const cols =
      await db.sql`select column_name from information_schema.columns where table_name = 'invoice_totals' order by ordinal_position`;
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'amount_cents', 'currency']);
    const s = await svcdb(project.dir, db.url, ['status', 'billing', '--exit-code']);
    expect(s.exitCode, s.stdout).toBe(0);
  });

  it("down reverts the last migration applied, in the layout's own order: Flyway undoes V2.1 (not the repeatable), Drizzle names its last journal entry", async () => {
    const flyway = await svcdb(project.dir, db.url, ['down', 'billing', '--json']);
    expect(flyway.exitCode, flyway.stderr).toBe(0);
    expect(JSON.parse(flyway.stdout).reverted.map((m: { id: string }) => m.id)).toEqual(['V2.1__create_invoice_line']);
    const [t] =
      await db.sql`select to_regclass('invoice_line') is null as gone, to_regclass('invoice') is null as kept`;
    expect(t).toEqual({ gone: true, kept: false });
    // Drizzle writes no down migrations: the refusal names the one applied last (0001, after 0002 in the journal)
    const drizzle = await svcdb(project.dir, db.url, ['down', 'web']);
    expect(drizzle.exitCode).toBe(1);
    expect(drizzle.stderr).toContain('apps/web/drizzle/0001_lush_expiry.sql: has no down section');
    expect(drizzle.stderr).not.toContain('0002_brave_log');
    const again = await svcdb(project.dir, db.url, ['migrate', 'billing', '--json']);
    expect(JSON.parse(again.stdout).services[0].applied.map((a: { id: string }) => a.id)).toEqual([
      'V2.1__create_invoice_line',
    ]);
  });

  it('an edited atlas.sum (or a file changed behind it) is refused before anything runs', async () => {
    const sum = 'services/inventory/migrations/atlas.sum';
    const original = readFileSync(path.join(project.dir, sum), 'utf8');
    project.write('services/inventory/migrations/20240303120000_more.sql', 'CREATE TABLE stock_move (id int);\n');
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'services/inventory/migrations/atlas.sum: atlas.sum does not match the migration files: 20240303120000_more.sql is not in it',
    );
    project.remove('services/inventory/migrations/20240303120000_more.sql');
    project.write(sum, original.replace(/^h1:./, 'h1:X'));
    const tampered = await svcdb(project.dir, db.url, ['migrate', 'inventory']);
    expect(tampered.exitCode).toBe(2);
    expect(tampered.stderr).toContain('atlas.sum does not match');
    const [t] = await db.sql`select to_regclass('stock_move') is null as untouched`;
    expect(t.untouched).toBe(true);
  });

  it('a file that fits no layout is exit 2 naming it; the ignore glob skips the template', async () => {
    project.write('services/users/prisma/migrations/20240301000000_x/migration.sqlite.sql', 'SELECT 1;\n');
    project.write('services/users/prisma/migrations/20240301000000_x/migration.sql', 'SELECT 1;\n');
    const r = await svcdb(project.dir, db.url, ['plan', 'users']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      'services/users/prisma/migrations/20240301000000_x/migration.sqlite.sql: file fits no migration layout',
    );
    expect(r.stderr).not.toContain('release.sql.tmpl');
  });
});

describe('loading fails closed before anything is applied', () => {
  it('a NUL byte in a later migration stops the run before the earlier ones are applied', async () => {
    const db = await createTestDatabase('engine_nul');
    const project = tempProject({
      'internal/nul/migrations/001_ok.sql': 'CREATE TABLE nul_ok (id int);\n',
      'internal/nul/migrations/002_bad.sql': "SELECT 1;\nSELECT 'a\0b';\n",
    });
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', 'nul']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('internal/nul/migrations/002_bad.sql:2: migration file contains a NUL byte');
      const [t] = await db.sql`select to_regclass('nul_ok') is null as none`;
      expect(t.none).toBe(true);
    } finally {
      await db.drop();
      project.cleanup();
    }
  });

  it('a FIFO in a migrations folder is exit 2 naming it, not a hang', async () => {
    const project = tempProject({ 'internal/fifo/migrations/001_ok.sql': 'SELECT 1;\n' });
    try {
      execFileSync('mkfifo', [path.join(project.dir, 'internal/fifo/migrations/002_pipe.sql')]);
      const r = await svcdb(project.dir, 'postgres://127.0.0.1:1/none', ['plan', 'fifo']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain(
        'internal/fifo/migrations/002_pipe.sql: not a regular file (a FIFO, socket or device)',
      );
    } finally {
      project.cleanup();
    }
  });
});

describe("another tool's history: migrate refuses and names adopt; after adopt nothing re-runs", () => {
  const create = (t: string) => `CREATE TABLE ${t} (id int);\n`;
  const drizzleSql = create('drizzle_t');
  const atlasSql = create('atlas_t');
  const cases: Array<{ tool: string; files: Record<string, string>; history: string }> = [
    {
      tool: 'goose',
      files: { 'internal/svc/migrations/001_init.sql': `-- +goose Up\n${create('goose_t')}` },
      history:
        'create table goose_db_version (id serial primary key, version_id bigint not null, is_applied boolean not null, tstamp timestamp default now()); insert into goose_db_version (version_id, is_applied) values (0, true), (1, true); create table goose_t (id int);',
    },
    {
      tool: 'dbmate',
      files: {
        'internal/svc/migrations/20240101000000_init.sql': `-- migrate:up\n${create('dbmate_t')}\n-- migrate:down\nDROP TABLE dbmate_t;\n`,
      },
      history:
        "create table schema_migrations (version varchar(128) primary key); insert into schema_migrations values ('20240101000000'); create table dbmate_t (id int);",
    },
    {
      tool: 'golang-migrate',
      files: {
        'internal/svc/migrations/1_init.up.sql': create('gm_t'),
        'internal/svc/migrations/1_init.down.sql': 'DROP TABLE gm_t;\n',
      },
      history:
        'create table schema_migrations (version bigint not null primary key, dirty boolean not null); insert into schema_migrations values (1, false); create table gm_t (id int);',
    },
    {
      tool: 'flyway',
      files: {
        'svcdb.config.yaml': 'discover: ["services/{service}/src/main/resources/db/migration"]\n',
        'services/svc/src/main/resources/db/migration/V1__init.sql': create('flyway_t'),
      },
      history:
        "create table flyway_schema_history (installed_rank integer not null primary key, version varchar(50), description varchar(200) not null, type varchar(20) not null, script varchar(1000) not null, checksum integer, installed_by varchar(100) not null, installed_on timestamp not null default now(), execution_time integer not null, success boolean not null); insert into flyway_schema_history values (1, '1', 'init', 'SQL', 'V1__init.sql', 1234567, 'postgres', now(), 5, true); create table flyway_t (id int);",
    },
    {
      tool: 'prisma',
      files: {
        'svcdb.config.yaml': 'discover: ["services/{service}/prisma/migrations"]\n',
        'services/svc/prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
        'services/svc/prisma/migrations/20240101000000_init/migration.sql': create('prisma_t'),
      },
      history:
        "create table _prisma_migrations (id varchar(36) primary key, checksum varchar(64) not null, finished_at timestamptz, migration_name varchar(255) not null, logs text, rolled_back_at timestamptz, started_at timestamptz not null default now(), applied_steps_count integer not null default 0); insert into _prisma_migrations values ('5b1f0c6e-0000-4000-8000-000000000001', 'x', now(), '20240101000000_init', null, null, now(), 1); create table prisma_t (id int);",
    },
    {
      tool: 'drizzle',
      files: {
        'svcdb.config.yaml': 'discover: ["apps/{service}/drizzle"]\n',
        'apps/svc/drizzle/0000_init.sql': drizzleSql,
        'apps/svc/drizzle/meta/_journal.json':
          '{"version":"7","dialect":"postgresql","entries":[{"idx":0,"version":"7","when":1717000000000,"tag":"0000_init","breakpoints":true}]}',
      },
      history: `create schema drizzle; create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint); insert into drizzle.__drizzle_migrations (hash, created_at) values ('${createHash('sha256').update(drizzleSql).digest('hex')}', 1717000000000); create table drizzle_t (id int);`,
    },
    {
      tool: 'atlas',
      files: {
        'svcdb.config.yaml': 'discover: ["services/{service}/migrations"]\n',
        'services/svc/migrations/20240101000000_init.sql': atlasSql,
        'services/svc/migrations/atlas.sum': atlasSum([
          { name: '20240101000000_init.sql', bytes: Buffer.from(atlasSql), text: atlasSql },
        ]),
      },
      history:
        "create schema atlas_schema_revisions; create table atlas_schema_revisions.atlas_schema_revisions (version varchar not null primary key, description varchar not null, type bigint not null default 2, applied bigint not null default 0, total bigint not null default 0, executed_at timestamptz not null, execution_time bigint not null, error text, error_stmt text, hash varchar not null, partial_hashes jsonb, operator_version varchar not null); insert into atlas_schema_revisions.atlas_schema_revisions values ('20240101000000', 'init', 2, 1, 1, now(), 1000, null, null, 'h', null, 'Atlas CLI v0.21.1'); create table atlas_t (id int);",
    },
  ];
  for (const c of cases) {
    it(`${c.tool}`, async () => {
      const db = await createTestDatabase(`engine_foreign_${c.tool.replace('-', '_')}`);
      const project = tempProject(c.files);
      try {
        await db.sql.unsafe(c.history);
        const r = await svcdb(project.dir, db.url, ['migrate', 'svc']);
        expect(r.exitCode, r.stderr).toBe(1);
        expect(r.stderr).toContain(`holds a ${c.tool} history`);
        expect(r.stderr).toContain(`svcdb adopt svc --from ${c.tool}`);
        const a = await svcdb(project.dir, db.url, ['adopt', 'svc', '--from', c.tool, '--json']);
        expect(a.exitCode, a.stderr).toBe(0);
        expect(JSON.parse(a.stdout).pending).toEqual([]);
        const again = await svcdb(project.dir, db.url, ['migrate', 'svc', '--json']);
        expect(again.exitCode, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout).services[0].applied).toEqual([]);
        expect((await svcdb(project.dir, db.url, ['status', 'svc', '--exit-code'])).exitCode).toBe(0);
      } finally {
        await db.drop();
        project.cleanup();
      }
    });
  }

  it('a table the first migration creates exists already, with no history: refuses and names adopt', async () => {
    const db = await createTestDatabase('engine_foreign_table');
    const project = tempProject({ 'internal/svc/migrations/001_init.sql': 'CREATE TABLE orphan_t (id int);\n' });
    try {
      await db.sql`create table orphan_t (id int)`;
      const r = await svcdb(project.dir, db.url, ['migrate', 'svc']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        'public.orphan_t, which its first migration internal/svc/migrations/001_init.sql:1 creates, exists already',
      );
      expect(r.stderr).toContain('svcdb adopt svc --from <tool>');
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});

describe('migrateAfter', () => {
  it('--all applies the base set first (the others insert into its table); a cycle is exit 2', async () => {
    const db = await createTestDatabase('engine_migrate_after');
    const files: Record<string, string> = {
      'svcdb.config.yaml':
        'discover: ["sql/migrations/{service}"]\nservices:\n  alpha: { migrateAfter: [zbase] }\n  beta: { migrateAfter: [zbase] }\n',
      // the base sorts last by name, and sleeps, so without the order the others would run first
      'sql/migrations/zbase/001_base.sql': 'SELECT pg_sleep(0.3);\nCREATE TABLE base_events (svc text);\n',
      'sql/migrations/alpha/001_use.sql': "INSERT INTO base_events VALUES ('alpha');\n",
      'sql/migrations/beta/001_use.sql': "INSERT INTO base_events VALUES ('beta');\n",
    };
    const project = tempProject(files);
    try {
      const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(r.exitCode, r.stderr).toBe(0);
      const rows = await db.sql`select svc from base_events order by svc`;
      expect(rows.map((x) => x.svc)).toEqual(['alpha', 'beta']);
      project.write(
        'svcdb.config.yaml',
        'discover: ["sql/migrations/{service}"]\nservices:\n  alpha: { migrateAfter: [beta] }\n  beta: { migrateAfter: [alpha] }\n',
      );
      const cycle = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(cycle.exitCode).toBe(2);
      expect(cycle.stderr).toContain('migrateAfter forms a cycle: alpha → beta → alpha');
    } finally {
      await db.drop();
      project.cleanup();
    }
  });
});
