// Runs examples/platform as a user would: a private copy on free ports, `svcdb up` as a child
// process, and the checks that nothing (process or port) outlives it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { binPath, repoRoot } from '../helpers/cli.js';

export const exampleDir = path.join(repoRoot, 'examples/platform');
export const SERVICES = ['ingestion', 'query', 'eventhandler', 'actions', 'tsdb'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** the ports written in the example's svcdb.config.ts */
const CONFIG_PORTS: Record<ServiceName, number> = {
  ingestion: 8080,
  query: 8081,
  eventhandler: 8082,
  actions: 8083,
  tsdb: 8084,
};

export interface PlatformCopy {
  dir: string;
  ports: Record<ServiceName, number>;
  remove(): void;
}

/**
 * Compiles the example when `npm run build` has not, or when a source is newer than the build
 * (the services run from dist/). It compiles beside dist/ and swaps the folders, so a parallel
 * test file never runs a half-written service.
 */
export function ensureExampleBuilt(): void {
  const dist = path.join(exampleDir, 'dist');
  if (!isStale(path.join(exampleDir, 'internal'), dist)) return;
  const fresh = `${dist}.${process.pid}`;
  const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', exampleDir, '--outDir', fresh], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`tsc -p examples/platform failed:\n${built.stdout}${built.stderr}`);
  const old = `${dist}.old.${process.pid}`;
  try {
    fs.renameSync(dist, old);
  } catch {
    // no build yet, or another test file is swapping its own build in
  }
  try {
    fs.renameSync(fresh, dist);
  } catch {
    // another test file's fresh build got there first: same sources, keep it
  }
  fs.rmSync(old, { recursive: true, force: true });
  fs.rmSync(fresh, { recursive: true, force: true });
}

function isStale(sources: string, dist: string): boolean {
  if (!fs.existsSync(path.join(dist, 'ingestion/main.js'))) return true;
  const newest = (dir: string, ext: string): number =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(max, newest(full, ext));
      return entry.name.endsWith(ext) ? Math.max(max, fs.statSync(full).mtimeMs) : max;
    }, 0);
  return newest(sources, '.ts') > newest(dist, '.js');
}

/**
 * A copy of the example in a temp dir, its config's ports moved to free ones so a developer's
 * running platform (or a parallel run) cannot clash. node_modules is linked so the services still
 * resolve `postgres` from the repository.
 */
export async function copyPlatform(): Promise<PlatformCopy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcdb-e2e-platform-'));
  // The embedded PostgreSQL may run as an unprivileged user (when we are root): it must reach
  // `.svcdb/` under this folder, and mkdtemp makes it 0700.
  fs.chmodSync(dir, 0o755);
  fs.cpSync(exampleDir, dir, {
    recursive: true,
    filter: (src) => !['.svcdb', 'node_modules'].includes(path.basename(src)),
  });
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const ports = await freePorts(SERVICES);
  const configFile = path.join(dir, 'svcdb.config.ts');
  let config = fs.readFileSync(configFile, 'utf8');
  for (const service of SERVICES) {
    const written = `port: ${CONFIG_PORTS[service]},`;
    if (!config.includes(written)) throw new Error(`svcdb.config.ts no longer holds "${written}" for ${service}`);
    config = config.replace(written, `port: ${ports[service]},`);
  }
  fs.writeFileSync(configFile, config);
  return { dir, ports, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Free ports below Linux's ephemeral range (32768+), so a port the kernel hands out meanwhile
 * (the embedded server's, a client socket's) cannot take one between this check and `up`.
 */
async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const candidates = names.map((_, i) => base + i);
    if ((await Promise.all(candidates.map(canListen))).every(Boolean)) {
      const ports = {} as Record<K, number>;
      names.forEach((name, i) => (ports[name] = candidates[i]));
      return ports;
    }
  }
  throw new Error('no run of free ports found between 20000 and 30000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface UpRun {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved */
  output(): string;
  /** resolves when the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `svcdb up` in its own process group, as a shell runs a foreground job, so a terminal's Ctrl-C
 * (SIGINT to the whole group) can be reproduced.
 */
export function startUp(dir: string, args: string[], env: Record<string, string | undefined>): UpRun {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...env })) {
    if (v !== undefined) childEnv[k] = v;
  }
  const child = spawn(process.execPath, [binPath, 'up', '--cwd', dir, ...args], {
    cwd: dir,
    env: childEnv,
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Polls every service's /health until all answer 200; fails early when `up` exits. */
export async function waitUntilHealthy(
  run: UpRun,
  ports: Record<ServiceName, number>,
  timeoutMs: number,
): Promise<void> {
  let exited = false;
  void run.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  const pending = new Set<ServiceName>(SERVICES);
  while (pending.size) {
    if (exited) throw new Error(`svcdb up exited before the platform was healthy:\n${run.output()}`);
    if (Date.now() > deadline)
      throw new Error(`not healthy after ${timeoutMs} ms: ${[...pending].join(', ')}\n${run.output()}`);
    for (const service of [...pending]) {
      const res = await fetch(`http://127.0.0.1:${ports[service]}/health`).catch(() => null);
      if (res?.status === 200) pending.delete(service);
      await res?.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs examples/platform/smoke.mjs against the copy: post a sensor.reading, read it at query within 2 s. */
export function runSmoke(ports: Record<ServiceName, number>): { status: number | null; output: string } {
  const smoke = spawnSync(process.execPath, [path.join(exampleDir, 'smoke.mjs')], {
    encoding: 'utf8',
    timeout: 15_000,
    env: {
      ...process.env,
      INGESTION_URL: `http://127.0.0.1:${ports.ingestion}`,
      QUERY_URL: `http://127.0.0.1:${ports.query}`,
    },
  });
  return { status: smoke.status, output: `${smoke.stdout}${smoke.stderr}` };
}

/**
 * SIGINT to `up` alone (`kill -INT`), or with `group` to `up` and every service it started in
 * its process group at once (a terminal's Ctrl-C); then wait for `up` to exit (SIGKILL after
 * `timeoutMs`, reported as `killed`).
 */
export async function interrupt(
  run: UpRun,
  timeoutMs: number,
  opts: { group?: boolean } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (opts.group) process.kill(-run.child.pid!, 'SIGINT');
  else run.child.kill('SIGINT');
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    run.child.kill('SIGKILL');
  }, timeoutMs);
  const result = await run.exited;
  clearTimeout(timer);
  return { ...result, killed };
}

/** Ports that still accept a TCP connection on 127.0.0.1. */
export async function openPorts(ports: number[]): Promise<number[]> {
  const open = await Promise.all(
    ports.map(
      (port) =>
        new Promise<boolean>((resolve) => {
          const socket = net.connect({ port, host: '127.0.0.1' });
          socket.setTimeout(1_000);
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('timeout', () => {
            socket.destroy();
            resolve(false);
          });
          socket.once('error', () => resolve(false));
        }),
    ),
  );
  return ports.filter((_, i) => open[i]);
}

/**
 * Live (non-zombie) processes that belong to the copy: their working directory is inside it
 * (the services; PostgreSQL's backends, which chdir to the data dir) or their command line
 * names it (the postmaster's `-D`). Linux only (/proc); elsewhere returns [].
 */
export function processesUnder(dir: string): string[] {
  if (!fs.existsSync('/proc/self/cwd')) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) continue; // exited, waiting for its parent to reap it
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // another user's process: only its command line is visible
      }
      if (cwd === dir || cwd.startsWith(`${dir}/`) || cmdline.includes(dir)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Polls `check` until it returns an empty list or `timeoutMs` passes; returns the last list. */
export async function eventuallyEmpty<T>(check: () => T[] | Promise<T[]>, timeoutMs: number): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await check();
    if (!left.length || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Drops what `svcdb up --profile local --role-prefix <prefix>` made on a shared server: one
 * database per service that owns tables (names are cluster-global) and the provisioned roles.
 */
export async function dropLocalProfileLeftovers(serverUrl: string, rolePrefix: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    for (const database of ['ingestion', 'eventhandler', 'tsdb', 'actions']) {
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
    }
    const roles = await admin<{ rolname: string }[]>`
      select rolname from pg_roles where starts_with(rolname, ${rolePrefix})`;
    for (const { rolname } of roles) {
      await admin.unsafe(`drop owned by "${rolname}"`);
      await admin.unsafe(`drop role "${rolname}"`);
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
}
