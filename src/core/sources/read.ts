// Reading a migrations folder from disk, shared by every layout: the folder's entries (with
// anything that is neither a file nor a folder refused before it is opened: a FIFO would block
// the read forever), and each file's bytes, text and checksum, checked for what would only fail
// later in the database (invalid UTF-8, a NUL byte).
import * as crypto from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError, UserErrors } from '../errors.js';

export type Rel = (absolute: string) => string;

/** `rel` for a project root: paths relative to it, with `/` separators, for messages. */
export function relativeTo(projectRoot: string): Rel {
  // Slice the root off when the path is under it (path.relative per file showed in profiles).
  const rootPrefix = projectRoot.endsWith(path.sep) ? projectRoot : projectRoot + path.sep;
  return (p) => {
    const relative = p.startsWith(rootPrefix) ? p.slice(rootPrefix.length) : path.relative(projectRoot, p);
    return path.sep === '/' ? relative : relative.split(path.sep).join('/');
  };
}

export interface FolderEntries {
  files: string[];
  dirs: string[];
}

/**
 * The regular files and folders of `dir`, sorted; symbolic links count as what they point at.
 * A FIFO, socket or device is a UserError naming it: opening one would hang or read forever.
 */
export function listFolder(dir: string, rel: Rel): FolderEntries {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new UserError(`cannot read migrations folder: ${(err as Error).message}`, { where: rel(dir) });
  }
  const out: FolderEntries = { files: [], dirs: [] };
  for (const e of entries) {
    let kind: 'file' | 'dir' | 'other' = e.isFile() ? 'file' : e.isDirectory() ? 'dir' : 'other';
    if (e.isSymbolicLink()) {
      try {
        const st = statSync(path.join(dir, e.name)); // stat never opens: safe on a FIFO
        kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch {
        throw new UserError('broken symbolic link in a migrations folder', {
          where: rel(path.join(dir, e.name)),
          hint: 'fix or remove the link',
        });
      }
    }
    if (kind === 'other') {
      throw new UserError('not a regular file (a FIFO, socket or device) in a migrations folder', {
        where: rel(path.join(dir, e.name)),
        hint: 'move it out of the migrations folder, or skip it with an `ignore` glob',
      });
    }
    (kind === 'file' ? out.files : out.dirs).push(e.name);
  }
  out.files.sort();
  out.dirs.sort();
  return out;
}

export interface FileContent {
  /** a copy: safe to keep */
  bytes: Buffer;
  text: string;
  /** sha256 hex of the bytes */
  checksum: string;
  relPath: string;
}

/** A migration file's bytes, text and checksum; a UserError (file:line) if it cannot run. */
export function readMigrationFile(file: string, rel: Rel): FileContent {
  const relPath = rel(file);
  const shared = readBytes(file, rel);
  const bytes = Buffer.from(shared); // readBytes reuses its buffer
  const text = decodeUtf8(bytes, relPath);
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    // PostgreSQL refuses a NUL in query text, but only when the file's turn comes: after the
    // migrations before it were applied. Say so now, before anything runs.
    throw new UserError('migration file contains a NUL byte', {
      where: `${relPath}:${text.slice(0, nul).split('\n').length}`,
      hint: 'remove it (the file may have been saved as UTF-16 or be binary)',
    });
  }
  return { bytes, text, checksum: sha256(bytes), relPath };
}

/** A small accessory file (journal, manifest, metadata, sum) as text. */
export function readTextFile(file: string, rel: Rel): string {
  return decodeUtf8(Buffer.from(readBytes(file, rel)), rel(file));
}

const SCRATCH_SIZE = 64 * 1024;
let scratch = Buffer.allocUnsafe(SCRATCH_SIZE);

/** Lets a big file's buffer go once a folder is read. */
export function releaseScratch(): void {
  if (scratch.length > SCRATCH_SIZE) scratch = Buffer.allocUnsafe(SCRATCH_SIZE);
}

/**
 * The file's bytes, in a buffer shared by all reads (valid until the next call): sync reads
 * into one buffer, no fstat, no Buffer per file (~10x faster than fs/promises for many small
 * files). O_NONBLOCK: a FIFO that slipped past the listing (a race) fails instead of hanging.
 */
function readBytes(file: string, rel: Rel): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
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

function unreadable(file: string, rel: Rel, err: unknown): UserError {
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

export function sha256(bytes: Buffer): string {
  return oneShot ? oneShot('sha256', bytes, 'hex') : crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Collects UserErrors from independent steps so one run reports every problem. */
export function collect<T>(problems: UserError[], step: () => T): T | undefined {
  try {
    return step();
  } catch (err) {
    if (err instanceof UserErrors) problems.push(...err.errors);
    else if (err instanceof UserError) problems.push(err);
    else throw err;
    return undefined;
  }
}
