// The project model: services found on disk through the `discover` globs, merged with the
// services the config declares, each with its migrations read and ordered.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError, UserErrors } from './errors.js';
import type { Project, Service, SvcdbConfig } from './types.js';
import { loadConfig } from './config.js';

export interface LoadProjectOptions {
  cwd: string;
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * false: find the services but leave `migrations` empty (for `svcdb env`, which needs only
   * names, and should not fail on a broken migration file). Default true.
   */
  readMigrations?: boolean;
}

export async function loadProject(opts: LoadProjectOptions): Promise<Project> {
  const root = path.resolve(opts.cwd);
  if (!isDirectory(root)) {
    throw new UserError(`project folder not found: ${opts.cwd}`, { where: '--cwd', hint: 'pass an existing folder' });
  }
  // Config problems join the project's own (unknown service names and the like) in one report.
  const { config, path: configPath, problems } = await loadConfig({ cwd: root, configFile: opts.configFile, env: opts.env, collect: true });
  const configFile = configPath ? path.relative(root, configPath) || configPath : 'config';
  const found = discoverServices(root, config.discover);
  const services: Service[] = [];
  const names = new Set([...found.keys(), ...Object.keys(config.services)]);
  const results = await Promise.allSettled([...names].map((name) => buildService(root, name, found.get(name) ?? null, config, opts.readMigrations !== false)));
  for (const r of results) {
    if (r.status === 'fulfilled') services.push(r.value);
    else if (r.reason instanceof UserErrors) problems.push(...r.reason.errors);
    else if (r.reason instanceof UserError) problems.push(r.reason);
    else throw r.reason;
  }
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  problems.push(...checkReferences(config, services, configFile));
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) throw new UserErrors(problems);
  return { root, configPath, config, services };
}

/** `<PREFIX><SERVICE>_DATABASE_URL`, the service name upper-cased, other characters → `_`. */
export function envVarName(prefix: string, service: string): string {
  return `${prefix}${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DATABASE_URL`;
}

export function findService(project: Project, name: string): Service {
  const service = project.services.find((s) => s.name === name);
  if (!service) {
    const known = project.services.map((s) => s.name).join(', ') || '(none found)';
    throw new UserError(`unknown service "${name}"`, { hint: `known services: ${known}` });
  }
  return service;
}

async function buildService(root: string, name: string, migrationsDir: string | null, config: SvcdbConfig, readMigrations: boolean): Promise<Service> {
  const declared = (Object.hasOwn(config.services, name) ? config.services[name] : undefined) ?? {};
  let dir: string;
  if (migrationsDir) dir = path.dirname(migrationsDir);
  else {
    dir = path.resolve(root, declared.path ?? defaultServicePath(config.discover[0], name));
    // A declared path may hold a migrations folder that no discover glob reaches.
    const candidate = path.join(dir, 'migrations');
    if (isDirectory(candidate)) migrationsDir = candidate;
  }
  let migrations: Service['migrations'] = [];
  if (migrationsDir && readMigrations) {
    const { parseMigrationFiles } = await import('./sources/index.js');
    migrations = await parseMigrationFiles(name, migrationsDir, root);
  }
  return {
    name,
    dir,
    relDir: toRel(root, dir),
    migrationsDir,
    migrations,
    envVar: envVarName(config.envPrefix, name),
    owns: declared.owns ?? [],
    ...(declared.trackingTable ? { trackingTable: declared.trackingTable } : {}),
    ...(declared.databaseOf ? { databaseOf: declared.databaseOf } : {}),
    reads: declared.reads ?? [],
    ...(declared.run ? { run: declared.run } : {}),
  };
}

/** Where the first discover glob would put a service: `internal/*\/migrations` → `internal/<name>`. */
export function defaultServicePath(glob: string | undefined, name: string): string {
  const segments = (glob ?? 'internal/*/migrations').split('/').filter((s) => s !== '' && s !== '.');
  const star = segments.findIndex((s) => s.includes('*'));
  if (star === -1) return `internal/${name}`;
  return [...segments.slice(0, star), name].join('/');
}

function checkReferences(config: SvcdbConfig, services: Service[], file: string): UserError[] {
  const known = new Set(services.map((s) => s.name));
  const problems: UserError[] = [];
  const check = (name: string, where: string) => {
    if (known.has(name)) return;
    problems.push(new UserError(`unknown service "${name}"`, { where: `${file}: ${where}`, hint: `known services: ${[...known].join(', ')}` }));
  };
  for (const [name, s] of Object.entries(config.services)) {
    if (s.databaseOf) {
      check(s.databaseOf, `services.${name}.databaseOf`);
      if (s.databaseOf === name) problems.push(new UserError('a service cannot use its own database as databaseOf', { where: `${file}: services.${name}.databaseOf` }));
    }
    s.reads?.forEach((r, i) => check(r.service, `services.${name}.reads[${i}].service`));
    s.run?.after.forEach((a, i) => check(a, `services.${name}.run.after[${i}]`));
  }
  for (const [folder, owner] of Object.entries(config.shared)) check(owner, `shared.${folder}`);
  // databaseOf must end at a service that has its own database.
  for (const s of services) {
    const seen = new Set<string>([s.name]);
    for (let cur = s.databaseOf; cur; cur = config.services[cur]?.databaseOf) {
      if (seen.has(cur)) {
        problems.push(new UserError(`databaseOf forms a cycle: ${[...seen, cur].join(' → ')}`, { where: `${file}: services.${s.name}.databaseOf` }));
        break;
      }
      seen.add(cur);
    }
  }
  return problems;
}

/**
 * Expands the discover globs against the file system: `*` and `?` match within one path
 * segment, `**` matches any number of folders. Dot-folders and node_modules are not entered.
 * Returns service name → absolute migrations folder (the name is the folder above the match).
 */
export function discoverServices(root: string, globs: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const problems: UserError[] = [];
  for (const glob of globs) {
    const segments = glob.split('/').filter((s) => s !== '' && s !== '.');
    for (const match of expand(root, segments)) {
      const name = path.basename(path.dirname(match));
      const previous = found.get(name);
      if (previous && previous !== match) {
        problems.push(new UserError(`two services named "${name}": ${toRel(root, previous)} and ${toRel(root, match)}`, {
          where: toRel(root, match),
          hint: 'rename one of the service folders, or narrow the discover globs',
        }));
        continue;
      }
      found.set(name, match);
    }
  }
  if (problems.length) throw problems.length === 1 ? problems[0] : new UserErrors(problems);
  return found;
}

function expand(dir: string, segments: string[]): string[] {
  if (segments.length === 0) return isDirectory(dir) ? [dir] : [];
  const [head, ...rest] = segments;
  if (head === '**') {
    return [...expand(dir, rest), ...subdirs(dir).flatMap((d) => expand(path.join(dir, d), segments))];
  }
  if (!/[*?]/.test(head)) return expand(path.join(dir, head), rest);
  const re = new RegExp(`^${head.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return subdirs(dir).filter((d) => re.test(d)).sort().flatMap((d) => expand(path.join(dir, d), rest));
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name)))) && !e.name.startsWith('.') && e.name !== 'node_modules')
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `p` relative to `root` with `/` separators, `.` for the root itself: how messages name a path. */
export function toRel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/') || '.';
}
