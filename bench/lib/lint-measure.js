// Times a whole process and reads its peak RSS through GNU time (`/usr/bin/time -f`), so svcdb
// and squawk are measured the same way; without GNU time, RSS is reported as unknown.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';
export const canMeasureRss = existsSync(GNU_TIME);

/** Runs `cmd args` in `cwd`; resolves { ms, rssKb, code, stdout } whatever the exit code. */
export function measure(cmd, args, cwd, env = {}) {
  const [bin, argv] = canMeasureRss ? [GNU_TIME, ['-f', 'MAXRSS_KB=%M', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bin, argv, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const rss = /MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ ms, rssKb: rss ? Number(rss[1]) : null, code, stdout, stderr });
    });
  });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
