// GORM table names as references. `func (Order) TableName() string { return "orders" }` is a
// declaration: a read where it stands. `db.Table("orders")…` takes its access from the chain's
// terminal method (Create/Save/Update/Delete… write, Find/First/Scan/Pluck… read, else read).
// `db.Create(&Order{…})`, `db.Model(&o).Update(…)`, `db.Find(&orders)` resolve the type to a
// table when that type's TableName is declared in the same file (per-file analysis: a type
// declared elsewhere in the package is not followed; GORM's default plural naming is not guessed).
import type { NameRef } from '../refs.js';
import { ormName } from './fold.js';
import { goStringValue } from './go.js';
import type { Grammar, TsNode } from './tree-sitter.js';

const WRITE = new Set([
  'Create',
  'CreateInBatches',
  'Save',
  'Update',
  'Updates',
  'UpdateColumn',
  'UpdateColumns',
  'Delete',
  'FirstOrCreate',
]);
const READ = new Set(['Find', 'First', 'Last', 'Take', 'Scan', 'Pluck', 'Count', 'Row', 'Rows', 'FindInBatches']);
const SOURCES = new Set(['Table', 'Model']);

const TABLE_NAME = `(method_declaration
  receiver: (parameter_list (parameter_declaration type: [(type_identifier) @recv (pointer_type (type_identifier) @recv)]))
  name: (field_identifier) @m (#eq? @m "TableName")
  body: (block) @body)`;
const METHOD_CALLS = `(call_expression
  function: (selector_expression field: (field_identifier) @m)
  arguments: (argument_list) @a) @c`;
const VARS = `(var_spec name: (identifier) @n type: (_) @t)
(parameter_declaration name: (identifier) @n type: (_) @t)
(short_var_declaration left: (expression_list . (identifier) @n) right: (expression_list . (_) @v))`;

export function gormNames(g: Grammar, root: TsNode): NameRef[] {
  const out: NameRef[] = [];
  const tables = new Map<string, string>();
  for (const m of g.query(TABLE_NAME).matches(root)) {
    const recv = capture(m, 'recv');
    const body = capture(m, 'body');
    const ret = body?.descendantsOfType('return_statement')[0];
    const s = goStringValue(ret?.namedChild(0)?.namedChild(0));
    if (!recv || !s) continue;
    const name = ormName(s.value);
    tables.set(recv.text, name);
    out.push({ name, access: 'read', offset: s.offset, via: 'GORM TableName' });
  }
  let vars: Map<string, string> | null = null;
  const typeOf = (arg: TsNode | null): string | null => {
    if (arg?.type === 'identifier' || (arg?.type === 'unary_expression' && arg.namedChild(0)?.type === 'identifier')) {
      vars ??= varTypes(g, root);
      return vars.get(arg.type === 'identifier' ? arg.text : (arg.namedChild(0) as TsNode).text) ?? null;
    }
    return valueType(arg);
  };
  for (const m of g.query(METHOD_CALLS).matches(root)) {
    const method = capture(m, 'm')?.text ?? '';
    const call = capture(m, 'c');
    const arg = capture(m, 'a')?.namedChild(0) ?? null;
    if (!call || !arg || !(SOURCES.has(method) || WRITE.has(method) || READ.has(method))) continue;
    if (SOURCES.has(method)) {
      const s = method === 'Table' ? goStringValue(arg) : null;
      // Table("orders o") / Table("orders AS o"): the table before its alias; a subquery
      // (Table("(?) AS u", q)) names none.
      const table = s ? /^\s*([\w$."]+)(?:\s+(?:as\s+)?\w+)?\s*$/i.exec(s.value)?.[1] : undefined;
      if (s && !table) continue;
      const name = table ? ormName(table) : tables.get(typeOf(arg) ?? '');
      if (!name) continue;
      const terminal = chainTerminal(call);
      const access = WRITE.has(terminal) ? 'write' : 'read';
      out.push({ name, access, offset: s?.offset ?? arg.startIndex, via: `GORM ${method}().${terminal || 'query'}` });
    } else if (tables.size > 0 && !receiverHasSource(call)) {
      const name = tables.get(typeOf(arg) ?? '');
      if (name)
        out.push({ name, access: WRITE.has(method) ? 'write' : 'read', offset: arg.startIndex, via: `GORM ${method}` });
    }
  }
  return out;
}

function capture(m: { captures: Array<{ name: string; node: TsNode }> }, name: string): TsNode | undefined {
  return m.captures.find((c) => c.name === name)?.node;
}

/** The chain's first write method after the call, else its first read method, else ''. */
function chainTerminal(call: TsNode): string {
  let n = call;
  let read = '';
  for (;;) {
    const sel = n.parent;
    const next = sel?.parent;
    if (sel?.type !== 'selector_expression' || next?.type !== 'call_expression') break;
    const method = sel.childForFieldName('field')?.text ?? '';
    if (WRITE.has(method)) return method;
    if (!read && READ.has(method)) read = method;
    n = next;
  }
  return read;
}

/** `db.Table("t").Where(…).Find(&x)`: the Find belongs to the Table call, already counted. */
function receiverHasSource(call: TsNode): boolean {
  let n = call.childForFieldName('function')?.childForFieldName('operand');
  while (n?.type === 'call_expression') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'selector_expression') return false;
    if (SOURCES.has(fn.childForFieldName('field')?.text ?? '')) return true;
    n = fn.childForFieldName('operand');
  }
  return false;
}

/** The named type of a type expression: `Order`, `*Order`, `[]Order`, `[]*Order`. */
function typeName(t: TsNode | null | undefined): string | null {
  if (!t) return null;
  if (t.type === 'type_identifier') return t.text;
  if (t.type === 'pointer_type') return typeName(t.namedChild(0));
  if (t.type === 'slice_type' || t.type === 'array_type') return typeName(t.childForFieldName('element'));
  return null;
}

/** The type of a value expression: `Order{…}`, `&Order{…}`, `[]Order{}`, `make([]Order, n)`. */
function valueType(v: TsNode | null | undefined): string | null {
  if (!v) return null;
  if (v.type === 'composite_literal') return typeName(v.childForFieldName('type'));
  if (v.type === 'unary_expression') return valueType(v.namedChild(0));
  if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'make')
    return typeName(v.childForFieldName('arguments')?.namedChild(0));
  return null;
}

/** Declared types of the file's variables and parameters, by name (the last one wins). */
function varTypes(g: Grammar, root: TsNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of g.query(VARS).matches(root)) {
    const n = capture(m, 'n');
    const t = typeName(capture(m, 't')) ?? valueType(capture(m, 'v'));
    if (n && t) out.set(n.text, t);
  }
  return out;
}
