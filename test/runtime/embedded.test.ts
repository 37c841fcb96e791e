import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyEmbedded, embeddedStatus, ensureEmbedded, startEmbedded, stopEmbedded } from '../../src/db/embedded.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { removeProject, tempProject } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const projects: string[] = [];
function project(files: Record<string, string> = {}): string {
  const dir = tempProject(files);
  projects.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of projects) {
    await destroyEmbedded(dir).catch(() => {});
    removeProject(dir);
  }
});

async function query<T>(url: string, text: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

describe('embedded PostgreSQL', () => {
  it('starts a real PostgreSQL 18 in .svcdb/pg, ignores .svcdb/ in git, then reuses the running server', async () => {
    const root = project({ '.gitignore': 'node_modules\n' });
    const url = await ensureEmbedded(root);
    const [row] = await query<{ v: string }>(url, "select current_setting('server_version_num') as v");
    expect(Number(row.v)).toBeGreaterThanOrEqual(180000);
    expect(fs.existsSync(path.join(root, '.svcdb/pg/PG_VERSION'))).toBe(true);
    expect(fs.readFileSync(path.join(root, '.gitignore'), 'utf8')).toBe('node_modules\n.svcdb/\n');
    const first = await embeddedStatus(root);
    const again = await startEmbedded(root);
    expect(again.started).toBe(false);
    expect(again.pid).toBe(first.pid);
    expect(again.url).toBe(url);
  });

  it('keeps its data across a stop and a warm restart, on the recorded port', async () => {
    const root = project();
    const url = await ensureEmbedded(root);
    await query(url, 'create table kept (id int); insert into kept values (42)');
    expect(await stopEmbedded(root)).toBe(true);
    expect((await embeddedStatus(root)).running).toBe(false);
    expect(await stopEmbedded(root)).toBe(false);
    const restarted = await startEmbedded(root);
    expect(restarted.started).toBe(true);
    expect(restarted.url).toBe(url);
    const [row] = await query<{ id: number }>(url, 'select id from kept');
    expect(row.id).toBe(42);
  });

  it('destroy stops the server and deletes its data; status then says not initialised', async () => {
    const root = project();
    await ensureEmbedded(root);
    const { pid, dataDir } = await embeddedStatus(root);
    expect(await destroyEmbedded(root)).toBe(true);
    expect(fs.existsSync(dataDir!)).toBe(false);
    expect(() => process.kill(pid!, 0)).toThrow();
    expect(await embeddedStatus(root)).toMatchObject({ running: false, initialised: false });
  });

  it.runIf(isRoot)('as root, runs the server as nobody (PostgreSQL refuses root)', async () => {
    const root = project();
    await ensureEmbedded(root);
    const { pid } = await embeddedStatus(root);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    expect(uid).not.toBe(0);
    expect(fs.statSync(path.join(root, '.svcdb/pg')).uid).toBe(uid);
  });

  it.runIf(isRoot)(
    'as root, a project under a folder nobody cannot traverse keeps its data under the temp dir',
    async () => {
      const root = project();
      fs.chmodSync(root, 0o700);
      await ensureEmbedded(root);
      const { dataDir } = await embeddedStatus(root);
      expect(dataDir!.startsWith(root)).toBe(false);
      expect(JSON.parse(fs.readFileSync(path.join(root, '.svcdb/embedded.json'), 'utf8')).dataDir).toBe(dataDir);
      await destroyEmbedded(root);
      expect(fs.existsSync(dataDir!)).toBe(false);
    },
  );

  it.runIf(isRoot && fs.existsSync('/usr/bin/setpriv'))(
    'starts and stops as a normal (non-root) user too',
    async () => {
      const root = project();
      fs.chownSync(root, 65534, 65534);
      const script = `
      const m = await import(${JSON.stringify(path.join(repoRoot, 'dist/db/embedded.js'))});
      const url = await m.ensureEmbedded(${JSON.stringify(root)});
      const s = await m.embeddedStatus(${JSON.stringify(root)});
      await m.stopEmbedded(${JSON.stringify(root)});
      console.log(JSON.stringify({ ok: url.startsWith('postgres://'), pid: s.pid, dataDir: s.dataDir }));`;
      const res = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
        {
          cwd: '/',
          encoding: 'utf8',
          env: { ...process.env, HOME: root },
        },
      );
      expect(res.stderr).toBe('');
      const out = JSON.parse(res.stdout) as { ok: boolean; dataDir: string };
      expect(out.ok).toBe(true);
      expect(out.dataDir).toBe(path.join(root, '.svcdb/pg'));
    },
  );
});

describe('svcdb db', () => {
  it('start, status --json (password redacted), stop, destroy', async () => {
    const root = project();
    const before = await runCli(['db', 'status', '--cwd', root]);
    expect(before.exitCode).toBe(0);
    expect(before.stdout).toContain('not initialised');
    const start = await runCli(['db', 'start', '--cwd', root]);
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toMatch(/running \(pid \d+\) on 127\.0\.0\.1:\d+/);
    const status = await runCli(['db', 'status', '--json', '--cwd', root]);
    const doc = JSON.parse(status.stdout) as { running: boolean; url: string };
    expect(doc.running).toBe(true);
    expect(doc.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres$/);
    const password = JSON.parse(fs.readFileSync(path.join(root, '.svcdb/embedded.json'), 'utf8')).password as string;
    expect(`${start.stdout}${start.stderr}${status.stdout}`).not.toContain(password);
    const stop = await runCli(['db', 'stop', '--cwd', root]);
    expect(stop.stdout).toContain('stopped');
    const destroy = await runCli(['db', 'destroy', '--cwd', root]);
    expect(destroy.exitCode).toBe(0);
    expect(fs.existsSync(path.join(root, '.svcdb/pg'))).toBe(false);
  });

  it('an unknown action is bad input (exit 2) naming the valid ones', async () => {
    const res = await runCli(['db', 'restart', '--cwd', project()]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('unknown db action "restart"');
    expect(res.stderr).toContain('start, stop, status, destroy');
  });
});
