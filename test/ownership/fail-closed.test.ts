// check-ownership fails closed: a lint that could not look says why and exits 2, never
// "no ownership problems"; --max-warnings says when it is the reason for failing.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = path.resolve(__dirname, '../fixtures/ownership');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'svcdb-own-closed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copy(name: string): string {
  const dir = path.join(tmp, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(path.join(fixtures, name), dir, { recursive: true });
  return dir;
}

describe('check-ownership fails closed', () => {
  it('an unreadable source file is exit 2 naming the file, not a pass', async () => {
    const repo = copy('placeholders');
    const file = path.join(repo, 'internal/billing/app/repo.py');
    chmodSync(file, 0o000);
    // root reads any file: run the CLI as nobody then (the repo copy is made world-readable)
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      chmodSync(tmp, 0o755);
      execFileSync('chmod', ['-R', 'a+rX', repo]);
      chmodSync(file, 0o000);
    }
    const r = asRoot
      ? spawnSync(
          'runuser',
          [
            '-u',
            'nobody',
            '--',
            process.execPath,
            path.resolve(__dirname, '../../bin/svcdb.js'),
            'check-ownership',
            '--cwd',
            repo,
          ],
          { encoding: 'utf8' },
        )
      : await runCli(['check-ownership', '--cwd', repo]);
    chmodSync(file, 0o644);
    expect(asRoot ? (r as { status: number }).status : (r as { exitCode: number }).exitCode).toBe(2);
    expect(r.stderr).toContain('could not be read');
    expect(r.stderr).toContain('internal/billing/app/repo.py: EACCES');
    expect(r.stdout).not.toContain('no ownership problems');
  });

  it('a folder with no services (a CI job with the wrong --cwd) is exit 2 with the reason', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(path.join(empty, 'src'), { recursive: true });
    writeFileSync(path.join(empty, 'src/index.ts'), 'export const x = 1;\n');
    const r = await runCli(['check-ownership', '--cwd', empty]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no services found');
    expect(r.stdout).not.toContain('no ownership problems');
  });

  it('services with no migration or source file at all is exit 2', async () => {
    const repo = path.join(tmp, 'declared-only');
    mkdirSync(repo, { recursive: true });
    writeFileSync(
      path.join(repo, 'svcdb.config.json'),
      JSON.stringify({ services: { query: { path: 'internal/query' } } }),
    );
    const r = await runCli(['check-ownership', '--cwd', repo]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no migrations or source files to check');
  });

  it('exceeding --max-warnings fails (exit 1) and says that this is why', async () => {
    const repo = path.join(tmp, 'warn');
    mkdirSync(path.join(repo, 'internal/a/migrations'), { recursive: true });
    writeFileSync(
      path.join(repo, 'internal/a/migrations/001_a.sql'),
      'CREATE TABLE a_t (id int);\nINSERT INTO nobody_owns_this VALUES (1);\n',
    );
    const text = await runCli(['check-ownership', '--cwd', repo, '--max-warnings', '0']);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toContain('failed: 1 warning exceeds --max-warnings 0');
    const json = await runCli(['check-ownership', '--cwd', repo, '--max-warnings', '0', '--json']);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout).maxWarnings).toBe(0);
    expect(json.stderr).toContain('1 warnings exceed --max-warnings 0');
    const within = await runCli(['check-ownership', '--cwd', repo, '--max-warnings', '1']);
    expect(within.exitCode).toBe(0);
  });
});
