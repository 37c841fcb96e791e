#!/usr/bin/env node
// Whole-process start-up time of the CLI next to bare Node, measured in the same run.
// Usage: npm run build && node bench/startup.js [runs]
// Prints the median and minimum wall time of each command over `runs` runs (default 20) and
// their difference to `node -e 0`. Target (issue 9): svcdb --version and svcdb env dev with a
// YAML config within 30 ms of bare Node, with no cache at all: every svcdb line runs with
// SVCDB_NO_CACHE=1 (on Node >= 22.1 that also turns off Node's compile cache, the one cache
// svcdb uses). The last line runs the same command from the plain tsc build (dist/cli, ES
// modules) to show what the bundle saves.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/svcdb.js');
const tscMain = pathToFileURL(path.join(root, 'dist/cli/main.js')).href;
const viaTsc = (...args) => [
  '--input-type=module',
  '-e',
  `import { main } from ${JSON.stringify(tscMain)}; main(${JSON.stringify(['node', 'svcdb', ...args])}).then((code) => { process.exitCode = code; });`,
];
const runs = Number(process.argv[2] ?? 20);

// Two small projects: the platform fixture with its YAML config, and the same without one.
const withConfig = mkdtempSync(path.join(os.tmpdir(), 'svcdb-bench-'));
cpSync(path.join(root, 'test/fixtures/config/platform'), withConfig, { recursive: true });
// No config file: the default layout (internal/<service>/migrations), as the reference
// platform has it (a folder with no services at all is exit 2 since "no services found").
const noConfig = mkdtempSync(path.join(os.tmpdir(), 'svcdb-bench-'));
cpSync(path.join(root, 'examples/platform/internal'), path.join(noConfig, 'internal'), { recursive: true });

const env = {
  ...process.env,
  DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/platform',
  NO_COLOR: '1',
  SVCDB_NO_CACHE: '1',
};
const cases = [
  ['node -e 0', ['-e', '0'], root],
  ['svcdb --version', [bin, '--version'], root],
  ['svcdb env dev (no config file)', [bin, 'env', 'dev'], noConfig],
  ['svcdb env dev (YAML config)', [bin, 'env', 'dev', '--config', 'svcdb.config.yaml'], withConfig],
  ['svcdb services (YAML config)', [bin, 'services'], withConfig],
  ['svcdb env dev (YAML, tsc build)', viaTsc('env', 'dev', '--config', 'svcdb.config.yaml'), withConfig],
];

function time(args, cwd, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  for (const [, args, cwd, extraEnv] of cases) time(args, cwd, extraEnv); // warm the file system
  const samples = cases.map(() => []);
  // Interleave the cases so that machine load affects them all alike.
  for (let i = 0; i < runs; i++)
    cases.forEach(([, args, cwd, extraEnv], k) => samples[k].push(time(args, cwd, extraEnv)));
  const medians = samples.map(median);
  const minima = samples.map((xs) => Math.min(...xs));
  const load = os.loadavg()[0].toFixed(1);
  console.log(
    `start-up over ${runs} runs (node ${process.version}, ${os.cpus().length} cpus, load ${load}); the minimum is the figure least disturbed by other work`,
  );
  console.log(
    `  ${''.padEnd(32)} ${'median'.padStart(10)} ${'vs node'.padStart(9)} ${'min'.padStart(9)} ${'vs node'.padStart(9)}`,
  );
  cases.forEach(([name], k) => {
    const vs = (xs, v) => (k === 0 ? '' : `+${(v - xs[0]).toFixed(1)}`);
    console.log(
      `  ${name.padEnd(32)} ${medians[k].toFixed(1).padStart(7)} ms ${vs(medians, medians[k]).padStart(9)} ${minima[k].toFixed(1).padStart(6)} ms ${vs(minima, minima[k]).padStart(9)}`,
    );
  });
} finally {
  rmSync(withConfig, { recursive: true, force: true });
  rmSync(noConfig, { recursive: true, force: true });
}
