// The file formats: plain SQL, goose and dbmate annotations. Each turns a file's text into
// up/down statements with positions in the file. (golang-migrate pairs are two plain files.)
import { UserError } from '../errors.js';
import type { MigrationFormat, Statement } from '../types.js';
import { isUnterminated, position, splitStatements } from './split.js';

export interface Sections {
  format: MigrationFormat;
  up: Statement[];
  down: Statement[] | null;
  transaction: boolean;
}

interface Line {
  text: string;
  /** 1-based */
  number: number;
  /** offset of the line's first character */
  offset: number;
}

/**
 * The lines of `text` that `pattern` matches (annotation comments), with their numbers and
 * offsets; the others are only counted, not kept.
 */
function linesMatching(text: string, pattern: RegExp): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  let number = 1;
  while (offset <= text.length) {
    const eol = text.indexOf('\n', offset);
    const end = eol === -1 ? text.length : eol;
    // annotations are comments: skip the regular expression for lines without `--`
    const dash = text.indexOf('--', offset);
    if (dash !== -1 && dash < end) {
      const raw = text.slice(offset, end);
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (pattern.test(line)) lines.push({ text: line, number, offset });
    }
    if (eol === -1) break;
    offset = eol + 1;
    number++;
  }
  return lines;
}

const GOOSE = /^\s*--\s*\+goose\s+(.*?)\s*$/i;
const DBMATE = /^\s*--\s*migrate:(up|down)\b(.*)$/i;

export function parseSections(text: string, relPath: string): Sections {
  // A quick look for the annotation words first: most files are one format, many plain.
  const goose = /\+goose/i.test(text) ? linesMatching(text, GOOSE) : [];
  if (goose.length) return parseGoose(text, goose, relPath);
  const dbmate = /migrate:(up|down)/i.test(text) ? linesMatching(text, DBMATE) : [];
  if (dbmate.length) return parseDbmate(text, dbmate, relPath);
  return { format: 'plain', up: splitAt(text, 0, text.length, relPath, 1), down: null, transaction: true };
}

/**
 * Splits text[from, to) into statements, turning an unclosed quote into a file:line error.
 * `startLine`: the line at `from`, when the caller knows it.
 */
export function splitAt(
  text: string,
  from: number,
  to: number,
  relPath: string,
  startLine = position(text, from).line,
): Statement[] {
  const chunk = text.slice(from, to);
  try {
    return splitStatements(chunk, startLine, from);
  } catch (err) {
    if (!isUnterminated(err)) throw err;
    const line = position(chunk, err.offset, startLine).line;
    const what = {
      string: 'string',
      identifier: 'quoted identifier',
      dollar: 'dollar-quoted body',
      comment: '/* comment',
    }[err.kind];
    throw new UserError(`unterminated ${what} starting here`, {
      where: `${relPath}:${line}`,
      hint: 'close it, or check for a stray quote earlier in the file',
    });
  }
}

type Section = 'before' | 'up' | 'down';

function parseGoose(text: string, lines: Line[], relPath: string): Sections {
  const out: Record<Section, Statement[]> = { before: [], up: [], down: [] };
  let section: Section = 'before';
  let seenDown = false;
  let transaction = true;
  let block: Line | null = null;
  let chunkFrom = 0;
  let chunkLine = 1;
  const err = (line: Line, message: string, hint?: string) =>
    new UserError(message, { where: `${relPath}:${line.number}`, hint });
  for (const line of lines) {
    const m = GOOSE.exec(line.text);
    if (!m) continue;
    const word = m[1].toLowerCase().replace(/\s+/g, ' ');
    const nextLine = nextLineOf(line);
    if (block) {
      if (word !== 'statementend') {
        throw err(block, '-- +goose StatementBegin is never closed', 'add -- +goose StatementEnd after the statement');
      }
      const stmt = blockStatement(text, nextLineOf(block), line.offset);
      if (stmt) out[section].push(stmt);
      block = null;
      chunkFrom = nextLine;
      chunkLine = lineAfter(text, line);
      continue;
    }
    out[section].push(...splitAt(text, chunkFrom, line.offset, relPath, chunkLine));
    chunkFrom = nextLine;
    chunkLine = lineAfter(text, line);
    if (word === 'up') {
      if (section !== 'before')
        throw err(line, 'a second -- +goose Up', 'a goose file has one Up section, then optionally one Down');
      section = 'up';
    } else if (word === 'down') {
      if (section === 'before') throw err(line, '-- +goose Down before -- +goose Up', 'put the Up section first');
      if (seenDown) throw err(line, 'a second -- +goose Down');
      section = 'down';
      seenDown = true;
    } else if (word === 'statementbegin') {
      block = line;
    } else if (word === 'statementend') {
      throw err(line, '-- +goose StatementEnd without a StatementBegin');
    } else if (word === 'no transaction') {
      transaction = false;
    } else if (!word.startsWith('envsub')) {
      throw err(
        line,
        `unknown goose annotation "+goose ${m[1]}"`,
        'known: Up, Down, StatementBegin, StatementEnd, NO TRANSACTION',
      );
    }
  }
  if (block)
    throw err(block, '-- +goose StatementBegin is never closed', 'add -- +goose StatementEnd after the statement');
  out[section].push(...splitAt(text, chunkFrom, text.length, relPath, chunkLine));
  if (section === 'before') {
    throw new UserError('goose file has no -- +goose Up annotation', {
      where: `${relPath}:1`,
      hint: 'add "-- +goose Up" above the migration SQL',
    });
  }
  if (out.before.length > 0) {
    throw err(
      { text: '', offset: 0, number: out.before[0].line },
      'SQL before -- +goose Up',
      'move it below the -- +goose Up line',
    );
  }
  return { format: 'goose', up: out.up, down: seenDown ? out.down : null, transaction };
}

function nextLineOf(line: Line): number {
  return line.offset + line.text.length + 1;
}

/** The line number at nextLineOf(line): on a CRLF line that offset is the `\n`, still this line. */
function lineAfter(text: string, line: Line): number {
  return text.charCodeAt(nextLineOf(line) - 1) === 10 ? line.number + 1 : line.number;
}

/** A StatementBegin/End block is one statement, whatever semicolons it holds. */
function blockStatement(text: string, from: number, to: number): Statement | null {
  const body = text.slice(from, to);
  const lead = body.length - body.trimStart().length;
  const sql = body.trim().replace(/;\s*$/, '');
  if (sql === '') return null;
  return { sql, ...position(text, from + lead) };
}

function parseDbmate(text: string, lines: Line[], relPath: string): Sections {
  const out: Record<Section, Statement[]> = { before: [], up: [], down: [] };
  let section: Section = 'before';
  let seenDown = false;
  let transaction = true;
  let chunkFrom = 0;
  let chunkLine = 1;
  for (const line of lines) {
    const m = DBMATE.exec(line.text);
    if (!m) continue;
    out[section].push(...splitAt(text, chunkFrom, line.offset, relPath, chunkLine));
    chunkFrom = nextLineOf(line);
    chunkLine = lineAfter(text, line);
    const which = m[1].toLowerCase() as 'up' | 'down';
    const where = `${relPath}:${line.number}`;
    if (which === 'up') {
      if (section !== 'before') throw new UserError('a second -- migrate:up', { where });
      section = 'up';
      transaction = !/\btransaction:\s*false\b/i.test(m[2]);
    } else {
      if (section === 'before')
        throw new UserError('-- migrate:down before -- migrate:up', { where, hint: 'put the up section first' });
      if (seenDown) throw new UserError('a second -- migrate:down', { where });
      section = 'down';
      seenDown = true;
    }
  }
  out[section].push(...splitAt(text, chunkFrom, text.length, relPath, chunkLine));
  if (out.before.length > 0) {
    throw new UserError('SQL before -- migrate:up', {
      where: `${relPath}:${out.before[0].line}`,
      hint: 'dbmate runs only what is inside the migrate:up and migrate:down sections',
    });
  }
  return { format: 'dbmate', up: out.up, down: seenDown ? out.down : null, transaction };
}
