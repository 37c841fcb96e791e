// `shared` entries (issue 12 point 6): a folder or a file glob, used by one service or several.
// Code used by several may touch the tables of any of them; a finding there names them all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/commands/check-ownership.js';
import { tempProject, type TempProject } from '../helpers/project.js';
import { runCli } from '../helpers/cli.js';

let project: TempProject;
beforeAll(() => {
  project = tempProject({
    'svcdb.config.yaml': ['shared:', '  libs/db/**/*.py: [billing, orders]', '  libs/events: orders', ''].join('\n'),
    'internal/billing/migrations/001_invoices.sql':
      'CREATE TABLE invoices (id bigserial PRIMARY KEY, total numeric);\n',
    'internal/orders/migrations/001_orders.sql': 'CREATE TABLE orders (id bigserial PRIMARY KEY, status text);\n',
    'internal/shipping/migrations/001_shipments.sql':
      'CREATE TABLE shipments (id bigserial PRIMARY KEY, order_id bigint);\n',
    'libs/db/repository.py': [
      'def close_order(cur, order_id, total):',
      '    cur.execute("UPDATE orders SET status = \'closed\' WHERE id = %s", (order_id,))',
      '    cur.execute("INSERT INTO invoices (total) VALUES (%s)", (total,))',
      '    cur.execute("UPDATE shipments SET order_id = NULL WHERE order_id = %s", (order_id,))',
      '',
    ].join('\n'),
    // not matched by the *.py glob: not shared code, not read
    'libs/db/legacy.go': 'package db\n\nconst purge = "DELETE FROM shipments"\n',
    'libs/events/publish.ts': "export const q = 'INSERT INTO invoices (total) VALUES ($1)';\n",
  });
});
afterAll(() => project.cleanup());

describe('shared code', () => {
  it("lets code used by billing and orders touch both services' tables, and names both when it touches a third's", async () => {
    const result = await checkOwnership({ cwd: project.dir, profile: 'dev' });
    expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`)).toEqual([
      "cross-service-write libs/db/repository.py:4 shared code used by billing and orders writes shipping's table shipments (UPDATE)",
      "cross-service-write libs/events/publish.ts:1 orders writes billing's table invoices (INSERT)",
    ]);
    expect(result.findings[0]).toMatchObject({ service: 'billing', owner: 'shipping', usedBy: ['billing', 'orders'] });
  });

  it('says in SARIF which services use the shared code, as the JSON does', async () => {
    const r = await runCli(['check-ownership', '--cwd', project.dir, '--format', 'sarif']);
    expect(r.exitCode).toBe(1);
    const results = JSON.parse(r.stdout).runs[0].results;
    expect(results.map((x: { properties: object }) => x.properties)).toEqual([
      { service: 'billing', table: 'shipments', owner: 'shipping', usedBy: ['billing', 'orders'] },
      { service: 'orders', table: 'invoices', owner: 'billing' },
    ]);
  });

  it('rejects a service in the list that does not exist, naming the key', async () => {
    const bad = tempProject({
      'svcdb.config.yaml': 'shared:\n  libs/db: [billing, nope]\n',
      'internal/billing/migrations/001_invoices.sql': 'CREATE TABLE invoices (id int);\n',
    });
    try {
      const r = await runCli(['check-ownership', '--cwd', bad.dir]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('shared.libs/db[1]');
      expect(r.stderr).toContain('nope');
    } finally {
      bad.cleanup();
    }
  });
});
