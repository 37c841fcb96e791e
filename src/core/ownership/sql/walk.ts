// Table references from a libpg-query parse tree: which relation, read or written, where.
import type { Access } from '../refs.js';

/** A reference with its byte location in the parsed text (-1 when the parser gives none). */
export interface TreeRef {
  schema: string | null;
  name: string;
  access: Access;
  verb: string;
  location: number;
  /** for names without a location: search the statement text for this name */
  searchFrom?: number;
  /** byte location of the statement holding the reference */
  statement: number;
}

/** A function body or DO block to analyse separately. */
export interface Body {
  text: string;
  language: string;
  /** where to start looking for the body text in the parsed string (byte location) */
  location: number;
  /** the whole CREATE FUNCTION statement (for the PL/pgSQL parser), else null */
  statement: { location: number; length: number } | null;
  isTrigger: boolean;
}

interface Ctx {
  access: Access;
  verb: string;
  ctes: Set<string>;
  stmtLocation: number;
}

type Node = Record<string, unknown>;

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

export class TreeWalker {
  readonly refs: TreeRef[] = [];
  readonly bodies: Body[] = [];
  /** temp tables and trigger transition tables: names local to this text */
  readonly localNames = new Set<string>();

  walkStatements(parsed: { stmts?: Array<{ stmt: Node; stmt_location?: number; stmt_len?: number }> }): void {
    for (const s of parsed.stmts ?? []) {
      const loc = s.stmt_location ?? 0;
      this.stmtSpan = { location: loc, length: s.stmt_len ?? 0 };
      this.walk(s.stmt, { access: 'read', verb: verbOf(s.stmt), ctes: new Set(), stmtLocation: loc });
    }
  }

  private stmtSpan = { location: 0, length: 0 };

  private rangeVar(rv: unknown, ctx: Ctx, access: Access, verb: string): void {
    const r = unwrapPlain(rv);
    if (!r || typeof r.relname !== 'string') return;
    const schema = typeof r.schemaname === 'string' ? r.schemaname : null;
    if (schema && SYSTEM_SCHEMAS.has(schema)) return;
    // Unqualified pg_* names resolve to the system catalogs (pg_stat_activity, pg_class...).
    if (!schema && r.relname.startsWith('pg_')) return;
    if (!schema && (ctx.ctes.has(r.relname) || this.localNames.has(r.relname))) return;
    this.refs.push({
      schema,
      name: r.relname,
      access,
      verb,
      location: typeof r.location === 'number' ? r.location : -1,
      statement: ctx.stmtLocation,
    });
  }

  /** Names given as a list of String nodes (DROP, COMMENT ON): no location, searched later. */
  private nameList(list: unknown, ctx: Ctx, access: Access, verb: string): void {
    const names = (Array.isArray(list) ? list : ((unwrap(list, 'List')?.items as unknown[] | undefined) ?? []))
      .map((n) => unwrap(n, 'String')?.sval)
      .filter((s): s is string => typeof s === 'string');
    if (names.length === 0) return;
    const name = names[names.length - 1];
    const schema = names.length > 1 ? names[names.length - 2] : null;
    if (schema && SYSTEM_SCHEMAS.has(schema)) return;
    this.refs.push({
      schema,
      name,
      access,
      verb,
      location: -1,
      searchFrom: ctx.stmtLocation,
      statement: ctx.stmtLocation,
    });
  }

  walk(node: unknown, ctx: Ctx): void {
    if (Array.isArray(node)) {
      for (const item of node) this.walk(item, ctx);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Node;
    for (const key of Object.keys(obj)) {
      const value = obj[key];
      if (
        key.length > 0 &&
        key[0] >= 'A' &&
        key[0] <= 'Z' &&
        value &&
        typeof value === 'object' &&
        !Array.isArray(value)
      ) {
        this.visit(key, value as Node, ctx);
      } else if (value && typeof value === 'object') {
        this.walk(value, ctx);
      }
    }
  }

  private withCtes(n: Node, ctx: Ctx): Ctx {
    const wc = unwrap(n.withClause, 'WithClause') ?? (n.withClause as Node | undefined);
    const ctes = (wc?.ctes as unknown[] | undefined) ?? [];
    if (ctes.length === 0) return ctx;
    const names = new Set(ctx.ctes);
    for (const c of ctes) {
      const name = unwrap(c, 'CommonTableExpr')?.ctename;
      if (typeof name === 'string') names.add(name);
    }
    return { ...ctx, ctes: names };
  }

  private rest(n: Node, ctx: Ctx, skip: string[]): void {
    for (const key of Object.keys(n)) if (!skip.includes(key)) this.walk(n[key], ctx);
  }

  private visit(type: string, n: Node, outer: Ctx): void {
    const ctx = this.withCtes(n, outer);
    const read: Ctx = { ...ctx, access: 'read' };
    switch (type) {
      case 'RangeVar':
        this.rangeVar({ RangeVar: n }, ctx, ctx.access, ctx.verb);
        return;
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
      case 'MergeStmt': {
        const verb = type.replace('Stmt', '').toUpperCase();
        this.rangeVar(n.relation, ctx, 'write', verb);
        this.rest(n, { ...read, verb: 'SELECT' }, ['relation']);
        return;
      }
      case 'TruncateStmt':
      case 'LockStmt':
        for (const rv of (n.relations as unknown[]) ?? [])
          this.rangeVar(rv, ctx, 'write', type === 'LockStmt' ? 'LOCK' : 'TRUNCATE');
        return;
      case 'AlterTableStmt':
      case 'RenameStmt':
      case 'RefreshMatViewStmt':
      case 'IndexStmt':
      case 'CreateTrigStmt':
      case 'CreatePolicyStmt':
      case 'AlterPolicyStmt':
      case 'RuleStmt':
      case 'ClusterStmt': {
        const verb = WRITE_VERBS[type];
        this.rangeVar(n.relation ?? n.table, ctx, 'write', verb);
        if (type === 'CreateTrigStmt') this.transitionNames(n);
        if (type === 'RuleStmt' || type === 'CreateTrigStmt') {
          this.localNames.add('new');
          this.localNames.add('old');
        }
        this.rest(n, read, ['relation', 'table']);
        return;
      }
      case 'CopyStmt':
        this.rangeVar(n.relation, ctx, n.is_from ? 'write' : 'read', n.is_from ? 'COPY FROM' : 'COPY TO');
        this.rest(n, read, ['relation']);
        return;
      case 'DropStmt':
        if (DROPPABLE.has(String(n.removeType)))
          for (const o of (n.objects as unknown[]) ?? []) this.nameList(o, ctx, 'write', 'DROP');
        return;
      case 'CommentStmt':
        if (String(n.objtype) === 'OBJECT_TABLE' || String(n.objtype) === 'OBJECT_VIEW')
          this.nameList(n.object, ctx, 'write', 'COMMENT ON');
        else if (String(n.objtype) === 'OBJECT_COLUMN') this.nameList(dropLast(n.object), ctx, 'write', 'COMMENT ON');
        return;
      case 'GrantStmt':
        if (String(n.targtype) === 'ACL_TARGET_OBJECT' && String(n.objtype) === 'OBJECT_TABLE') {
          for (const rv of (n.objects as unknown[]) ?? [])
            this.rangeVar(rv, ctx, 'write', n.is_grant ? 'GRANT' : 'REVOKE');
        }
        return;
      case 'CreateStmt':
        if (unwrapPlain(n.relation)?.relpersistence === 't')
          this.localNames.add(String(unwrapPlain(n.relation)?.relname));
        else this.rangeVar(n.relation, ctx, 'create', 'CREATE TABLE');
        this.rest(n, read, ['relation']);
        return;
      case 'ViewStmt':
        this.rangeVar(n.view, ctx, 'create', 'CREATE VIEW');
        this.rest(n, { ...read, verb: 'SELECT' }, ['view']);
        return;
      case 'CreateTableAsStmt': {
        const into = unwrap(n.into, 'IntoClause') ?? (n.into as Node | undefined);
        const matview = String(n.objtype) === 'OBJECT_MATVIEW';
        this.rangeVar(into?.rel, ctx, 'create', matview ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS');
        this.rest(n, { ...read, verb: 'SELECT' }, ['into']);
        return;
      }
      case 'CreateSeqStmt':
        this.rangeVar(n.sequence, ctx, 'create', 'CREATE SEQUENCE');
        return;
      case 'AlterSeqStmt':
        this.rangeVar(n.sequence, ctx, 'write', 'ALTER SEQUENCE');
        return;
      case 'Constraint':
        if (String(n.contype) === 'CONSTR_FOREIGN') this.rangeVar(n.pktable, ctx, 'fk', 'REFERENCES');
        this.rest(n, ctx, ['pktable']);
        return;
      case 'CreateFunctionStmt':
        this.functionBody(n);
        this.rest(n, ctx, ['options']);
        return;
      case 'DoStmt':
        this.doBody(n);
        return;
      default:
        this.walk(n, ctx);
    }
  }

  private transitionNames(n: Node): void {
    for (const t of (n.transitionRels as unknown[]) ?? []) {
      const name = unwrap(t, 'TriggerTransition')?.name;
      if (typeof name === 'string') this.localNames.add(name);
    }
  }

  private functionBody(n: Node): void {
    const opts = defElems(n.options);
    const language = opts.language?.value ?? 'sql';
    const as = opts.as;
    if (!as) return; // SQL-standard bodies (BEGIN ATOMIC) are parsed inline in sql_body
    const returnType =
      (unwrapPlain(n.returnType)?.names as unknown[] | undefined)?.map((x) => unwrap(x, 'String')?.sval).join('.') ??
      '';
    this.bodies.push({
      text: as.value,
      language: language.toLowerCase(),
      location: as.location,
      statement: { ...this.stmtSpan },
      isTrigger: /trigger$/i.test(returnType),
    });
  }

  private doBody(n: Node): void {
    const opts = defElems(n.args);
    if (!opts.as) return;
    this.bodies.push({
      text: opts.as.value,
      language: (opts.language?.value ?? 'plpgsql').toLowerCase(),
      location: opts.as.location,
      statement: null,
      isTrigger: false,
    });
  }
}

const WRITE_VERBS: Record<string, string> = {
  AlterTableStmt: 'ALTER',
  RenameStmt: 'ALTER',
  RefreshMatViewStmt: 'REFRESH',
  IndexStmt: 'CREATE INDEX',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  RuleStmt: 'CREATE RULE',
  ClusterStmt: 'CLUSTER',
};

const DROPPABLE = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);

function verbOf(stmt: Node): string {
  const type = Object.keys(stmt)[0] ?? '';
  return type === 'SelectStmt' ? 'SELECT' : type.replace(/Stmt$/, '').toUpperCase();
}

function unwrap(v: unknown, type: string): Node | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const inner = (v as Node)[type];
  return inner && typeof inner === 'object' ? (inner as Node) : undefined;
}

/** Fields typed as a node struct (relation, returnType) come without their type wrapper. */
function unwrapPlain(v: unknown): Node | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const n = v as Node;
  return unwrap(n, 'RangeVar') ?? unwrap(n, 'TypeName') ?? n;
}

function dropLast(list: unknown): unknown[] {
  const items = (unwrap(list, 'List')?.items as unknown[] | undefined) ?? [];
  return items.slice(0, -1);
}

function defElems(list: unknown): Record<string, { value: string; location: number }> {
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
