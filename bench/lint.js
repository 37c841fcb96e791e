#!/usr/bin/env node
// The ownership-lint benchmark, every figure measured in this run on this machine:
//   A. the engine bench's 1,000-file workload (5 services × 200 migrations, bench/generate.js):
//      `svcdb check-ownership` vs `squawk` over the same .sql files (and svcdb once more with
//      SVCDB_NO_CACHE=1: a first run, without V8's code cache of the bundle);
//   B. a generated monorepo, 20 services × 300 migrations + 10,000 TS/Go/Python source files
//      (bench/lib/lint-generate.js): svcdb against the 3 s / 300 MiB targets, squawk over its
//      6,000 .sql files for scale.
// Whole processes, median of --runs (default 3), peak RSS from GNU time.
// Usage: npm run build && node bench/lint.js [--runs 3] [--only-migrations (A2 alone)]
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canMeasureRss, measure, median } from './lib/lint-measure.js';
import { generateMonorepo } from './lib/lint-generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const svcdb = path.join(root, 'bin/svcdb.js');
const squawk = path.join(root, 'node_modules/.bin/squawk');
const runs = numberArg('runs', 3);
const engineProject = path.join(here, '.work/project');
const monorepo = path.join(here, '.work/lint/monorepo');

function numberArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function sqlFileCount(dir) {
  const internal = path.join(dir, 'internal');
  if (!existsSync(internal)) return 0;
  return readdirSync(internal).reduce((n, svc) => {
    const m = path.join(internal, svc, 'migrations');
    return n + (existsSync(m) ? readdirSync(m).filter((f) => f.endsWith('.sql')).length : 0);
  }, 0);
}

async function ensureWorkloads(monorepoToo) {
  if (sqlFileCount(engineProject) !== 1000) {
    // The engine bench's generator owns bench/.work/project (and clears bench/.work first).
    const { generate } = await import('./generate.js');
    generate(5, 200);
  }
  if (monorepoToo) generateMonorepo(monorepo, { services: 20, migrations: 300, sources: 10000 });
}

/** Runs each command `runs` times, interleaved (a, b, c, a, b, c...) so that changes in the
 * machine's load hit them alike; median time and highest peak RSS of each. */
async function interleaved(specs) {
  const samples = specs.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [k, s] of specs.entries()) samples[k].push(await measure(s.cmd, s.args, s.cwd, s.env));
  }
  return specs.map((s, k) => ({
    label: s.label,
    ms: median(samples[k].map((x) => x.ms)),
    rss: samples[k].every((x) => x.rssKb !== null) ? Math.max(...samples[k].map((x) => x.rssKb)) / 1024 : null,
    last: samples[k][samples[k].length - 1],
  }));
}

function row(r, note = '') {
  const rss = r.rss === null ? 'n/a' : `${r.rss.toFixed(0)} MiB`;
  return `  ${r.label.padEnd(34)} ${`${(r.ms / 1000).toFixed(2)} s`.padStart(8)}   peak RSS ${rss.padStart(8)}  ${note}`;
}

function findingsOf(result) {
  try {
    const doc = JSON.parse(result.last.stdout);
    return `${doc.summary.files} files, ${doc.summary.errors} errors, ${doc.summary.warnings} warnings`;
  } catch {
    return `exit ${result.last.code}`;
  }
}

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) throw new Error('build first: npm run build');
  const onlyMigrations = process.argv.includes('--only-migrations');
  await ensureWorkloads(!onlyMigrations);
  console.log(
    `lint bench: ${os.cpus().length} cores, node ${process.version}, median of ${runs} runs${canMeasureRss ? '' : ' (no GNU time: RSS not measured)'}`,
  );
  const glob = 'internal/*/migrations/*.sql';
  load('at the start');
  if (!onlyMigrations) await ownershipVsSquawk(glob);
  await migrationsVsSquawk(glob);
  if (onlyMigrations) return load('at the end');
  await monorepoBench(glob);
  load('at the end');
}

/** A: check-ownership over the engine workload against squawk. */
async function ownershipVsSquawk(glob) {
  console.log(`\nA. 1,000 migration files (5 services × 200)`);
  const [a, cold, sa] = await interleaved([
    {
      label: 'svcdb check-ownership',
      cmd: process.execPath,
      args: [svcdb, 'check-ownership', '--json'],
      cwd: engineProject,
    },
    // A first run (a CI job with an empty ~/.cache) compiles the bundle without V8's code cache.
    {
      label: 'svcdb, SVCDB_NO_CACHE=1',
      cmd: process.execPath,
      args: [svcdb, 'check-ownership', '--json'],
      cwd: engineProject,
      env: { SVCDB_NO_CACHE: '1' },
    },
    { label: 'squawk (same .sql files)', cmd: squawk, args: [glob], cwd: engineProject },
  ]);
  console.log(row(a, findingsOf(a)));
  console.log(row(cold, 'no code cache'));
  console.log(row(sa, `exit ${sa.last.code}`));
  console.log(
    `  ratio svcdb / squawk: ${(a.ms / sa.ms).toFixed(2)}×  (target ≤ 1.0×); without the code cache ${(cold.ms / sa.ms).toFixed(2)}×`,
  );
}

/** A2: check-migrations --all-migrations over the same files against squawk. */
async function migrationsVsSquawk(glob) {
  console.log(`\nA2. the same 1,000 files: the safety lint (squawk's own job)`);
  const [m, sm] = await interleaved([
    {
      label: 'svcdb check-migrations --all',
      cmd: process.execPath,
      args: [svcdb, 'check-migrations', '--all-migrations', '--format', 'json'],
      cwd: engineProject,
    },
    { label: 'squawk (same .sql files)', cmd: squawk, args: [glob], cwd: engineProject },
  ]);
  console.log(row(m, findingsOf(m)));
  console.log(row(sm, `exit ${sm.last.code}`));
  console.log(`  ratio svcdb / squawk: ${(m.ms / sm.ms).toFixed(2)}×  (target ≤ 1.0×)`);
}

/** B: the generated monorepo against the 3 s / 300 MiB targets. */
async function monorepoBench(glob) {
  console.log(`\nB. monorepo: 20 services × 300 migrations + 10,000 source files`);
  const [b, inProcess, sb] = await interleaved([
    {
      label: 'svcdb check-ownership',
      cmd: process.execPath,
      args: [svcdb, 'check-ownership', '--json'],
      cwd: monorepo,
    },
    {
      label: 'svcdb, no worker threads',
      cmd: process.execPath,
      args: [svcdb, 'check-ownership', '--json'],
      cwd: monorepo,
      env: { SVCDB_LINT_WORKERS: '0' },
    },
    { label: 'squawk (its 6,000 .sql files only)', cmd: squawk, args: [glob], cwd: monorepo },
  ]);
  console.log(row(b, findingsOf(b)));
  console.log(row(inProcess, 'SVCDB_LINT_WORKERS=0'));
  console.log(row(sb, `exit ${sb.last.code}`));
  console.log(
    `  svcdb: ${(b.ms / 1000).toFixed(2)} s (target ≤ 3 s), peak RSS ${b.rss === null ? 'n/a' : `${b.rss.toFixed(0)} MiB`} (target ≤ 300 MiB); worker speed-up ${(inProcess.ms / b.ms).toFixed(2)}×`,
  );
}

function load(when) {
  console.log(
    `  load average ${when}: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (other processes share these cores)`,
  );
}

main().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
