// `svcdb run <service> -- <command...>`: migrate that service, then run the command with its env
// (the migrate-on-startup container entrypoint). The command's exit status becomes svcdb's.
import { OperationError, UserError } from '../core/errors.js';
import type { CommandOptions } from './context.js';

export interface RunOptions extends CommandOptions {
  service: string;
  /** the command and its arguments (no shell) */
  command: string[];
  /** skip the migration step */
  migrate?: boolean;
  /** retry an unreachable server this long, ms (passed to migrate) */
  waitMs?: number;
  /** wait for another run's migration lock this long, ms (passed to migrate) */
  lockTimeoutMs?: number;
  /** see runtime/foreground.ts: how svcdb's received signals reach the child */
  onSignal: (handler: (signal: NodeJS.Signals) => void) => () => void;
}

export interface RunResult {
  service: string;
  /** migrations applied before the command started */
  applied: string[];
  exitCode: number;
  /** the signal that ended the command, if any */
  signal: string | null;
  /** the command could not be started (not found, not executable): exit code 127 */
  error?: string;
}

export async function run(opts: RunOptions): Promise<RunResult> {
  if (!opts.command.length) {
    throw new UserError('no command to run', { hint: `svcdb run ${opts.service} -- node dist/main.js` });
  }
  const { loadContext } = await import('./context.js');
  const ctx = await loadContext({ ...opts, pick: { names: [opts.service], all: false } });
  const service = ctx.project.services.find((s) => s.name === opts.service);
  if (!service)
    throw new UserError(`unknown service: ${opts.service}`, {
      hint: `known services: ${ctx.project.services.map((s) => s.name).join(', ')}`,
    });
  let applied: string[] = [];
  if (opts.migrate !== false) {
    const { migrateLoaded, whyNotMigrated } = await import('./migrate.js');
    const result = await migrateLoaded(ctx, { ...opts, services: [opts.service] });
    const mine = result.services[0];
    if (result.exitCode !== 0) {
      const message = `${opts.service}: migrations failed, the command was not started: ${whyNotMigrated(mine)}`;
      if (result.exitCode === 2) throw new UserError(message, { hint: mine.error?.hint });
      throw new OperationError(message, { hint: mine.failure?.hint ?? `see svcdb status ${opts.service}` });
    }
    applied = mine.applied.map((s) => s.id);
    if (applied.length) opts.log?.(`${opts.service}: applied ${applied.join(', ')}`);
  }
  const env: Record<string, string> = { ...(service.run?.env ?? {}), [service.envVar]: ctx.targetOf(service).url };
  const baseEnv = opts.env ?? process.env;
  if (service.run?.port && !baseEnv.PORT) env.PORT = String(service.run.port);
  const { runForeground } = await import('../runtime/foreground.js');
  const [file, ...args] = opts.command;
  const outcome = await runForeground({ file, args, cwd: ctx.project.root, env, onSignal: opts.onSignal });
  return { service: opts.service, applied, ...outcome };
}
