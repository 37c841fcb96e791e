// Profiles turn each service into a connection target: the URL it gets under an environment,
// and where that URL came from.
import { UserError, UserErrors } from './errors.js';
import type { ProfileConfig, Project, Service, Target, ValueOrigin } from './types.js';
import { BUILTIN_PROFILES, expandVars } from './config.js';
import { configuredIdentifier, fillPattern, identifierFor, nameClashes } from './names.js';
import {
  databaseNameOf,
  normalizePgUrl,
  parsePgUrl,
  searchPathOf,
  withCredentials,
  withDatabase,
  withSearchPath,
} from './url.js';

export interface ResolveOptions {
  env: NodeJS.ProcessEnv;
  /** the embedded server's URL, used when neither the profile nor DATABASE_URL gives one */
  embeddedUrl?: string;
  /** where the embedded server keeps its data, for `--explain` */
  embeddedDataDir?: string;
  /** service → login role (from `svcdb provision`): replaces user and password in its URL */
  credentials?: Record<string, { user: string; password: string }>;
  /** the file `credentials` was read from, for `--explain` */
  credentialsFile?: string;
}

export function getProfile(project: Project, name: string): ProfileConfig & { name: string } {
  // Own keys only: `--profile toString` is an unknown profile, not Object.prototype.toString.
  const own = (map: Record<string, ProfileConfig>) => (Object.hasOwn(map, name) ? map[name] : undefined);
  const profile = own(project.config.profiles) ?? own(BUILTIN_PROFILES);
  if (!profile) {
    const known = Object.keys({ ...BUILTIN_PROFILES, ...project.config.profiles }).join(', ');
    throw new UserError(`unknown profile "${name}"`, { where: '--profile', hint: `known profiles: ${known}` });
  }
  return { name, ...profile };
}

/** A valid schema or database name for a service (names.ts has the rule). */
export const sanitizeName = identifierFor;

/**
 * The schema (schema strategy) or database (database strategy) a service gets: named in
 * config per service (`services.X.schema` / `.database`), else by the profile's pattern
 * (`schemaName: "{service}_schema"`), else the service's identifier.
 */
export function placeNameOf(
  project: Project,
  profile: ProfileConfig & { name: string },
  service: string,
  kind: 'schema' | 'database',
): string {
  const declared = Object.hasOwn(project.config.services, service) ? project.config.services[service] : undefined;
  const file = project.configPath ? relativeName(project, project.configPath) : 'config';
  const own = declared?.[kind];
  if (own !== undefined) return configuredIdentifier(own, `${file}: services.${service}.${kind}`);
  const pattern = kind === 'schema' ? profile.schemaName : profile.databaseName;
  if (pattern !== undefined)
    return configuredIdentifier(fillPattern(pattern, service), `${file}: profiles.${profile.name}.${kind}Name`);
  return identifierFor(service);
}

/**
 * True when resolving the profile will need a base URL that neither the profile nor
 * DATABASE_URL provides (the caller may then start the embedded server). Services whose own
 * `*_DATABASE_URL` is set need no base.
 */
export function profileNeedsBaseUrl(project: Project, profileName: string, env: NodeJS.ProcessEnv): boolean {
  const profile = getProfile(project, profileName);
  if (profile.strategy === 'isolated' || profile.url !== undefined || nonEmpty(env.DATABASE_URL)) return false;
  return project.services.some((s) => !nonEmpty(env[s.envVar]));
}

export function resolveTargets(project: Project, profileName: string, opts: ResolveOptions): Target[] {
  const results = resolveEachTarget(project, profileName, opts);
  const problems = results.flatMap((r) => (r.error ? errorsOf(r.error) : []));
  // A missing base URL is one problem, not one per service.
  const unique = problems.filter(
    (p, i) => problems.findIndex((q) => q.message === p.message && q.where === p.where) === i,
  );
  if (unique.length === 1) throw unique[0];
  if (unique.length > 1) throw new UserErrors(unique);
  return results.map((r) => r.target!);
}

export type TargetResult =
  | { service: string; target: Target; error?: undefined }
  | { service: string; target?: undefined; error: UserError };

/**
 * Each service's target, or the UserError that stops it, so a report (`svcdb services`) can
 * show what resolves and what does not. An unknown profile still throws.
 */
export function resolveEachTarget(project: Project, profileName: string, opts: ResolveOptions): TargetResult[] {
  const profile = getProfile(project, profileName);
  const byName = new Map(project.services.map((s) => [s.name, s]));
  let base: { url: string; origin: ValueOrigin } | null | undefined;
  const baseUrl = () => (base === undefined ? (base = resolveBase(project, profile, opts)) : base);
  const clashes = clashingServices(project, profile);
  return project.services.map((service) => {
    const clash = clashes.get(service.name);
    if (clash) return { service: service.name, error: clash };
    try {
      return {
        service: service.name,
        target: resolveOne(service, { project, profile, opts, byName, baseUrl, file: project.configPath }),
      };
    } catch (err) {
      if (err instanceof UserError) return { service: service.name, error: err };
      throw err;
    }
  });
}

/**
 * Services that would share an env var, a schema or a database because their names map to
 * one identifier: each gets the error (exit 2, before anything is written).
 */
function clashingServices(project: Project, profile: ProfileConfig & { name: string }): Map<string, UserError> {
  const out = new Map<string, UserError>();
  const mark = (errors: UserError[]) => {
    for (const e of errors)
      for (const s of project.services) if (e.message.includes(`"${s.name}"`) && !out.has(s.name)) out.set(s.name, e);
  };
  const rename =
    'rename one of the service folders, or give one its own name in config (services.<name>.schema / .database)';
  mark(
    nameClashes(
      'environment variable',
      project.services.map((s) => ({ service: s.name, name: s.envVar })),
      'rename one of the service folders; svcdb would give both the same URL variable',
    ),
  );
  const own = project.services.filter((s) => !s.databaseOf);
  const placed = (kind: 'schema' | 'database') => {
    const names: Array<{ service: string; name: string }> = [];
    for (const s of own) {
      try {
        names.push({ service: s.name, name: placeNameOf(project, profile, s.name, kind) });
      } catch (err) {
        if (err instanceof UserError) out.set(s.name, err);
        else throw err;
      }
    }
    return names;
  };
  if (profile.strategy === 'schema') mark(nameClashes('schema', placed('schema'), rename));
  if (profile.strategy === 'database') mark(nameClashes('database', placed('database'), rename));
  return out;
}

function errorsOf(err: UserError): UserError[] {
  return err instanceof UserErrors ? err.errors : [err];
}

interface Ctx {
  project: Project;
  profile: ProfileConfig & { name: string };
  opts: ResolveOptions;
  byName: Map<string, Service>;
  baseUrl: () => { url: string; origin: ValueOrigin } | null;
  file: string | null;
}

function resolveOne(service: Service, ctx: Ctx): Target {
  const { profile, opts } = ctx;
  const urlCtx = { profile: profile.name, service: service.name };
  const common = {
    service: service.name,
    envVar: service.envVar,
    profile: profile.name,
    strategy: profile.strategy,
    databaseOf: service.databaseOf ?? null,
  };
  // An explicitly set <PREFIX><SERVICE>_DATABASE_URL wins over everything.
  const own = opts.env[service.envVar];
  if (nonEmpty(own)) {
    const database = databaseNameOf(own, { ...urlCtx, variable: service.envVar });
    return {
      ...common,
      url: own,
      database,
      schema: searchPathOf(own),
      origin: { kind: 'env', variable: service.envVar },
    };
  }
  // databaseOf: the same target as the owner of the database (which may itself be env-set).
  const home = service.databaseOf ? ctx.byName.get(service.databaseOf) : undefined;
  if (home) {
    const t = resolveOne(home, ctx);
    return {
      ...t,
      ...common,
      url: applyCredentials(t.url, service, ctx),
      origin: credentialsOrigin(service, ctx) ?? t.origin,
    };
  }
  if (profile.strategy === 'isolated') {
    throw new UserError(`not set; profile "${profile.name}" is isolated, so each service needs its own URL`, {
      where: service.envVar,
      hint: `export ${service.envVar}=postgres://USER@HOST:5432/${sanitizeName(service.name)}`,
    });
  }
  const base = ctx.baseUrl();
  if (!base) throw noBaseUrl(profile.name, ctx.file);
  let url = base.url;
  let schema: string | null = null;
  if (profile.strategy === 'schema') {
    schema = placeNameOf(ctx.project, profile, service.name, 'schema');
    // `public` after the service's own schema: extensions and shared functions resolve.
    url = withSearchPath(url, `${schema},public`, urlCtx);
  } else if (profile.strategy === 'database') {
    url = withDatabase(url, placeNameOf(ctx.project, profile, service.name, 'database'), urlCtx);
  } else {
    url = normalizePgUrl(url, urlCtx); // a raw password with @ / # becomes percent-encoded
  }
  url = applyCredentials(url, service, ctx);
  return {
    ...common,
    url,
    database: databaseNameOf(url, urlCtx),
    schema,
    origin: credentialsOrigin(service, ctx) ?? base.origin,
  };
}

function applyCredentials(url: string, service: Service, ctx: Ctx): string {
  const role = ctx.opts.credentials?.[service.name];
  return role
    ? withCredentials(url, role.user, role.password, { profile: ctx.profile.name, service: service.name })
    : url;
}

function credentialsOrigin(service: Service, ctx: Ctx): ValueOrigin | null {
  if (!ctx.opts.credentials?.[service.name]) return null;
  return { kind: 'credentials', file: ctx.opts.credentialsFile ?? '(credentials)' };
}

function resolveBase(
  project: Project,
  profile: ProfileConfig & { name: string },
  opts: ResolveOptions,
): { url: string; origin: ValueOrigin } | null {
  const file = project.configPath;
  if (profile.url !== undefined) {
    const where = `${file ? relativeName(project, file) : 'config'}: profiles.${profile.name}.url`;
    const url = expandVars(profile.url, opts.env, where);
    parsePgUrl(url, { profile: profile.name });
    return { url, origin: { kind: 'profile', profile: profile.name, file } };
  }
  if (nonEmpty(opts.env.DATABASE_URL)) {
    parsePgUrl(opts.env.DATABASE_URL, { profile: profile.name, variable: 'DATABASE_URL' });
    return { url: opts.env.DATABASE_URL, origin: { kind: 'database-url' } };
  }
  if (opts.embeddedUrl)
    return { url: opts.embeddedUrl, origin: { kind: 'embedded', dataDir: opts.embeddedDataDir ?? '.svcdb' } };
  return null;
}

function noBaseUrl(profile: string, file: string | null): UserError {
  return new UserError(`no database URL for profile "${profile}"`, {
    hint: `set DATABASE_URL, set profiles.${profile}.url in ${file ? 'the config file' : 'a svcdb config file'}, or run \`svcdb db start\` for the embedded server`,
  });
}

function relativeName(project: Project, file: string): string {
  return file.startsWith(project.root) ? file.slice(project.root.length + 1) : file;
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

/** How a value's origin reads in `svcdb env --explain`. */
export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'env':
      return `environment variable ${origin.variable}`;
    case 'profile':
      return `profiles.${origin.profile}.url in ${origin.file ?? 'config'}`;
    case 'database-url':
      return 'DATABASE_URL';
    case 'embedded':
      return `embedded server (${origin.dataDir})`;
    case 'credentials':
      return `service role from ${origin.file}`;
  }
}
