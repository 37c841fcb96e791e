// The project model: services found on disk through the `discover` globs, merged with the
// services the config declares, each with its migrations read and ordered.
import path from 'node:path';
import { UserError, UserErrors } from './errors.js';
import type { Project, Service, SvcdbConfig } from './types.js';
import { loadConfig } from './config.js';
import { type Discovered, discoverServices, SERVICE_TOKEN, toRel } from './discover.js';
import { isDirectory } from './fs.js';

export { toRel };

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
  const {
    config,
    path: configPath,
    problems,
  } = await loadConfig({ cwd: root, configFile: opts.configFile, env: opts.env, collect: true });
  const configFile = configPath ? path.relative(root, configPath) || configPath : 'config';
  const found = discoverServices(root, config.discover);
  const services: Service[] = [];
  const names = new Set([...found.keys(), ...Object.keys(config.services)]);
  const results = await Promise.allSettled(
    [...names].map((name) =>
      buildService(root, name, found.get(name) ?? null, config, opts.readMigrations !== false, configFile),
    ),
  );
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

async function buildService(
  root: string,
  name: string,
  found: Discovered | null,
  config: SvcdbConfig,
  readMigrations: boolean,
  configFile: string,
): Promise<Service> {
  const declared = (Object.hasOwn(config.services, name) ? config.services[name] : undefined) ?? {};
  let dir: string;
  let migrationsDir: string | null = found?.migrationsDir ?? null;
  if (declared.migrations) {
    // A folder given directly wins over what the patterns find (crates/collab/migrations_llm).
    migrationsDir = path.resolve(root, declared.migrations);
    if (!isDirectory(migrationsDir)) {
      throw new UserError(`migrations folder not found: ${declared.migrations}`, {
        where: `${configFile}: services.${name}.migrations`,
        hint: 'give the folder relative to the project root',
      });
    }
    dir = path.resolve(root, declared.path ?? path.dirname(declared.migrations));
  } else if (found) dir = declared.path ? path.resolve(root, declared.path) : found.serviceDir;
  else {
    dir = path.resolve(root, declared.path ?? defaultServicePath(config.discover[0], name));
    // A declared path may hold a migrations folder that no discover glob reaches.
    const candidate = path.join(dir, 'migrations');
    if (isDirectory(candidate)) migrationsDir = candidate;
  }
  let migrations: Service['migrations'] = [];
  if (migrationsDir && readMigrations) {
    const { parseMigrationFiles } = await import('./sources/index.js');
    migrations = await parseMigrationFiles(name, migrationsDir, root, {
      ...(declared.format ? { format: declared.format } : {}),
      ignore: [...config.ignore, ...(declared.ignore ?? [])],
    });
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
    ...(declared.migrateAfter?.length ? { migrateAfter: declared.migrateAfter } : {}),
  };
}

/** Where the first discover glob would put a service: `internal/*\/migrations` → `internal/<name>`. */
export function defaultServicePath(glob: string | undefined, name: string): string {
  const segments = (glob ?? 'internal/*/migrations').split('/').filter((s) => s !== '' && s !== '.');
  const named = segments.findIndex((s) => s.includes(SERVICE_TOKEN));
  if (named !== -1) return [...segments.slice(0, named), segments[named].replace(SERVICE_TOKEN, name)].join('/');
  const star = segments.findIndex((s) => s.includes('*'));
  if (star === -1) return `internal/${name}`;
  return [...segments.slice(0, star), name].join('/');
}

function checkReferences(config: SvcdbConfig, services: Service[], file: string): UserError[] {
  const known = new Set(services.map((s) => s.name));
  const problems: UserError[] = [];
  const check = (name: string, where: string) => {
    if (known.has(name)) return;
    problems.push(
      new UserError(`unknown service "${name}"`, {
        where: `${file}: ${where}`,
        hint: `known services: ${[...known].join(', ')}`,
      }),
    );
  };
  for (const [name, s] of Object.entries(config.services)) {
    if (s.databaseOf) {
      check(s.databaseOf, `services.${name}.databaseOf`);
      if (s.databaseOf === name)
        problems.push(
          new UserError('a service cannot use its own database as databaseOf', {
            where: `${file}: services.${name}.databaseOf`,
          }),
        );
    }
    s.reads?.forEach((r, i) => check(r.service, `services.${name}.reads[${i}].service`));
    s.run?.after.forEach((a, i) => check(a, `services.${name}.run.after[${i}]`));
    s.migrateAfter?.forEach((a, i) => check(a, `services.${name}.migrateAfter[${i}]`));
  }
  for (const [folder, owners] of Object.entries(config.shared))
    owners.forEach((owner, i) => check(owner, owners.length > 1 ? `shared.${folder}[${i}]` : `shared.${folder}`));
  // databaseOf must end at a service that has its own database.
  for (const s of services) {
    const seen = new Set<string>([s.name]);
    for (let cur = s.databaseOf; cur; cur = config.services[cur]?.databaseOf) {
      if (seen.has(cur)) {
        problems.push(
          new UserError(`databaseOf forms a cycle: ${[...seen, cur].join(' → ')}`, {
            where: `${file}: services.${s.name}.databaseOf`,
          }),
        );
        break;
      }
      seen.add(cur);
    }
  }
  return problems;
}
