import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import ts from 'typescript';
import { createMigrator, migrate, plan, status } from '../../src/index.js';
import { repoRoot } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { numberedMigrations, tempProject, type TempProject } from '../helpers/project.js';

describe('the library API (a service migrating itself on startup)', () => {
  let db: TestDatabase;
  let project: TempProject;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    db = await createTestDatabase('engine_lib');
    project = tempProject({ ...numberedMigrations('ingestion', 3), ...numberedMigrations('query', 1) });
    env = { DATABASE_URL: db.url };
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  it('migrate applies one service and reports each migration as it lands', async () => {
    const events: string[] = [];
    const result = await migrate({
      cwd: project.dir,
      env,
      services: ['ingestion'],
      onEvent: (e) => e.type === 'applied' && events.push(e.migration),
    });
    expect(result.ok).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.services[0]).toMatchObject({ service: 'ingestion', status: 'applied', notTried: [] });
    expect(events).toEqual(['001_create_t1', '002_create_t2', '003_create_t3']);
  });

  it('status and plan see the same state', async () => {
    const s = await status({ cwd: project.dir, env });
    expect(s.services.map((x) => [x.service, x.applied.length, x.pending.length])).toEqual([
      ['ingestion', 3, 0],
      ['query', 0, 1],
    ]);
    expect(s.behind).toBe(true);
    const p = await plan({ cwd: project.dir, env, services: ['query'] });
    expect(p.services[0].pending.map((m) => m.id)).toEqual(['001_create_t1']);
  });

  it('a failure is in the result, not thrown: the caller decides whether to serve traffic', async () => {
    project.write('internal/query/migrations/002_bad.sql', 'SELECT * FROM no_such_table;\n');
    const result = await migrate({ cwd: project.dir, env, all: true });
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    const query = result.services.find((s) => s.service === 'query')!;
    expect(query.status).toBe('failed');
    expect(query.failure).toMatchObject({ file: 'internal/query/migrations/002_bad.sql', line: 1, sqlstate: '42P01' });
    expect(query.applied.map((a) => a.id)).toEqual(['001_create_t1']);
  });

  it('bad input is thrown as a UserError', async () => {
    await expect(migrate({ cwd: project.dir, env, services: ['nope'] })).rejects.toMatchObject({ name: 'UserError' });
  });
});

describe('createMigrator: a URL and a folder, nothing else', () => {
  let db: TestDatabase;
  let project: TempProject;
  let script: string;
  beforeAll(async () => {
    db = await createTestDatabase('engine_provider');
    // a service repository of its own: goose-annotated files beside the code
    project = tempProject({
      'services/orders/migrations/00001_create_orders.sql':
        '-- +goose Up\nCREATE TABLE orders (id bigserial primary key, total numeric not null);\n\n-- +goose Down\nDROP TABLE orders;\n',
      'services/orders/migrations/00002_add_status.sql':
        "-- +goose Up\nALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\n\n-- +goose Down\nALTER TABLE orders DROP COLUMN status;\n",
    });
    script = path.join(project.dir, 'services/orders/main.mjs');
    writeFileSync(script, readmeLibraryExample());
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  /** The README's first TypeScript block under "## Library", compiled, importing this build. */
  function readmeLibraryExample(): string {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Library\n'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1];
    const js = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    return js.replace(
      /from 'svcdb'/,
      `from ${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist/index.js')).href)}`,
    );
  }

  const runExample = () =>
    execa(process.execPath, [script], {
      cwd: os.tmpdir(),
      reject: false,
      env: { ORDERS_DATABASE_URL: db.url, PATH: process.env.PATH },
      extendEnv: false,
    });

  it("the README's example applies the folder's migrations, then finds nothing to do", async () => {
    const first = await runExample();
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toBe('orders: 2 migration(s) applied');
    const [row] =
      await db.sql`select count(*)::int as n from information_schema.columns where table_name = 'orders' and column_name = 'status'`;
    expect(row.n).toBe(1);
    const history = await db.sql`select id from svcdb_migrations where service = 'orders' order by id`;
    expect(history.map((r) => r.id)).toEqual(['00001_create_orders', '00002_add_status']);
    const second = await runExample();
    expect(second.stdout).toBe('orders: 0 migration(s) applied');
  });

  it("the README's example exits 1 naming the failure when a migration fails", async () => {
    project.write('services/orders/migrations/00003_bad.sql', 'ALTER TABLE no_such_table ADD COLUMN x int;\n');
    const r = await runExample();
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('orders: migrations failed: relation "no_such_table" does not exist');
    project.remove('services/orders/migrations/00003_bad.sql');
  });

  it('status, plan and down on the same migrator; inline migrations work the same way', async () => {
    const migrator = createMigrator({
      url: db.url,
      migrations: path.join(project.dir, 'services/orders/migrations'),
      service: 'orders',
    });
    expect((await migrator.status()).pending).toEqual([]);
    const reverted = await migrator.down();
    expect(reverted.reverted.map((r) => r.id)).toEqual(['00002_add_status']);
    expect((await migrator.plan()).pending.map((p) => p.id)).toEqual(['00002_add_status']);
    const inline = createMigrator({
      url: db.url,
      service: 'billing',
      historyTable: 'billing_history',
      migrations: [
        { id: '2_add', up: 'insert into invoices values (1);' },
        { id: '1_create', up: 'create table invoices (id int);' },
      ],
    });
    const up = await inline.up();
    expect(up.ok).toBe(true);
    expect(up.applied.map((a) => a.id)).toEqual(['1_create', '2_add']);
    const [n] = await db.sql`select count(*)::int as n from billing_history`;
    expect(n.n).toBe(2);
  });
});
