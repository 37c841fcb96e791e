// The files the lint reads: every service's migrations, and the SQL and source files under each
// service's folder and each shared folder.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Migration, Project } from '../types.js';
import type { FileKind, FileTask } from './refs.js';
import { isMigrationFileName } from '../sources/names.js';
import { inDir } from '../fs.js';
import { globRoot, isGlob, sharedMatcher } from './attribution.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', 'build', 'vendor', 'coverage', '__pycache__', 'venv', 'target']);

export function fileKind(name: string): FileKind | null {
  if (name.endsWith('.sql')) return 'sql';
  if (name.endsWith('.go')) return 'go';
  if (name.endsWith('.py')) return 'py';
  if (name.endsWith('.prisma')) return 'prisma';
  if (name.endsWith('.d.ts') || name.endsWith('.min.js')) return null;
  if (/\.(?:[cm]?[jt]s|[jt]sx)$/.test(name)) return 'ts';
  return null;
}

export interface Collected {
  tasks: FileTask[];
  /** folders and links the walk could not read (a dangling link, no permission), with the reason */
  unreadable: Array<{ file: string; error: string }>;
  /** relPath → service, for migration files */
  migrationOwner: Map<string, string>;
}

export function migrationFiles(migrations: Migration[]): Array<{ path: string; service: string }> {
  const out: Array<{ path: string; service: string }> = [];
  for (const m of migrations) {
    out.push({ path: m.path, service: m.service });
    if (m.downPath) out.push({ path: m.downPath, service: m.service });
  }
  return out;
}

/** Every migration file, then (unless `migrationsOnly`) source files under service and shared folders. */
export function collectFiles(project: Project, opts: { migrationsOnly?: boolean } = {}): Collected {
  const seen = new Map<string, string>(); // abs → relPath
  const tasks: FileTask[] = [];
  const unreadable: Collected['unreadable'] = [];
  const cannotRead = (abs: string, e: unknown) =>
    unreadable.push({ file: toRel(project.root, abs), error: (e as Error).message });
  const migrationOwner = new Map<string, string>();
  const add = (abs: string, kind: FileKind): string => {
    const known = seen.get(abs);
    if (known !== undefined) return known;
    const relPath = toRel(project.root, abs);
    seen.set(abs, relPath);
    tasks.push({ path: abs, relPath, kind });
    return relPath;
  };
  for (const service of project.services) {
    for (const f of migrationFiles(service.migrations)) migrationOwner.set(add(f.path, 'sql'), f.service);
    // A project loaded without reading migrations (loadProject readMigrations:false) still
    // names each migrations folder: its `<number>_<name>.sql` files are the migrations.
    for (const abs of migrationFolderFiles(service.migrationsDir)) migrationOwner.set(add(abs, 'sql'), service.name);
  }
  if (opts.migrationsOnly) return { tasks, migrationOwner, unreadable };
  for (const s of project.services) walk(s.dir, (abs, kind) => add(abs, kind), cannotRead);
  // A `shared` folder is read whole; a glob, from its fixed folder, only the files it matches.
  for (const key of Object.keys(project.config.shared ?? {})) {
    const matches = isGlob(key) ? sharedMatcher(key) : null;
    const root = path.resolve(project.root, matches ? globRoot(key) : key);
    walk(
      root,
      (abs, kind) => {
        if (!matches || matches(toRel(project.root, abs))) add(abs, kind);
      },
      cannotRead,
    );
  }
  return { tasks, migrationOwner, unreadable };
}

/**
 * The migration files of a folder, without the format parser: `<number>_<name>.sql` files, and
 * the `.sql` files of versioned subfolders (Prisma `<timestamp>_<name>/migration.sql`, Hasura
 * `<version>_<name>/up.sql`, `v1.2/*.sql`), in name order.
 */
function migrationFolderFiles(dir: string | null): string[] {
  if (!dir) return [];
  const out: string[] = [];
  for (const e of readDir(dir)) {
    const abs = inDir(dir, e.name);
    if (e.isFile() && isMigrationFileName(e.name)) out.push(abs);
    else if (e.isDirectory() && /^[vV]?\d/.test(e.name))
      for (const f of readDir(abs)) if (f.isFile() && f.name.endsWith('.sql')) out.push(inDir(abs, f.name));
  }
  return out.sort();
}

function readDir(dir: string): import('node:fs').Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function walk(
  dir: string,
  visit: (abs: string, kind: FileKind) => void,
  cannotRead: (abs: string, e: unknown) => void,
): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    // A declared folder that does not exist holds no code; one that exists but cannot be read
    // might, so the lint must not pass over it in silence.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') cannotRead(dir, e);
    return;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const abs = inDir(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(abs, visit, cannotRead);
    } else if (e.isFile()) {
      const kind = fileKind(e.name);
      if (kind) visit(abs, kind);
    } else if (e.isSymbolicLink()) {
      // A linked source file is code like any other (linked folders are not followed: cycles).
      // A dangling link named like source is code the lint cannot see: report it.
      const kind = fileKind(e.name);
      if (!kind) continue;
      try {
        if (statSync(abs).isFile()) visit(abs, kind);
      } catch (err) {
        cannotRead(abs, err);
      }
    }
  }
}

export function toRel(root: string, abs: string): string {
  // Fast path for the usual case (a file under the root); path.relative handles the rest.
  if (abs.startsWith(root) && abs[root.length] === path.sep) {
    const rel = abs.slice(root.length + 1);
    return path.sep === '/' ? rel : rel.split(path.sep).join('/');
  }
  return path.relative(root, abs).split(path.sep).join('/');
}
