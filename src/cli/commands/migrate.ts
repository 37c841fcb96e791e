// `svcdb migrate`: flags, help, and rendering of the result (progress on stderr, summary on
// stdout).
import type { Command } from 'commander';
import { c } from '../color.js';
import { globals } from '../globals.js';
import { log, out, stderr, table } from '../io.js';
import { emitJson, servicePrefixed } from '../output.js';
import { Progress } from '../render/progress.js';
import { addLockFlag, addSelection, positiveInt, type SelectionFlags } from './options.js';
import type { MigrateEvent, MigrateResult, ServiceMigrateResult } from '../../commands/migrate.js';

export function waitingLine(service: string, pid: number | null): string {
  return `${service}: waiting for lock held by ${pid === null ? 'another session' : `pid ${pid}`}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('migrate')
    .description('apply pending migrations, each service in isolation, services in parallel');
  addSelection(cmd, 'migrate')
    .option('--concurrency <n>', 'services migrated at once', (v) => positiveInt(v), 8)
    .option('-q, --quiet', 'print only the summary, no line per migration')
    .addHelpText(
      'after',
      '\nTable locks: each migration runs with lock_timeout (config lockTimeout, default 5s), statement_timeout\n(statementTimeout) and is retried lockRetries times (default 5) when it times out on a lock.\n\nExamples:\n  svcdb migrate --all\n  svcdb migrate ingestion eventhandler --profile dev-aws\n  svcdb migrate ingestion --to 004 --wait 30s\n',
    );
  addLockFlag(cmd).action(
    async (
      services: string[],
      flags: SelectionFlags & { lockTimeout: number; concurrency: number; quiet?: boolean },
      command: Command,
    ) => {
      const g = globals(command);
      const { migrate } = await import('../../commands/migrate.js');
      const bar = new Progress({ stream: stderr(), live: Boolean(stderr().isTTY), paint: c(), quiet: flags.quiet });
      let result: MigrateResult;
      try {
        result = await migrate({
          cwd: g.cwd,
          config: g.config,
          profile: g.profileName,
          services,
          all: flags.all,
          to: flags.to,
          waitMs: flags.wait,
          lockTimeoutMs: flags.lockTimeout,
          concurrency: flags.concurrency,
          onEvent: progress(bar),
          log,
          notices: Boolean(g.verbose),
        });
      } finally {
        bar.end();
      }
      await render(result, Boolean(g.json));
      if (!g.json) process.exitCode = result.exitCode;
    },
  );
}

/** One line per migration applied (goose/dbmate style); on a terminal also the live lines. */
function progress(bar: Progress): (e: MigrateEvent) => void {
  return (e) => {
    if (e.type === 'waiting') bar.line(waitingLine(e.service, e.pid), { evenIfQuiet: true });
    else if (e.type === 'lock-wait') bar.line(e.line, { evenIfQuiet: true });
    else if (e.type === 'notice') bar.line(`${e.service}: NOTICE: ${e.message}`, { evenIfQuiet: true });
    else if (e.type === 'applying') bar.applying(e.service, e.migration, e.index, e.total);
    else if (e.type === 'applied') bar.applied(e.service, e.migration, e.durationMs);
    else if (e.type === 'done') {
      bar.serviceDone(e.result.service);
      const line = serviceLine(e.result);
      if (line) bar.line(line);
    }
  };
}

/** The service's outcome, after its lines per migration (scripts grep this closing line). */
function serviceLine(r: ServiceMigrateResult): string | null {
  switch (r.status) {
    case 'up-to-date':
      return `${r.service}: up to date`;
    case 'applied':
      return `${r.service}: applied ${r.applied.length} (${r.applied.at(0)?.id} … ${r.applied.at(-1)?.id}) in ${r.durationMs} ms`;
    case 'failed':
      return `${r.service}: FAILED at ${r.failure?.migration} after applying ${r.applied.length}`;
    case 'drift':
      return `${r.service}: REFUSED, ${r.drifted.length} applied file(s) changed`;
    default:
      return null; // the error itself is reported after the summary
  }
}

async function render(result: MigrateResult, json: boolean): Promise<void> {
  if (json) emitJson(result, result.exitCode);
  else {
    const rows = result.services.map((s) => [
      s.service,
      statusText(s.status),
      String(s.applied.length),
      String(s.notTried.length),
      `${s.durationMs} ms`,
      s.target,
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
      log(
        `${c().red('error:')} ${s.service}: applied migrations changed since they were applied, nothing was run:\n  ${s.drifted.join('\n  ')}`,
      );
      log(`  hint: restore the files, or accept them with: svcdb repair ${s.service}`);
    }
    if (s.error) {
      log(`${c().red('error:')} ${servicePrefixed(s.service, s.error.message)}`);
      if (s.error.hint) log(`  hint: ${s.error.hint}`);
    }
    for (const r of s.renamed)
      log(`${s.service}: ${r.from} was renamed ${r.to}: recorded under the new name, not run again`);
    if (s.missing.length)
      log(`${c().yellow('warning:')} ${s.service}: recorded as applied but the file is gone: ${s.missing.join(', ')}`);
  }
}
