// Small readers for libpg-query parse-tree nodes, shared by the tree walker and its helpers.

export type Node = Record<string, unknown>;

export function unwrap(v: unknown, type: string): Node | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const inner = (v as Node)[type];
  return inner && typeof inner === 'object' ? (inner as Node) : undefined;
}

/** Fields typed as a node struct (relation, returnType) come without their type wrapper. */
export function unwrapPlain(v: unknown): Node | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const n = v as Node;
  return unwrap(n, 'RangeVar') ?? unwrap(n, 'TypeName') ?? n;
}

/** A name given as a list of String nodes (`["public", "status"]`), as strings. */
export function stringList(list: unknown): string[] {
  const items = Array.isArray(list) ? list : ((unwrap(list, 'List')?.items as unknown[] | undefined) ?? []);
  return items.map((n) => unwrap(n, 'String')?.sval).filter((s): s is string => typeof s === 'string');
}

export function dropLast(list: unknown): unknown[] {
  const items = (unwrap(list, 'List')?.items as unknown[] | undefined) ?? [];
  return items.slice(0, -1);
}

export function defElems(list: unknown): Record<string, { value: string; location: number }> {
  const out: Record<string, { value: string; location: number }> = {};
  for (const item of Array.isArray(list) ? list : []) {
    const d = unwrap(item, 'DefElem');
    if (!d || typeof d.defname !== 'string') continue;
    const arg = d.arg as Node | undefined;
    const str =
      unwrap(arg, 'String')?.sval ??
      (unwrap(arg, 'List')?.items as unknown[] | undefined)
        ?.map((x) => unwrap(x, 'String')?.sval)
        .find((s) => typeof s === 'string');
    if (typeof str === 'string')
      out[d.defname] = { value: str, location: typeof d.location === 'number' ? d.location : 0 };
  }
  return out;
}

/** A function's identity beyond its name: its input argument types (`int4,text`). */
export function functionArgs(parameters: unknown): string {
  const out: string[] = [];
  for (const p of Array.isArray(parameters) ? parameters : []) {
    const fp = unwrap(p, 'FunctionParameter');
    if (!fp || fp.mode === 'FUNC_PARAM_OUT' || fp.mode === 'FUNC_PARAM_TABLE') continue;
    const names = stringList((unwrapPlain(fp.argType) as Node | undefined)?.names);
    out.push(names.filter((n) => n !== 'pg_catalog').join('.'));
  }
  return out.join(',');
}

export function verbOf(stmt: Node): string {
  const type = Object.keys(stmt)[0] ?? '';
  return type === 'SelectStmt' ? 'SELECT' : type.replace(/Stmt$/, '').toUpperCase();
}
