// Table references from a libpg-query parse tree: which relation, read or written, where.
import type { Access, ObjectKind } from '../refs.js';
import { visitDefinition } from './definitions.js';
import { defElems, dropLast, functionArgs, stringList, unwrap, unwrapPlain, verbOf, type Node } from './nodes.js';

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
  object?: ObjectKind;
  renamedTo?: string;
  args?: string;
  catalog?: boolean;
}

export type Extra = Pick<TreeRef, 'object' | 'renamedTo' | 'args'>;

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

export interface Ctx {
  access: Access;
  verb: string;
  ctes: Set<string>;
  stmtLocation: number;
}

/** `ctx` read-only (and with another verb): a new context only when something changes. */
export function withAccess(ctx: Ctx, access: Access, verb = ctx.verb): Ctx {
  return ctx.access === access && ctx.verb === verb
    ? ctx
    : { access, verb, ctes: ctx.ctes, stmtLocation: ctx.stmtLocation };
}

/** Node types with nothing below them that names an object: not descended into. */
const LEAVES = new Set([
  'String',
  'Integer',
  'Float',
  'Boolean',
  'BitString',
  'A_Const',
  'ColumnRef',
  'ParamRef',
  'A_Star',
]);

const SYSTEM_SCHEMAS = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

export class TreeWalker {
  readonly refs: TreeRef[] = [];
  readonly bodies: Body[] = [];
  /** temp tables and trigger transition tables: names local to this text */
  readonly localNames = new Set<string>();
  /** temp tables, trigger transition tables and temp views: local to the whole host file */
  readonly fileLocals = new Set<string>();

  walkStatements(parsed: { stmts?: Array<{ stmt: Node; stmt_location?: number; stmt_len?: number }> }): void {
    for (const s of parsed.stmts ?? []) {
      const loc = s.stmt_location ?? 0;
      this.stmtSpan = { location: loc, length: s.stmt_len ?? 0 };
      this.walk(s.stmt, { access: 'read', verb: verbOf(s.stmt), ctes: new Set(), stmtLocation: loc });
    }
  }

  private stmtSpan = { location: 0, length: 0 };

  rangeVar(rv: unknown, ctx: Ctx, access: Access, verb: string, extra: Extra = {}): void {
    const r = unwrapPlain(rv);
    if (!r || typeof r.relname !== 'string') return;
    const schema = typeof r.schemaname === 'string' ? r.schemaname : null;
    if (schema && SYSTEM_SCHEMAS.has(schema)) return;
    if (!schema && (ctx.ctes.has(r.relname) || this.localNames.has(r.relname))) return;
    this.refs.push({
      schema,
      name: r.relname,
      access,
      verb,
      location: typeof r.location === 'number' ? r.location : -1,
      statement: ctx.stmtLocation,
      ...extra,
      // Unqualified pg_* names resolve to the system catalogs (pg_stat_activity, pg_class...)
      // unless a service created a table by that name.
      ...(!schema && r.relname.startsWith('pg_') ? { catalog: true } : {}),
    });
  }

  /** A temp table, view or sequence: its name is local to the text and the host file. */
  local(rv: unknown): boolean {
    const r = unwrapPlain(rv);
    if (r?.relpersistence !== 't' || typeof r.relname !== 'string') return false;
    this.localNames.add(r.relname);
    this.fileLocals.add(r.relname);
    return true;
  }

  /** Names given as a list of String nodes (DROP, COMMENT ON): no location, searched later. */
  nameList(list: unknown, ctx: Ctx, access: Access, verb: string, extra: Extra = {}): void {
    const names = stringList(list);
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
      ...extra,
    });
  }

  walk(node: unknown, ctx: Ctx): void {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) this.walk(node[i], ctx);
      return;
    }
    // The hot loop of the lint (every node of every parsed text): no allocation per node, and
    // a node type starts with a capital letter (`{ "RangeVar": { … } }`).
    const obj = node as Node;
    for (const key in obj) {
      const value = obj[key];
      if (value === null || typeof value !== 'object') continue;
      const c = key.charCodeAt(0);
      if (c >= 65 && c <= 90 && !Array.isArray(value)) {
        if (!LEAVES.has(key)) this.visit(key, value as Node, ctx);
      } else this.walk(value, ctx);
    }
  }

  private withCtes(n: Node, ctx: Ctx): Ctx {
    if (!n.withClause) return ctx;
    const wc = unwrap(n.withClause, 'WithClause') ?? (n.withClause as Node | undefined);
    const ctes = (wc?.ctes as unknown[] | undefined) ?? [];
    if (ctes.length === 0) return ctx;
    const names = new Set(ctx.ctes);
    for (const c of ctes) {
      const name = unwrap(c, 'CommonTableExpr')?.ctename;
      if (typeof name === 'string') names.add(name);
    }
    return { access: ctx.access, verb: ctx.verb, ctes: names, stmtLocation: ctx.stmtLocation };
  }

  rest(n: Node, ctx: Ctx, skip: string[]): void {
    for (const key of Object.keys(n)) if (!skip.includes(key)) this.walk(n[key], ctx);
  }

  private visit(type: string, n: Node, outer: Ctx): void {
    const ctx = this.withCtes(n, outer);
    if (visitDefinition(this, type, n, ctx)) return;
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
        this.rest(n, withAccess(ctx, 'read', 'SELECT'), ['relation']);
        return;
      }
      case 'TruncateStmt':
      case 'LockStmt':
        for (const rv of (n.relations as unknown[]) ?? [])
          this.rangeVar(rv, ctx, 'write', type === 'LockStmt' ? 'LOCK' : 'TRUNCATE');
        return;
      case 'AlterTableStmt':
      case 'RefreshMatViewStmt':
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
        this.rest(n, withAccess(ctx, 'read'), ['relation', 'table']);
        return;
      }
      case 'CopyStmt':
        this.rangeVar(n.relation, ctx, n.is_from ? 'write' : 'read', n.is_from ? 'COPY FROM' : 'COPY TO');
        this.rest(n, withAccess(ctx, 'read'), ['relation']);
        return;
      case 'DropStmt':
        if (DROPPABLE.has(String(n.removeType)))
          for (const o of (n.objects as unknown[]) ?? []) this.nameList(o, ctx, 'write', 'DROP');
        else if (String(n.removeType) === 'OBJECT_INDEX')
          for (const o of (n.objects as unknown[]) ?? []) this.nameList(o, ctx, 'write', 'DROP', { object: 'index' });
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
      case 'Constraint':
        if (String(n.contype) === 'CONSTR_FOREIGN') this.rangeVar(n.pktable, ctx, 'fk', 'REFERENCES');
        this.rest(n, ctx, ['pktable']);
        return;
      case 'CreateFunctionStmt':
        this.nameList(n.funcname, ctx, 'create', n.is_procedure ? 'CREATE PROCEDURE' : 'CREATE FUNCTION', {
          object: 'function',
          args: functionArgs(n.parameters),
        });
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
      if (typeof name === 'string') {
        this.localNames.add(name);
        this.fileLocals.add(name);
      }
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
  RefreshMatViewStmt: 'REFRESH',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  AlterPolicyStmt: 'ALTER POLICY',
  RuleStmt: 'CREATE RULE',
  ClusterStmt: 'CLUSTER',
};

const DROPPABLE = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE']);
