// `svcdb migrate`: flags, help, and rendering of the result (progress on stderr, summary on
// stdout). Also the duration flags every engine command shares.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { lockTimeoutProblem } from '../../core/flag-values.js';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { log, out, outJson, stderr, table } from '../io.js';
import type { MigrateEvent, MigrateResult, ServiceMigrateResult } from '../../commands/migrate.js';

/** `60s`, `500ms`, `2m`, or a bare number of seconds → ms. */
function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a duration such as 60s, 500ms or 2m');
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

export function addWaitFlag(cmd: Command): Command {
  return cmd.addOption(new Option('--wait <duration>', 'keep retrying an unreachable server this long (e.g. 30s)').argParser(parseDuration).default(10_000, '10s'));
}

function parseLockTimeout(value: string): number {
  const ms = parseDuration(value);
  const problem = lockTimeoutProblem(ms);
  if (problem) throw new InvalidArgumentError(problem);
  return ms;
}

export function addLockFlag(cmd: Command): Command {
  return cmd.addOption(new Option('--lock-timeout <duration>', "wait this long for another run's lock, then exit 1").argParser(parseLockTimeout).default(60_000, '60s'));
}

export function waitingLine(service: string, pid: number | null): string {
  return `${service}: waiting for lock held by ${pid === null ? 'another session' : `pid ${pid}`}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('migrate')
    .description('apply pending migrations, each service in isolation, services in parallel')
    .argument('[service...]', 'services to migrate')
    .option('-a, --all', 'every service')
    .option('--to <migration>', 'stop after this migration (file name, id or number) in each service')
    .option('--concurrency <n>', 'services migrated at once', (v) => positiveInt(v), 8)
    .option('--verbose', "show the server's notices (RAISE NOTICE in a migration, \"already exists, skipping\")")
    .addHelpText('after', '\nExamples:\n  svcdb migrate --all\n  svcdb migrate ingestion eventhandler --profile dev-aws\n  svcdb migrate ingestion --to 004\n');
  addLockFlag(addWaitFlag(cmd)).action(async (services: string[], flags: { all?: boolean; to?: string; wait: number; lockTimeout: number; concurrency: number; verbose?: boolean }, command: Command) => {
    const g = globals(command);
    const { migrate } = await import('../../commands/migrate.js');
    const result = await migrate({
      cwd: g.cwd, config: g.config, profile: g.profileName, services, all: flags.all, to: flags.to,
      waitMs: flags.wait, lockTimeoutMs: flags.lockTimeout, concurrency: flags.concurrency,
      onEvent: progress(Boolean(stderr().isTTY)), log, notices: Boolean(flags.verbose),
    });
    await render(result, Boolean(g.json));
    process.exitCode = result.exitCode;
  });
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** On a TTY a line per migration as it lands; otherwise one line per service when it ends. */
function progress(tty: boolean): (e: MigrateEvent) => void {
  return (e) => {
    if (e.type === 'waiting') log(waitingLine(e.service, e.pid));
    else if (e.type === 'lock-wait') log(e.line);
    else if (e.type === 'notice') log(`${e.service}: NOTICE: ${e.message}`);
    else if (e.type === 'applied' && tty) log(`${c().dim(e.service)}  ${c().green('applied')} ${e.migration} ${c().dim(`(${e.durationMs} ms)`)}`);
    else if (e.type === 'done' && !tty) log(serviceLine(e.result));
  };
}

function serviceLine(r: ServiceMigrateResult): string {
  const ms = `${r.durationMs} ms`;
  switch (r.status) {
    case 'up-to-date': return `${r.service}: up to date (${ms})`;
    case 'applied': return `${r.service}: applied ${r.applied.length} (${r.applied.at(0)?.id} … ${r.applied.at(-1)?.id}) in ${ms}`;
    case 'failed': return `${r.service}: FAILED at ${r.failure?.migration} after applying ${r.applied.length}`;
    case 'drift': return `${r.service}: REFUSED, ${r.drifted.length} applied file(s) changed`;
    default: return `${r.service}: ERROR ${r.error?.message ?? ''}`;
  }
}

async function render(result: MigrateResult, json: boolean): Promise<void> {
  if (json) outJson(result);
  else {
    const rows = result.services.map((s) => [
      s.service, statusText(s.status), String(s.applied.length), String(s.notTried.length), `${s.durationMs} ms`, s.target,
    ]);
    out(table(['SERVICE', 'STATUS', 'APPLIED', 'NOT TRIED', 'TIME', 'TARGET'], rows));
  }
  await reportProblems(result);
}

/** Plain text: colour codes inside table cells would break the column alignment. */
function statusText(status: ServiceMigrateResult['status']): string {
  return status === 'up-to-date' ? 'up to date' : status;
}

async function reportProblems(result: MigrateResult): Promise<void> {
  const { formatFailure } = await import('../../db/failure.js');
  for (const s of result.services) {
    if (s.failure) {
      log(`${c().red('error:')} ${formatFailure(s.failure)}`);
      if (s.applied.length) log(`  applied before it: ${s.applied.map((a) => a.id).join(', ')}`);
      if (s.notTried.length) log(`  not tried: ${s.notTried.join(', ')}`);
    }
    if (s.status === 'drift') {
      log(`${c().red('error:')} ${s.service}: applied migrations changed since they were applied, nothing was run:\n  ${s.drifted.join('\n  ')}`);
      log(`  hint: restore the files, or accept them with: svcdb repair ${s.service}`);
    }
    if (s.error) {
      log(`${c().red('error:')} ${s.service}: ${s.error.message}`);
      if (s.error.hint) log(`  hint: ${s.error.hint}`);
    }
    for (const r of s.renamed) log(`${s.service}: ${r.from} was renamed ${r.to}: recorded under the new name, not run again`);
    if (s.missing.length) log(`${c().yellow('warning:')} ${s.service}: recorded as applied but the file is gone: ${s.missing.join(', ')}`);
  }
}
