import { rolePrefixProblem } from '../../core/flag-values.js';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { OperationError } from '../../core/errors.js';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { durationOption } from '../durations.js';
import { log, out, stderr, stdout, table } from '../io.js';
import { emitJson, jsonErrorOf } from '../output.js';

/** Exit 2 for a prefix PostgreSQL would need quoting for (spaces, `;`), instead of rewriting it. */
function parseRolePrefix(value: string): string {
  const problem = rolePrefixProblem(value);
  if (problem) throw new InvalidArgumentError(problem);
  return value;
}

export function register(program: Command): void {
  program
    .command('up')
    .argument('[service...]', 'services to start, with what they run after (default: every service with a run command)')
    .description(
      'the local runtime: database (embedded when needed), provision, migrate, then start the services and wait for their health',
    )
    .option('--no-provision', "keep the profile's URLs as they are (no per-service roles)")
    .option('--role-prefix <prefix>', 'role name = <prefix><service> when provisioning', parseRolePrefix)
    .addOption(
      durationOption(
        '--health-timeout <duration>',
        'how long a service may take to answer its health path (e.g. 90s, 2m)',
        60_000,
      ),
    )
    .addOption(
      durationOption('--grace <duration>', 'how long a service may take to stop after SIGTERM before SIGKILL', 5_000),
    )
    .addOption(durationOption('--wait <duration>', 'keep retrying an unreachable database server this long', 10_000))
    .addHelpText(
      'after',
      `
Each service gets <PREFIX><SERVICE>_DATABASE_URL, PORT and <OTHER>_URL=http://127.0.0.1:<port>
for every other service. Ctrl-C stops them in reverse order (SIGTERM, SIGKILL after --grace;
a second Ctrl-C kills at once), then the embedded database if this run started it.

Examples:
  svcdb up
  svcdb up query            # query and what it runs after
  svcdb up --health-timeout 2m --wait 30s
  svcdb up --profile dev-aws`,
    )
    .action(
      async (
        names: string[],
        opts: { provision: boolean; rolePrefix?: string; healthTimeout: number; grace: number; wait: number },
        cmd: Command,
      ) => {
        const g = globals(cmd);
        const { up } = await import('../../commands/up.js');
        const controller = new AbortController();
        const force = new AbortController();
        // First Ctrl-C: stop gracefully. Second: kill what is still running.
        const onSignal = () => {
          if (!controller.signal.aborted) return controller.abort();
          log('stopping now (SIGKILL)');
          force.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const write = (text: string) => (g.json ? stderr() : stdout()).write(text);
        try {
          const result = await up({
            cwd: g.cwd,
            config: g.config,
            profile: g.profileName,
            log,
            services: names,
            provision: opts.provision,
            rolePrefix: opts.rolePrefix,
            healthTimeoutMs: opts.healthTimeout,
            graceMs: opts.grace,
            waitMs: opts.wait,
            prefixFor: prefixer(),
            write,
            stop: controller.signal,
            force: force.signal,
            onReady: (rows) => {
              const text = table(
                ['service', 'url', 'database'],
                rows.map((r) => [r.service, r.url ?? '-', r.database]),
              );
              if (g.json) log(text);
              else out(`${c().bold('ready')}\n${text}\n(Ctrl-C to stop)`);
            },
          });
          if (result.crash) {
            const { service, exit, lastLines, reason } = result.crash;
            const how =
              reason === 'unhealthy'
                ? 'never answered its health check'
                : exit.signal
                  ? `was killed by ${exit.signal}`
                  : `exited with code ${exit.code}`;
            if (lastLines.length) log(`last lines of ${service}:\n${lastLines.map((l) => `  ${l}`).join('\n')}`);
            const err = new OperationError(`${service} ${how}; the other services were stopped`, {
              hint: `run it alone to see more: svcdb run ${service} -- <its command>`,
            });
            if (g.json) emitJson(result, 1, jsonErrorOf(err));
            throw err;
          }
          if (g.json) emitJson(result, 0);
          log(
            `stopped ${result.stopped.join(', ') || 'nothing'}${result.stoppedEmbedded ? ' and the embedded database' : ''}`,
          );
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      },
    );
}

const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'redBright', 'cyanBright', 'magentaBright'] as const;

/** Each service's name in its own colour, padded so the log columns line up. */
function prefixer(): (service: string) => (line: string) => string {
  const assigned = new Map<string, (typeof PALETTE)[number]>();
  const width = 12;
  return (service) => {
    if (!assigned.has(service)) assigned.set(service, PALETTE[assigned.size % PALETTE.length]);
    const paint = c()[assigned.get(service)!];
    const label = paint(`${service.padEnd(width)} |`);
    return (line) => `${label} ${line}`;
  };
}
