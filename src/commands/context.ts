// The one path every engine command takes: load the project, resolve each service's target
// under the profile (starting the embedded server when nothing else gives a URL), pick the
// services named on the command line (or --all), and the checks shared by migrate and plan.
import { OperationError, UserError, formatUserError } from '../core/errors.js';
import { findCollisions, type Collision, type PlacedObject } from '../core/collisions.js';
import { loadProject } from '../core/project.js';
import { assertServicesFound } from './services-found.js';
import { profileNeedsBaseUrl, resolveTargets } from '../core/profiles.js';
import { redact } from '../core/redact.js';
import { endpointOf } from '../core/url.js';
import { analyzeMigrations, candidateNames, createdObjects } from '../core/ownership/created.js';
import { findMigration } from '../core/plan.js';
import type { Migration, Project, Service, Target } from '../core/types.js';

export interface CommandOptions {
  /** project root */
  cwd: string;
  /** config file (default: searched from cwd) */
  config?: string;
  /** profile name (default: $SVCDB_PROFILE, else "dev") */
  profile?: string;
  /** environment to read variables from (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** progress lines (embedded server start-up) */
  log?: (line: string) => void;
}

export interface Context {
  project: Project;
  profile: string;
  targets: Target[];
  targetOf(service: Service): Target;
}

/**
 * Loads the project (unless the caller already did: `up` resolves targets after provisioning
 * on the project it loaded first) and, unless `needsTargets` is false, every service's target.
 */
export async function loadContext(
  opts: CommandOptions & {
    needsTargets?: boolean;
    project?: Project;
    allowNoServices?: boolean;
    /** the services the command will pick (and its --to): a typo is exit 2 before any server is started */
    pick?: { names: string[]; all: boolean; to?: string };
  },
): Promise<Context> {
  const env = opts.env ?? process.env;
  const profile = opts.profile ?? env.SVCDB_PROFILE ?? 'dev';
  const project = opts.project ?? (await loadProject({ cwd: opts.cwd, configFile: opts.config, env }));
  if (!opts.allowNoServices) assertServicesFound(project);
  if (opts.pick) resolveTo(chooseServices(project.services, opts.pick.names, opts.pick.all), opts.pick.to);
  let targets: Target[] = [];
  if (opts.needsTargets !== false) {
    let embeddedUrl: string | undefined;
    if (profileNeedsBaseUrl(project, profile, env)) {
      const { ensureEmbedded } = await import('../db/embedded.js');
      // started only for this command: the CLI stops it at the end (embedded-lease.ts)
      embeddedUrl = await ensureEmbedded(project.root, { log: opts.log, transient: true });
    }
    // Credentials from `svcdb provision` apply only to the server and database they were made on.
    const { credentialsFor } = await import('../db/credentials.js');
    const bare = resolveTargets(project, profile, { env, embeddedUrl });
    const { credentials, file } = await credentialsFor(project.root, profile, bare);
    // Resolved again only when provision's credentials apply to some service.
    targets =
      file === undefined
        ? bare
        : resolveTargets(project, profile, { env, embeddedUrl, credentials, credentialsFile: file });
  }
  const byName = new Map(targets.map((t) => [t.service, t]));
  return {
    project,
    profile,
    targets,
    targetOf(service) {
      const target = byName.get(service.name);
      if (!target) throw new UserError(`no target for service ${service.name} under profile ${profile}`);
      return target;
    },
  };
}

/** The named services (unknown → UserError, exit 2), or all of them with `all`. */
export function pickServices(ctx: Context, names: string[], all: boolean): Service[] {
  return chooseServices(ctx.project.services, names, all);
}

/** `--to` for each service: the migration it names, or exit 2 naming the service without it. */
export function resolveTo(services: Service[], to: string | undefined): Map<string, Migration> {
  const byService = new Map<string, Migration>();
  if (to === undefined) return byService;
  for (const service of services) {
    const found = findMigration(service.migrations, to);
    if (!found) {
      throw new UserError(`--to ${to}: service ${service.name} has no such migration`, {
        hint: `name one of its files (e.g. ${service.migrations.at(-1)?.id ?? '001_init'}) or its number`,
      });
    }
    byService.set(service.name, found);
  }
  return byService;
}

function chooseServices(services: Service[], names: string[], all: boolean): Service[] {
  if (all) {
    if (names.length) throw new UserError('name services or use --all, not both');
    return services;
  }
  if (!names.length) {
    throw new UserError('which service? name one or more, or use --all', {
      hint: `services: ${services.map((s) => s.name).join(', ') || '(none found)'}`,
    });
  }
  const unknown = names.filter((n) => !services.some((s) => s.name === n));
  if (unknown.length) {
    const known = services.map((s) => s.name).join(', ') || '(none found)';
    throw new UserError(`unknown service${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, {
      hint: `known services: ${known}`,
    });
  }
  return [...new Set(names)].map((n) => services.find((s) => s.name === n)!);
}

/**
 * Objects (tables, views, sequences, indexes, types, functions) created by two services in one
 * schema of one database (the `shared` strategy, `public.x` under `schema`, or two URLs that
 * spell one database two ways) stop the run before anything is written. Only collisions
 * involving a chosen service count; services alone in their database are not even parsed.
 */
export async function assertNoCollisions(ctx: Context, chosen: Service[]): Promise<void> {
  const databases = new Map<string, Array<{ service: Service; schema: string }>>();
  for (const service of ctx.project.services) {
    const target = ctx.targets.find((t) => t.service === service.name);
    if (!target) continue;
    const endpoint = endpointOf(target.url);
    const key = `${endpoint.serverKey}/${endpoint.database}`;
    const schema = target.schema ?? endpoint.schema ?? 'public';
    databases.set(key, [...(databases.get(key) ?? []), { service, schema }]);
  }
  const names = new Set(chosen.map((s) => s.name));
  const shared = [...databases.values()].filter((g) => g.length > 1 && g.some((m) => names.has(m.service.name)));
  if (!shared.length) return;
  // A cheap scan first: only when some name may be created by two services is it parsed.
  const candidates = candidateNames(
    ctx.project,
    shared.flatMap((g) => g.map((m) => m.service)),
  );
  const suspect = shared.filter((g) => {
    const seen = new Set<string>();
    for (const m of g) {
      const names = candidates.get(m.service.name) ?? new Set<string>();
      for (const n of names) if (seen.has(n)) return true;
      for (const n of names) seen.add(n);
    }
    return false;
  });
  if (!suspect.length) return;
  const { analyses, migrationOwner } = await analyzeMigrations(
    ctx.project,
    suspect.flatMap((g) => g.map((m) => m.service)),
  );
  const created = createdObjects(analyses, migrationOwner);
  const collisions = suspect
    .flatMap((group) => {
      const schemaOf = new Map(group.map((m) => [m.service.name, m.schema]));
      const placed: PlacedObject[] = created
        .filter((c) => schemaOf.has(c.service))
        .map((c) => ({ ...c, where: c.schema ?? schemaOf.get(c.service)! }));
      return findCollisions(placed);
    })
    .filter((c) => c.creators.some((x) => names.has(x.service)));
  if (!collisions.length) return;
  const lines = collisions.map(describeCollision);
  throw new OperationError(
    `${lines.length === 1 ? lines[0] : `${lines.length} objects collide:\n  ${lines.join('\n  ')}`}; nothing was applied`,
    {
      hint: `under profile ${ctx.profile} these services share one database; use a schema profile (e.g. --profile dev-aws) or rename the objects (a schema-qualified name such as public.x is shared by every service in the database)`,
    },
  );
}

/** `table dlq is created by a (f:1) and b (f:2)`; `status is created by a (type, f:1) and b (table, f:1)`. */
function describeCollision(c: Collision): string {
  const oneKind = c.creators.every((x) => x.kind === c.creators[0].kind);
  const by = c.creators.map((x) => `${x.service} (${oneKind ? '' : `${x.kind}, `}${x.file}:${x.line})`).join(' and ');
  return `${oneKind ? c.object : c.name} is created by ${by}`;
}

/** A service-level failure that is not a migration's SQL error. */
export interface ServiceError {
  /** user: fix input or reach the server (exit 2); operation: lock timeout, lost connection (exit 1) */
  kind: 'user' | 'operation';
  message: string;
  hint?: string;
}

export function describeError(err: unknown): ServiceError {
  if (err instanceof UserError)
    return { kind: 'user', message: redact(formatUserError(err).split('\n  hint: ')[0]), hint: err.hint };
  if (err instanceof OperationError) return { kind: 'operation', message: redact(err.message), hint: err.hint };
  const e = err as { message?: string; code?: string };
  const code = e.code ? ` (${e.code})` : '';
  return { kind: 'operation', message: redact(`${e.message ?? String(err)}${code}`) };
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function forEachLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
