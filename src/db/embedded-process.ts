// The embedded server's processes: which pid is really this cluster's postmaster, stopping it,
// running its tools to the end.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { processAlive, type RunAs } from './embedded-host.js';

/**
 * The postmaster's pid and port from postmaster.pid, when that process is alive AND is this
 * cluster's postgres: a stale file (a crash, a reboot) may name a pid that now belongs to an
 * unrelated process, which must never be reported as the server, nor signalled.
 */
export async function runningPid(dataDir: string): Promise<{ pid: number; port: number | null } | null> {
  const text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => null);
  if (!text) return null;
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return null;
  if (!(await isPostmasterOf(pid, dataDir))) return null;
  return { pid, port: Number.isInteger(port) && port > 0 ? port : null };
}

/** Whether `pid` runs a postgres binary with `-D <dataDir>` (its command line, from /proc or ps). */
export async function isPostmasterOf(pid: number, dataDir: string): Promise<boolean> {
  let args: string[] | null = null;
  const proc = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (proc !== null) args = proc.split('\0').filter(Boolean);
  else {
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string | null>((resolve) =>
      execFile('ps', ['-p', String(pid), '-o', 'command='], (err, stdout) => resolve(err ? null : stdout)),
    );
    if (out === null) return false;
    args = out.trim().split(/\s+/);
  }
  if (!args.length || path.basename(args[0]) !== 'postgres') return false;
  const d = args.indexOf('-D');
  return d !== -1 && path.resolve(args[d + 1] ?? '') === path.resolve(dataDir);
}

/** SIGINT (PostgreSQL's fast shutdown), then SIGQUIT, then SIGKILL. */
export async function terminate(pid: number, timeoutMs: number): Promise<void> {
  const steps: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', timeoutMs],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [signal, wait] of steps) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + wait;
    while (Date.now() < deadline) {
      if (!processAlive(pid)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function runToEnd(
  file: string,
  args: string[],
  runAs: RunAs | null,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

export function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
