// What one statement, as the PostgreSQL parser (libpg-query) reads it, means for
// transactions: transaction control, or a statement PostgreSQL refuses inside a transaction
// block (its PreventInTransactionBlock callers); and which statements are worth parsing at all.
import { hasBareWord } from './lex.js';

// Words that start, or mark, the statements this module cares about; CALL and DO matter only
// to the runner of a file outside a transaction (a procedure may COMMIT by itself there).
// biome-ignore format: a list of words reads best as a paragraph
const TX_WORDS = ['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'savepoint', 'release', 'prepare',
  'concurrently', 'vacuum', 'database', 'system', 'tablespace', 'subscription'];
const PROCEDURAL_WORDS = ['call', 'do'];
const MAYBE = new RegExp(`\\b(?:${[...TX_WORDS, ...PROCEDURAL_WORDS].join('|')})\\b`, 'i');
const TX = new Set(TX_WORDS);
const TX_OR_PROCEDURAL = new Set([...TX_WORDS, ...PROCEDURAL_WORDS]);

/**
 * Whether the parser must read `sql`: one of the words is a bare word of it, not inside a
 * string, dollar-quoted body or comment (a PL/pgSQL `BEGIN ... END` body is not a BEGIN).
 * `procedural`: CALL and DO count too.
 */
export function worthParsing(sql: string, procedural: boolean): boolean {
  return MAYBE.test(sql) && hasBareWord(sql, procedural ? TX_OR_PROCEDURAL : TX);
}

/** What one parsed statement means for transactions. */
export type TxKind =
  | { kind: 'begin'; options: boolean }
  | { kind: 'commit'; chain: boolean }
  | { kind: 'rollback'; chain: boolean }
  /** SAVEPOINT, RELEASE, ROLLBACK TO: harmless inside svcdb's transaction */
  | { kind: 'savepoint' }
  /** PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED */
  | { kind: 'prepared' }
  /** cannot run inside a transaction block; `index` names a CREATE INDEX CONCURRENTLY's index */
  | { kind: 'no-transaction'; what: string; index?: { schema: string | null; name: string } }
  /** `procedural`: CALL or DO, which may commit by themselves when not inside a transaction */
  | { kind: 'other'; procedural?: true };

export function kindOf(stmt: Record<string, Record<string, unknown>>): TxKind {
  const [type] = Object.keys(stmt);
  const n = stmt[type] ?? {};
  const has = (name: string) =>
    Array.isArray(n.params) && n.params.some((p: { DefElem?: { defname?: string } }) => p.DefElem?.defname === name);
  switch (type) {
    case 'TransactionStmt':
      switch (n.kind) {
        case 'TRANS_STMT_BEGIN':
        case 'TRANS_STMT_START':
          return { kind: 'begin', options: Array.isArray(n.options) && n.options.length > 0 };
        case 'TRANS_STMT_COMMIT':
          return { kind: 'commit', chain: n.chain === true };
        case 'TRANS_STMT_ROLLBACK':
          return { kind: 'rollback', chain: n.chain === true };
        case 'TRANS_STMT_SAVEPOINT':
        case 'TRANS_STMT_RELEASE':
        case 'TRANS_STMT_ROLLBACK_TO':
          return { kind: 'savepoint' };
        default:
          return { kind: 'prepared' };
      }
    case 'CallStmt':
    case 'DoStmt':
      return { kind: 'other', procedural: true };
    case 'IndexStmt': {
      if (n.concurrent !== true) return { kind: 'other' };
      const relation = n.relation as { schemaname?: string } | undefined;
      const index =
        typeof n.idxname === 'string' ? { schema: relation?.schemaname ?? null, name: n.idxname } : undefined;
      return { kind: 'no-transaction', what: 'CREATE INDEX CONCURRENTLY', index };
    }
    case 'DropStmt':
      return n.concurrent === true ? { kind: 'no-transaction', what: 'DROP INDEX CONCURRENTLY' } : { kind: 'other' };
    case 'ReindexStmt':
      return has('concurrently') || n.kind === 'REINDEX_OBJECT_DATABASE' || n.kind === 'REINDEX_OBJECT_SYSTEM'
        ? { kind: 'no-transaction', what: 'REINDEX' }
        : { kind: 'other' };
    case 'VacuumStmt':
      return n.is_vacuumcmd === true ? { kind: 'no-transaction', what: 'VACUUM' } : { kind: 'other' };
    case 'CreatedbStmt':
      return { kind: 'no-transaction', what: 'CREATE DATABASE' };
    case 'DropdbStmt':
      return { kind: 'no-transaction', what: 'DROP DATABASE' };
    case 'AlterSystemStmt':
      return { kind: 'no-transaction', what: 'ALTER SYSTEM' };
    case 'CreateTableSpaceStmt':
      return { kind: 'no-transaction', what: 'CREATE TABLESPACE' };
    case 'DropTableSpaceStmt':
      return { kind: 'no-transaction', what: 'DROP TABLESPACE' };
    case 'CreateSubscriptionStmt':
      return { kind: 'no-transaction', what: 'CREATE SUBSCRIPTION' };
    case 'DropSubscriptionStmt':
      return { kind: 'no-transaction', what: 'DROP SUBSCRIPTION' };
    case 'AlterDatabaseStmt':
      return Array.isArray(n.options) &&
        n.options.some((o: { DefElem?: { defname?: string } }) => o.DefElem?.defname === 'tablespace')
        ? { kind: 'no-transaction', what: 'ALTER DATABASE ... SET TABLESPACE' }
        : { kind: 'other' };
    case 'AlterTableStmt': {
      const cmds =
        (n.cmds as Array<{
          AlterTableCmd?: { subtype?: string; def?: { PartitionCmd?: { concurrent?: boolean } } };
        }>) ?? [];
      return cmds.some(
        (c) => c.AlterTableCmd?.subtype === 'AT_DetachPartition' && c.AlterTableCmd.def?.PartitionCmd?.concurrent,
      )
        ? { kind: 'no-transaction', what: 'DETACH PARTITION CONCURRENTLY' }
        : { kind: 'other' };
    }
    default:
      return { kind: 'other' };
  }
}
