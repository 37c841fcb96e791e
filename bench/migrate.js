#!/usr/bin/env node
// The migration benchmark, every figure measured in this run on this machine:
//   floor   one `psql -1 -f` per service over its concatenated up sections, 5 in parallel
//   bare    the least a Node client must do with a transaction per migration (bench/lib/bare-client.js)
//   dbmate  `dbmate up` per service with its own --migrations-table, 5 in parallel
//   svcdb   `svcdb migrate --all` (one process, services in parallel)
// each on a fresh database; then the no-op runs (everything applied) and svcdb's peak RSS.
// Usage: npm run build && node bench/migrate.js [--migrations 200] [--runs 3] [--v8-flags "<flags>"]
// --v8-flags: V8 flags svcdb sets on itself before it starts (an experiment for the CLI entry;
// the figures are then labelled with them). The CLI's own flags (src/cli/v8-flags.ts) are set
// after these, when the command starts, and win where both name the same flag.
// Server: $SVCDB_BENCH_URL, else $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { generate, projectDir, workDir } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const server = process.env.SVCDB_BENCH_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = numberArg('migrations', 200);
const runs = numberArg('runs', 3);
const v8Flags = stringArg('v8-flags', '');

function stringArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

function numberArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function dbUrl(name) {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${stderr.slice(-2000)}`));
      else resolve({ ms, stderr });
    });
  });
}

async function freshDatabase(admin, name) {
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  return dbUrl(name);
}

const parallel = (items, fn) => Promise.all(items.map(fn));

async function timeAll(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function dbmateBin() {
  const bin = path.join(root, 'node_modules', '.bin', 'dbmate');
  return existsSync(bin) ? bin : null;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : 'n/a');

async function main() {
  if (!existsSync(path.join(root, 'dist/cli/main.js'))) throw new Error('build first: npm run build');
  const services = generate(5, count);
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  const quiet = { PGOPTIONS: '-c client_min_messages=warning' };
  const dbmate = dbmateBin();
  const svcdb = (url, args) =>
    run(process.execPath, [path.join(here, 'lib/rss.js'), '--cwd', projectDir, ...args], {
      DATABASE_URL: url,
      NO_COLOR: '1',
      SVCDB_BENCH_V8_FLAGS: v8Flags,
    });
  const dbmateUp = (url, svc) =>
    run(dbmate, [
      '--url',
      `${url}?sslmode=disable`,
      '--migrations-dir',
      path.join(projectDir, 'internal', svc, 'migrations'),
      '--migrations-table',
      `dbmate_${svc}`,
      '--no-dump-schema',
      'up',
    ]);
  const results = { floor: [], bare: [], dbmate: [], svcdb: [], dbmateNoop: [], svcdbNoop: [], rssKb: [] };
  try {
    for (let i = 0; i < runs; i++) {
      const floorUrl = await freshDatabase(admin, 'svcdb_bench_floor');
      results.floor.push(
        await timeAll(() =>
          parallel(services, (svc) =>
            run(
              'psql',
              ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-d', floorUrl, '-f', path.join(workDir, `${svc}.up.sql`)],
              quiet,
            ),
          ),
        ),
      );
      const bareUrl = await freshDatabase(admin, 'svcdb_bench_bare');
      results.bare.push(
        await timeAll(() =>
          run(process.execPath, [path.join(here, 'lib/bare-client.js'), projectDir, ...services], {
            DATABASE_URL: bareUrl,
          }),
        ),
      );
      if (dbmate) {
        const url = await freshDatabase(admin, 'svcdb_bench_dbmate');
        results.dbmate.push(await timeAll(() => parallel(services, (svc) => dbmateUp(url, svc))));
        results.dbmateNoop.push(await timeAll(() => parallel(services, (svc) => dbmateUp(url, svc))));
      }
      const url = await freshDatabase(admin, 'svcdb_bench_svcdb');
      const applied = await svcdb(url, ['migrate', '--all']);
      results.svcdb.push(applied.ms);
      results.rssKb.push(Number(/SVCDB_MAXRSS_KB=(\d+)/.exec(applied.stderr)?.[1] ?? 0));
      const noop = await svcdb(url, ['migrate', '--all']);
      results.svcdbNoop.push(noop.ms);
      results.rssKb.push(Number(/SVCDB_MAXRSS_KB=(\d+)/.exec(noop.stderr)?.[1] ?? 0));
    }
  } finally {
    for (const name of ['svcdb_bench_floor', 'svcdb_bench_bare', 'svcdb_bench_dbmate', 'svcdb_bench_svcdb']) {
      await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => {});
    }
    await admin.end();
  }
  const floor = median(results.floor);
  const m = (k) => (results[k].length ? median(results[k]) : NaN);
  console.log(
    `svcdb migrate benchmark: ${services.length} services × ${count} migrations, median of ${runs} run(s), wall time`,
  );
  if (v8Flags) console.log(`  (svcdb runs with V8 flags ${v8Flags})`);
  console.log(`  psql floor (psql -1 -f, 5 parallel)     ${fmt(floor)}   1.00× floor`);
  console.log(`  bare client, a transaction a migration ${fmt(m('bare'))}   ${ratio(m('bare'), floor)} floor`);
  if (dbmate)
    console.log(`  dbmate up (5 parallel)                  ${fmt(m('dbmate'))}   ${ratio(m('dbmate'), floor)} floor`);
  else console.log('  dbmate: not installed (npm install), skipped');
  console.log(
    `  svcdb migrate --all                     ${fmt(m('svcdb'))}   ${ratio(m('svcdb'), floor)} floor${dbmate ? `, ${ratio(m('svcdb'), m('dbmate'))} dbmate` : ''}`,
  );
  console.log('no-op (everything applied)');
  if (dbmate) console.log(`  dbmate up ×5 (parallel)                 ${fmt(m('dbmateNoop'))}`);
  console.log(
    `  svcdb migrate --all                     ${fmt(m('svcdbNoop'))}${dbmate ? `   ${ratio(m('svcdbNoop'), m('dbmateNoop'))} dbmate` : ''}`,
  );
  console.log(
    `peak RSS of svcdb: ${(Math.max(...results.rssKb) / 1024).toFixed(1)} MiB (max over apply and no-op runs)`,
  );
  // The runs of one iteration ran back to back, so their ratios cancel most of the load that
  // other work on a shared machine puts on all of them alike.
  const paired = (a, b) => results[a].map((x, i) => x / results[b][i]).filter(Number.isFinite);
  const spread = (xs) => (xs.length ? `median ${median(xs).toFixed(2)}×, min ${Math.min(...xs).toFixed(2)}×` : 'n/a');
  console.log(
    `per-run ratios: apply/floor ${spread(paired('svcdb', 'floor'))}; bare/floor ${spread(paired('bare', 'floor'))}; apply/bare ${spread(paired('svcdb', 'bare'))}; no-op/dbmate ${spread(paired('svcdbNoop', 'dbmateNoop'))}`,
  );
  const mib = (xs) => `${(median(xs) / 1024).toFixed(1)} MiB median, ${(Math.max(...xs) / 1024).toFixed(1)} max`;
  console.log(
    `peak RSS: apply ${mib(results.rssKb.filter((_, i) => i % 2 === 0))}; no-op ${mib(results.rssKb.filter((_, i) => i % 2 === 1))}`,
  );
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
