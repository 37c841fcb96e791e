// Reads one service's migrations folder into ordered Migration records. The layout is told
// apart per folder (or forced with `services.X.format`), and each layout keeps its own tool's
// names and order, so a repository adopts svcdb without renaming anything:
//   flat      001_init.sql (plain, goose, dbmate, sqlx, timestamps), 1_init.up.sql/.down.sql
//   flyway    V1__init.sql, V1.1__x.sql, U1__init.sql, R__views.sql
//   folder    20240101_init/up.sql (+ down.sql, metadata.yaml parents)
//   prisma    20240101120000_init/migration.sql (+ migration_lock.toml)
//   drizzle   0000_init.sql ordered by meta/_journal.json
//   atlas     20240101120000_init.sql guarded by atlas.sum
//   versioned-folders  v1.9/, v1.10/ (+ manifest.json)
// A file that fits no part of the folder's layout is an error naming it unless an `ignore` glob
// skips it, and a folder with files but no migrations never passes as "0 migrations".
import path from 'node:path';
import { UserError, UserErrors } from '../errors.js';
import type { FolderLayout, Migration } from '../types.js';
import { atlasSum, readAtlas } from './atlas.js';
import { readDrizzle } from './drizzle.js';
import { readFlat } from './flat.js';
import { readFlyway } from './flyway.js';
import { readFolderPerMigration, readPrisma, readVersionedFolders } from './folders.js';
import { globMatcher } from './glob.js';
import type { LayoutContext, LayoutReader } from './layout.js';
import { FLYWAY_REPEATABLE, FLYWAY_VERSIONED, isNote, MIGRATION_FOLDER, VERSION_FOLDER } from './names.js';
import { isFile } from '../fs.js';
import { listFolder, relativeTo, releaseScratch, type FolderEntries } from './read.js';
import { inDir } from '../fs.js';
import { loadYaml } from '../yaml.js';

export { splitStatements } from './split.js';
export { atlasSum };

export interface ParseOptions {
  /** force a layout instead of telling it from the folder */
  format?: FolderLayout;
  /** globs of files to skip (top-level `ignore` plus the service's) */
  ignore?: string[];
}

const READERS: Record<FolderLayout, LayoutReader> = {
  flat: readFlat,
  flyway: readFlyway,
  folder: readFolderPerMigration,
  prisma: readPrisma,
  drizzle: readDrizzle,
  atlas: readAtlas,
  'versioned-folders': readVersionedFolders,
};

export async function parseMigrationFiles(
  service: string,
  dir: string,
  projectRoot: string,
  opts: ParseOptions = {},
): Promise<Migration[]> {
  const rel = relativeTo(projectRoot);
  const ignored = globMatcher(opts.ignore ?? []);
  // Without ignore globs nothing is skipped: no relative paths to work out per file (they
  // showed in profiles of a 1,000-file project).
  const skip = opts.ignore?.length
    ? (abs: string) => ignored([rel(abs), path.relative(dir, abs).split(path.sep).join('/')])
    : () => false;
  const problems: UserError[] = [];
  const ctx: LayoutContext = {
    service,
    dir,
    rel,
    problems,
    list: (folder) => {
      const entries = listFolder(folder, rel);
      return {
        files: entries.files.filter((f) => !isNote(f) && !skip(inDir(folder, f))),
        dirs: entries.dirs.filter((d) => !d.startsWith('.') && !skip(inDir(folder, d))),
      };
    },
    unfit: (abs, expected) => {
      problems.push(
        new UserError(`file fits no migration layout of this folder (expected ${expected})`, {
          where: rel(abs),
          hint: 'rename it, move it out of the migrations folder, or skip it with an `ignore` glob in the config',
        }),
      );
    },
  };
  const layout = opts.format ?? detectLayout(ctx.list(dir), dir);
  if (layout === 'folder') await loadYaml(); // its metadata.yaml files (the readers are synchronous)
  let migrations: Migration[] = [];
  try {
    migrations = READERS[layout](ctx);
  } catch (err) {
    if (err instanceof UserErrors) problems.push(...err.errors);
    else if (err instanceof UserError) problems.push(err);
    else throw err;
  } finally {
    releaseScratch();
  }
  if (problems.length === 0 && migrations.length === 0) {
    const entries = ctx.list(dir);
    if (entries.files.length || entries.dirs.length) {
      problems.push(
        new UserError(`no migrations found in a folder that is not empty (read as the ${layout} layout)`, {
          where: rel(dir),
          hint: 'name the layout with services.<name>.format, or skip the files with `ignore`',
        }),
      );
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new UserErrors(problems);
  return migrations;
}

/** The layout a folder's own marker files and names say it has. */
export function detectLayout(entries: FolderEntries, dir: string): FolderLayout {
  if (entries.files.includes('atlas.sum')) return 'atlas';
  if (entries.dirs.includes('meta') && isFile(path.join(dir, 'meta', '_journal.json'))) return 'drizzle';
  if (entries.files.includes('migration_lock.toml')) return 'prisma';
  if (entries.files.some((f) => FLYWAY_VERSIONED.test(f) || FLYWAY_REPEATABLE.test(f))) return 'flyway';
  const migrationDirs = entries.dirs.filter((d) => MIGRATION_FOLDER.test(d));
  if (migrationDirs.length && !entries.files.some((f) => /\.sql$/i.test(f))) {
    if (migrationDirs.some((d) => isFile(path.join(dir, d, 'migration.sql')))) return 'prisma';
    return 'folder';
  }
  if (entries.dirs.some((d) => VERSION_FOLDER.test(d)) && !entries.files.some((f) => /\.sql$/i.test(f)))
    return 'versioned-folders';
  return 'flat';
}
