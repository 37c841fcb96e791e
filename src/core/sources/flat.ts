// Flat files: `<number>_<name>.sql` (plain, goose or dbmate, told apart by their annotations;
// sqlx and timestamp names alike) and golang-migrate pairs `<number>_<name>.up.sql` /
// `.down.sql`. Sub-folders of a flat folder are not read (archives, other tools' files).
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Migration } from '../types.js';
import type { LayoutContext } from './layout.js';
import { compareVersions, FLAT_FILE, withoutLeadingZeros } from './names.js';
import { collect, readMigrationFile, sha256 } from './read.js';
import { inDir } from '../fs.js';
import { parseSections, splitAt } from './sections.js';

interface FileEntry {
  version: string;
  name: string;
  kind: 'single' | 'up' | 'down';
  file: string;
}

export function readFlat(ctx: LayoutContext): Migration[] {
  const { files } = ctx.list(ctx.dir);
  const byVersion = new Map<string, FileEntry[]>();
  for (const file of files) {
    const m = FLAT_FILE.exec(file);
    if (!m) {
      ctx.unfit(
        path.join(ctx.dir, file),
        file.toLowerCase().endsWith('.sql') ? '<number>_<name>.sql' : 'a <number>_<name>.sql migration',
      );
      continue;
    }
    const suffix = m[3]?.toLowerCase();
    const entry: FileEntry = {
      version: m[1],
      name: m[2],
      kind: suffix === '.up' ? 'up' : suffix === '.down' ? 'down' : 'single',
      file,
    };
    // Versions compare as numbers: 001 and 1 are the same version.
    const key = withoutLeadingZeros(m[1]);
    const same = byVersion.get(key);
    if (same) same.push(entry);
    else byVersion.set(key, [entry]);
  }
  const migrations: Migration[] = [];
  for (const entries of byVersion.values()) {
    const migration = collect(ctx.problems, () => readVersion(ctx, entries));
    if (migration) migrations.push(migration);
  }
  return migrations.sort((a, b) => compareVersions(a.version, b.version));
}

function readVersion(ctx: LayoutContext, entries: FileEntry[]): Migration {
  const { dir, rel, service } = ctx;
  const singles = entries.filter((e) => e.kind === 'single');
  const ups = entries.filter((e) => e.kind === 'up');
  const downs = entries.filter((e) => e.kind === 'down');
  const pairsName = (list: FileEntry[]) => list.map((e) => e.file).join(' and ');
  if (singles.length + ups.length > 1 || downs.length > 1) {
    const clash = downs.length > 1 ? downs : [...singles, ...ups];
    throw new UserError(
      `two migrations with version ${entries[0].version} in service "${service}": ${pairsName(clash)}`,
      {
        where: rel(path.join(dir, clash[1].file)),
        hint: 'give one of them the next free number',
      },
    );
  }
  if (downs.length === 1 && ups.length === 0) {
    throw new UserError(
      `down migration without an up migration${singles.length ? ` (${singles[0].file} is not a .up.sql file)` : ''}`,
      {
        where: rel(path.join(dir, downs[0].file)),
        hint: `add ${downs[0].file.replace(/\.down\.sql$/, '.up.sql')} or remove the down file`,
      },
    );
  }
  const main = singles[0] ?? ups[0];
  const mainPath = inDir(dir, main.file);
  const content = readMigrationFile(mainPath, rel);
  const base = {
    service,
    version: main.version,
    name: main.name,
    id: `${main.version}_${main.name}`,
    path: mainPath,
    relPath: content.relPath,
  };
  if (singles.length === 1) {
    const sections = parseSections(content.text, base.relPath);
    return {
      ...base,
      checksum: content.checksum,
      format: sections.format,
      up: sections.up,
      down: sections.down,
      transaction: sections.transaction,
    };
  }
  // golang-migrate: both files are plain SQL; the pair is one migration.
  const up = splitAt(content.text, 0, content.text.length, base.relPath, 1);
  let down: Migration['down'] = null;
  let downPath: string | undefined;
  let checksum = content.checksum;
  if (downs.length === 1) {
    downPath = inDir(dir, downs[0].file);
    const downContent = readMigrationFile(downPath, rel);
    down = splitAt(downContent.text, 0, downContent.text.length, downContent.relPath, 1);
    checksum = sha256(Buffer.concat([content.bytes, downContent.bytes]));
  }
  return { ...base, downPath, checksum, format: 'golang-migrate', up, down, transaction: true };
}
