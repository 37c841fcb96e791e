// `svcdb services`: what svcdb sees in the project, service by service, under a profile.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatUserError } from '../core/errors.js';
import { getProfile, profileNeedsBaseUrl, resolveEachTarget } from '../core/profiles.js';
import { loadProject, toRel } from '../core/project.js';
import { redact } from '../core/redact.js';
import { ownedTables } from '../core/ownership/owners.js';
import { warmUpParser } from '../core/ownership/sql/parser.js';
import { credentialsPath, stateDirOf } from '../db/state-dir.js';
import type { Project, Strategy, Target } from '../core/types.js';
import { assertServicesFound } from './services-found.js';

export interface ServicesOptions {
  cwd: string;
  config?: string;
  profile: string;
  env?: NodeJS.ProcessEnv;
  /** URL of a running embedded server, when the caller has one */
  embeddedUrl?: string;
}

export interface ServiceReport {
  name: string;
  /** the service's folder, relative to the project root */
  folder: string;
  /** relative migrations folder, or null for a service declared only in config */
  migrationsDir: string | null;
  migrations: number;
  envVar: string;
  /** created by its migrations, plus `owns` from the config; sorted; as check-ownership has them */
  tables: string[];
  databaseOf: string | null;
  /** the URL under the profile with the password redacted, or null when none resolves */
  url: string | null;
  /** why no URL resolves (e.g. the variable an isolated profile needs) */
  urlProblem: string | null;
}

export interface ServicesResult {
  profile: string;
  strategy: Strategy;
  configFile: string | null;
  services: ServiceReport[];
}

export async function services(opts: ServicesOptions): Promise<ServicesResult> {
  const env = opts.env ?? process.env;
  // The tables come from the SQL parser: its WASM compiles off the main thread meanwhile.
  warmUpParser();
  const project = await loadProject({ cwd: opts.cwd, configFile: opts.config, env });
  assertServicesFound(project);
  const profile = getProfile(project, opts.profile);
  const embedded = opts.embeddedUrl
    ? { embeddedUrl: opts.embeddedUrl }
    : await runningEmbedded(project, opts.profile, env);
  const bare = resolveEachTarget(project, opts.profile, { env, ...embedded }).flatMap((r) =>
    r.target ? [r.target] : [],
  );
  const credentials = await loadServiceCredentials(project, opts.profile, bare);
  const targets = resolveEachTarget(project, opts.profile, { env, ...embedded, ...credentials });
  const tables = await ownedTables(project);
  return {
    profile: profile.name,
    strategy: profile.strategy,
    configFile: project.configPath ? toRel(project.root, project.configPath) : null,
    services: project.services.map((service, i) => {
      const resolved = targets[i];
      return {
        name: service.name,
        folder: service.relDir,
        migrationsDir: service.migrationsDir ? toRel(project.root, service.migrationsDir) : null,
        migrations: service.migrations.length,
        envVar: service.envVar,
        tables: tables[service.name] ?? [],
        databaseOf: service.databaseOf ?? null,
        url: resolved.target ? redact(resolved.target.url) : null,
        urlProblem: resolved.error ? redact(formatUserError(resolved.error).split('\n')[0]) : null,
      };
    }),
  };
}

/**
 * Roles written by `svcdb provision` for this profile, if any (the file is optional), for the
 * services whose bare target is the server and database the role was made on.
 */
export async function loadServiceCredentials(
  project: Project,
  profile: string,
  bareTargets: Target[],
): Promise<{
  credentials?: Record<string, { user: string; password: string }>;
  credentialsFile?: string;
}> {
  const file = credentialsPath(project.root);
  if (!existsSync(file)) return {};
  const { credentialsFor } = await import('../db/credentials.js');
  const { credentials } = await credentialsFor(project.root, profile, bareTargets);
  if (!Object.keys(credentials).length) return {};
  return { credentials, credentialsFile: toRel(project.root, file) };
}

/**
 * The embedded server's URL when the profile needs it and the server already runs (after
 * `svcdb db start`). Reporting commands never start it themselves; without a state file this
 * costs one existsSync.
 */
export async function runningEmbedded(
  project: Project,
  profile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ embeddedUrl?: string; embeddedDataDir?: string }> {
  if (!profileNeedsBaseUrl(project, profile, env)) return {};
  if (!existsSync(path.join(stateDirOf(project.root), 'embedded.json'))) return {};
  const { embeddedStatus } = await import('../db/embedded.js');
  const status = await embeddedStatus(project.root);
  if (!status.running || !status.url) return {};
  return { embeddedUrl: status.url, embeddedDataDir: status.dataDir ? toRel(project.root, status.dataDir) : undefined };
}
