// Turning a PostgreSQL error inside a migration into "service, file:line, message, detail,
// hint, SQLSTATE": statements are sent concatenated, so the server's error position (in
// characters of the text sent) is mapped back to the statement and to the line in its file.
import type { Migration, Statement } from '../core/types.js';

export interface MigrationFailure {
  service: string;
  /** the migration's id */
  migration: string;
  /** the file, relative to the project root */
  file: string;
  /** the line of the failing statement (or of the error inside it); null when unknown */
  line: number | null;
  message: string;
  detail?: string;
  hint?: string;
  sqlstate?: string;
  /** PostgreSQL's context (e.g. the PL/pgSQL line) */
  context?: string;
}

/** Text sent in one round trip, with where each statement sits in it. */
export interface SentText {
  text: string;
  pieces: Array<{ start: number; end: number; statement: Statement }>;
}

export function buildText(prefix: string, statements: Statement[], suffix: string): SentText {
  let text = prefix;
  const pieces: SentText['pieces'] = [];
  for (const statement of statements) {
    const start = text.length;
    text += statement.sql;
    pieces.push({ start, end: text.length, statement });
    // a newline first: a statement ending in a `--` comment must not swallow the `;`
    text += '\n;\n';
  }
  return { text: text + suffix, pieces };
}

interface PgError {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
}

export function isServerError(err: unknown): boolean {
  const code = (err as PgError | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** 0-based UTF-16 index of the `position`-th character (PostgreSQL counts characters). */
function indexOfCharacter(text: string, position: number): number {
  let index = 0;
  for (let ch = 1; ch < position && index < text.length; ch++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  return index;
}

/** The statement an error position points into, and the file line of that point. */
export function locate(sent: SentText, position: number): { statement: Statement; line: number } | null {
  const index = indexOfCharacter(sent.text, position);
  const piece = sent.pieces.find((p) => index >= p.start && index < p.end + 1);
  if (!piece) return null;
  const within = sent.text.slice(piece.start, Math.min(index, piece.end));
  const newlines = within.split('\n').length - 1;
  return { statement: piece.statement, line: piece.statement.line + newlines };
}

/**
 * 25001: a statement that cannot run in a transaction and that the parser did not recognise
 * as one (those make the file run outside a transaction by themselves; see
 * core/sources/transactions.ts), e.g. one inside a function called by the migration.
 */
const NO_TRANSACTION_HINT: Partial<Record<Migration['format'], string>> = {
  goose: 'put `-- +goose NO TRANSACTION` at the top of the file',
  dbmate: 'mark the section `-- migrate:up transaction:false`',
  atlas: 'put `-- atlas:txmode none` at the top of the file',
  folder: 'add metadata.toml with `run_in_transaction = false` to the migration folder',
};
const NO_TRANSACTION_DEFAULT =
  'give the statement that cannot run in a transaction a statement of its own in the file (svcdb then runs the file outside a transaction)';

/** Raised inside a migration step so the run stops; carries the mapped failure. */
export class StepFailed extends Error {
  constructor(readonly failure: MigrationFailure) {
    super(failure.message);
  }
}

export function failureOf(migration: Migration, err: unknown, line: number | null): MigrationFailure {
  const e = err as PgError;
  return {
    service: migration.service,
    migration: migration.id,
    file: migration.relPath,
    line,
    message: e.message ?? String(err),
    detail: e.detail || undefined,
    hint:
      e.hint || (e.code === '25001' ? (NO_TRANSACTION_HINT[migration.format] ?? NO_TRANSACTION_DEFAULT) : undefined),
    sqlstate: isServerError(err) ? e.code : undefined,
    context: e.where || undefined,
  };
}

/** Line from the error's own position, when the server gave one. */
export function lineFromPosition(sent: SentText, err: unknown): number | null {
  const position = Number((err as PgError).position);
  if (!Number.isFinite(position) || position <= 0) return null;
  return locate(sent, position)?.line ?? null;
}

/** Two or three lines for a terminal: where and what, then detail/hint. */
export function formatFailure(f: MigrationFailure): string {
  const where = f.line === null ? f.file : `${f.file}:${f.line}`;
  const code = f.sqlstate ? ` (SQLSTATE ${f.sqlstate})` : '';
  const lines = [`${f.service}: ${where}: ${f.message}${code}`];
  if (f.detail) lines.push(`  detail: ${f.detail}`);
  if (f.hint) lines.push(`  hint: ${f.hint}`);
  if (f.context) lines.push(`  context: ${f.context.split('\n')[0]}`);
  return lines.join('\n');
}
