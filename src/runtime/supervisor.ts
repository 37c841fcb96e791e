// `up`'s process supervision: start services in order, each after its dependencies are healthy;
// run until Ctrl-C/SIGTERM or until one exits on its own; then stop all in reverse order.
import { healthUrl, waitHealthy } from './health.js';
import { type Exit, type ServiceProcess, launch } from './process.js';

export interface SupervisedService {
  name: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  port?: number;
  health?: string;
}

export interface SuperviseOptions {
  /** in start order (dependencies first) */
  services: SupervisedService[];
  prefixFor: (service: string) => (line: string) => string;
  write: (text: string) => void;
  log: (line: string) => void;
  /** aborted on Ctrl-C / SIGTERM */
  stop: AbortSignal;
  /** aborted on a second Ctrl-C: SIGKILL instead of waiting out the grace period */
  force?: AbortSignal;
  onReady: (services: SupervisedService[]) => void;
  healthTimeoutMs?: number;
  graceMs?: number;
}

export interface Crash {
  service: string;
  exit: Exit;
  lastLines: string[];
  /** 'exited' on its own, or never became healthy */
  reason: 'exited' | 'unhealthy';
}

export interface SuperviseResult {
  /** 'interrupted': the user stopped it; 'crashed': a service exited or never got healthy */
  outcome: 'interrupted' | 'crashed';
  crash?: Crash;
  /** services stopped, in the order they were stopped */
  stopped: string[];
}

export async function supervise(opts: SuperviseOptions): Promise<SuperviseResult> {
  const running: ServiceProcess[] = [];
  let crash: Crash | undefined;
  // The first process to exit on its own ends the run (unless we are already stopping).
  let wake: () => void = () => {};
  const woken = new Promise<void>((resolve) => (wake = resolve));
  opts.stop.addEventListener('abort', () => wake(), { once: true });
  const watch = (proc: ServiceProcess) => {
    void proc.exited.then((exit) => {
      if (opts.stop.aborted || crash) return;
      crash = { service: proc.name, exit, lastLines: proc.lastLines(), reason: 'exited' };
      wake();
    });
  };
  for (const service of opts.services) {
    if (opts.stop.aborted || crash) break;
    opts.log(`starting ${service.name}: ${service.command}`);
    const proc = await launch({
      name: service.name,
      command: service.command,
      cwd: service.cwd,
      env: service.env,
      prefix: opts.prefixFor(service.name),
      write: opts.write,
    });
    running.push(proc);
    watch(proc);
    if (!service.port || !service.health) continue;
    const health = await waitHealthy({
      url: healthUrl(service.port, service.health),
      timeoutMs: opts.healthTimeoutMs ?? 60_000,
      cancelled: () => opts.stop.aborted || crash !== undefined,
    });
    if (health === 'timeout') {
      crash = {
        service: service.name,
        exit: { code: null, signal: null },
        lastLines: proc.lastLines(),
        reason: 'unhealthy',
      };
    }
  }
  if (!opts.stop.aborted && !crash) {
    opts.onReady(opts.services);
    await woken;
  }
  const stopped: string[] = [];
  for (const proc of [...running].reverse()) {
    if (!proc.exit) opts.log(`stopping ${proc.name}`);
    await proc.stop(opts.graceMs ?? 5_000, opts.force);
    stopped.push(proc.name);
  }
  return crash ? { outcome: 'crashed', crash, stopped } : { outcome: 'interrupted', stopped };
}
