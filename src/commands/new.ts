// `svcdb new <service> <name>` and `svcdb new --service <name>`: files from templates/,
// numbered in the folder's existing style (zero-padded width, or a UTC timestamp).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';
import type { Migration, MigrationFormat, Service } from '../core/types.js';
import { compareVersions } from '../core/sources/names.js';
import { loadContext, pickServices, type CommandOptions } from './context.js';

const templatesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

export interface NewMigrationOptions extends CommandOptions {
  service: string;
  name: string;
  /** for tests: the clock used for timestamp-numbered folders */
  now?: Date;
}

export interface NewResult {
  service: string;
  /** created files, relative to the project root */
  files: string[];
}

export async function newMigration(opts: NewMigrationOptions): Promise<NewResult> {
  const slug = slugOf(opts.name);
  const ctx = await loadContext({ ...opts, needsTargets: false });
  const [service] = pickServices(ctx, [opts.service], false);
  const dir = service.migrationsDir ?? path.join(service.dir, 'migrations');
  const format = formatOf(service.migrations);
  const generator = TOOL_MANAGED[format];
  if (generator) {
    throw new UserError(
      `svcdb new writes numbered .sql files; ${service.name}'s migrations are laid out for ${generator.tool}`,
      { where: path.relative(ctx.project.root, dir) || '.', hint: `create the migration with ${generator.command}` },
    );
  }
  const vars = { service: service.name, title: opts.name.trim() };
  const version = format === 'flyway' ? '' : nextVersion(service.migrations, opts.now ?? new Date());
  const files: Array<[string, string]> =
    format === 'flyway'
      ? [[flywayFileName(service.migrations, slug), 'migration.plain.sql']]
      : format === 'golang-migrate'
        ? [
            [`${version}_${slug}.up.sql`, 'migration.up.sql'],
            [`${version}_${slug}.down.sql`, 'migration.down.sql'],
          ]
        : [[`${version}_${slug}.sql`, `migration.${format}.sql`]];
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, template] of files) {
    written.push(await writeFromTemplate(path.join(dir, file), template, vars, ctx.project.root));
  }
  return { service: service.name, files: written };
}

export interface NewServiceOptions extends CommandOptions {
  name: string;
}

/** Creates `<discover glob with * = name>/001_init.sql`. */
export async function newService(opts: NewServiceOptions): Promise<NewResult> {
  const name = opts.name.trim();
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) {
    throw new UserError(`service name "${name}" must start with a letter and hold only a-z, 0-9, _ and -`);
  }
  // the first service of a project is made here: an empty project is no error
  const ctx = await loadContext({ ...opts, needsTargets: false, allowNoServices: true });
  if (ctx.project.services.some((s) => s.name === name)) {
    throw new UserError(`service ${name} already exists`, { hint: `add a migration with: svcdb new ${name} <name>` });
  }
  const glob = ctx.project.config.discover[0] ?? 'internal/*/migrations';
  if ((glob.match(/\*/g) ?? []).length !== 1 || /[?[\]{}]|\*\*/.test(glob)) {
    throw new UserError(`cannot tell where a new service goes from the discover glob "${glob}"`, {
      where: 'discover',
      hint: 'create the folder by hand, or put a simple glob such as internal/*/migrations first',
    });
  }
  const dir = path.join(ctx.project.root, glob.replace('*', name));
  if (existsSync(dir)) throw new UserError(`${path.relative(ctx.project.root, dir)} already exists`);
  await mkdir(dir, { recursive: true });
  const file = await writeFromTemplate(
    path.join(dir, '001_init.sql'),
    'service-init.sql',
    { service: name, title: 'init' },
    ctx.project.root,
  );
  return { service: name, files: [file] };
}

function slugOf(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug)
    throw new UserError(`migration name "${name}" has no letters or digits`, {
      hint: 'e.g. svcdb new ingestion add_outbox_index',
    });
  return slug;
}

/** Timestamps stay timestamps (UTC, YYYYMMDDHHMMSS); numbers keep the widest existing width. */
export function nextVersion(existing: Pick<Migration, 'version'>[], now: Date): string {
  if (!existing.length) return '001';
  // biome-ignore lint/complexity/useMathMinMax: BigInt, which Math.max does not take
  const last = existing.map((m) => BigInt(m.version)).reduce((a, b) => (a > b ? a : b));
  const width = Math.max(...existing.map((m) => m.version.length));
  if (width >= 12) {
    const stamp = BigInt(now.toISOString().replace(/\D/g, '').slice(0, 14));
    return (stamp > last ? stamp : last + 1n).toString();
  }
  return (last + 1n).toString().padStart(width, '0');
}

/** Layouts whose files another tool writes (with a journal, checksum file or folder of its own). */
const TOOL_MANAGED: Partial<Record<MigrationFormat, { tool: string; command: string }>> = {
  prisma: { tool: 'Prisma', command: '`npx prisma migrate dev --name <name>`' },
  drizzle: { tool: 'Drizzle', command: '`npx drizzle-kit generate`' },
  atlas: { tool: 'Atlas', command: '`atlas migrate new <name>` (it also updates atlas.sum)' },
  folder: { tool: 'a folder per migration', command: 'the tool that writes its metadata.yaml' },
  'versioned-folders': { tool: 'versioned folders', command: 'the tool that writes those folders' },
};

/**
 * The next Flyway versioned file: the highest version (Flyway's order, repeatables aside) with its
 * last part one higher (`V1.9` → `V1.10`, `V2_1` → `V2_2`, `V7` → `V8`), spelt with the separator
 * that file used.
 */
export function flywayFileName(existing: Pick<Migration, 'version' | 'path'>[], slug: string): string {
  const versioned = existing.filter((m) => m.version !== '');
  if (versioned.length === 0) return `V1__${slug}.sql`;
  const last = versioned.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
  const parts = last.version.split('.');
  parts[parts.length - 1] = (BigInt(parts[parts.length - 1]) + 1n).toString();
  const separator = /^[VU]\d+_\d/.test(path.basename(last.path)) ? '_' : '.';
  return `V${parts.join(separator)}__${slug}.sql`;
}

/** The format most of the service's files use (goose for a new folder). */
function formatOf(existing: Service['migrations']): MigrationFormat {
  if (!existing.length) return 'goose';
  const counts = new Map<MigrationFormat, number>();
  for (const m of existing) counts.set(m.format, (counts.get(m.format) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

async function writeFromTemplate(
  file: string,
  template: string,
  vars: Record<string, string>,
  root: string,
): Promise<string> {
  const rel = path.relative(root, file).split(path.sep).join('/');
  if (existsSync(file)) throw new UserError(`${rel} already exists`);
  const text = (await readFile(path.join(templatesDir, template), 'utf8')).replace(
    /\{\{(\w+)\}\}/g,
    (_m, k: string) => vars[k] ?? '',
  );
  await writeFile(file, text, { flag: 'wx' });
  return rel;
}
