// What one statement, as the PostgreSQL parser (libpg-query) reads it, means for
// transactions: transaction control, or a statement PostgreSQL refuses inside a transaction
// block (its PreventInTransactionBlock callers); and which statements are worth parsing to find out.
import { codeText } from './code-text.js';

/** What one parsed statement means for transactions. */
export type TxKind =
  | { kind: 'begin'; options: boolean }
  | { kind: 'commit'; chain: boolean }
  | { kind: 'rollback'; chain: boolean }
  /** SAVEPOINT, RELEASE, ROLLBACK TO: harmless inside svcdb's transaction */
  | { kind: 'savepoint' }
  /** PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED */
  | { kind: 'prepared' }
  /**
   * cannot run inside a transaction block; `index` names a CREATE INDEX CONCURRENTLY's index;
   * `concurrently`: the CONCURRENTLY form of CREATE INDEX, DROP INDEX or DETACH PARTITION
   */
  | { kind: 'no-transaction'; what: string; index?: { schema: string | null; name: string }; concurrently?: true }
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
      return { kind: 'no-transaction', what: 'CREATE INDEX CONCURRENTLY', index, concurrently: true };
    }
    case 'DropStmt':
      return n.concurrent === true
        ? { kind: 'no-transaction', what: 'DROP INDEX CONCURRENTLY', concurrently: true }
        : { kind: 'other' };
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
        ? { kind: 'no-transaction', what: 'DETACH PARTITION CONCURRENTLY', concurrently: true }
        : { kind: 'other' };
    }
    default:
      return { kind: 'other' };
  }
}

// What sends a statement to the parser: a word that starts transaction control at the start of
// a statement, or one that marks a statement PostgreSQL refuses in a transaction block
// anywhere, in the statement's code (./code-text.ts: strings, comments and dollar-quoted
// bodies blanked, so a function's `BEGIN ... END;` is no reason). The plain word test on the
// raw text comes first: blanking only removes words, so without one there is nothing to find.
// CALL and DO matter only to the runner (classifyStatements): whether a migration runs in a
// transaction does not depend on them.
const WORDS =
  /\b(?:begin|start|commit|end|rollback|abort|savepoint|release|prepare|concurrently|vacuum|database|system|tablespace|subscription|call|do)\b/i;
const TX_CONTROL = /(?:^|;)\s*(?:begin|start|commit|end|rollback|abort|savepoint|release|prepare)\b/i;
const NO_TX_WORD = /\b(?:concurrently|vacuum|database|system|tablespace|subscription)\b/i;
const PROCEDURAL = /(?:^|;)\s*(?:call|do)\b/i;

/** Whether `sql` may hold a statement kindOf tells apart from 'other' (`procedural`: CALL, DO too). */
export function worthParsing(sql: string, procedural: boolean): boolean {
  if (!WORDS.test(sql)) return false;
  const code = codeText(sql);
  if (code === null) return true; // an unclosed quote: the parser says what it makes of it
  return TX_CONTROL.test(code) || NO_TX_WORD.test(code) || (procedural && PROCEDURAL.test(code));
}

/** How a refusal names the statement. */
export function describe(tx: TxKind): string {
  switch (tx.kind) {
    case 'begin':
      return 'BEGIN';
    case 'commit':
      return 'COMMIT';
    case 'rollback':
      return 'ROLLBACK';
    case 'savepoint':
      return 'SAVEPOINT';
    case 'prepared':
      return 'two-phase commit';
    case 'no-transaction':
      return tx.what;
    default:
      return 'statement';
  }
}
