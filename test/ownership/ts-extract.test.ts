// Table names in TypeScript and JavaScript found through the compiler API: folded strings,
// query builders, ORM calls and configured helpers, each at the position of the table's name.
import typescript from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/core/ownership/analyze-file.js';
import type { AnalysisOptions } from '../../src/core/ownership/refs.js';
import { loadParser } from '../../src/core/ownership/sql/parser.js';

const ts = typescript as unknown as Parameters<typeof analyzeText>[3];

beforeAll(async () => {
  await loadParser();
});

const refs = (text: string, options?: AnalysisOptions, file = 'src/repo.ts') =>
  analyzeText(file, 'ts', text, ts, options)
    .refs.sort((a, b) => a.line - b.line || a.column - b.column)
    .map((r) => `${r.access} ${r.schema ? `${r.schema}.` : ''}${r.name} ${r.line}:${r.column} ${r.verb}`);

describe('SQL strings folded across + and template holes', () => {
  it('joins literal pieces and turns other operands into placeholders', () => {
    const src = [
      "const q = 'SELECT id ' +",
      "  'FROM orders WHERE id = ' + id;",
      'await db.query("UPDATE invoices SET paid = true WHERE id = " + id + " AND total > " + min);',
    ].join('\n');
    expect(refs(src)).toEqual(['read orders 2:9 SELECT', 'write invoices 3:24 UPDATE']);
  });

  it('inlines same-file constants in + chains and template holes, at the constant', () => {
    const src = [
      "const TABLE = 'payments';",
      "const FROM = ' FROM ledger';",
      'export const q = `DELETE FROM ${TABLE} WHERE id = ${id}`;',
      "export const r = 'SELECT sum(x)' + FROM;",
    ].join('\n');
    expect(refs(src)).toEqual(['write payments 1:16 DELETE', 'read ledger 2:21 SELECT']);
  });

  it('does not take prose inlined into a template for SQL', () => {
    const src =
      "const label = 'Select the rows you want from the table below.';\nexport const t = `${label} (${n})`;\n";
    expect(analyzeText('a.ts', 'ts', src, ts).diagnostics).toEqual([]);
  });

  it('reads tagged templates: sql`…` and Prisma $queryRaw`…`', () => {
    const src = 'const rows = await prisma.$queryRaw`SELECT * FROM "Order" WHERE id = ${id}`;\n';
    expect(refs(src)).toEqual(['read Order 1:51 SELECT']);
  });
});

describe('query builders', () => {
  it('knex: knex(t) with a write method is a write, .from/.into by the chain', () => {
    const src = [
      "await knex('orders').where({ id }).update({ status: 'paid' });",
      "const rows = await this.knex.select('id').from('invoices').join('customers', 'a', 'b');",
      "await knex.insert(row).into('ledger');",
      "const b = Buffer.from('hello'); const a = Array.from('abc'); console.table('x');",
      "await knex.schema.table('ignored', (t) => t.string('x'));",
    ].join('\n');
    expect(refs(src)).toEqual([
      'write orders 1:13 knex update',
      'read invoices 2:49 query builder select',
      'read customers 2:66 query builder join',
      'write ledger 3:30 query builder insert',
    ]);
  });

  it('kysely: the statement method says read or write', () => {
    const src = [
      "await db.selectFrom('person as p').innerJoin('pet', 'pet.owner_id', 'p.id').selectAll().execute();",
      "await db.insertInto('pet').values(v).execute();",
      "await db.deleteFrom('billing.invoices').where('id', '=', id).execute();",
    ].join('\n');
    expect(refs(src)).toEqual([
      'read person 1:22 kysely selectFrom',
      'read pet 1:47 query builder innerJoin',
      'write pet 2:22 kysely insertInto',
      'write billing.invoices 3:22 kysely deleteFrom',
    ]);
  });

  it('a CTE named in .with() is no table', () => {
    const src =
      "await db.with('recent', (qb) => qb.selectFrom('orders').selectAll()).selectFrom('recent').selectAll().execute();\n";
    expect(refs(src)).toEqual(['read orders 1:48 kysely selectFrom']);
  });

  it('supabase-js: .from(t).select() reads, .insert/.update/.upsert/.delete write; storage buckets are no tables', () => {
    const src = [
      "const { data } = await supabase.from('profiles').select('*').eq('id', id);",
      "await supabase.from('profiles').upsert({ id });",
      "await supabase.storage.from('avatars').upload(path, file);",
    ].join('\n');
    expect(refs(src)).toEqual(['read profiles 1:39 supabase select', 'write profiles 2:22 supabase upsert']);
  });
});

describe('ORMs', () => {
  it('drizzle: pgTable declarations read, db.insert/update/delete write, select().from() reads', () => {
    const src = [
      "import { pgTable, serial } from 'drizzle-orm/pg-core';",
      "export const orders = pgTable('orders', { id: serial('id') });",
      'await db.insert(orders).values({});',
      'const r = await db.select().from(orders);',
      'const q = await db.query.orders.findMany();',
    ].join('\n');
    expect(refs(src)).toEqual([
      'read orders 2:32 drizzle pgTable',
      'write orders 3:17 drizzle insert',
      'read orders 4:34 drizzle from',
      'read orders 5:26 drizzle query findMany',
    ]);
  });

  it('TypeORM: @Entity names (or the snake_case class name) and repository calls', () => {
    const src = [
      "@Entity('orders') export class Order {}",
      '@Entity() export class LineItem {}',
      "@Entity({ name: 'refunds', schema: 'billing' }) export class Refund {}",
      'class S {',
      '  constructor(@InjectRepository(Order) private readonly orders: Repository<Order>) {}',
      '  a() { return this.orders.save(o); }',
      '  b() { return ds.getRepository(LineItem).find(); }',
      '  c() { return this.manager.delete(Refund, { id }); }',
      '}',
    ].join('\n');
    expect(refs(src)).toEqual([
      'read orders 1:10 typeorm @Entity',
      'read line_item 2:24 typeorm @Entity',
      'read billing.refunds 3:18 typeorm @Entity',
      'write orders 6:21 typeorm save',
      'read line_item 7:33 typeorm find',
      'write billing.refunds 8:36 typeorm delete',
    ]);
  });

  it('Prisma client with the service schema: any client (tx too) maps the model to its @@map table; this.<field> is no client', () => {
    const neighbours = { imported: () => null, prismaModels: () => new Map([['orderItem', '"order_items"']]) };
    const src = 'await tx.orderItem.deleteMany();\nclass A { f() { return this.orderItem.update(x); } }\n';
    expect(
      analyzeText('a.ts', 'ts', src, ts, undefined, neighbours).refs.map(
        (r) => `${r.access} ${r.name} ${r.line}:${r.column}`,
      ),
    ).toEqual(['write order_items 1:10']);
  });

  it('Prisma client without a schema at hand: prisma.<model> by the model-name convention', () => {
    const src = 'await prisma.orderItem.createMany({ data });\nconst n = await prisma.orderItem.count();\n';
    expect(refs(src)).toEqual(['write OrderItem 1:14 prisma createMany', 'read OrderItem 2:24 prisma count']);
  });

  it('Prisma schema: each model is its @@map table (or its name), as a read', () => {
    const schema = 'model User {\n  id Int @id\n}\n\nmodel OrderItem {\n  id Int @id\n  @@map("order_items")\n}\n';
    expect(
      analyzeText('prisma/schema.prisma', 'prisma', schema, null).refs.map((r) => `${r.name} ${r.line}:${r.column}`),
    ).toEqual(['User 1:7', 'order_items 7:10']);
  });
});

describe('config queryHelpers', () => {
  const options: AnalysisOptions = {
    helpers: [
      { call: 'simple_insert*', table: 'table', access: 'write' },
      { call: 'simple_select_one', table: 0, access: 'read' },
    ],
  };

  it('finds the table argument of a helper by property or position, snake_case or camelCase', () => {
    const src = [
      "await this.db.simpleInsertMany({ table: 'background_updates', values });",
      "const row = await simple_select_one('users', { id });",
      "await other({ table: 'not_a_helper' });",
    ].join('\n');
    expect(refs(src, options)).toEqual([
      'write background_updates 1:42 simpleInsertMany helper',
      'read users 2:38 simple_select_one helper',
    ]);
  });

  it('parses a file only for its helper calls (no SQL, no builder in it)', () => {
    expect(refs("simple_insert({ table: 'jobs' });\n", options)).toEqual(['write jobs 1:25 simple_insert helper']);
    expect(refs("simple_insert({ table: 'jobs' });\n")).toEqual([]);
  });
});
