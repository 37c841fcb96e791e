// `svcdb plan`: what `migrate` would do, statement by statement, and the problems it would
// hit. Strictly read-only: no lock, no CREATE of any kind; a missing database, schema or
// history table simply means "everything is pending".
import { endpointOf } from '../core/url.js';
import { prepareTransactions } from '../core/sources/transactions.js';
import { computePlan, findMigration, pendingUpTo } from '../core/plan.js';
import { getProfile } from '../core/profiles.js';
import type { Finding, Migration, Project, Service, Strategy, Target } from '../core/types.js';
import {
  assertNoCollisions,
  describeError,
  forEachLimited,
  loadContext,
  pickServices,
  type CommandOptions,
  type ServiceError,
} from './context.js';

export interface PlanOptions extends CommandOptions {
  services?: string[];
  all?: boolean;
  to?: string;
  waitMs?: number;
}

export interface PlannedMigration {
  id: string;
  file: string;
  transaction: boolean;
  /** why a file runs outside a transaction though it is not marked so (the statement, file:line) */
  outsideTransactionBecause?: string;
  statements: Array<{ line: number; sql: string }>;
}

export interface ServicePlanResult {
  service: string;
  target: string;
  /** what migrate would create first: database, schema, history table */
  wouldCreate: string[];
  appliedCount: number;
  pending: PlannedMigration[];
  /** problems migrate would stop at */
  drifted: string[];
  missing: string[];
  /** applied files renamed since: migrate records the new ids, runs nothing */
  renamed: Array<{ from: string; to: string }>;
  error?: ServiceError;
}

export interface PlanResult {
  /** false when migrate would refuse or fail to reach a service */
  ok: boolean;
  exitCode: 0 | 1 | 2;
  profile: string;
  services: ServicePlanResult[];
  /** ownership findings (check-ownership's rules) in the pending migrations; they do not change the exit code */
  findings: Finding[];
  /** safety findings (check-migrations' rules) in the pending migrations; they do not change the exit code either */
  safety: Finding[];
}

export async function plan(opts: PlanOptions): Promise<PlanResult> {
  // --to is checked with the service names, before any server is started
  const ctx = await loadContext({ ...opts, pick: { names: opts.services ?? [], all: opts.all ?? false, to: opts.to } });
  const services = pickServices(ctx, opts.services ?? [], opts.all ?? false);
  await assertNoCollisions(ctx, services);
  const results = await forEachLimited(services, 4, (service) => planService(service, ctx.targetOf(service), opts));
  const userError = results.some((r) => r.error?.kind === 'user');
  const problem = results.some((r) => r.error || r.drifted.length > 0);
  const exitCode = userError ? 2 : problem ? 1 : 0;
  const findings = await lintPending(ctx.project, services, results, getProfile(ctx.project, ctx.profile).strategy);
  const safety = await (await import('./check-migrations.js')).safetyOfPending(
    ctx.project,
    pendingOf(services, results),
  );
  return { ok: exitCode === 0, exitCode, profile: ctx.profile, services: results, findings, safety };
}

// The ownership lint of what is about to be applied, so a cross-service FK or write is seen
// before it ships. The parser is loaded only when something is pending.
function pendingOf(services: Service[], results: ServicePlanResult[]): Migration[] {
  const pending: Migration[] = [];
  for (const r of results) {
    const service = services.find((s) => s.name === r.service);
    const ids = new Set(r.pending.map((m) => m.id));
    for (const m of service?.migrations ?? []) if (ids.has(m.id)) pending.push(m);
  }
  return pending;
}

async function lintPending(
  project: Project,
  services: Service[],
  results: ServicePlanResult[],
  strategy: Strategy,
): Promise<Finding[]> {
  const pending = pendingOf(services, results);
  if (!pending.length) return [];
  const { lintMigrations } = await import('../core/ownership/index.js');
  return lintMigrations(project, pending, strategy);
}

export async function planService(
  service: Service,
  target: Target,
  opts: Pick<PlanOptions, 'waitMs' | 'to'>,
): Promise<ServicePlanResult> {
  const result: ServicePlanResult = {
    service: service.name,
    target: endpointOf(target.url).label,
    wouldCreate: [],
    appliedCount: 0,
    pending: [],
    drifted: [],
    missing: [],
    renamed: [],
  };
  if (service.migrations.length === 0) return result;
  try {
    const { openReader } = await import('../db/session.js');
    const session = await openReader(service, target, { waitMs: opts.waitMs });
    await session.close();
    const computed = computePlan(service.name, service.migrations, session.rows);
    const to = opts.to === undefined ? undefined : findMigration(service.migrations, opts.to);
    result.wouldCreate = session.wouldCreate;
    result.appliedCount = computed.applied.length + computed.renamed.length + computed.drifted.length;
    result.renamed = computed.renamed.map((r) => ({ from: r.row.id, to: r.migration.id }));
    result.drifted = computed.drifted.map((d) => d.migration.relPath);
    result.missing = computed.missing.map((r) => r.id);
    const pending = pendingUpTo(computed, to);
    const prepared = await prepareTransactions(pending);
    result.pending = prepared.map((m) => ({
      id: m.id,
      file: m.relPath,
      transaction: m.transaction,
      ...(m.outsideTransactionBecause ? { outsideTransactionBecause: m.outsideTransactionBecause } : {}),
      statements: m.up.map((s) => ({ line: s.line, sql: s.sql })),
    }));
  } catch (err) {
    result.error = describeError(err);
  }
  return result;
}
