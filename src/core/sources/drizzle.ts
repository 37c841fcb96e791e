// Drizzle Kit: `NNNN_<name>.sql` files whose statements are separated by
// `--> statement-breakpoint` (a line comment, so the splitter passes over it), applied in the
// order of `meta/_journal.json`'s entries, not of the file names.
import { UserError } from '../errors.js';
import type { Migration } from '../types.js';
import type { LayoutContext } from './layout.js';
import { DRIZZLE_FILE } from './names.js';
import { isFile } from '../fs.js';
import { collect, readMigrationFile, readTextFile } from './read.js';
import { inDir } from '../fs.js';
import { splitAt } from './sections.js';

interface JournalEntry {
  idx?: number;
  tag: string;
  when?: number;
  breakpoints?: boolean;
}

export function readDrizzle(ctx: LayoutContext): Migration[] {
  const journalFile = inDir(inDir(ctx.dir, 'meta'), '_journal.json');
  const where = ctx.rel(journalFile);
  let entries: JournalEntry[];
  try {
    const doc = JSON.parse(readTextFile(journalFile, ctx.rel)) as { entries?: unknown };
    if (!Array.isArray(doc.entries) || !doc.entries.every((e) => e && typeof (e as JournalEntry).tag === 'string')) {
      throw new UserError('meta/_journal.json has no "entries" list of {"tag": ...}', { where });
    }
    entries = doc.entries as JournalEntry[];
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`invalid JSON: ${(err as Error).message}`, {
      where,
      hint: 'regenerate it with drizzle-kit generate',
    });
  }
  const { files, dirs } = ctx.list(ctx.dir);
  const listed = new Set(entries.map((e) => `${e.tag}.sql`));
  for (const f of files) if (!listed.has(f)) ctx.unfit(inDir(ctx.dir, f), 'a file listed in meta/_journal.json');
  for (const d of dirs) if (d !== 'meta') ctx.unfit(inDir(ctx.dir, d), "the meta/ folder and the journal's SQL files");
  const migrations: Migration[] = [];
  for (const entry of entries) {
    const file = inDir(ctx.dir, `${entry.tag}.sql`);
    if (!isFile(file)) {
      ctx.problems.push(
        new UserError(`meta/_journal.json lists ${entry.tag}, but ${entry.tag}.sql is missing`, {
          where,
          hint: 'restore the file or regenerate the journal with drizzle-kit',
        }),
      );
      continue;
    }
    const m = collect(ctx.problems, () => {
      const content = readMigrationFile(file, ctx.rel);
      const parts = DRIZZLE_FILE.exec(`${entry.tag}.sql`);
      return {
        service: ctx.service,
        version: parts?.[1] ?? String(entry.idx ?? migrations.length),
        name: parts?.[2] ?? entry.tag,
        id: entry.tag,
        path: file,
        relPath: content.relPath,
        // sha256 hex of the file, as Drizzle records it in __drizzle_migrations.hash
        checksum: content.checksum,
        format: 'drizzle' as const,
        up: splitAt(content.text, 0, content.text.length, content.relPath, 1),
        down: null,
        transaction: true,
      };
    });
    if (m) migrations.push(m);
  }
  return migrations;
}
