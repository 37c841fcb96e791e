// The embedded server after the unexpected: a stale postmaster.pid naming another process
// (r12), a run killed during the first initdb (r19), a lock file left empty (r19).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyEmbedded, embeddedStatus, ensureEmbedded, stopEmbedded } from '../../src/db/embedded.js';
import { binPath, runCli } from '../helpers/cli.js';
import { removeProject, tempProject } from './helpers.js';

const projects: string[] = [];
function project(): string {
  const dir = tempProject({
    'internal/orders/migrations/001_orders.sql': 'CREATE TABLE orders (id bigserial PRIMARY KEY);\n',
  });
  projects.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of projects) {
    await destroyEmbedded(dir).catch(() => {});
    removeProject(dir);
  }
});

const noUrl = { DATABASE_URL: undefined, SVCDB_PROFILE: undefined };
function withoutUrl(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.SVCDB_PROFILE;
  return env;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('embedded PostgreSQL, stale and broken state', () => {
  it('a stale postmaster.pid naming an unrelated process: status says stopped, stop leaves it alone, migrate starts the server', async () => {
    const root = project();
    await ensureEmbedded(root);
    await stopEmbedded(root);
    const status = await embeddedStatus(root);
    const victim = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const pidFile = path.join(status.dataDir!, 'postmaster.pid');
      fs.writeFileSync(pidFile, `${victim.pid}\n${status.dataDir}\n0\n${status.port}\n\n127.0.0.1\n 0 0\nready\n`);
      const st = await runCli(['db', 'status', '--cwd', root], { env: noUrl });
      expect(st.stdout).toContain('embedded PostgreSQL: stopped');
      expect(st.stdout).not.toContain(String(victim.pid));
      const stop = await runCli(['db', 'stop', '--cwd', root], { env: noUrl });
      expect(stop.exitCode).toBe(0);
      expect(alive(victim.pid!)).toBe(true);
      const migrated = await runCli(['migrate', '--all', '--cwd', root], { env: noUrl });
      expect(migrated.exitCode, migrated.stderr).toBe(0);
      expect(alive(victim.pid!)).toBe(true);
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('an empty embedded.lock left by a killed run does not block the next one', async () => {
    const root = project();
    fs.mkdirSync(path.join(root, '.svcdb'), { recursive: true });
    fs.writeFileSync(path.join(root, '.svcdb/embedded.lock'), '');
    const res = await runCli(['migrate', '--all', '--cwd', root], { env: noUrl, timeoutMs: 45_000 });
    expect(res.signal).toBeNull();
    expect(res.exitCode, res.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, '.svcdb/embedded.lock'))).toBe(false);
  });

  it('a run whose process group is killed during the first initdb leaves nothing the next run trips on', async () => {
    let killed = 0;
    for (const files of [1, 8, 16]) {
      const root = project();
      const child = spawn(process.execPath, [binPath, 'migrate', '--all', '--cwd', root], {
        detached: true,
        stdio: 'ignore',
        env: withoutUrl(),
      });
      const exited = new Promise((r) => child.on('exit', r));
      // wait until initdb is at work in its scratch folder, then kill the whole group
      const svcdb = path.join(root, '.svcdb');
      for (let i = 0; i < 600; i++) {
        const entries = fs.existsSync(svcdb) ? fs.readdirSync(svcdb) : [];
        const scratch = entries.find((e) => e.startsWith('pg.init-'));
        if (scratch && (fs.readdirSync(path.join(svcdb, scratch), { recursive: true }) as string[]).length >= files)
          break;
        await new Promise((r) => setTimeout(r, 5));
      }
      try {
        process.kill(-child.pid!, 'SIGKILL');
        killed++;
      } catch {
        // it finished first: nothing to recover from this time
      }
      await exited;
      expect(fs.existsSync(path.join(svcdb, 'pg/PG_VERSION'))).toBe(false);
      const next = await runCli(['migrate', '--all', '--cwd', root], { env: noUrl });
      expect(next.exitCode, next.stderr).toBe(0);
      expect(fs.readdirSync(svcdb).filter((e) => e.startsWith('pg.init-'))).toEqual([]);
      await destroyEmbedded(root);
    }
    expect(killed).toBeGreaterThan(0);
  });
});

/** pids of postgres processes whose command line names `dataDir` (the process table, not svcdb's files). */
function postgresOf(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (() => {
      try {
        return fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    })();
    if (path.basename(cmdline[0] ?? '') === 'postgres' && cmdline.includes(dataDir)) pids.push(Number(entry));
  }
  return pids;
}

describe('an embedded server started only for one command', () => {
  it('plan, status and migrate stop the server they started (and say so with --verbose)', async () => {
    const root = project();
    const dataDir = path.join(root, '.svcdb/pg');
    for (const args of [
      ['plan', '--all'],
      ['status', '--all', '--verbose'],
      ['migrate', '--all', '--verbose'],
    ]) {
      const res = await runCli([...args, '--cwd', root], { env: noUrl });
      expect(res.exitCode, res.stderr).toBe(0);
      if (args.includes('--verbose'))
        expect(res.stderr).toContain('stopped the embedded PostgreSQL this command started');
      expect(postgresOf(dataDir)).toEqual([]);
    }
  });

  it('db start leaves it running through later commands, until db stop', async () => {
    const root = project();
    const dataDir = path.join(root, '.svcdb/pg');
    expect((await runCli(['db', 'start', '--cwd', root], { env: noUrl })).exitCode).toBe(0);
    const res = await runCli(['migrate', '--all', '--cwd', root], { env: noUrl });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(postgresOf(dataDir).length).toBeGreaterThan(0);
    expect((await runCli(['db', 'stop', '--cwd', root], { env: noUrl })).exitCode).toBe(0);
    expect(postgresOf(dataDir)).toEqual([]);
  });
});

describe('a cluster half made by an older svcdb', () => {
  it('PG_VERSION without pg_control, never started: the next run initialises it again', async () => {
    const root = project();
    await ensureEmbedded(root);
    await stopEmbedded(root);
    const dataDir = (await embeddedStatus(root)).dataDir!;
    // what a killed initdb left behind: the folder and PG_VERSION, no control file, never started
    for (const entry of fs.readdirSync(dataDir))
      if (entry !== 'PG_VERSION') fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    const res = await runCli(['migrate', '--all', '--cwd', root], { env: noUrl });
    expect(res.exitCode, res.stderr).toBe(0);
  });
});
