// The statements that create or rename objects in a schema: tables, views, sequences, indexes,
// types and functions. Each becomes a `create` reference with its kind (or a `write` with the
// new name, for a rename); temporary ones are names local to the text and its host file.
import type { ObjectKind } from '../refs.js';
import { unwrap, unwrapPlain, type Node } from './nodes.js';
import { type Ctx, type TreeWalker, withAccess } from './walk.js';

const RENAMED: Record<string, ObjectKind> = {
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'matview',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_INDEX: 'index',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'type',
};

/** Handles `type` when it defines or renames an object; false for every other statement. */
export function visitDefinition(w: TreeWalker, type: string, n: Node, ctx: Ctx): boolean {
  switch (type) {
    case 'CreateStmt':
      if (!w.local(n.relation)) w.rangeVar(n.relation, ctx, 'create', 'CREATE TABLE', { object: 'table' });
      w.rest(n, withAccess(ctx, 'read'), ['relation']);
      return true;
    case 'ViewStmt':
      if (!w.local(n.view)) w.rangeVar(n.view, ctx, 'create', 'CREATE VIEW', { object: 'view' });
      w.rest(n, withAccess(ctx, 'read', 'SELECT'), ['view']);
      return true;
    case 'CreateTableAsStmt': {
      const into = unwrap(n.into, 'IntoClause') ?? (n.into as Node | undefined);
      const matview = String(n.objtype) === 'OBJECT_MATVIEW';
      if (!w.local(into?.rel))
        w.rangeVar(into?.rel, ctx, 'create', matview ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE AS', {
          object: matview ? 'matview' : 'table',
        });
      w.rest(n, withAccess(ctx, 'read', 'SELECT'), ['into']);
      return true;
    }
    case 'SelectStmt': {
      // `SELECT … INTO t` creates t (in PL/pgSQL, INTO names variables and is stripped first).
      const into = unwrap(n.intoClause, 'IntoClause') ?? (n.intoClause as Node | undefined);
      if (!into) return false;
      if (!w.local(into.rel)) w.rangeVar(into.rel, ctx, 'create', 'SELECT INTO', { object: 'table' });
      w.rest(n, withAccess(ctx, 'read'), ['intoClause']);
      return true;
    }
    case 'CreateSeqStmt':
      if (!w.local(n.sequence)) w.rangeVar(n.sequence, ctx, 'create', 'CREATE SEQUENCE', { object: 'sequence' });
      return true;
    case 'IndexStmt': {
      const rel = unwrapPlain(n.relation);
      const onLocal = rel && !rel.schemaname && w.localNames.has(String(rel.relname));
      if (typeof n.idxname === 'string' && !onLocal) {
        // An index lives in its table's schema.
        const names = [rel?.schemaname, n.idxname].filter((x): x is string => typeof x === 'string');
        w.nameList(
          names.map((sval) => ({ String: { sval } })),
          ctx,
          'create',
          'CREATE INDEX',
          { object: 'index' },
        );
      }
      w.rangeVar(n.relation, ctx, 'write', 'CREATE INDEX');
      w.rest(n, withAccess(ctx, 'read'), ['relation']);
      return true;
    }
    case 'ReindexStmt':
      if (n.kind === 'REINDEX_OBJECT_INDEX') w.rangeVar(n.relation, ctx, 'write', 'REINDEX', { object: 'index' });
      else if (n.kind === 'REINDEX_OBJECT_TABLE') w.rangeVar(n.relation, ctx, 'write', 'REINDEX');
      return true;
    case 'AlterTableStmt':
      if (String(n.objtype) !== 'OBJECT_INDEX') return false;
      w.rangeVar(n.relation, ctx, 'write', 'ALTER INDEX', { object: 'index' });
      return true;
    case 'RenameStmt': {
      const kind = RENAMED[String(n.renameType)];
      const renamedTo = typeof n.newname === 'string' ? n.newname : undefined;
      if (kind === 'type') w.nameList(n.object, ctx, 'write', 'ALTER TYPE', { object: 'type', renamedTo });
      else if (kind) w.rangeVar(n.relation, ctx, 'write', 'ALTER', { object: kind, renamedTo });
      // columns, constraints, triggers, policies: a change to the table
      else w.rangeVar(n.relation, ctx, 'write', 'ALTER');
      w.rest(n, withAccess(ctx, 'read'), ['relation', 'object']);
      return true;
    }
    case 'CompositeTypeStmt':
      w.rangeVar(n.typevar, ctx, 'create', 'CREATE TYPE', { object: 'type' });
      return true;
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      w.nameList(n.typeName, ctx, 'create', 'CREATE TYPE', { object: 'type' });
      return true;
    case 'CreateDomainStmt':
      w.nameList(n.domainname, ctx, 'create', 'CREATE DOMAIN', { object: 'type' });
      w.rest(n, withAccess(ctx, 'read'), ['domainname']);
      return true;
    case 'DefineStmt':
      if (String(n.kind) === 'OBJECT_TYPE') w.nameList(n.defnames, ctx, 'create', 'CREATE TYPE', { object: 'type' });
      return true;
    default:
      return false;
  }
}
