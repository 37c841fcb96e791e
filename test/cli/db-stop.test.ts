// Issue 13, point 14: `db stop` after `db start` says "stopped" once, and means it: the postgres
// process is gone from the process table, postmaster.pid is removed, `db status` says stopped.
// One embedded start for the whole file (it costs seconds).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyEmbedded } from '../../src/db/embedded.js';
import { svcdb } from '../helpers/cli.js';
import { removeProject, tempProject } from '../runtime/helpers.js';

/** pids of live processes whose command line names `dataDir` (postgres and its children) */
function processesOf(dataDir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(dataDir);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

describe('db start, then db stop', () => {
  const root = tempProject({
    'internal/users/migrations/001_create_users.sql': '-- +goose Up\nCREATE TABLE users (id int);\n',
  });
  afterAll(async () => {
    await destroyEmbedded(root).catch(() => {});
    removeProject(root);
  });

  it('stop prints "stopped" once, the postgres process is gone and status says stopped', async () => {
    const start = await svcdb(['db', 'start', '--cwd', root], { timeoutMs: 120_000 });
    expect(start.exitCode, start.stderr).toBe(0);
    const [, pid] = /running \(pid (\d+)\)/.exec(start.stdout) ?? [];
    expect(pid, start.stdout).toBeDefined();
    const dataDir = /data: (.+)/.exec(start.stdout)?.[1].trim() ?? '';
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(true);
    expect(processesOf(dataDir)).toContain(Number(pid));

    const stop = await svcdb(['db', 'stop', '--cwd', root]);
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout.trim()).toBe('embedded PostgreSQL: stopped');
    expect(`${stop.stdout}${stop.stderr}`.match(/stopped/g)).toHaveLength(1);
    expect(() => process.kill(Number(pid), 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(processesOf(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const status = await svcdb(['db', 'status', '--cwd', root]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^embedded PostgreSQL: stopped$/m);
    const json = await svcdb(['db', 'status', '--json', '--cwd', root]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      exitCode: 0,
      running: false,
      initialised: true,
      pid: null,
    });

    const again = await svcdb(['db', 'stop', '--cwd', root]);
    expect(again.stdout.trim()).toBe('embedded PostgreSQL: was not running');
  });
});
