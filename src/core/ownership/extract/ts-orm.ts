// ORMs whose tables are declared once and then used through a binding: drizzle (`pgTable`),
// TypeORM (`@Entity`, repositories, the entity manager) and the Prisma client.
import type * as TS from 'typescript';
import { propName, WRITE_METHODS } from './ts-builders.js';
import { lastName, pushName, quoteName, stringValue, tableText, type TsFile } from './ts-context.js';

const DRIZZLE_TABLE = new Set([
  'pgTable',
  'mysqlTable',
  'sqliteTable',
  'singlestoreTable',
  'pgView',
  'pgMaterializedView',
]);
const TYPEORM_WRITE = new Set([
  'save',
  'insert',
  'update',
  'upsert',
  'delete',
  'remove',
  'softDelete',
  'softRemove',
  'restore',
  'recover',
  'increment',
  'decrement',
  'clear',
]);
const TYPEORM_READ = new Set([
  'find',
  'findBy',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findAndCount',
  'findAndCountBy',
  'findByIds',
  'count',
  'countBy',
  'exist',
  'exists',
  'existsBy',
  'sum',
  'average',
  'minimum',
  'maximum',
  'createQueryBuilder',
]);
const PRISMA_WRITE = new Set([
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
]);
const PRISMA_READ = new Set([
  'findMany',
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'count',
  'aggregate',
  'groupBy',
]);

/** Prepass: `const orders = pgTable('orders', …)` and `@Entity(…) class Order` (declarations count as reads). */
export function collectDeclaration(f: TsFile, node: TS.Node): void {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.VariableDeclaration) {
    const d = node as TS.VariableDeclaration;
    const init = d.initializer;
    if (d.name.kind !== K.Identifier || init?.kind !== K.CallExpression) return;
    const call = init as TS.CallExpression;
    const fn = lastName(f, call.expression);
    if (!fn || !DRIZZLE_TABLE.has(fn)) return;
    const arg = stringValue(f, call.arguments[0]);
    const table = arg && tableText(arg.text);
    if (!arg || !table) return;
    f.decls.tables.set(d.name.text, quoteName(table));
    pushName(f, quoteName(table), arg.offset, 'read', `drizzle ${fn}`);
  } else if (node.kind === K.ClassDeclaration) {
    const c = node as TS.ClassDeclaration;
    const entity = f.ts.getDecorators(c)?.find((d) => decoratorName(f, d) === 'Entity');
    if (!entity || !c.name) return;
    const args = entity.expression.kind === K.CallExpression ? (entity.expression as TS.CallExpression).arguments : [];
    let named = stringValue(f, args[0]);
    let schema: string | null = null;
    const options = args.find((a) => a.kind === K.ObjectLiteralExpression) as TS.ObjectLiteralExpression | undefined;
    for (const p of options?.properties ?? []) {
      if (p.kind !== K.PropertyAssignment) continue;
      const key = propName(f, p.name);
      if (key === 'name') named = stringValue(f, p.initializer) ?? named;
      if (key === 'schema') schema = stringValue(f, p.initializer)?.text ?? null;
    }
    const base = named ? tableText(named.text) : snakeCase(c.name.text);
    if (!base) return;
    const table = quoteName(schema ? `${schema}.${base}` : base);
    f.decls.entities.set(c.name.text, table);
    pushName(f, table, named ? named.offset : c.name.getStart(f.sf), 'read', 'typeorm @Entity');
  }
}

function decoratorName(f: TsFile, d: TS.Decorator): string | null {
  const e = d.expression;
  return lastName(f, e.kind === f.ts.SyntaxKind.CallExpression ? (e as TS.CallExpression).expression : e);
}

/** TypeORM's default naming strategy: `OrderItem` → `order_item`. */
function snakeCase(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** Prepass: `orders: Repository<Order>`, `const repo = dataSource.getRepository(Order)`. */
export function collectRepository(f: TsFile, node: TS.Node): void {
  const K = f.ts.SyntaxKind;
  if (node.kind !== K.Parameter && node.kind !== K.PropertyDeclaration && node.kind !== K.VariableDeclaration) return;
  const d = node as TS.ParameterDeclaration | TS.PropertyDeclaration | TS.VariableDeclaration;
  if (d.name.kind !== K.Identifier) return;
  const type = d.type;
  if (type?.kind === K.TypeReference) {
    const ref = type as TS.TypeReferenceNode;
    const arg = ref.typeArguments?.[0];
    if (
      ref.typeName.kind === K.Identifier &&
      /Repository$/.test(ref.typeName.text) &&
      arg?.kind === K.TypeReference &&
      (arg as TS.TypeReferenceNode).typeName.kind === K.Identifier
    ) {
      f.repos.set(d.name.text, ((arg as TS.TypeReferenceNode).typeName as TS.Identifier).text);
      return;
    }
  }
  const entity = d.initializer && repositoryEntity(f, d.initializer);
  if (entity) f.repos.set(d.name.text, entity.text);
}

/** `x.getRepository(Order)` → the `Order` identifier. */
function repositoryEntity(f: TsFile, node: TS.Node): TS.Identifier | null {
  const K = f.ts.SyntaxKind;
  if (node.kind !== K.CallExpression) return null;
  const call = node as TS.CallExpression;
  const arg = call.arguments[0];
  if (lastName(f, call.expression) !== 'getRepository' || arg?.kind !== K.Identifier) return null;
  return arg as TS.Identifier;
}

/** A drizzle table or TypeORM entity binding: `orders`, `schema.orders`, `Order`. */
function boundTable(f: TsFile, node: TS.Node | undefined): { table: string; orm: string } | null {
  const K = f.ts.SyntaxKind;
  let decls = f.decls;
  let name: string;
  if (node?.kind === K.Identifier) name = (node as TS.Identifier).text;
  else if (node?.kind === K.PropertyAccessExpression) {
    const p = node as TS.PropertyAccessExpression;
    const ns = p.expression.kind === K.Identifier ? f.namespaces.get((p.expression as TS.Identifier).text) : undefined;
    if (!ns) return null;
    decls = ns;
    name = p.name.text;
  } else return null;
  const table = decls.tables.get(name);
  if (table) return { table, orm: 'drizzle' };
  const entity = decls.entities.get(name);
  return entity ? { table: entity, orm: 'typeorm' } : null;
}

/** Uses of a bound table: drizzle `db.insert(orders)`, TypeORM `repo.save(…)`, Prisma `prisma.order.create(…)`. */
export function ormCall(f: TsFile, call: TS.CallExpression): boolean {
  const K = f.ts.SyntaxKind;
  if (call.expression.kind !== K.PropertyAccessExpression) return false;
  const callee = call.expression as TS.PropertyAccessExpression;
  const method = callee.name.text;
  const arg = call.arguments[0];
  const direct = boundTable(f, arg);
  if (direct && arg) {
    // drizzle db.insert(t) / db.select().from(t) / joins; TypeORM manager.save(Order, …), qb.into(Order)
    let access: 'read' | 'write' | null = null;
    if (WRITE_METHODS.has(method) || TYPEORM_WRITE.has(method) || method === 'into') access = 'write';
    else if (method === 'from') access = deleteBefore(f, callee) ? 'write' : 'read';
    else if (TYPEORM_READ.has(method) || /Join$|^join$/.test(method)) access = 'read';
    if (!access) return false;
    pushName(f, direct.table, arg.getStart(f.sf), access, `${direct.orm} ${method}`);
    return true;
  }
  const access = TYPEORM_WRITE.has(method) ? 'write' : TYPEORM_READ.has(method) ? 'read' : null;
  const receiver = callee.expression;
  if (access) {
    const viaGet = repositoryEntity(f, receiver);
    const repoName = viaGet ? null : lastName(f, receiver);
    const entity = viaGet?.text ?? (repoName ? f.repos.get(repoName) : undefined);
    const table = entity ? (f.decls.entities.get(entity) ?? null) : null;
    if (table) {
      const at =
        viaGet ??
        (receiver.kind === K.PropertyAccessExpression ? (receiver as TS.PropertyAccessExpression).name : receiver);
      pushName(f, table, at.getStart(f.sf), access, `typeorm ${method}`);
      return true;
    }
  }
  return prismaCall(f, callee, method);
}

function deleteBefore(f: TsFile, callee: TS.PropertyAccessExpression): boolean {
  const K = f.ts.SyntaxKind;
  let node: TS.Node = callee.expression;
  while (node.kind === K.CallExpression) {
    const e = (node as TS.CallExpression).expression;
    if (e.kind !== K.PropertyAccessExpression) return false;
    if ((e as TS.PropertyAccessExpression).name.text === 'delete') return true;
    node = (e as TS.PropertyAccessExpression).expression;
  }
  return false;
}

/** drizzle's relational queries: `db.query.users.findMany()`, `users` a table of the schema. */
function drizzleQuery(f: TsFile, callee: TS.PropertyAccessExpression, modelNode: TS.MemberName): boolean {
  const name = modelNode.text;
  let table = f.decls.tables.get(name);
  for (const ns of f.namespaces.values()) table ??= ns.tables.get(name);
  if (!table) return false;
  pushName(f, table, modelNode.getStart(f.sf), 'read', `drizzle query ${callee.name.text}`);
  return true;
}

/** `prisma.orderItem.create(…)`: the model's table from the service's schema.prisma, else the model name. */
function prismaCall(f: TsFile, callee: TS.PropertyAccessExpression, method: string): boolean {
  const K = f.ts.SyntaxKind;
  const access = PRISMA_WRITE.has(method) ? 'write' : PRISMA_READ.has(method) ? 'read' : null;
  if (!access || callee.expression.kind !== K.PropertyAccessExpression) return false;
  const modelNode = (callee.expression as TS.PropertyAccessExpression).name;
  const model = modelNode.text;
  if (model.startsWith('$')) return false;
  const client = lastName(f, (callee.expression as TS.PropertyAccessExpression).expression);
  if (client === 'this') return false;
  if (client === 'query' && access === 'read') return drizzleQuery(f, callee, modelNode);
  const models = f.neighbours?.prismaModels(f.path) ?? null;
  let table = models?.get(model) ?? null;
  if (!table && client && /prisma/i.test(client) && !models) table = quoteName(model[0].toUpperCase() + model.slice(1));
  if (!table) return false;
  pushName(f, table, modelNode.getStart(f.sf), access, `prisma ${method}`);
  return true;
}
