// What keeps `svcdb` quick to start must never change what it does: the V8 code cache beside the
// bundle, the config caches under $TMPDIR, and output written straight to the file descriptors.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { cleanEnv, platform, svcdb, VARS } from './harness.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `svcdb-startup-${name}-`));
  temps.push(dir);
  return dir;
}

/** bin/ and the bundle copied into a package of their own, so this file owns its code cache. */
function packageCopy(): { bin: string; cacheFile: string } {
  const pkg = tempDir('pkg');
  cpSync(path.join(repoRoot, 'bin'), path.join(pkg, 'bin'), { recursive: true });
  mkdirSync(path.join(pkg, 'dist/cli-bundle'), { recursive: true });
  for (const file of ['main.cjs', 'worker.js']) cpSync(path.join(repoRoot, 'dist/cli-bundle', file), path.join(pkg, 'dist/cli-bundle', file));
  cpSync(path.join(repoRoot, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pkg, 'node_modules'));
  return { bin: path.join(pkg, 'bin/svcdb.js'), cacheFile: path.join(pkg, `dist/cli-bundle/main.cjs.${process.version}-${process.arch}.v8cache`) };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], env: Record<string, string | undefined>, opts: { closeStdout?: boolean } = {}): Promise<Run> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: platform, env: merged });
    let stdout = '';
    let stderr = '';
    if (opts.closeStdout) child.stdout.destroy(); // the reader is gone before svcdb writes
    else child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const DEV = { ...cleanEnv({ DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/platform', NO_COLOR: '1' }), SVCDB_NO_CACHE: undefined };
const expectFiveUrls = (r: Run) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual([...VARS].sort().map((v) => `${v}=postgres://app:secret@127.0.0.1:5432/platform`));
};

describe('the code cache beside the bundle', () => {
  it('is written by the first run and leaves later runs unchanged', async () => {
    const { bin, cacheFile } = packageCopy();
    expectFiveUrls(await node([bin, 'env', 'dev'], DEV));
    const written = readFileSync(cacheFile);
    expect(written.length).toBeGreaterThan(1000);
    expectFiveUrls(await node([bin, 'env', 'dev'], DEV));
    expect(readFileSync(cacheFile).equals(written)).toBe(true); // accepted, so not rewritten
  });

  it('is replaced when V8 rejects it, and the run is unaffected', async () => {
    const { bin, cacheFile } = packageCopy();
    writeFileSync(cacheFile, Buffer.alloc(4096, 0x5a));
    expectFiveUrls(await node([bin, 'env', 'dev'], DEV));
    expect(readFileSync(cacheFile).subarray(0, 64).equals(Buffer.alloc(64, 0x5a))).toBe(false);
  });

  it('is neither read nor written with SVCDB_NO_CACHE=1', async () => {
    const { bin, cacheFile } = packageCopy();
    expectFiveUrls(await node([bin, 'env', 'dev'], { ...DEV, SVCDB_NO_CACHE: '1' }));
    expect(readdirSync(path.dirname(cacheFile)).sort()).toEqual(['main.cjs', 'worker.js']);
  });

  it('loads ES module dependencies through the import() that bin/svcdb.js lends the bundle', async () => {
    const { bin } = packageCopy();
    // No config caches: the config is validated with zod, loaded on demand.
    expectFiveUrls(await node([bin, 'env', 'dev'], { ...DEV, SVCDB_NO_CACHE: '1' }));
    // check-ownership parses SQL with libpg-query, loaded on demand.
    const r = await node([bin, 'check-ownership', '--format', 'json'], DEV);
    expect(r.stderr).not.toMatch(/ExperimentalWarning|ERR_VM/);
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout)).toHaveProperty('findings');
  });
});

describe('the bundled ownership worker', () => {
  it('is what check-ownership runs on worker threads, with the findings of a run without them', async () => {
    const { bin } = packageCopy();
    const rules = path.join(repoRoot, 'test/fixtures/ownership/rules');
    const inProcess = await node([bin, 'check-ownership', '--cwd', rules, '--json'], { ...DEV, SVCDB_LINT_WORKERS: '0' });
    expect(inProcess.code).toBe(1);
    const threads = await node([bin, 'check-ownership', '--cwd', rules, '--json'], { ...DEV, SVCDB_LINT_WORKERS: '2' });
    expect(threads.stderr).toBe('');
    expect(threads.code).toBe(1);
    expect(JSON.parse(threads.stdout)).toEqual(JSON.parse(inProcess.stdout));
    // Without the worker file the threaded run fails: so the run above did use the threads.
    rmSync(path.join(path.dirname(bin), '../dist/cli-bundle/worker.js'));
    const broken = await node([bin, 'check-ownership', '--cwd', rules, '--json'], { ...DEV, SVCDB_LINT_WORKERS: '2' });
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('worker.js');
  });
});

describe('output', () => {
  it('has no colour on a pipe, NO_COLOR or not', async () => {
    const r = await node([path.join(repoRoot, 'bin/svcdb.js'), 'env', 'dev', '--service', 'nope'], { ...DEV, NO_COLOR: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown service "nope"');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it('ends quietly with exit 0 when the reader of stdout has gone', async () => {
    const r = await node([path.join(repoRoot, 'bin/svcdb.js'), 'env', 'dev'], DEV, { closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('the config caches under $TMPDIR', () => {
  it('do not use a parsed-YAML entry made from other text', async () => {
    const tmp = tempDir('tmpdir');
    const env = { DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/platform', TMPDIR: tmp };
    const first = await svcdb(['env', 'dev'], { env });
    expect(first.exitCode).toBe(0);
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
    const dir = path.join(tmp, `svcdb-${uid}`, 'parsed-yaml');
    const [entry] = readdirSync(dir);
    const cached = JSON.parse(readFileSync(path.join(dir, entry), 'utf8')) as { text: string; value: { envPrefix: string } };
    expect(cached.value.envPrefix).toBe('CJ_');
    // The same file name, as a colliding hash would give, for other text with another prefix.
    writeFileSync(path.join(dir, entry), JSON.stringify({ text: `${cached.text}\n# other`, value: { ...cached.value, envPrefix: 'XX_' } }));
    const second = await svcdb(['env', 'dev'], { env });
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout).toContain('CJ_INGESTION_DATABASE_URL=');
  });
});
