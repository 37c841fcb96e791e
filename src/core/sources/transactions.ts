// How each pending migration runs, decided by the PostgreSQL parser (libpg-query), not by
// patterns: a file holding a statement that cannot run in a transaction (CREATE INDEX
// CONCURRENTLY, VACUUM, ...) runs outside one, in every format; transaction control written
// in a file (BEGIN, COMMIT, ROLLBACK, ...) is dropped where that is exactly what svcdb does
// anyway (a psql-style `BEGIN; ... COMMIT;` wrapper) and refused, naming file:line, where it
// would end, undo or split svcdb's transaction. Regular expressions only pick the statements
// worth parsing, so a run with nothing of the kind never loads the parser.
import { UserError, UserErrors } from '../errors.js';
import type { Migration, Statement } from '../types.js';
import { parseSyncShared, type SqlParser } from '../ownership/sql/parser.js';
import { skipSpaceAndComments } from './lex.js';
import { describe, kindOf, type TxKind, worthParsing } from './statement-kinds.js';

export type { TxKind } from './statement-kinds.js';

/**
 * What a refusal is about, for callers that sort refusals (check-migrations' rules) without
 * reading messages: a CONCURRENTLY statement inside a transaction the file opens (or inside a
 * multi-statement block); or anything else: transaction control that would end, undo or split
 * svcdb's transaction, another statement that cannot run where the file puts it.
 */
export type RefusalKind = 'concurrently-in-transaction' | 'transaction-control';

/** One file:line prepareTransactions will not run; thrown alone or inside UserErrors. */
export class TransactionRefusal extends UserError {
  readonly kind: RefusalKind;
  constructor(message: string, opts: { where: string; hint: string; kind: RefusalKind }) {
    super(message, opts);
    this.kind = opts.kind;
  }
}

export interface ParsedPiece {
  tx: TxKind;
  /** the piece's range in the statement's text, UTF-16 offsets, leading comments skipped */
  start: number;
  end: number;
  /** line in the file */
  line: number;
}

let pg: SqlParser | null = null;

async function loadParser(): Promise<SqlParser> {
  if (!pg) pg = await (await import('../ownership/sql/parser.js')).loadParser();
  return pg;
}

/** True when some statement of these migrations needs the parser (cheap: patterns only). */
function needsParser(migrations: Migration[], direction: 'up' | 'down'): boolean {
  return migrations.some((m) => (direction === 'up' ? m.up : (m.down ?? [])).some((s) => worthParsing(s.sql, false)));
}

/**
 * The statements of `statement` as the parser sees them (one piece for ordinary text), or
 * null when it does not parse: the server will report that, with its own line. `procedural`:
 * also parse CALL and DO (to mark them), which prepareTransactions has no use for.
 * Needs the parser loaded (prepareTransactions / classifyStatements load it).
 */
export function piecesOf(statement: Statement, procedural = false): ParsedPiece[] | null {
  if (!worthParsing(statement.sql, procedural))
    return [{ tx: { kind: 'other' }, start: 0, end: statement.sql.length, line: statement.line }];
  if (!pg) throw new Error('piecesOf: the SQL parser is not loaded');
  let stmts: Array<{ stmt: Record<string, Record<string, unknown>>; stmt_location?: number; stmt_len?: number }>;
  try {
    stmts = (parseSyncShared(statement.sql).stmts ?? []) as unknown as typeof stmts;
  } catch {
    return null;
  }
  const bytes = Buffer.from(statement.sql, 'utf8');
  const charAt = (byte: number) => bytes.subarray(0, byte).toString('utf8').length;
  return stmts.map((s) => {
    const from = s.stmt_location ?? 0;
    const to = s.stmt_len === undefined || s.stmt_len === 0 ? bytes.length : from + s.stmt_len;
    const start = skipSpaceAndComments(statement.sql, charAt(from));
    const before = statement.sql.slice(0, start);
    return { tx: kindOf(s.stmt), start, end: charAt(to), line: statement.line + before.split('\n').length - 1 };
  });
}

/**
 * The migrations as they will run, `direction`'s section rewritten: `transaction` false (and
 * `outsideTransactionBecause` set) when a statement cannot run in one; a psql-style wrapper
 * dropped. Throws UserErrors naming every file:line that cannot be made safe, before anything
 * is applied. Loads the parser only when some statement is worth parsing.
 */
export async function prepareTransactions(
  migrations: Migration[],
  direction: 'up' | 'down' = 'up',
): Promise<Migration[]> {
  if (!needsParser(migrations, direction)) return migrations;
  await loadParser();
  const problems: UserError[] = [];
  const out = migrations.map((m) => {
    const statements = direction === 'up' ? m.up : m.down;
    if (!statements) return m;
    const pieces = statements.map((s) => piecesOf(s));
    const refuse: Refuse = (line, what, hint, kind = 'transaction-control') =>
      problems.push(new TransactionRefusal(what, { where: `${fileOf(m, direction)}:${line}`, hint, kind }));
    const noTx = pieces.flatMap((p) => p ?? []).find((p) => p.tx.kind === 'no-transaction');
    if (!m.transaction || noTx) {
      checkOutsideTransaction(pieces, refuse);
      const because =
        noTx && m.transaction
          ? `${(noTx.tx as { what: string }).what} at ${fileOf(m, direction)}:${noTx.line} cannot run in a transaction`
          : undefined;
      return { ...m, transaction: false, ...(because ? { outsideTransactionBecause: because } : {}) };
    }
    const kept = insideTransaction(statements, pieces, refuse);
    return direction === 'up' ? { ...m, up: kept } : { ...m, down: kept };
  });
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new UserErrors(problems);
  return out;
}

function fileOf(m: Migration, direction: 'up' | 'down'): string {
  if (direction === 'down' && m.downPath) return m.relPath.replace(/\.up\.sql$/i, '.down.sql');
  return m.relPath;
}

type Refuse = (line: number, what: string, hint: string, kind?: RefusalKind) => void;

const REMOVE = 'remove it: svcdb runs each migration in a transaction of its own, which also records it';

/**
 * A transactional migration: svcdb's `begin; ...; <record>; commit;` surrounds it. The file's
 * own `BEGIN; ... COMMIT;` pairs (psql style, one or several, also inside goose blocks) are
 * dropped: inside svcdb's one transaction they commit nothing early, so the file applies
 * whole with its record or not at all. Savepoints are fine. Anything else (COMMIT without
 * BEGIN, AND CHAIN, ROLLBACK, options, two-phase commit) would commit or undo part of the
 * migration apart from its record: refused.
 */
function insideTransaction(statements: Statement[], pieces: Array<ParsedPiece[] | null>, refuse: Refuse): Statement[] {
  const drop = new Map<number, ParsedPiece[]>();
  let open: ParsedPiece | null = null;
  const dropPiece = (i: number, p: ParsedPiece) => drop.set(i, [...(drop.get(i) ?? []), p]);
  pieces.forEach((list, i) => {
    for (const piece of list ?? []) {
      const tx = piece.tx;
      if (tx.kind === 'begin') {
        if (tx.options) {
          refuse(
            piece.line,
            'BEGIN with transaction options: svcdb starts the transaction itself',
            'remove the options, or run the migration outside a transaction (-- +goose NO TRANSACTION) with its own BEGIN ... COMMIT',
          );
        } else if (open) {
          refuse(piece.line, `BEGIN while the BEGIN at line ${open.line} is still open`, REMOVE);
        } else {
          open = piece;
          dropPiece(i, piece);
        }
      } else if (tx.kind === 'commit') {
        if (tx.chain)
          refuse(piece.line, 'COMMIT AND CHAIN would commit part of the migration apart from its record', REMOVE);
        else if (!open)
          refuse(
            piece.line,
            'COMMIT without a BEGIN before it would commit part of the migration apart from its record',
            REMOVE,
          );
        else dropPiece(i, piece);
        open = null;
      } else if (tx.kind === 'rollback') {
        refuse(
          piece.line,
          'ROLLBACK would silently undo the statements before it, and the migration would still be recorded as applied',
          REMOVE,
        );
      } else if (tx.kind === 'prepared') {
        refuse(
          piece.line,
          'two-phase commit (PREPARE TRANSACTION, COMMIT/ROLLBACK PREPARED) cannot be part of a migration',
          'run it outside svcdb',
        );
      }
    }
  });
  if (open)
    refuse(
      (open as ParsedPiece).line,
      "BEGIN without a COMMIT: the rest of the file would be left to svcdb's COMMIT",
      'add COMMIT, or remove the BEGIN',
    );
  if (!drop.size) return statements;
  const kept: Statement[] = [];
  statements.forEach((s, i) => {
    const gone = drop.get(i);
    if (!gone) return kept.push(s);
    if (gone.length === (pieces[i]?.length ?? 0)) return; // the statement was only BEGIN or COMMIT
    // a BEGIN or COMMIT inside a goose StatementBegin block: blanked, so lines and error
    // positions in the rest of the block stay where they are in the file
    let sql = s.sql;
    for (const p of gone)
      sql = sql.slice(0, p.start) + sql.slice(p.start, p.end).replace(/[^\n]/g, ' ') + sql.slice(p.end);
    kept.push({ ...s, sql });
  });
  return kept;
}

/**
 * A migration outside a transaction runs statement by statement (see db/no-transaction.ts).
 * The file's own `BEGIN; ...; COMMIT;` groups run as one step each; a statement that cannot
 * run in a transaction must be a statement of its own, outside any group.
 */
function checkOutsideTransaction(pieces: Array<ParsedPiece[] | null>, refuse: Refuse): void {
  let open: ParsedPiece | null = null;
  for (const list of pieces) {
    if (!list) continue;
    const control = list.filter((p) => p.tx.kind !== 'other');
    if (list.length > 1 && control.length) {
      const p = control[0];
      refuse(
        p.line,
        `${describe(p.tx)} inside a multi-statement block of a migration that runs outside a transaction`,
        'give it a statement of its own (outside -- +goose StatementBegin/StatementEnd)',
        concurrently(p.tx),
      );
      continue;
    }
    const p = list[0];
    if (!p) continue;
    const tx = p.tx;
    if (tx.kind === 'begin') {
      if (open)
        refuse(
          p.line,
          `BEGIN while the transaction begun at line ${open.line} is still open`,
          'end the first with COMMIT',
        );
      open = p;
    } else if (tx.kind === 'commit') {
      if (tx.chain)
        refuse(
          p.line,
          'COMMIT AND CHAIN cannot be resumed after a failure',
          'end the transaction with COMMIT and start the next with BEGIN',
        );
      else if (!open) refuse(p.line, 'COMMIT without a BEGIN', 'remove it');
      open = null;
    } else if (tx.kind === 'rollback') {
      refuse(
        p.line,
        'ROLLBACK in a migration: it would undo part of the file that svcdb then records as applied',
        'remove it',
      );
    } else if (tx.kind === 'prepared') {
      refuse(p.line, 'two-phase commit cannot be part of a migration', 'run it outside svcdb');
    } else if (tx.kind === 'no-transaction' && open) {
      refuse(
        p.line,
        `${tx.what} inside the transaction begun at line ${open.line}`,
        'move it after the COMMIT',
        concurrently(tx),
      );
    }
  }
  if (open) refuse(open.line, 'BEGIN without a COMMIT before the end of the file', 'add COMMIT');
}

function concurrently(tx: TxKind): RefusalKind {
  return tx.kind === 'no-transaction' && tx.concurrently ? 'concurrently-in-transaction' : 'transaction-control';
}

/** For the runner: each statement's single piece (null: plain text, sent as it is). */
export async function classifyStatements(statements: Statement[]): Promise<Array<TxKind | null>> {
  if (statements.some((s) => worthParsing(s.sql, true))) await loadParser();
  return statements.map((s) => {
    const pieces = piecesOf(s, true);
    return pieces && pieces.length === 1 ? pieces[0].tx : null;
  });
}

/** `files` with the `chosen` ones (pending, or to revert) replaced by prepareTransactions' versions. */
export async function asTheyWillRun(
  files: Migration[],
  chosen: Migration[],
  direction: 'up' | 'down',
): Promise<Migration[]> {
  const prepared = await prepareTransactions(chosen, direction);
  if (prepared === chosen) return files;
  const byId = new Map(prepared.map((m) => [m.id, m]));
  return files.map((m) => byId.get(m.id) ?? m);
}
