// Issue 13, point 14: a migration that fails at COMMIT (a DEFERRABLE INITIALLY DEFERRED foreign
// key left violated) prints a line naming its file and the statement to blame, exits 1 and
// leaves nothing of it (nor of the migrations queued behind it) applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { jsonOf, svcdb, tempProject } from './helpers.js';

const dir = 'internal/orders/migrations';
const file = `${dir}/20240301100000_create_orders.sql`;
// line 9 is the culprit: the order on line 7 is for a customer inserted on line 8, which is
// fine by COMMIT; the order on line 9 names a customer that never comes
const orders = `-- +goose Up
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED
);
-- backfill from the legacy export, orders before customers
INSERT INTO orders (id, customer_id) VALUES (1, 7);
INSERT INTO customers (id, name) VALUES (7, 'Ada');
INSERT INTO orders (id, customer_id) VALUES (2, 42);

-- +goose Down
DROP TABLE orders;
`;

describe('a migration that fails at COMMIT (deferred constraint)', () => {
  let db: TestDatabase;
  const p = tempProject({
    [`${dir}/20240301090000_create_customers.sql`]:
      '-- +goose Up\nCREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);\n\n-- +goose Down\nDROP TABLE customers;\n',
    [file]: orders,
    [`${dir}/20240301110000_create_invoices.sql`]:
      '-- +goose Up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE invoices;\n',
  });
  beforeAll(async () => {
    db = await createTestDatabase('commit_failure');
  });
  afterAll(async () => {
    await db.drop();
    p.cleanup();
  });

  it('exits 1 naming the file and the statement after which the constraint no longer held; nothing of it is applied', async () => {
    const r = await svcdb(p.dir, db.url, ['migrate', 'orders']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `orders: ${file}:9: insert or update on table "orders" violates foreign key constraint "orders_customer_id_fkey"`,
    );
    expect(r.stderr).toContain('detail: Key (customer_id)=(42) is not present in table "customers".');
    expect(r.stderr).toMatch(/hint: a deferred constraint, checked at COMMIT/);
    expect(r.stderr).toContain('not tried: 20240301110000_create_invoices');
    const history = await db.sql`select id from svcdb_migrations_orders order by id`;
    expect(history.map((row) => row.id)).toEqual(['20240301090000_create_customers']);
    const tables = await db.sql`select relname from pg_class where relkind = 'r' and relname in ('orders', 'invoices')`;
    expect(tables).toEqual([]);
    expect(await db.sql`select id from customers`).toEqual([]);
  });

  it('--json names the same file and line', async () => {
    const r = await svcdb(p.dir, db.url, ['migrate', 'orders', '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    const doc = jsonOf(r) as unknown as { ok: boolean; services: { failure: Record<string, unknown> }[] };
    expect(doc).toMatchObject({ ok: false, exitCode: 1 });
    expect(doc.services[0].failure).toMatchObject({
      migration: '20240301100000_create_orders',
      file,
      line: 9,
      sqlstate: '23503',
    });
  });
});
