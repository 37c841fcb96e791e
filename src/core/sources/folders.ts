// Layouts with one sub-folder per migration or per release:
// - folder per migration: `<id>_<name>/up.sql` (+ `down.sql`), ordered by `metadata.yaml`
//   `parents` when present (else by id); Diesel's `metadata.toml` `run_in_transaction = false`;
// - Prisma: `<timestamp>_<name>/migration.sql`, ordered by folder name as a string, as Prisma does;
// - versioned sub-folders: `v1.9/`, `v1.10/` (compared as versions: v1.9 before v1.10), each
//   holding SQL files, in the order of its `manifest.json` file list when there is one.
import path from 'node:path';
import { UserError } from '../errors.js';
import { yaml } from '../yaml.js';
import type { Migration } from '../types.js';
import type { LayoutContext } from './layout.js';
import { compareVersions, MIGRATION_FOLDER, VERSION_FOLDER } from './names.js';
import { isFile } from '../fs.js';
import { collect, readMigrationFile, readTextFile } from './read.js';
import { inDir } from '../fs.js';
import { parseSections, splitAt } from './sections.js';

/** Folders of `ctx.dir` matching `pattern`; top-level files other than `allowed` are unfit. */
function subfolders(ctx: LayoutContext, pattern: RegExp, expected: string, allowed: string[] = []): string[] {
  const { files, dirs } = ctx.list(ctx.dir);
  for (const f of files) if (!allowed.includes(f)) ctx.unfit(inDir(ctx.dir, f), expected);
  return dirs.filter((d) => {
    if (pattern.test(d)) return true;
    ctx.unfit(inDir(ctx.dir, d), expected);
    return false;
  });
}

/** Files of a migration folder other than `known` are unfit. */
function checkFiles(ctx: LayoutContext, folder: string, known: string[]): void {
  const { files, dirs } = ctx.list(folder);
  for (const f of files) if (!known.includes(f)) ctx.unfit(inDir(folder, f), known.join(', '));
  for (const d of dirs) ctx.unfit(inDir(folder, d), known.join(', '));
}

const versionOf = (folder: string) => MIGRATION_FOLDER.exec(folder)![1].replace(/-/g, '');

export function readPrisma(ctx: LayoutContext): Migration[] {
  const folders = subfolders(ctx, MIGRATION_FOLDER, '<timestamp>_<name>/migration.sql', ['migration_lock.toml']);
  const migrations: Migration[] = [];
  // Prisma applies folders in the order of their names, compared as strings.
  for (const folder of folders.sort()) {
    const abs = inDir(ctx.dir, folder);
    checkFiles(ctx, abs, ['migration.sql']);
    const file = inDir(abs, 'migration.sql');
    if (!isFile(file)) {
      ctx.problems.push(
        new UserError('Prisma migration folder without migration.sql', {
          where: ctx.rel(abs),
          hint: 'add migration.sql or remove the folder',
        }),
      );
      continue;
    }
    const m = collect(ctx.problems, () => {
      const content = readMigrationFile(file, ctx.rel);
      const up = splitAt(content.text, 0, content.text.length, content.relPath, 1);
      return {
        service: ctx.service,
        version: versionOf(folder),
        name: MIGRATION_FOLDER.exec(folder)![2],
        id: folder,
        path: file,
        relPath: content.relPath,
        checksum: content.checksum,
        format: 'prisma' as const,
        up,
        down: null,
        transaction: true,
      };
    });
    if (m) migrations.push(m);
  }
  return migrations;
}

export function readFolderPerMigration(ctx: LayoutContext): Migration[] {
  const folders = subfolders(ctx, MIGRATION_FOLDER, '<id>_<name>/up.sql');
  const migrations: Migration[] = [];
  const parents = new Map<string, string[]>();
  for (const folder of folders) {
    const abs = inDir(ctx.dir, folder);
    checkFiles(ctx, abs, ['up.sql', 'down.sql', 'metadata.yaml', 'metadata.yml', 'metadata.toml']);
    const upFile = inDir(abs, 'up.sql');
    if (!isFile(upFile)) {
      ctx.problems.push(
        new UserError('migration folder without up.sql', {
          where: ctx.rel(abs),
          hint: 'add up.sql or remove the folder',
        }),
      );
      continue;
    }
    const m = collect(ctx.problems, () => {
      const content = readMigrationFile(upFile, ctx.rel);
      const sections = parseSections(content.text, content.relPath);
      const downFile = inDir(abs, 'down.sql');
      let down = sections.down;
      if (isFile(downFile)) {
        const d = readMigrationFile(downFile, ctx.rel);
        down = splitAt(d.text, 0, d.text.length, d.relPath, 1);
      }
      const meta = readMetadata(ctx, abs);
      if (meta.parents) parents.set(folder, meta.parents);
      return {
        service: ctx.service,
        version: versionOf(folder),
        name: MIGRATION_FOLDER.exec(folder)![2],
        id: folder,
        path: upFile,
        relPath: content.relPath,
        ...(isFile(downFile) ? { downPath: downFile } : {}),
        checksum: content.checksum,
        format: 'folder' as const,
        up: sections.up,
        down,
        transaction: sections.transaction && meta.transaction,
      };
    });
    if (m) migrations.push(m);
  }
  migrations.sort((a, b) => compareVersions(a.version, b.version) || (a.id < b.id ? -1 : 1));
  return parents.size ? orderByParents(ctx, migrations, parents) : migrations;
}

function readMetadata(ctx: LayoutContext, folder: string): { parents?: string[]; transaction: boolean } {
  const out: { parents?: string[]; transaction: boolean } = { transaction: true };
  const toml = inDir(folder, 'metadata.toml');
  if (isFile(toml) && /^\s*run_in_transaction\s*=\s*false\b/m.test(readTextFile(toml, ctx.rel)))
    out.transaction = false;
  for (const name of ['metadata.yaml', 'metadata.yml']) {
    const file = inDir(folder, name);
    if (!isFile(file)) continue;
    let doc: unknown;
    try {
      doc = yaml().load(readTextFile(file, ctx.rel));
    } catch (err) {
      throw new UserError(`invalid YAML: ${(err as Error).message.split('\n')[0]}`, { where: ctx.rel(file) });
    }
    const raw = (doc ?? {}) as Record<string, unknown>;
    const list = raw.parents ?? raw.parent;
    if (list === undefined || list === null) continue;
    const parentsList = Array.isArray(list) ? list : [list];
    if (!parentsList.every((p) => typeof p === 'string' || typeof p === 'number')) {
      throw new UserError('parents must be a list of migration folder names', { where: `${ctx.rel(file)}: parents` });
    }
    out.parents = parentsList.map(String);
    if (raw.transaction === false || raw.run_in_transaction === false) out.transaction = false;
  }
  return out;
}

/** Topological order over `parents` (a migration after all its parents), ties by id order. */
function orderByParents(ctx: LayoutContext, migrations: Migration[], parents: Map<string, string[]>): Migration[] {
  const byId = new Map(migrations.map((m) => [m.id, m]));
  for (const [id, list] of parents) {
    for (const p of list) {
      if (!byId.has(p)) {
        ctx.problems.push(
          new UserError(`parent "${p}" is no migration folder of service "${ctx.service}"`, {
            where: `${ctx.rel(inDir(inDir(ctx.dir, id), 'metadata.yaml'))}: parents`,
            hint: `name one of: ${[...byId.keys()].join(', ')}`,
          }),
        );
        return migrations;
      }
    }
  }
  const done = new Set<string>();
  const ordered: Migration[] = [];
  const visiting = new Set<string>();
  const visit = (m: Migration, chain: string[]): boolean => {
    if (done.has(m.id)) return true;
    if (visiting.has(m.id)) {
      ctx.problems.push(
        new UserError(`migration parents form a cycle: ${[...chain, m.id].join(' → ')}`, {
          where: ctx.rel(inDir(ctx.dir, m.id)),
          hint: 'a migration cannot come before its own parent',
        }),
      );
      return false;
    }
    visiting.add(m.id);
    for (const p of parents.get(m.id) ?? []) if (!visit(byId.get(p)!, [...chain, m.id])) return false;
    visiting.delete(m.id);
    done.add(m.id);
    ordered.push(m);
    return true;
  };
  for (const m of migrations) if (!visit(m, [])) return migrations;
  return ordered;
}

export function readVersionedFolders(ctx: LayoutContext): Migration[] {
  const folders = subfolders(ctx, VERSION_FOLDER, 'v<version>/ folders of SQL files').sort((a, b) =>
    compareVersions(VERSION_FOLDER.exec(a)![1], VERSION_FOLDER.exec(b)![1]),
  );
  const migrations: Migration[] = [];
  const seen = new Map<string, string>();
  for (const folder of folders) {
    const folderVersion = VERSION_FOLDER.exec(folder)![1];
    const abs = inDir(ctx.dir, folder);
    const previous = seen.get(folderVersion);
    if (previous) {
      ctx.problems.push(
        new UserError(`two folders for version ${folderVersion}: ${previous} and ${folder}`, { where: ctx.rel(abs) }),
      );
      continue;
    }
    seen.set(folderVersion, folder);
    const files = collect(ctx.problems, () => filesOf(ctx, abs)) ?? [];
    files.forEach((file, i) => {
      const m = collect(ctx.problems, () => {
        const full = inDir(abs, file);
        const content = readMigrationFile(full, ctx.rel);
        const sections = parseSections(content.text, content.relPath);
        const stem = file.replace(/\.sql$/i, '');
        return {
          service: ctx.service,
          version: `${folderVersion}.${i + 1}`,
          name: stem,
          id: `${folder}/${stem}`,
          path: full,
          relPath: content.relPath,
          checksum: content.checksum,
          format: sections.format,
          up: sections.up,
          down: sections.down,
          transaction: sections.transaction,
        };
      });
      if (m) migrations.push(m);
    });
  }
  return migrations;
}

/** A release folder's SQL files: the manifest's list, in its order, or every `.sql` by name. */
function filesOf(ctx: LayoutContext, folder: string): string[] {
  const { files, dirs } = ctx.list(folder);
  for (const d of dirs) ctx.unfit(inDir(folder, d), 'SQL files');
  const manifest = inDir(folder, 'manifest.json');
  if (!files.includes('manifest.json')) {
    for (const f of files) if (!/\.sql$/i.test(f)) ctx.unfit(inDir(folder, f), 'SQL files or manifest.json');
    return files.filter((f) => /\.sql$/i.test(f));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readTextFile(manifest, ctx.rel));
  } catch (err) {
    throw new UserError(`invalid JSON: ${(err as Error).message}`, { where: ctx.rel(manifest) });
  }
  const list = Array.isArray(doc)
    ? doc
    : ((doc as { files?: unknown; migrations?: unknown } | null)?.files ??
      (doc as { migrations?: unknown } | null)?.migrations);
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string')) {
    throw new UserError('manifest.json must list the folder\'s SQL files: {"files": ["001_a.sql", ...]}', {
      where: ctx.rel(manifest),
    });
  }
  const listed = list as string[];
  for (const f of listed) {
    if (!files.includes(f))
      throw new UserError(`manifest.json lists ${f}, which is not in the folder`, {
        where: ctx.rel(manifest),
        hint: `add ${path.posix.join(folder, f)} or remove it from the list`,
      });
  }
  for (const f of files)
    if (f !== 'manifest.json' && !listed.includes(f)) ctx.unfit(inDir(folder, f), 'a file listed in manifest.json');
  return listed;
}
