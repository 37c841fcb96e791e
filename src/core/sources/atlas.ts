// Atlas: `<version>[_<name>].sql` files in name order, guarded by `atlas.sum`, which is checked
// with Atlas's own algorithm before anything is read as a migration (a file changed or added
// without `atlas migrate hash` is refused, as Atlas refuses it); `-- atlas:txmode none` in a
// file's header runs it outside a transaction.
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { Migration } from '../types.js';
import type { LayoutContext } from './layout.js';
import { ATLAS_FILE } from './names.js';
import { collect, readMigrationFile, readTextFile } from './read.js';
import { inDir } from '../fs.js';
import { splitAt } from './sections.js';

export function readAtlas(ctx: LayoutContext): Migration[] {
  const { files, dirs } = ctx.list(ctx.dir);
  for (const d of dirs) ctx.unfit(inDir(ctx.dir, d), 'Atlas migration files');
  const sqlFiles: string[] = [];
  for (const f of files) {
    if (f === 'atlas.sum') continue;
    if (ATLAS_FILE.test(f)) sqlFiles.push(f);
    else ctx.unfit(inDir(ctx.dir, f), '<version>_<name>.sql');
  }
  const contents = sqlFiles.map((f) =>
    collect(ctx.problems, () => ({ file: f, ...readMigrationFile(inDir(ctx.dir, f), ctx.rel) })),
  );
  if (contents.some((c) => c === undefined)) return [];
  const read = contents as Array<NonNullable<(typeof contents)[number]>>;
  verifySum(
    ctx,
    read.map((c) => ({ name: c.file, bytes: c.bytes, text: c.text })),
  );
  return read.map((c) => {
    const m = ATLAS_FILE.exec(c.file)!;
    return {
      service: ctx.service,
      version: m[1],
      name: m[2] ?? '',
      id: c.file.replace(/\.sql$/, ''),
      path: inDir(ctx.dir, c.file),
      relPath: c.relPath,
      checksum: c.checksum,
      format: 'atlas' as const,
      up: splitAt(c.text, 0, c.text.length, c.relPath, 1),
      down: null,
      transaction: directive(c.text, 'txmode') !== 'none',
    };
  });
}

/** `-- atlas:<name> <value>` among the comment lines that open the file. */
function directive(text: string, name: string): string | null {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const m = /^--\s*atlas:(\w+)\s+(\S+)/.exec(trimmed);
    if (m && m[1] === name) return m[2];
  }
  return null;
}

/**
 * Atlas's HashFile: one sha256 runs over every file in name order (its name, then its bytes);
 * each file's line holds that running hash after the file, base64; the first line, `h1:`, is
 * the sha256 of every (name, line hash) pair. A file with `atlas:sum ignore` adds its name only.
 */
export function atlasSum(files: Array<{ name: string; bytes: Buffer; text: string }>): string {
  const running = createHash('sha256');
  const lines: Array<{ name: string; hash: string }> = [];
  for (const f of files) {
    running.update(f.name);
    if (directive(f.text, 'sum') === 'ignore') continue;
    running.update(f.bytes);
    lines.push({ name: f.name, hash: running.copy().digest('base64') });
  }
  const total = createHash('sha256');
  for (const l of lines) total.update(l.name).update(l.hash);
  return `h1:${total.digest('base64')}\n${lines.map((l) => `${l.name} h1:${l.hash}\n`).join('')}`;
}

function verifySum(ctx: LayoutContext, files: Array<{ name: string; bytes: Buffer; text: string }>): void {
  const sumFile = inDir(ctx.dir, 'atlas.sum');
  const where = ctx.rel(sumFile);
  let written: string;
  try {
    written = readTextFile(sumFile, ctx.rel);
  } catch {
    throw new UserError('Atlas migrations folder without atlas.sum', { where, hint: 'run atlas migrate hash' });
  }
  const expected = atlasSum(files);
  if (written.replace(/\r\n/g, '\n') === expected) return;
  const want = new Map(
    expected
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
  const have = new Map(
    written
      .replace(/\r\n/g, '\n')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
  const changed = [...want.keys()].filter((n) => have.get(n) !== want.get(n));
  const gone = [...have.keys()].filter((n) => !want.has(n));
  const what =
    changed.length || gone.length
      ? `${[...changed.map((n) => (have.has(n) ? `${n} changed` : `${n} is not in it`)), ...gone.map((n) => `${n} is gone`)].join(', ')}`
      : 'its total sum does not match its lines';
  throw new UserError(`atlas.sum does not match the migration files: ${what}`, {
    where,
    hint: 'if the change is intended, run atlas migrate hash; otherwise restore the files',
  });
}
