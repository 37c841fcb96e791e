// Reads one service's migrations folder into ordered Migration records.
//
// File names: `<digits>_<name>.sql` (plain, goose or dbmate, told apart by their annotations)
// and golang-migrate pairs `<digits>_<name>.up.sql` / `.down.sql`. A `.sql` file with any other
// name is an error (a typo such as `1-init.sql` must not be skipped silently); files that do not
// end in `.sql` (README.md, .keep) and sub-folders are ignored.
import * as crypto from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError, UserErrors } from '../errors.js';
import type { Migration } from '../types.js';
import { compareVersions, withoutLeadingZeros } from '../plan.js';
import { parseSections, splitAt } from './sections.js';

export { splitStatements } from './split.js';

const FILE_NAME = /^(\d+)_(.+?)(\.up|\.down)?\.sql$/i;

interface FileEntry {
  version: string;
  name: string;
  kind: 'single' | 'up' | 'down';
  file: string;
}

export async function parseMigrationFiles(service: string, dir: string, projectRoot: string): Promise<Migration[]> {
  // Every file gets a relative path for messages: slice it off when the folder is under the
  // root (path.relative per file showed in profiles of large projects).
  const rootPrefix = projectRoot.endsWith(path.sep) ? projectRoot : projectRoot + path.sep;
  const rel = (p: string) => {
    const relative = p.startsWith(rootPrefix) ? p.slice(rootPrefix.length) : path.relative(projectRoot, p);
    return path.sep === '/' ? relative : relative.split(path.sep).join('/');
  };
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => !e.isDirectory()).map((e) => e.name);
  } catch (err) {
    throw new UserError(`cannot read migrations folder: ${(err as Error).message}`, { where: rel(dir) });
  }
  const problems: UserError[] = [];
  const byVersion = new Map<string, FileEntry[]>();
  for (const file of names.sort()) {
    if (!file.toLowerCase().endsWith('.sql')) continue;
    const m = FILE_NAME.exec(file);
    if (!m) {
      problems.push(new UserError('migration file name is not <number>_<name>.sql', {
        where: rel(path.join(dir, file)),
        hint: 'rename it (e.g. 003_add_index.sql) or move it out of the migrations folder',
      }));
      continue;
    }
    const entry: FileEntry = { version: m[1], name: m[2], kind: m[3]?.toLowerCase() === '.up' ? 'up' : m[3]?.toLowerCase() === '.down' ? 'down' : 'single', file };
    // Versions compare as numbers: 001 and 1 are the same version.
    const key = withoutLeadingZeros(m[1]);
    const same = byVersion.get(key);
    if (same) same.push(entry);
    else byVersion.set(key, [entry]);
  }
  const migrations: Migration[] = [];
  for (const [, entries] of byVersion) {
    try {
      const migration = await readVersion(service, dir, entries, rel);
      if (migration) migrations.push(migration);
    } catch (err) {
      if (err instanceof UserErrors) problems.push(...err.errors);
      else if (err instanceof UserError) problems.push(err);
      else throw err;
    }
  }
  if (scratch.length > SCRATCH_SIZE) scratch = Buffer.allocUnsafe(SCRATCH_SIZE); // a big file's buffer need not stay
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new UserErrors(problems);
  return migrations.sort((a, b) => compareVersions(a.version, b.version));
}

/** dir (normalized: it comes from path.join/resolve) + a bare file name; path.join's own
 * normalizing showed in profiles, once per file. */
function inDir(dir: string, file: string): string {
  return dir.endsWith(path.sep) ? dir + file : dir + path.sep + file;
}

async function readVersion(service: string, dir: string, entries: FileEntry[], rel: (p: string) => string): Promise<Migration | null> {
  const singles = entries.filter((e) => e.kind === 'single');
  const ups = entries.filter((e) => e.kind === 'up');
  const downs = entries.filter((e) => e.kind === 'down');
  const pairsName = (list: FileEntry[]) => list.map((e) => e.file).join(' and ');
  if (singles.length + ups.length > 1 || downs.length > 1) {
    const clash = downs.length > 1 ? downs : [...singles, ...ups];
    throw new UserError(`two migrations with version ${entries[0].version} in service "${service}": ${pairsName(clash)}`, {
      where: rel(path.join(dir, clash[1].file)),
      hint: 'give one of them the next free number',
    });
  }
  if (downs.length === 1 && ups.length === 0) {
    throw new UserError(`down migration without an up migration${singles.length ? ` (${singles[0].file} is not a .up.sql file)` : ''}`, {
      where: rel(path.join(dir, downs[0].file)),
      hint: `add ${downs[0].file.replace(/\.down\.sql$/, '.up.sql')} or remove the down file`,
    });
  }
  const main = singles[0] ?? ups[0];
  const mainPath = inDir(dir, main.file);
  // Keep only the text and the checksum: the bytes are garbage once hashed.
  const mainBytes = readBytes(mainPath, rel);
  const mainRel = rel(mainPath);
  const mainText = decodeUtf8(mainBytes, mainRel);
  const mainChecksum = sha256(mainBytes);
  const base = {
    service,
    version: main.version,
    name: main.name,
    id: `${main.version}_${main.name}`,
    path: mainPath,
    relPath: mainRel,
  };
  if (singles.length === 1) {
    const sections = parseSections(mainText, base.relPath);
    return { ...base, checksum: mainChecksum, format: sections.format, up: sections.up, down: sections.down, transaction: sections.transaction };
  }
  // golang-migrate: both files are plain SQL; the pair is one migration.
  const up = splitAt(mainText, 0, mainText.length, base.relPath, 1);
  let down: Migration['down'] = null;
  let downPath: string | undefined;
  let checksum = mainChecksum;
  if (downs.length === 1) {
    const upBytes = Buffer.from(mainBytes); // readBytes reuses its buffer
    downPath = inDir(dir, downs[0].file);
    const downBytes = readBytes(downPath, rel);
    const downText = decodeUtf8(downBytes, rel(downPath));
    down = splitAt(downText, 0, downText.length, rel(downPath), 1);
    checksum = sha256(Buffer.concat([upBytes, downBytes]));
  }
  return { ...base, downPath, checksum, format: 'golang-migrate', up, down, transaction: true };
}

const SCRATCH_SIZE = 64 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

/**
 * The file's bytes, in a buffer shared by all reads (valid until the next call): sync reads
 * into one buffer, no fstat, no Buffer per file (~10x faster than fs/promises for many small
 * files, and no garbage to collect).
 */
function readBytes(file: string, rel: (p: string) => string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw unreadable(file, rel, err);
  }
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger, 0, 0, length);
        scratch = bigger;
      }
      const got = readSync(fd, scratch, length, scratch.length - length, null);
      if (got === 0) return scratch.subarray(0, length);
      length += got;
    }
  } catch (err) {
    throw unreadable(file, rel, err);
  } finally {
    closeSync(fd);
  }
}

function unreadable(file: string, rel: (p: string) => string, err: unknown): UserError {
  return new UserError(`cannot read migration file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
    where: rel(file),
    hint: 'check the file permissions',
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, relPath: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const text = bytes.toString('latin1');
    const bad = firstInvalidUtf8(bytes);
    const line = text.slice(0, bad).split('\n').length;
    throw new UserError('migration file is not valid UTF-8', {
      where: `${relPath}:${line}`,
      hint: 'save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)',
    });
  }
}

function firstInvalidUtf8(bytes: Buffer): number {
  // Quadratic, but migration files are small and this runs only on failure.
  for (let end = 1; end <= bytes.length; end++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
    } catch {
      return end - 1;
    }
  }
  return bytes.length;
}

/**
 * Node 20.12+ has the one-shot crypto.hash: no Hash stream object per file, which showed as
 * garbage-collector time when a project's thousand files are read on every run.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: Buffer, encoding: 'hex') => string }).hash;

function sha256(bytes: Buffer): string {
  return oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex');
}
