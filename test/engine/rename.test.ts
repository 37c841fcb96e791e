// A migration's identity is its version (issue 10, r03): renaming an applied file, its name
// part or its zero padding, is a rename, never a new migration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

describe('renaming an applied migration', () => {
  let db: TestDatabase;
  let project: TempProject;
  const dir = 'internal/ledger/migrations';
  const credit = "insert into ledger values ('credit 100 to every account');\n";
  beforeAll(async () => {
    db = await createTestDatabase('engine_rename');
    await db.sql`create table ledger (note text)`;
    project = tempProject({
      [`${dir}/007_base.sql`]: 'create table accounts (id int);\n',
      [`${dir}/008_credit.sql`]: credit,
    });
  });
  afterAll(async () => {
    await db.drop();
    project.cleanup();
  });

  const timesApplied = async () => Number((await db.sql`select count(*)::int as n from ledger`)[0].n);

  it('changing the name part is reported as a rename; the file does not run again', async () => {
    expect((await svcdb(project.dir, db.url, ['migrate', '--all'])).exitCode).toBe(0);
    project.remove(`${dir}/008_credit.sql`);
    project.write(`${dir}/008_credit_accounts.sql`, credit);
    const status = await svcdb(project.dir, db.url, ['status', '--json']);
    const s = JSON.parse(status.stdout).services[0];
    expect(s.pending).toEqual([]);
    expect(s.renamed).toEqual([{ from: '008_credit', to: '008_credit_accounts' }]);
    const plan = await svcdb(project.dir, db.url, ['plan', '--all']);
    expect(plan.stdout + plan.stderr).toContain('renamed: 008_credit is now 008_credit_accounts');
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'ledger: 008_credit was renamed 008_credit_accounts: recorded under the new name, not run again',
    );
    expect(await timesApplied()).toBe(1);
    const rows = await db.sql`select id from svcdb_migrations_ledger order by id`;
    expect(rows.map((x) => x.id)).toEqual(['007_base', '008_credit_accounts']);
  });

  it('changing the zero padding (8 and 0008 are one number) is a rename too', async () => {
    project.remove(`${dir}/008_credit_accounts.sql`);
    project.write(`${dir}/0008_credit_accounts.sql`, credit);
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await timesApplied()).toBe(1);
    const status = JSON.parse((await svcdb(project.dir, db.url, ['status', '--json'])).stdout).services[0];
    expect(status).toMatchObject({ pending: [], missing: [], drifted: [], renamed: [] });
  });

  it('a renamed file whose bytes changed is drift, and migrate refuses', async () => {
    project.remove(`${dir}/0008_credit_accounts.sql`);
    project.write(`${dir}/008_credit.sql`, "insert into ledger values ('credit 200');\n");
    const r = await svcdb(project.dir, db.url, ['migrate', '--all']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('internal/ledger/migrations/008_credit.sql');
    expect(await timesApplied()).toBe(1);
  });

  it('down after a rename reverts the renamed migration by its version', async () => {
    project.write(`${dir}/008_credit.sql`, `-- +goose Up\n${credit}-- +goose Down\ndelete from ledger;\n`);
    await svcdb(project.dir, db.url, ['repair', 'ledger']);
    project.remove(`${dir}/008_credit.sql`);
    project.write(`${dir}/8_credit.sql`, `-- +goose Up\n${credit}-- +goose Down\ndelete from ledger;\n`);
    const r = await svcdb(project.dir, db.url, ['down', 'ledger']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await timesApplied()).toBe(0);
    const rows = await db.sql`select id from svcdb_migrations_ledger order by id`;
    expect(rows.map((x) => x.id)).toEqual(['007_base']);
  });
});
