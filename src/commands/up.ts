// `svcdb up [service...]`: the local runtime. Database (embedded when needed) → provision →
// migrate every service → start each service's run.command in `after` order, healthy before
// dependents → run until Ctrl-C/SIGTERM or a crash → stop in reverse order, the database last.
import { endpointOf } from '../core/url.js';
import { OperationError, UserError } from '../core/errors.js';
import { loadProject } from '../core/project.js';
import type { Project, Service } from '../core/types.js';
import { withDependencies } from '../runtime/order.js';
import type { SuperviseResult, SupervisedService } from '../runtime/supervisor.js';
import type { CommandOptions, Context } from './context.js';
import type { MigrateResult } from './migrate.js';
import { assertServicesFound } from './services-found.js';

export interface UpOptions extends CommandOptions {
  /** services to start (plus what they run after); default: every service with a run command */
  services?: string[];
  /** provision roles first (default true); false keeps the profile's URLs as they are */
  provision?: boolean;
  rolePrefix?: string;
  /** the CLI's prefix for a service's log lines (its coloured name) */
  prefixFor: (service: string) => (line: string) => string;
  /** where service output goes (stdout) */
  write: (text: string) => void;
  /** aborted on Ctrl-C / SIGTERM */
  stop: AbortSignal;
  /** aborted on a second Ctrl-C: kill the services instead of waiting for them */
  force?: AbortSignal;
  onReady?: (rows: ReadyRow[]) => void;
  healthTimeoutMs?: number;
  graceMs?: number;
  /** retry an unreachable database server this long, ms */
  waitMs?: number;
}

export interface ReadyRow {
  service: string;
  /** http://127.0.0.1:<port>, or null for a service without a port */
  url: string | null;
  /** `host:port/db (schema s)`, never a password */
  database: string;
}

export interface UpResult extends SuperviseResult {
  profile: string;
  services: ReadyRow[];
  /** the embedded server was started by this run and stopped at its end */
  stoppedEmbedded: boolean;
}

export async function up(opts: UpOptions): Promise<UpResult> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? (() => {});
  const project = await loadProject({ cwd: opts.cwd, configFile: opts.config, env });
  assertServicesFound(project);
  const chosen = chooseServices(project, opts.services ?? []);
  const runtime = await import('../runtime/index.js');
  const ordered = runtime.startOrder(chosen.map((s) => ({ ...s.run!, name: s.name, after: s.run!.after ?? [] })));
  // Before anything starts (database included): a taken port is bad input, named by service.
  await runtime.assertPortsFree(ordered);
  const { adminContextFor, provisionContext, grantReads } = await import('./provision.js');
  const admin = await adminContextFor(project, opts);
  const stopEmbedded = async () => {
    if (!admin.embedded?.started) return false;
    const { stopEmbedded: stopIt } = await import('../db/embedded.js');
    return stopIt(project.root, { log });
  };
  try {
    if (opts.provision !== false) await provisionContext(admin, { ...opts, rolePrefix: opts.rolePrefix });
    // Targets are resolved after provisioning: it may have written the services' credentials.
    const { loadContext } = await import('./context.js');
    const ctx = await loadContext({ ...opts, log, project });
    await migrateAll(ctx, opts);
    if (opts.provision !== false) await grantReads(admin, opts);
    const supervised: SupervisedService[] = ordered.map((r) => {
      const service = project.services.find((s) => s.name === r.name)!;
      const target = ctx.targetOf(service);
      return {
        name: r.name,
        command: r.command,
        cwd: project.root,
        port: r.port,
        health: r.health,
        env: runtime.serviceEnv({
          self: r,
          envVar: service.envVar,
          databaseUrl: target.url,
          others: ordered,
          extra: r.env,
        }),
      };
    });
    const rows: ReadyRow[] = supervised.map((s) => ({
      service: s.name,
      url: s.port ? `http://127.0.0.1:${s.port}` : null,
      database: endpointOf(ctx.targetOf(project.services.find((x) => x.name === s.name)!).url).label,
    }));
    const result = await runtime.supervise({
      services: supervised,
      prefixFor: opts.prefixFor,
      write: opts.write,
      log,
      stop: opts.stop,
      force: opts.force,
      onReady: () => opts.onReady?.(rows),
      healthTimeoutMs: opts.healthTimeoutMs,
      graceMs: opts.graceMs,
    });
    return { ...result, profile: admin.profile, services: rows, stoppedEmbedded: await stopEmbedded() };
  } catch (err) {
    await stopEmbedded().catch(() => {});
    throw err;
  }
}

function chooseServices(project: Project, names: string[]): Service[] {
  const runnable = project.services.filter((s) => s.run?.command);
  for (const name of names) {
    const service = project.services.find((s) => s.name === name);
    if (!service) {
      throw new UserError(`unknown service: ${name}`, {
        hint: `known services: ${project.services.map((s) => s.name).join(', ') || '(none found)'}`,
      });
    }
    if (!service.run?.command) {
      throw new UserError(`service ${name} has no run command`, {
        where: `services.${name}.run.command`,
        hint: 'add run: { command, port, health } to its config',
      });
    }
  }
  if (!runnable.length) {
    throw new UserError('no service has a run command', {
      where: 'services.<name>.run',
      hint: 'add run: { command: "node dist/main.js", port: 8080, health: "/health" } to a service',
    });
  }
  if (!names.length) return runnable;
  const graph = project.services.map((s) => ({ name: s.name, after: s.run?.after ?? [] }));
  const wanted = new Set(withDependencies(graph, names).map((s) => s.name));
  return runnable.filter((s) => wanted.has(s.name));
}

async function migrateAll(ctx: Context, opts: UpOptions): Promise<MigrateResult> {
  const { migrateLoaded, whyNotMigrated } = await import('./migrate.js');
  const result = await migrateLoaded(ctx, {
    cwd: opts.cwd,
    config: opts.config,
    profile: opts.profile,
    env: opts.env,
    log: opts.log,
    all: true,
    waitMs: opts.waitMs,
    onEvent: (event) => {
      if (event.type === 'waiting')
        opts.log?.(`${event.service}: waiting for the migration lock held by pid ${event.pid ?? '?'}`);
      // only a service that is in step says so; a failure is reported once, below
      if (event.type !== 'done' || (event.result.status !== 'applied' && event.result.status !== 'up-to-date')) return;
      const r = event.result;
      opts.log?.(
        r.applied.length
          ? `migrated ${r.service}: ${r.applied.length} applied (${r.applied.map((a) => a.id).join(', ')})`
          : `${r.service}: migrations up to date`,
      );
    },
  });
  if (result.exitCode === 0) return result;
  const failed = result.services.filter((s) => s.status !== 'applied' && s.status !== 'up-to-date');
  const lines = failed.map((s) => `${s.service}: ${whyNotMigrated(s)}`);
  const message = `migrations failed, nothing was started:\n  ${lines.join('\n  ')}`;
  if (result.exitCode === 2) throw new UserError(message, { hint: failed.find((s) => s.error?.hint)?.error?.hint });
  throw new OperationError(message, { hint: 'fix the migration, or see svcdb status <service>' });
}
