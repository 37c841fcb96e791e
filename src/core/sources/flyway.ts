// Flyway: `V<version>__<description>.sql` (versions 1, 1.1, 2_1 compared part by part, as
// Flyway compares them), `U<version>__<description>.sql` as the down of that version, and
// `R__<description>.sql` repeatables, applied after every versioned migration and again each
// time their checksum changes (the plan treats a changed repeatable as pending, not as drift).
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Migration } from '../types.js';
import { duplicateVersion, type LayoutContext } from './layout.js';
import { canonicalVersion, compareVersions, flywayVersion, FLYWAY_REPEATABLE, FLYWAY_VERSIONED } from './names.js';
import { collect, readMigrationFile } from './read.js';
import { inDir } from '../fs.js';
import { splitAt } from './sections.js';

export function readFlyway(ctx: LayoutContext): Migration[] {
  const versioned = new Map<string, { file: string; version: string; description: string }>();
  const undo = new Map<string, string>();
  const repeatables: string[] = [];
  // Flyway scans sub-folders of a location too (db/migration/v1/...).
  const files = walk(ctx, ctx.dir);
  for (const file of files) {
    const base = path.basename(file);
    const r = FLYWAY_REPEATABLE.exec(base);
    if (r) {
      repeatables.push(file);
      continue;
    }
    const m = FLYWAY_VERSIONED.exec(base);
    if (!m) {
      ctx.unfit(file, 'V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql');
      continue;
    }
    const version = canonicalVersion(flywayVersion(m[2]));
    if (m[1] === 'U') {
      if (undo.has(version)) ctx.problems.push(duplicateVersion(ctx, `U${version}`, undo.get(version)!, file));
      else undo.set(version, file);
      continue;
    }
    const seen = versioned.get(version);
    if (seen) ctx.problems.push(duplicateVersion(ctx, version, seen.file, file));
    else versioned.set(version, { file, version: flywayVersion(m[2]), description: m[3] });
  }
  for (const [version, file] of undo) {
    if (!versioned.has(version)) {
      ctx.problems.push(
        new UserError(`undo migration for version ${version}, which has no V${version}__ file`, {
          where: ctx.rel(file),
          hint: 'add the versioned migration or remove the undo file',
        }),
      );
    }
  }
  const migrations: Migration[] = [];
  const ordered = [...versioned.entries()].sort(([a], [b]) => compareVersions(a, b));
  for (const [canonical, v] of ordered) {
    const m = collect(ctx.problems, () =>
      read(ctx, v.file, v.version, `V${v.version}__${v.description}`, v.description, undo.get(canonical)),
    );
    if (m) migrations.push(m);
  }
  // Repeatables run in the order of their descriptions, as Flyway runs them.
  const byDescription = repeatables.sort((a, b) => (path.basename(a) < path.basename(b) ? -1 : 1));
  for (const file of byDescription) {
    const description = FLYWAY_REPEATABLE.exec(path.basename(file))![1];
    const m = collect(ctx.problems, () => read(ctx, file, '', `R__${description}`, description, undefined));
    if (m) migrations.push({ ...m, repeatable: true });
  }
  return migrations;
}

function walk(ctx: LayoutContext, dir: string): string[] {
  const { files, dirs } = ctx.list(dir);
  return [...files.map((f) => inDir(dir, f)), ...dirs.flatMap((d) => walk(ctx, inDir(dir, d)))];
}

function read(
  ctx: LayoutContext,
  file: string,
  version: string,
  id: string,
  name: string,
  undoFile: string | undefined,
): Migration {
  const content = readMigrationFile(file, ctx.rel);
  const up = splitAt(content.text, 0, content.text.length, content.relPath, 1);
  let down: Migration['down'] = null;
  if (undoFile) {
    const undo = readMigrationFile(undoFile, ctx.rel);
    down = splitAt(undo.text, 0, undo.text.length, undo.relPath, 1);
  }
  return {
    service: ctx.service,
    version,
    name,
    id,
    path: file,
    relPath: content.relPath,
    ...(undoFile ? { downPath: undoFile } : {}),
    // the V file's bytes only, as Flyway's own checksum: adding an undo file later is no drift
    checksum: content.checksum,
    format: 'flyway',
    up,
    down,
    transaction: true,
  };
}
