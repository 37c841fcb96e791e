// check-ownership on a Go service (GORM, database/sql, sqlx; golang-migrate migrations) and a
// Python service (SQLAlchemy, psycopg, a Synapse-style storage helper), through the built CLI
// (bin/svcdb.js → the bundle, which must find the tree-sitter grammars' .wasm files).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = path.resolve(__dirname, '../fixtures/ownership');

interface Doc {
  findings: Array<{
    rule: string;
    severity: string;
    file: string;
    line: number;
    column: number;
    table: string | null;
    owner: string | null;
  }>;
}

async function findings(fixture: string): Promise<string[]> {
  const r = await runCli(['check-ownership', '--cwd', path.join(fixtures, fixture), '--json']);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(1);
  const doc = JSON.parse(r.stdout) as Doc;
  return doc.findings.map((f) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column} ${f.table} ${f.owner}`);
}

describe('check-ownership on Go and Python services', () => {
  it('Go: finds GORM reads and writes and SQL split by `+`, silent on the service own tables', async () => {
    expect(await findings('go-service')).toEqual([
      // "SELECT total_cents " + "FROM orders WHERE id = $1"
      'cross-service-read error internal/billing/repo/invoices.go:46:9 orders orders',
      // fmt.Sprintf("UPDATE invoices SET %s = now() …", column): folded, the hole makes it dynamic
      'dynamic-sql warning internal/billing/repo/invoices.go:52:47 null null',
      // db.Table("orders").Where(…).Find(&out)
      'cross-service-read error internal/billing/repo/orders_gorm.go:21:38 orders orders',
      // db.Table("orders").Where(…).Update("status", "billed")
      'cross-service-write error internal/billing/repo/orders_gorm.go:27:38 orders orders',
    ]);
  });

  it('Python: finds SQLAlchemy reads and writes, implicit concatenation, nested-quote f-strings and helper tables', async () => {
    expect(await findings('python-service')).toEqual([
      // class Product: __tablename__ = "products" (a model of catalog's table: a read)
      'cross-service-read error internal/orders/app/models.py:29:22 products catalog',
      // select(Product.price)
      'cross-service-read error internal/orders/app/models.py:45:35 products catalog',
      // update(Product)
      'cross-service-write error internal/orders/app/models.py:49:28 products catalog',
      // "SELECT sku, stock " "FROM products " "WHERE stock < %s"
      'cross-service-read error internal/orders/app/reports.py:20:19 products catalog',
      // f"SELECT {", ".join(columns)} FROM order_lines JOIN products …"
      'cross-service-read error internal/orders/app/reports.py:29:65 products catalog',
      // self.db_pool.simple_insert(table="background_updates", …) with queryHelpers in the config
      'cross-service-write error internal/orders/app/storage/background_updates.py:11:20 background_updates jobs',
    ]);
  });
});
