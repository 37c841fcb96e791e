// Query builders whose calls name tables as strings (knex, kysely, supabase-js), and project
// helpers declared in config (`queryHelpers`).
import type * as TS from 'typescript';
import { calleeOf, type HelperMatcher } from './helpers.js';
import { lastName, pushName, quoteName, stringValue, tableText, type TsFile } from './ts-context.js';

/** kysely's statement starters: the method says what is done. */
const STARTERS: Record<string, 'read' | 'write'> = {
  selectFrom: 'read',
  insertInto: 'write',
  replaceInto: 'write',
  updateTable: 'write',
  deleteFrom: 'write',
  mergeInto: 'write',
};
/** knex and supabase: the table comes first, a later (or earlier) method says what is done. */
const TABLE_METHODS = new Set(['from', 'into', 'table']);
const JOINS = new Set([
  'join',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'leftOuterJoin',
  'rightOuterJoin',
  'fullOuterJoin',
  'crossJoin',
  'using',
]);
export const WRITE_METHODS = new Set([
  'insert',
  'update',
  'upsert',
  'del',
  'delete',
  'truncate',
  'increment',
  'decrement',
]);
/** Methods that only query builders chain after a table: a `.from('x')` followed by one is a table. */
const BUILDER_METHODS = new Set([
  ...WRITE_METHODS,
  'select',
  'where',
  'whereIn',
  'first',
  'pluck',
  'returning',
  'eq',
  'neq',
  'in',
  'match',
  'filter',
  'order',
  'orderBy',
  'limit',
  'count',
  'single',
  'maybeSingle',
  'onConflict',
  'columns',
]);
/** Receivers whose `.from()` is no table: `Array.from`, `Buffer.from`, supabase `storage.from('bucket')`. */
const NOT_DB =
  /^(?:Array|\w+Array|Buffer|Object|Set|Map|Promise|Observable|Rx|rx|Stream|Readable|Iterator|String|Number|Date|Intl|console|storage|schema)$/;
/** A function that is a knex instance: `knex('t')`, `this.knex('t')`, `trx('t')`. */
const KNEX_CALLEE = /knex|^(?:db|trx|tx)$/i;
/** Names a query builder instance usually has. */
const DB_NAME = /knex|^(?:db|trx|tx|qb|pg|conn|database|connection|builder|query|supabase\w*|client)$/i;

interface Chain {
  /** method names called before the table call, nearest first */
  before: string[];
  /** method names called after it */
  after: string[];
  /** the innermost receiver (an identifier, `this.x`, or a call) */
  root: TS.Node;
  /** property names on the way down (`knex.schema.table` → schema) */
  properties: string[];
}

function chainOf(f: TsFile, call: TS.CallExpression): Chain {
  const K = f.ts.SyntaxKind;
  const before: string[] = [];
  const properties: string[] = [];
  let node: TS.Node = call.expression;
  if (node.kind === K.PropertyAccessExpression) node = (node as TS.PropertyAccessExpression).expression;
  for (;;) {
    if (node.kind === K.CallExpression) {
      const callee = (node as TS.CallExpression).expression;
      if (callee.kind !== K.PropertyAccessExpression) {
        node = callee;
        break;
      }
      before.push((callee as TS.PropertyAccessExpression).name.text);
      node = (callee as TS.PropertyAccessExpression).expression;
    } else if (node.kind === K.PropertyAccessExpression) {
      properties.push((node as TS.PropertyAccessExpression).name.text);
      if ((node as TS.PropertyAccessExpression).expression.kind === K.CallExpression) {
        node = (node as TS.PropertyAccessExpression).expression;
        continue;
      }
      break;
    } else break;
  }
  const after: string[] = [];
  let cur: TS.Node = call;
  while (
    cur.parent?.kind === K.PropertyAccessExpression &&
    cur.parent.parent?.kind === K.CallExpression &&
    (cur.parent.parent as TS.CallExpression).expression === cur.parent
  ) {
    after.push((cur.parent as TS.PropertyAccessExpression).name.text);
    cur = cur.parent.parent;
  }
  return { before, after, root: node, properties };
}

const isWrite = (c: Chain) => c.before.some((m) => WRITE_METHODS.has(m)) || c.after.some((m) => WRITE_METHODS.has(m));

/** `knex('t')`, `.from('t')`, `.into('t')`, `.table('t')`, `selectFrom('t')`, `insertInto('t')`…, joins. */
export function builderCall(f: TsFile, call: TS.CallExpression): boolean {
  const K = f.ts.SyntaxKind;
  const arg = stringValue(f, call.arguments[0]);
  if (!arg) return false;
  const table = tableText(arg.text);
  if (!table || f.ctes.has(table)) return false;
  const callee = call.expression;
  if (callee.kind === K.Identifier || (callee.kind === K.PropertyAccessExpression && !isMethodOnCall(f, callee))) {
    // knex('t'), this.knex('t'), trx('t')
    const name = lastName(f, callee);
    if (name && (callee.kind === K.Identifier ? KNEX_CALLEE : /knex/i).test(name)) {
      return knexCall(f, call, table, arg.offset);
    }
  }
  if (callee.kind !== K.PropertyAccessExpression) return false;
  const method = (callee as TS.PropertyAccessExpression).name.text;
  const chain = chainOf(f, call);
  if (Object.hasOwn(STARTERS, method)) {
    pushName(f, quoteName(table), arg.offset, STARTERS[method], `kysely ${method}`);
    return true;
  }
  if (chain.properties.some((p) => NOT_DB.test(p))) return false;
  const rootName = lastName(f, chain.root);
  if (rootName && NOT_DB.test(rootName)) return false;
  if (TABLE_METHODS.has(method)) {
    const rooted = chain.root.kind === K.CallExpression || chain.before.length > 0;
    const builderAfter = chain.after.some((m) => BUILDER_METHODS.has(m));
    if (!rooted && !builderAfter && !(rootName && DB_NAME.test(rootName))) return false;
    const write = method === 'into' || isWrite(chain);
    const via = rootName && /supabase/i.test(rootName) ? 'supabase' : 'query builder';
    pushName(
      f,
      quoteName(table),
      arg.offset,
      write ? 'write' : 'read',
      `${via} ${write ? writeVerb(chain) : 'select'}`,
    );
    return true;
  }
  if (
    JOINS.has(method) &&
    (chain.before.some((m) => Object.hasOwn(STARTERS, m) || TABLE_METHODS.has(m)) || isKnexRoot(f, chain))
  ) {
    pushName(f, quoteName(table), arg.offset, 'read', `query builder ${method}`);
    return true;
  }
  return false;
}

function writeVerb(c: Chain): string {
  return [...c.before, ...c.after].find((m) => WRITE_METHODS.has(m)) ?? 'insert';
}

/** `a.b.c(...)` where `a.b` is itself a call result (`x().c`) is a method on a chain, not `this.knex(...)`. */
function isMethodOnCall(f: TsFile, callee: TS.Node): boolean {
  return (callee as TS.PropertyAccessExpression).expression.kind === f.ts.SyntaxKind.CallExpression;
}

function isKnexRoot(f: TsFile, c: Chain): boolean {
  if (c.root.kind !== f.ts.SyntaxKind.CallExpression) return false;
  const name = lastName(f, (c.root as TS.CallExpression).expression);
  return name !== null && DB_NAME.test(name);
}

function knexCall(f: TsFile, call: TS.CallExpression, table: string, offset: number): boolean {
  const chain = chainOf(f, call);
  const write = isWrite(chain);
  pushName(f, quoteName(table), offset, write ? 'write' : 'read', `knex ${write ? writeVerb(chain) : 'select'}`);
  return true;
}

/** A call of a configured helper: its table argument (position, or property of an object argument). */
export function helperCall(f: TsFile, call: TS.CallExpression, helpers: HelperMatcher[]): boolean {
  const K = f.ts.SyntaxKind;
  const name = lastName(f, call.expression);
  if (!name) return false;
  const callee = calleeOf(call.expression.getText(f.sf));
  const m = helpers.find((h) => h.test(callee));
  if (!m) return false;
  const { table, access } = m.helper;
  let value: { text: string; offset: number } | null = null;
  if (typeof table === 'number') value = stringValue(f, call.arguments[table]);
  else {
    for (const a of call.arguments) {
      if (a.kind !== K.ObjectLiteralExpression) continue;
      for (const p of (a as TS.ObjectLiteralExpression).properties) {
        if (p.kind === K.PropertyAssignment && propName(f, p.name) === table) value = stringValue(f, p.initializer);
        else if (p.kind === K.ShorthandPropertyAssignment && p.name.text === table) value = stringValue(f, p.name);
      }
    }
  }
  const t = value && tableText(value.text);
  if (!value || !t) return false;
  pushName(f, t, value.offset, access, `${name} helper`);
  return true;
}

export function propName(f: TsFile, node: TS.PropertyName): string | null {
  const K = f.ts.SyntaxKind;
  if (node.kind === K.Identifier || node.kind === K.StringLiteral) return (node as TS.Identifier).text;
  return null;
}
