// `svcdb status`: applied, pending, drifted and missing migrations per service. Read-only.
import { endpointOf } from '../core/url.js';
import { computePlan, recorded } from '../core/plan.js';
import type { Service, Target } from '../core/types.js';
import {
  describeError,
  forEachLimited,
  loadContext,
  pickServices,
  type CommandOptions,
  type ServiceError,
} from './context.js';

export interface StatusOptions extends CommandOptions {
  services?: string[];
  /** default: every service when no name is given */
  all?: boolean;
  waitMs?: number;
  /** `--exit-code`: pending migrations make the exit code 1 too (for CI) */
  failOnPending?: boolean;
}

export interface ServiceStatusResult {
  service: string;
  target: string;
  applied: Array<{ id: string; appliedAt: string }>;
  pending: string[];
  drifted: string[];
  missing: string[];
  /** applied files renamed since (same version, same bytes): applied, recorded under `from` */
  renamed: Array<{ from: string; to: string }>;
  error?: ServiceError;
}

export interface StatusResult {
  profile: string;
  services: ServiceStatusResult[];
  /** anything pending or drifted in any service */
  behind: boolean;
  /** 2 a service could not be read (bad input, unreachable); 1 drift, a missing file, another
   * error, or (with failOnPending) anything pending; else 0 */
  exitCode: 0 | 1 | 2;
}

export async function status(opts: StatusOptions): Promise<StatusResult> {
  const names = opts.services ?? [];
  const all = opts.all ?? names.length === 0;
  const ctx = await loadContext({ ...opts, pick: { names, all } });
  const services = pickServices(ctx, names, all);
  const results = await forEachLimited(services, 4, (s) => statusOf(s, ctx.targetOf(s), opts));
  const behind = results.some((r) => r.pending.length > 0 || r.drifted.length > 0);
  const problem = results.some((r) => r.error || r.drifted.length > 0 || r.missing.length > 0);
  const pending = results.some((r) => r.pending.length > 0);
  const exitCode = results.some((r) => r.error?.kind === 'user')
    ? 2
    : problem || (opts.failOnPending && pending)
      ? 1
      : 0;
  return { profile: ctx.profile, services: results, behind, exitCode };
}

export async function statusOf(
  service: Service,
  target: Target,
  opts: Pick<StatusOptions, 'waitMs'>,
): Promise<ServiceStatusResult> {
  const result: ServiceStatusResult = {
    service: service.name,
    target: endpointOf(target.url).label,
    applied: [],
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
    const plan = computePlan(service.name, service.migrations, session.rows);
    result.applied = recorded(plan, service.migrations).map((a) => ({
      id: a.migration.id,
      appliedAt: a.row.appliedAt.toISOString(),
    }));
    result.renamed = plan.renamed.map((r) => ({ from: r.row.id, to: r.migration.id }));
    result.pending = plan.pending.map((m) => m.id);
    result.drifted = plan.drifted.map((d) => d.migration.relPath);
    result.missing = plan.missing.map((r) => r.id);
  } catch (err) {
    result.error = describeError(err);
  }
  return result;
}
