// SQLAlchemy table names as references. Declarations (`__tablename__ = "orders"` with its
// `__table_args__` schema, `orders = Table("orders", metadata, …, schema=…)`) count as reads
// where they stand: a model of a table is a dependency on it even where the file does not use it.
// Uses resolved within the same file, at the model's name: `session.add(Order(…))` (or of a
// variable assigned `Order(…)` / `session.get(Order, …)` in the file), `session.delete(it)`, `add_all`,
// `merge`, `insert(Order)`, `update(…)`, `delete(…)`, `orders.insert()`, `bulk_insert_mappings`
// write; `select(Order…)`, `session.query(Order…)`, `session.get(Order, …)`, `orders.select()`,
// `Order.query` (Flask-SQLAlchemy) read. A model imported from another file is not followed: its
// declaration there is the reference.
import type { NameRef } from '../refs.js';
import { ormName } from './fold.js';
import { argument, pyStringValue } from './python.js';
import type { Grammar, TsNode } from './tree-sitter.js';

const CLASS_ATTRS = `(class_definition name: (identifier) @cls body: (block (expression_statement
  (assignment left: (identifier) @k right: (_) @v)))
  (#any-of? @k "__tablename__" "__table_args__"))`;
const CALLS = `(call function: [(identifier) @fn (attribute object: (_) @obj attribute: (identifier) @fn)]
  arguments: (argument_list) @a) @c`;
const FLASK_QUERY = '(attribute object: (identifier) @o attribute: (identifier) @q (#eq? @q "query"))';
const INSTANCES =
  '(assignment left: (identifier) @v right: (call function: (identifier) @m arguments: (argument_list) @a))';

const ADD = new Set(['add', 'merge', 'add_all']);
const STATEMENT_WRITE = new Set(['insert', 'update', 'delete']);
const BULK_WRITE = new Set(['bulk_insert_mappings', 'bulk_update_mappings']);
const READ = new Set(['select', 'query', 'get']);
const USES = new Set([...ADD, ...STATEMENT_WRITE, ...BULK_WRITE, ...READ]);

interface Decl {
  name: string;
  schema: string | null;
  offset: number;
}

export function sqlalchemyNames(g: Grammar, root: TsNode): NameRef[] {
  const out: NameRef[] = [];
  const models = new Map<string, string>();
  const byClass = new Map<string, Decl>();
  for (const m of g.query(CLASS_ATTRS).matches(root)) {
    const cls = capture(m, 'cls')?.text ?? '';
    const d = byClass.get(cls) ?? { name: '', schema: null, offset: -1 };
    if (capture(m, 'k')?.text === '__tablename__') {
      const s = pyStringValue(capture(m, 'v'));
      if (s) Object.assign(d, { name: s.value, offset: s.offset });
    } else d.schema = schemaOfArgs(capture(m, 'v'));
    byClass.set(cls, d);
  }
  for (const [cls, d] of byClass) {
    if (d.offset < 0) continue;
    const name = ormName(d.schema ? `${d.schema}.${d.name}` : d.name);
    models.set(cls, name);
    out.push({ name, access: 'read', offset: d.offset, via: 'SQLAlchemy __tablename__' });
  }
  const calls = g.query(CALLS).matches(root);
  for (const m of calls) {
    if (capture(m, 'fn')?.text !== 'Table') continue;
    const args = capture(m, 'a') as TsNode;
    const s = pyStringValue(argument(args, 0));
    if (!s || !argument(args, 1)) continue;
    const schema = pyStringValue(argument(args, 'schema'))?.value;
    const name = ormName(schema ? `${schema}.${s.value}` : s.value);
    out.push({ name, access: 'read', offset: s.offset, via: 'SQLAlchemy Table' });
    const target = assignedName(capture(m, 'c') as TsNode);
    if (target) models.set(target, name);
  }
  if (models.size === 0) return out;
  const resolve = (n: TsNode | null | undefined): { name: string; at: TsNode } | null => {
    if (n?.type === 'identifier') {
      const name = models.get(n.text);
      return name ? { name, at: n } : null;
    }
    if (n?.type === 'attribute') return resolve(n.childForFieldName('object'));
    return null;
  };
  // `order = Order(…)` / `order = session.get(Order, id)`, then `session.add(order)`,
  // `session.delete(order)`: instances by variable name, file-wide.
  const instances = new Map<string, string>();
  for (const m of g.query(INSTANCES).matches(root)) {
    const v = capture(m, 'v')?.text ?? '';
    const made = models.get(capture(m, 'm')?.text ?? '');
    if (made) instances.set(v, made);
  }
  for (const m of calls) {
    const target = assignedName(capture(m, 'c') as TsNode);
    const got = capture(m, 'fn')?.text === 'get' ? resolve(argument(capture(m, 'a') as TsNode, 0)) : null;
    if (target && got) instances.set(target, got.name);
  }
  const instance = (n: TsNode | null | undefined) => {
    const name = n?.type === 'identifier' ? instances.get(n.text) : undefined;
    return name && n ? { name, at: n } : null;
  };
  const push = (r: { name: string; at: TsNode } | null, access: 'read' | 'write', via: string) => {
    if (r) out.push({ name: r.name, access, offset: r.at.startIndex, via: `SQLAlchemy ${via}` });
  };
  for (const m of calls) {
    const fn = capture(m, 'fn')?.text ?? '';
    if (!USES.has(fn)) continue;
    const args = capture(m, 'a') as TsNode;
    const obj = resolve(capture(m, 'obj'));
    if (obj) {
      // a Table object's own statements: orders.insert(), Order.__table__.select()
      if (STATEMENT_WRITE.has(fn)) push(obj, 'write', fn);
      else if (fn === 'select') push(obj, 'read', fn);
      continue;
    }
    const first = argument(args, 0);
    if (fn === 'add_all') {
      for (const e of first?.type === 'list' || first?.type === 'tuple' ? first.namedChildren : [])
        if (e?.type === 'call') push(resolve(e.childForFieldName('function')), 'write', fn);
    } else if (ADD.has(fn)) {
      push(first?.type === 'call' ? resolve(first.childForFieldName('function')) : instance(first), 'write', fn);
    } else if (STATEMENT_WRITE.has(fn) || BULK_WRITE.has(fn)) {
      push(resolve(first) ?? (fn === 'delete' ? instance(first) : null), 'write', fn);
    } else {
      const seen = new Set<string>();
      for (const a of args.namedChildren) {
        const r = a?.type === 'keyword_argument' ? null : resolve(a);
        if (r && !seen.has(r.name)) {
          seen.add(r.name);
          push(r, 'read', fn);
        }
      }
    }
  }
  for (const m of g.query(FLASK_QUERY).matches(root)) push(resolve(capture(m, 'o')), 'read', 'query');
  return out;
}

function capture(m: { captures: Array<{ name: string; node: TsNode }> }, name: string): TsNode | undefined {
  return m.captures.find((c) => c.name === name)?.node;
}

/** `x = Table(…)` → x; `__table__ = Table(…)` in a class → the class. */
function assignedName(call: TsNode): string | null {
  const p = call.parent;
  const left = p?.type === 'assignment' ? p.childForFieldName('left') : null;
  if (left?.type !== 'identifier') return null;
  if (left.text !== '__table__') return left.text;
  let n: TsNode | null = p;
  while (n && n.type !== 'class_definition') n = n.parent;
  return n?.childForFieldName('name')?.text ?? null;
}

/** The schema in `__table_args__`: `{"schema": "s"}` or a tuple ending with such a dict. */
function schemaOfArgs(v: TsNode | undefined): string | null {
  const dict = v?.type === 'dictionary' ? v : v?.type === 'tuple' ? v.namedChild(v.namedChildCount - 1) : null;
  if (dict?.type !== 'dictionary') return null;
  for (const pair of dict.namedChildren) {
    if (pair?.type === 'pair' && pyStringValue(pair.childForFieldName('key'))?.value === 'schema')
      return pyStringValue(pair.childForFieldName('value'))?.value ?? null;
  }
  return null;
}
