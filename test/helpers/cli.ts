// Runs the built CLI as a user would: a separate process, real exit code, real streams.
// The one home for running svcdb in tests: `svcdb()` with a clean environment (what most tests
// want), `runCli()` with the test process's environment as it is.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin/svcdb.js');

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** added to (undefined: removed from) the environment */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** another copy of bin/svcdb.js (a package copied elsewhere) */
  bin?: string;
  /** close the read end of stdout before svcdb writes, as `svcdb … | head -0` does */
  closeStdout?: boolean;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.bin ?? binPath, ...args], { cwd: opts.cwd ?? repoRoot, env });
    let stdout = '';
    let stderr = '';
    if (opts.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/**
 * svcdb with none of the variables it reads taken from the test process (DATABASE_URL, every
 * `*_DATABASE_URL`, SVCDB_PROFILE, SVCDB_NO_CACHE): only what `opts.env` sets.
 */
export function svcdb(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const clean: Record<string, string | undefined> = {
    DATABASE_URL: undefined,
    SVCDB_PROFILE: undefined,
    SVCDB_NO_CACHE: undefined,
  };
  for (const k of Object.keys(process.env)) if (k.endsWith('_DATABASE_URL')) clean[k] = undefined;
  return runCli(args, { ...opts, env: { ...clean, ...opts.env } });
}
