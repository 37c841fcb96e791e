import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runCli } from '../helpers/cli.js';
import { createTestDatabase, serverUrl, type TestDatabase } from '../helpers/db.js';
import { dropRoles, removeProject, tempProject, uniquePrefix } from './helpers.js';

// A tiny HTTP service: prints its env, answers /health, exits on SIGTERM. With CRASH_AFTER_MS it
// prints two lines and exits with code 3 once it has been healthy for that long.
const SERVICE = `
import http from 'node:http';
const name = process.argv[2];
const vars = Object.keys(process.env).filter((k) => /_URL$/.test(k)).sort();
console.log(name + ' env ' + vars.map((k) => k + '=' + process.env[k].replace(/:[^:@/]+@/, ':***@')).join(' '));
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log(name + ' listening on ' + process.env.PORT));
process.on('SIGTERM', () => { console.log(name + ' stopping'); process.exit(0); });
if (process.env.CRASH_AFTER_MS) setTimeout(() => { console.log('about to fail'); console.error('boom: out of widgets'); process.exit(3); }, Number(process.env.CRASH_AFTER_MS));
`;

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer();
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function project(ports: number[], opts: { crash?: boolean } = {}): string {
  const config = {
    profiles: { dev: { strategy: 'schema', url: '${TEST_BASE_URL}' } },
    services: {
      api: {
        run: {
          command: 'node svc.mjs api',
          port: ports[0],
          health: '/health',
          after: ['worker'],
          ...(opts.crash ? { env: { CRASH_AFTER_MS: '300' } } : {}),
        },
      },
      worker: { run: { command: 'node svc.mjs worker', port: ports[1], health: '/health' } },
    },
  };
  return tempProject({
    'svc.mjs': SERVICE,
    'svcdb.config.json': JSON.stringify(config),
    'internal/api/migrations/001_items.sql': 'create table items (id int primary key);',
    'internal/worker/migrations/001_jobs.sql': 'create table jobs (id int primary key);',
  });
}

interface Up {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startUp(root: string, env: Record<string, string>, args: string[] = []): Up {
  const child = spawn(process.execPath, [binPath, 'up', '--cwd', root, ...args], {
    env: { ...process.env, ...env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Processes whose command line mentions `root` (the services run `node svc.mjs` there). */
function processesIn(root: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/cwd`) === root;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('svcdb up', () => {
  let db: TestDatabase;
  const prefix = uniquePrefix('u');
  const roots: string[] = [];
  let running: Up | undefined;
  beforeAll(async () => {
    db = await createTestDatabase('up');
  });
  afterEach(async () => {
    // A failed assertion must not leave services behind: stop `up` as a user would, then force.
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGINT');
      const timer = setTimeout(() => running?.child.kill('SIGKILL'), 10_000);
      await running.exited;
      clearTimeout(timer);
    }
    running = undefined;
  });
  afterAll(async () => {
    await db.drop();
    await dropRoles(serverUrl(), [`${prefix}api`, `${prefix}worker`]);
    for (const root of roots) {
      for (const pid of processesIn(root)) process.kill(pid, 'SIGKILL');
      removeProject(root);
    }
  });
  const env = () => ({ TEST_BASE_URL: db.url });

  it('migrates, starts services in after order with their env, prints a ready table; SIGTERM stops all, nothing left', async () => {
    const ports = await freePorts(2);
    const root = project(ports);
    roots.push(root);
    running = startUp(root, env(), ['--role-prefix', prefix]);
    await until(() => running!.output().includes('(Ctrl-C to stop)'), 30_000);
    const out = running.output();
    expect(out.indexOf('worker listening')).toBeLessThan(out.indexOf('starting api'));
    expect(out).toMatch(
      /^worker\s+\| worker env .*API_URL=http:\/\/127\.0\.0\.1:\d+ .*WORKER_DATABASE_URL=postgres:\/\/\w+worker:\*\*\*@/m,
    );
    expect(out).toMatch(
      /^api\s+\| api env .*API_DATABASE_URL=postgres:\/\/\w+api:\*\*\*@.*WORKER_URL=http:\/\/127\.0\.0\.1:/m,
    );
    expect(out).toMatch(
      new RegExp(`^api\\s+http://127\\.0\\.0\\.1:${ports[0]}\\s+127\\.0\\.0\\.1:\\d+/\\S+ \\(schema api\\)$`, 'm'),
    );
    expect(await db.sql`select count(*)::int as n from api.svcdb_migrations`).toEqual([{ n: 1 }]);
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    const final = running.output();
    expect(final.indexOf('stopping api')).toBeLessThan(final.indexOf('stopping worker'));
    expect(final).toContain('api stopping');
    expect(await listening(ports[0])).toBe(false);
    expect(await listening(ports[1])).toBe(false);
    expect(processesIn(root)).toEqual([]);
  });

  it('Ctrl-C (SIGINT) stops everything too, exit 0', async () => {
    const ports = await freePorts(2);
    const root = project(ports);
    roots.push(root);
    running = startUp(root, env(), ['--role-prefix', prefix]);
    await until(() => running!.output().includes('(Ctrl-C to stop)'), 30_000);
    running.child.kill('SIGINT');
    expect(await running.exited).toBe(0);
    expect(await listening(ports[0])).toBe(false);
    expect(processesIn(root)).toEqual([]);
  });

  it('a service that exits on its own ends up non-zero, with its exit code and last lines', async () => {
    const ports = await freePorts(2);
    const root = project(ports, { crash: true });
    roots.push(root);
    running = startUp(root, env(), ['--role-prefix', prefix]);
    const code = await running.exited;
    const out = running.output();
    expect(code, out).toBe(1);
    expect(out).toContain('error: api exited with code 3; the other services were stopped');
    expect(out).toMatch(/last lines of api:\n(.*\n)*\s+boom: out of widgets/);
    expect(out).toContain('stopping worker');
    expect(await listening(ports[1])).toBe(false);
    expect(processesIn(root)).toEqual([]);
  });

  it('a service that never answers its health path ends up non-zero and its dependents never start', async () => {
    const ports = await freePorts(2);
    const root = project(ports);
    roots.push(root);
    const configFile = `${root}/svcdb.config.json`;
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.services.worker.run.command =
      'node -e "require(\'http\').createServer((q, r) => { r.statusCode = 503; r.end(); }).listen(process.env.PORT)"';
    fs.writeFileSync(configFile, JSON.stringify(config));
    const res = await runCli(['up', '--cwd', root, '--role-prefix', prefix, '--health-timeout', '1'], { env: env() });
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr).toContain('worker never answered its health check');
    expect(res.stdout + res.stderr).not.toContain('starting api');
    expect(await listening(ports[1])).toBe(false);
  });

  it('a service that ignores SIGTERM is killed after the grace period, or at once on a second Ctrl-C', async () => {
    for (const [args, secondSignal] of [
      [['--grace', '1'], false],
      [['--grace', '60'], true],
    ] as const) {
      const ports = await freePorts(2);
      const root = project(ports);
      roots.push(root);
      const configFile = `${root}/svcdb.config.json`;
      const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
      config.services.worker.run.command =
        "node -e \"process.on('SIGTERM', () => console.log('ignoring SIGTERM')); require('http').createServer((q, r) => r.end()).listen(process.env.PORT)\"";
      fs.writeFileSync(configFile, JSON.stringify(config));
      running = startUp(root, env(), ['--role-prefix', prefix, ...args]);
      await until(() => running!.output().includes('(Ctrl-C to stop)'), 30_000);
      running.child.kill('SIGINT');
      // the prefixed line, not the command echoed in "starting worker: ..."
      await until(() => running!.output().includes('| ignoring SIGTERM'), 10_000);
      if (secondSignal) running.child.kill('SIGINT');
      expect(await running.exited, running.output()).toBe(0);
      if (secondSignal) expect(running.output()).toContain('stopping now (SIGKILL)');
      expect(await listening(ports[1])).toBe(false);
      expect(processesIn(root)).toEqual([]);
    }
  });

  it('a port already in use is reported by service name before anything starts (exit 2)', async () => {
    const ports = await freePorts(2);
    const root = project(ports);
    roots.push(root);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(ports[1], '127.0.0.1', resolve));
    try {
      const res = await runCli(['up', '--cwd', root, '--role-prefix', prefix], { env: env() });
      expect(res.exitCode, res.stdout + res.stderr).toBe(2);
      expect(res.stderr).toContain(`worker: port ${ports[1]} is already in use`);
      expect(res.stdout + res.stderr).not.toContain('starting');
      expect(fs.existsSync(`${root}/.svcdb`)).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('an unknown service or one without a run command is bad input (exit 2)', async () => {
    const root = project(await freePorts(2));
    roots.push(root);
    const res = await runCli(['up', 'nope', '--cwd', root], { env: env() });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('unknown service: nope');
  });
});
