// `svcdb provision`: one login role per service owning its schema or database, nothing else;
// passwords kept in .svcdb/credentials.json; `--print` renders the same plan as a psql script.
import { checkRolePrefix } from '../core/names.js';
import { endpointOf } from '../core/url.js';
import { loadProject } from '../core/project.js';
import { profileNeedsBaseUrl, resolveTargets } from '../core/profiles.js';
import type { Project, Target } from '../core/types.js';
import type { EmbeddedStatus } from '../db/embedded.js';
import type { ProvisionPlan, ReadGrant } from '../db/provision.js';
import type { CommandOptions } from './context.js';
import { assertServicesFound } from './services-found.js';

export interface ProvisionOptions extends CommandOptions {
  /** render the SQL (a psql script) instead of running it; nothing is written anywhere */
  print?: boolean;
  /** role name = prefix + service (default: the prefix used before for this profile, else "svcdb_") */
  rolePrefix?: string;
  /** retry an unreachable server this long, ms */
  waitMs?: number;
  /** take over existing roles named `<prefix><service>` that svcdb did not create (their rights are reset) */
  adoptRoles?: boolean;
}

export interface ProvisionedService {
  service: string;
  role: string;
  /** `host:port/db` and schema, no password */
  target: string;
  /** `owner.table` reads granted / waiting for the owner's migrations */
  readsGranted: string[];
  readsPending: string[];
}

export interface ProvisionResult {
  profile: string;
  printed: boolean;
  /** the psql script (--print) */
  script?: string;
  services: ProvisionedService[];
  /** services left alone because their URL is set explicitly in the environment */
  skipped: string[];
  credentialsFile: string | null;
}

/** What provisioning acts on: the project and each service's admin (uncredentialed) target. */
export interface AdminContext {
  project: Project;
  profile: string;
  /** targets as the profile gives them, before credentials: the admin's URL */
  targets: Target[];
  /** set when the embedded server was needed (started: this call started it) */
  embedded: EmbeddedStatus | null;
}

export async function loadAdminContext(
  opts: CommandOptions & { startEmbedded?: boolean; transient?: boolean },
): Promise<AdminContext> {
  const env = opts.env ?? process.env;
  const project = await loadProject({ cwd: opts.cwd, configFile: opts.config, env });
  assertServicesFound(project);
  return adminContextFor(project, opts);
}

/** Resolves the admin targets of a loaded project, starting the embedded server when the profile needs it. */
export async function adminContextFor(
  project: Project,
  opts: CommandOptions & { startEmbedded?: boolean; transient?: boolean },
): Promise<AdminContext> {
  const env = opts.env ?? process.env;
  const profile = opts.profile ?? env.SVCDB_PROFILE ?? 'dev';
  let embedded: EmbeddedStatus | null = null;
  if (profileNeedsBaseUrl(project, profile, env) && opts.startEmbedded !== false) {
    const { startEmbedded } = await import('../db/embedded.js');
    embedded = await startEmbedded(project.root, { log: opts.log, transient: opts.transient });
  }
  const targets = resolveTargets(project, profile, {
    env,
    embeddedUrl: embedded?.url ?? undefined,
    embeddedDataDir: embedded?.dataDir ?? undefined,
  });
  return { project, profile, targets, embedded };
}

export async function provision(opts: ProvisionOptions): Promise<ProvisionResult> {
  if (opts.rolePrefix !== undefined) checkRolePrefix(opts.rolePrefix); // bad input before the server starts
  const ctx = await loadAdminContext({ ...opts, startEmbedded: !opts.print, transient: true });
  return provisionContext(ctx, opts);
}

/** Plans and applies (or prints) provisioning for an already loaded admin context; used by `up`. */
export async function provisionContext(ctx: AdminContext, opts: ProvisionOptions): Promise<ProvisionResult> {
  const { loadCredentials, saveCredentials, generatePassword } = await import('../db/credentials.js');
  const db = await import('../db/provision.js');
  const existing = await loadCredentials(ctx.project.root, ctx.profile);
  // An explicitly set <SERVICE>_DATABASE_URL is the user's own choice: not ours to re-own. The
  // printed script covers them too (an isolated profile's URLs all come from the environment:
  // that script is what a DBA runs in production).
  const chosen = ctx.targets.filter((t) => opts.print || t.origin.kind !== 'env');
  const skipped = ctx.targets.filter((t) => !chosen.includes(t)).map((t) => t.service);
  const plan = db.planProvision({
    services: ctx.project.services,
    targets: chosen,
    existing,
    rolePrefix: checkRolePrefix(opts.rolePrefix ?? previousPrefix(existing) ?? 'svcdb_'),
    newPassword: generatePassword,
  });
  if (opts.print) {
    return {
      profile: ctx.profile,
      printed: true,
      script: db.renderProvisionScript(plan, ctx.profile, { adoptRoles: opts.adoptRoles }),
      services: summary(plan, chosen, [], plan.reads),
      skipped,
      credentialsFile: null,
    };
  }
  if (!chosen.length) return { profile: ctx.profile, printed: false, services: [], skipped, credentialsFile: null };
  await db.applyProvision(plan, { waitMs: opts.waitMs, log: opts.log, adoptRoles: opts.adoptRoles });
  const credentialsFile = await saveCredentials(ctx.project.root, ctx.profile, plan.credentials);
  const reads = await db.applyReadGrants(plan.reads, { waitMs: opts.waitMs, log: opts.log });
  return {
    profile: ctx.profile,
    printed: false,
    services: summary(plan, chosen, reads.granted, reads.missing),
    skipped,
    credentialsFile,
  };
}

/** Grants declared reads again (after migrations created the tables); used by `up`. */
export async function grantReads(
  ctx: AdminContext,
  opts: ProvisionOptions,
): Promise<{ granted: ReadGrant[]; missing: ReadGrant[] }> {
  const { loadCredentials } = await import('../db/credentials.js');
  const db = await import('../db/provision.js');
  const existing = await loadCredentials(ctx.project.root, ctx.profile);
  const plan = db.planProvision({
    services: ctx.project.services,
    targets: ctx.targets.filter((t) => existing[t.service]),
    existing,
    rolePrefix: previousPrefix(existing) ?? 'svcdb_',
    newPassword: () => '',
  });
  return db.applyReadGrants(plan.reads, { waitMs: opts.waitMs, log: opts.log });
}

function previousPrefix(existing: Record<string, { role: string }>): string | undefined {
  for (const [service, c] of Object.entries(existing)) {
    const suffix = service.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    if (c.role.endsWith(suffix)) return c.role.slice(0, c.role.length - suffix.length);
  }
  return undefined;
}

function summary(
  plan: ProvisionPlan,
  targets: Target[],
  granted: ReadGrant[],
  pending: ReadGrant[],
): ProvisionedService[] {
  const name = (g: ReadGrant) => `${g.owner}.${g.table}`;
  return targets.map((t) => ({
    service: t.service,
    role: plan.credentials[t.service].role,
    target: endpointOf(t.url).label,
    readsGranted: granted.filter((g) => g.reader === t.service).map(name),
    readsPending: pending.filter((g) => g.reader === t.service).map(name),
  }));
}
