// Running a migration outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, goose
// `NO TRANSACTION`), so that a run that fails or is killed part-way is resumed, not re-run
// from its first statement. Each step commits together with a progress row
// (`<history schema>.svcdb_progress`: how many statements of which file are done):
//   - a statement that can run in a transaction: `begin; <it>; <progress>; commit;`, exactly once;
//   - the file's own `BEGIN; ...; COMMIT;`: the progress row goes in before its COMMIT;
//   - a statement that cannot run in a transaction (or CALL / DO, which may commit by
//     themselves outside one): alone, then the progress row. Killed in
//     between, it runs again next time; a CREATE INDEX CONCURRENTLY that was interrupted left
//     an INVALID index (which would accept duplicates under a "unique" name and make IF NOT
//     EXISTS skip it): it is dropped and built again before the statement runs.
// The history row is written, and the progress row deleted, in one last transaction.
import { classifyStatements, type TxKind } from '../core/sources/transactions.js';
import type { Migration, Statement } from '../core/types.js';
import { ident, literal, type Sql } from './connect.js';
import { buildText, failureOf, lineFromPosition, StepFailed } from './failure.js';
import { createTableIfAbsent, type HistoryTable } from './history.js';
import { describeLockWait, type LockWatch } from './lock-timeout.js';

export const PROGRESS_TABLE = 'svcdb_progress';

function progressTable(h: HistoryTable): string {
  return `${ident(h.schema)}.${ident(PROGRESS_TABLE)}`;
}

function progressKey(h: HistoryTable, m: Migration, direction: 'up' | 'down'): string {
  return `history_table = ${literal(h.table)} and service = ${literal(h.service)} and id = ${literal(`${direction}:${m.id}`)}`;
}

function progressSql(h: HistoryTable, m: Migration, direction: 'up' | 'down', done: number): string {
  return `insert into ${progressTable(h)} (history_table, service, id, checksum, done) values (${literal(h.table)}, ${literal(h.service)}, ${literal(`${direction}:${m.id}`)}, ${literal(m.checksum)}, ${done})
    on conflict (history_table, service, id) do update set done = excluded.done, checksum = excluded.checksum, updated_at = now()`;
}

async function ensureProgressTable(sql: Sql, h: HistoryTable): Promise<void> {
  await createTableIfAbsent(
    sql,
    `create table if not exists ${progressTable(h)} (
    history_table text not null,
    service text not null,
    id text not null,
    checksum text not null,
    done integer not null,
    updated_at timestamptz not null default now(),
    primary key (history_table, service, id)
  )`,
  );
}

/**
 * Runs `m`'s `direction` section outside a transaction, resuming after the statements a
 * previous run completed; `record` is the SQL that writes (or deletes) its history row.
 * Throws StepFailed naming the failing statement's line and what is already applied.
 */
export async function runOutsideTransaction(
  sql: Sql,
  h: HistoryTable,
  m: Migration,
  direction: 'up' | 'down',
  record: (elapsedMs: number) => string,
  watch?: LockWatch | null,
): Promise<void> {
  const statements = direction === 'up' ? m.up : (m.down ?? []);
  const kinds = await classifyStatements(statements);
  const started = performance.now();
  await ensureProgressTable(sql, h);
  const [row] = await sql.unsafe(
    `select done, checksum from ${progressTable(h)} where ${progressKey(h, m, direction)}`,
  );
  const resumeAt = row ? Number(row.done) : 0;
  if (row && row.checksum !== m.checksum) {
    throw new StepFailed({
      ...failureOf(
        m,
        new Error(`partly applied (${resumeAt} of ${statements.length} statements) and the file has changed since`),
        statements[resumeAt]?.line ?? null,
      ),
      hint: `restore the file as it was and run migrate again to finish it; or finish or undo it by hand, then: delete from ${h.schema}.${PROGRESS_TABLE} where ${progressKey(h, m, direction)}`,
    });
  }
  for (let i = resumeAt; i < statements.length; ) {
    const kind = kinds[i];
    const end = kind?.kind === 'begin' ? kinds.findIndex((k, j) => j > i && k?.kind === 'commit') : -1;
    if (end !== -1) {
      const group = statements.slice(i, end); // BEGIN and the statements before COMMIT
      const sent = buildText('', group, `${progressSql(h, m, direction, end + 1)};\n${statements[end].sql};`);
      await step(sql, m, statements, i, sent.text, (err) => lineFromPosition(sent, err) ?? group.at(-1)!.line, watch);
      i = end + 1;
      continue;
    }
    const statement = statements[i];
    // CALL and DO run alone too: outside a transaction, a procedure may COMMIT by itself
    if (kind?.kind === 'no-transaction' || (kind?.kind === 'other' && kind.procedural)) {
      if (kind.kind === 'no-transaction' && kind.index) await dropInvalidIndex(sql, kind.index);
      await step(sql, m, statements, i, statement.sql, (err) => lineOf(statement, err), watch);
      await sql.unsafe(progressSql(h, m, direction, i + 1));
    } else {
      const sent = buildText('begin;\n', [statement], `${progressSql(h, m, direction, i + 1)};\ncommit;`);
      await step(sql, m, statements, i, sent.text, (err) => lineFromPosition(sent, err) ?? statement.line, watch);
    }
    i++;
  }
  await sql.unsafe(
    `begin;\n${record(performance.now() - started)};\ndelete from ${progressTable(h)} where ${progressKey(h, m, direction)};\ncommit;`,
  );
}

function lineOf(statement: Statement, err: unknown): number {
  return lineFromPosition(buildText('', [statement], ''), err) ?? statement.line;
}

async function step(
  sql: Sql,
  m: Migration,
  statements: Statement[],
  index: number,
  text: string,
  line: (err: unknown) => number,
  watch?: LockWatch | null,
): Promise<void> {
  try {
    await (watch ? watch.track(sql.unsafe(text)) : sql.unsafe(text));
  } catch (err) {
    // on a lost connection there is nothing to roll back, and waiting on it would never end
    if (!isConnectionLoss(err)) await sql.unsafe('rollback').catch(() => {});
    const failure = failureOf(m, err, line(err));
    // not retried (what ran before it stays applied), but who it waited for is said
    if ((err as { code?: string }).code === '55P03')
      failure.message += `: gave up waiting for ${describeLockWait(watch?.last())}`;
    const done =
      index === 0
        ? 'nothing of it was applied'
        : `its first ${index} statement${index === 1 ? '' : 's'} (to line ${statements[index - 1].line}) stay applied`;
    throw new StepFailed({
      ...failure,
      hint: `${failure.hint ? `${failure.hint}; ` : ''}it runs outside a transaction: ${done}; fix the cause and run migrate again, it resumes at line ${statements[index].line}`,
    });
  }
}

/** An interrupted CREATE INDEX CONCURRENTLY leaves its index INVALID: drop it so the statement builds it anew. */
async function dropInvalidIndex(
  sql: Sql,
  index: NonNullable<Extract<TxKind, { kind: 'no-transaction' }>['index']>,
): Promise<void> {
  const schema = index.schema === null ? 'current_schema()' : literal(index.schema);
  const rows = await sql.unsafe(`
    select n.nspname as schema from pg_index i
      join pg_class c on c.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
    where c.relname = ${literal(index.name)} and n.nspname = ${schema} and not i.indisvalid`);
  if (rows.length)
    await sql.unsafe(`drop index concurrently if exists ${ident(rows[0].schema as string)}.${ident(index.name)}`);
}

function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return (
    code.startsWith('08') ||
    code.startsWith('57P') ||
    code.startsWith('CONNECTION_') ||
    code === 'ECONNRESET' ||
    code === 'EPIPE'
  );
}
