// What keeps `svcdb` quick to start must never change what it does, and must never trust a
// file that someone else could have written: svcdb reads no cache from a shared temp folder
// (r01: a planted "transpiled config" ran as the victim), writes no expanded secret to disk,
// and V8's compiled code (Node's compile cache on Node >= 22.1, bin/code-cache.js on Node 20)
// goes only into a folder that is the user's alone.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, svcdb, type CliResult } from '../helpers/cli.js';
import { platform, VARS } from '../helpers/platform-fixture.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `svcdb-startup-${name}-`));
  temps.push(dir);
  return dir;
}

/** bin/ and the bundle copied into a package of their own, for tests that break the copy. */
function packageCopy(): string {
  const pkg = tempDir('pkg');
  cpSync(path.join(repoRoot, 'bin'), path.join(pkg, 'bin'), { recursive: true });
  cpSync(path.join(repoRoot, 'dist/cli-bundle'), path.join(pkg, 'dist/cli-bundle'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(pkg, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(pkg, 'node_modules'));
  return path.join(pkg, 'bin/svcdb.js');
}

const URL_ = 'postgres://app:secret@127.0.0.1:5432/platform';
const DEV = { DATABASE_URL: URL_ };
const expectFiveUrls = (r: CliResult, prefix = 'CJ_') => {
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(
    [...VARS]
      .map((v) => v.replace(/^CJ_/, prefix))
      .sort()
      .map((v) => `${v}=${URL_}`),
  );
};

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return (
    readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{
      name: string;
      parentPath: string;
      isFile(): boolean;
    }>
  )
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** The file-name hash svcdb's former temp caches used (src/core/config-cache.ts, removed). */
function oldCacheHash(...parts: string[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ parts.length;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0xff, 0x01000193);
    b = Math.imul(b ^ 0xff, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

describe('the shared temp folder', () => {
  it('is never read: entries planted by another user in every cache svcdb used there are ignored', async () => {
    const tmp = tempDir('tmpdir');
    chmodSync(tmp, 0o1777); // a shared /tmp
    const uid = process.getuid?.() ?? 'user';
    const cacheRoot = path.join(tmp, `svcdb-${uid}`);
    const proof = path.join(tmp, 'PWNED');
    // A TypeScript config and a YAML one, as two projects.
    const tsProject = tempDir('ts');
    cpSync(platform, tsProject, { recursive: true });
    rmSync(path.join(tsProject, 'svcdb.config.yaml'));
    const tsSource =
      "import { defineConfig } from 'svcdb';\nexport default defineConfig({ discover: ['internal/services/*/migrations'], envPrefix: 'CJ_', services: { query: {} } });\n";
    writeFileSync(path.join(tsProject, 'svcdb.config.ts'), tsSource);
    const yamlText = readFileSync(path.join(platform, 'svcdb.config.yaml'), 'utf8');
    const tsVersion = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;
    // (1) a "transpiled config" that runs the attacker's code (repro r01), (2) a "parsed YAML"
    // with another prefix, (3) a "validated" marker for an invalid config, (4) Node's default
    // compile cache folder: all in the folder layouts svcdb (or Node) used.
    const plant = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(cacheRoot, rel)), { recursive: true });
      writeFileSync(path.join(cacheRoot, rel), text);
    };
    plant(
      `ts-configs/${oldCacheHash(tsVersion, tsSource)}.mjs`,
      `// ${JSON.stringify([tsVersion, tsSource])}\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(proof)}, 'ran');\nexport default { discover: ['internal/services/*/migrations'], envPrefix: 'XX_' };\n`,
    );
    plant(
      `parsed-yaml/${oldCacheHash(yamlText)}.json`,
      JSON.stringify({ text: yamlText, value: { discover: ['internal/services/*/migrations'], envPrefix: 'XX_' } }),
    );
    for (const name of ['0', '1', 'ffffffffffffffff']) plant(`valid-configs/${name}`, 'anything');
    mkdirSync(path.join(tmp, 'node-compile-cache', 'planted'), { recursive: true });
    writeFileSync(path.join(tmp, 'node-compile-cache', 'planted', 'main.cjs.cache'), Buffer.alloc(4096, 0x5a));
    execFileSync('chown', ['-R', 'nobody', cacheRoot, path.join(tmp, 'node-compile-cache')]); // another user's files
    const planted = filesUnder(tmp);
    const env = { ...DEV, TMPDIR: tmp, TMP: tmp, TEMP: tmp };

    expectFiveUrls(await svcdb(['env', 'dev'], { cwd: tsProject, env }));
    expect((await svcdb(['services'], { cwd: tsProject, env })).exitCode).toBe(0);
    expectFiveUrls(await svcdb(['env', 'dev'], { cwd: platform, env }));
    const invalid = tempDir('invalid');
    cpSync(platform, invalid, { recursive: true });
    writeFileSync(path.join(invalid, 'svcdb.config.yaml'), `${yamlText}envPrefix2: X\n`);
    const bad = await svcdb(['env', 'dev'], { cwd: invalid, env });
    expect(bad.stderr).toContain('unknown key "envPrefix2"');
    expect(bad.exitCode).toBe(2);

    expect(existsSync(proof)).toBe(false);
    expect(filesUnder(tmp)).toEqual(planted); // nothing read from there, nothing added
  });
});

describe('secrets', () => {
  it('no expanded ${VAR} value is written anywhere svcdb writes: project, temp, home, package', async () => {
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const dbPassword = `pw-${secret}`;
    const project = tempDir('secret');
    cpSync(platform, project, { recursive: true });
    rmSync(path.join(project, 'svcdb.config.yaml'));
    writeFileSync(
      path.join(project, 'svcdb.config.yaml'),
      [
        'discover: ["internal/services/*/migrations"]',
        'envPrefix: "${PREFIX}"',
        'services:',
        '  query: {}',
        '  ingestion: { run: { command: "node x.js", env: { API_TOKEN: "${API_TOKEN}" } } }',
        'profiles:',
        '  staging: { strategy: shared, url: "postgres://app:${DB_PASSWORD}@127.0.0.1:1/platform" }',
        '',
      ].join('\n'),
    );
    const ts = tempDir('secret-ts');
    cpSync(project, ts, { recursive: true });
    rmSync(path.join(ts, 'svcdb.config.yaml'));
    writeFileSync(
      path.join(ts, 'svcdb.config.ts'),
      [
        "import { defineConfig } from 'svcdb';",
        "export default defineConfig({ discover: ['internal/services/*/migrations'], envPrefix: '${PREFIX}',",
        "  services: { query: {}, ingestion: { run: { command: 'node x.js', env: { API_TOKEN: '${API_TOKEN}' } } } },",
        "  profiles: { staging: { strategy: 'shared', url: 'postgres://app:${DB_PASSWORD}@127.0.0.1:1/platform' } } });",
        '',
      ].join('\n'),
    );
    const home = tempDir('home');
    const tmp = tempDir('tmp');
    const env = {
      ...DEV,
      PREFIX: 'CJ_',
      API_TOKEN: secret,
      DB_PASSWORD: dbPassword,
      HOME: home,
      XDG_CACHE_HOME: path.join(home, '.cache'),
      TMPDIR: tmp,
    };
    for (const cwd of [project, ts]) {
      expectFiveUrls(await svcdb(['env', 'dev'], { cwd, env }));
      expect((await svcdb(['services', '--json'], { cwd, env })).exitCode).toBe(0);
      expect((await svcdb(['env', 'staging', '--explain'], { cwd, env })).exitCode).toBe(0);
      expect((await svcdb(['check-ownership', '--json'], { cwd, env })).exitCode).toBe(1); // the fixture's dlq collisions
    }
    const written = (dir: string) =>
      filesUnder(dir)
        .filter((f) => !f.startsWith('node_modules'))
        .filter((f) => {
          const text = readFileSync(path.join(dir, f));
          return text.includes(secret) || text.includes(dbPassword);
        });
    expect([project, ts, home, tmp, path.join(repoRoot, 'dist'), path.join(repoRoot, 'bin')].flatMap(written)).toEqual(
      [],
    );
  });
});

describe("Node's compile cache folder", () => {
  const { compileCacheDir } = createRequire(import.meta.url)(path.join(repoRoot, 'bin/compile-cache.js')) as {
    compileCacheDir(env: Record<string, string | undefined>): string | null;
  };

  it('is the user cache folder, made 0700', () => {
    const home = tempDir('cache-home');
    const dir = compileCacheDir({ HOME: home });
    expect(dir).toBe(path.join(home, '.cache/svcdb/compile'));
    expect(statSync(dir!).mode & 0o777).toBe(0o700);
    expect(compileCacheDir({ XDG_CACHE_HOME: path.join(home, 'xdg') })).toBe(path.join(home, 'xdg/svcdb/compile'));
  });

  it('is not used when another user owns it, others can write it, or SVCDB_NO_CACHE is set', () => {
    const home = tempDir('cache-home');
    const env = { XDG_CACHE_HOME: home };
    const dir = compileCacheDir(env)!;
    chmodSync(dir, 0o777);
    expect(compileCacheDir(env)).toBeNull();
    chmodSync(dir, 0o700);
    expect(compileCacheDir(env)).toBe(dir);
    chownSync(path.dirname(dir), 65534, 65534); // nobody
    expect(compileCacheDir(env)).toBeNull();
    chownSync(path.dirname(dir), process.getuid!(), process.getgid!());
    chmodSync(home, 0o777); // others could swap our folder for theirs
    expect(compileCacheDir(env)).toBeNull();
    chmodSync(home, 0o700);
    expect(compileCacheDir({ ...env, SVCDB_NO_CACHE: '1' })).toBeNull();
    expect(compileCacheDir({})).toBeNull();
    expect(compileCacheDir({ HOME: 'relative/home' })).toBeNull();
  });
});

// Node 20 has no module.enableCompileCache: bin/code-cache.js keeps V8's code cache of the
// bundle in the same folder (on Node >= 22.1, Node's own cache is used and this does not run).
describe.skipIf(
  typeof (createRequire(import.meta.url)('node:module') as { enableCompileCache?: unknown }).enableCompileCache ===
    'function',
)("the bundle's code cache on Node 20", () => {
  const cacheFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : []);
  const run = (home: string, args = ['env', 'dev'], extra: Record<string, string> = {}) =>
    svcdb(args, { cwd: platform, env: { ...DEV, HOME: home, XDG_CACHE_HOME: undefined, ...extra } });

  it('is written once, 0600, used by the next runs, and changes nothing they print', async () => {
    const home = tempDir('cc-home');
    const dir = path.join(home, '.cache/svcdb/compile');
    const first = await run(home);
    expectFiveUrls(first);
    const [name] = cacheFiles(dir);
    expect(name).toMatch(/^main\.cjs-.*\.v8cache$/);
    const file = path.join(dir, name);
    const st = statSync(file);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.size).toBeGreaterThan(10_000);
    // accepted by V8 on the next runs: not written again (same inode, same mtime)
    for (const args of [['env', 'dev'], ['--version'], ['check-ownership', '--format', 'json']]) {
      const r = await run(home, args);
      expect(r.stderr).toBe('');
      expect(statSync(file).ino).toBe(st.ino);
      expect(statSync(file).mtimeMs).toBe(st.mtimeMs);
    }
    expect((await run(home)).stdout).toBe(first.stdout);
    // a bad config still gets zod's words (an import() from inside the cached script)
    const bad = tempDir('cc-bad');
    cpSync(platform, bad, { recursive: true });
    writeFileSync(
      path.join(bad, 'svcdb.config.yaml'),
      `${readFileSync(path.join(platform, 'svcdb.config.yaml'), 'utf8')}envPrefix2: X\n`,
    );
    const r = await svcdb(['env', 'dev'], { cwd: bad, env: { ...DEV, HOME: home, XDG_CACHE_HOME: undefined } });
    expect(r.stderr).toContain('unknown key "envPrefix2"');
    expect(r.exitCode).toBe(2);
    expect(cacheFiles(dir)).toEqual([name]);
  });

  it('replaces a damaged cache, and never reads one it does not own alone or that is a link', async () => {
    const home = tempDir('cc-home');
    const dir = path.join(home, '.cache/svcdb/compile');
    expectFiveUrls(await run(home));
    const [name] = cacheFiles(dir);
    const file = path.join(dir, name);
    // garbage under the right name: V8 rejects it, svcdb runs and writes a good one
    writeFileSync(file, Buffer.alloc(150_000, 0x5a), { mode: 0o600 });
    expectFiveUrls(await run(home));
    const good = readFileSync(file);
    expect(good.equals(Buffer.alloc(150_000, 0x5a))).toBe(false);
    const goodIno = statSync(file).ino;
    expectFiveUrls(await run(home));
    expect(statSync(file).ino).toBe(goodIno);
    // another user's file, or one others may write: not read (so written anew)
    chownSync(file, 65534, 65534);
    expectFiveUrls(await run(home));
    expect(statSync(file).uid).toBe(process.getuid!());
    chmodSync(file, 0o666);
    expectFiveUrls(await run(home));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // a link to somewhere else: not followed, the target left alone
    const target = path.join(tempDir('cc-target'), 'elsewhere');
    writeFileSync(target, good);
    rmSync(file);
    symlinkSync(target, file);
    expectFiveUrls(await run(home));
    expect(readFileSync(target).equals(good)).toBe(true);
    expect(statSync(file).isFile() && !readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true);
  });

  it('is neither read nor written with SVCDB_NO_CACHE=1', async () => {
    const home = tempDir('cc-home');
    expectFiveUrls(await run(home, ['env', 'dev'], { SVCDB_NO_CACHE: '1' }));
    expect(existsSync(path.join(home, '.cache'))).toBe(false);
  });
});

describe('the start-up path', () => {
  it('env dev with a YAML config loads neither node:crypto nor node:v8 (each a few ms of every start)', () => {
    const probe = path.join(tempDir('probe'), 'loaded.cjs');
    writeFileSync(
      probe,
      "process.on('exit', () => require('fs').writeSync(2, 'LOADED ' + process.moduleLoadList.join(',') + '\\n'));\n",
    );
    const r = spawnSync(process.execPath, ['-r', probe, path.join(repoRoot, 'bin/svcdb.js'), 'env', 'dev'], {
      cwd: platform,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'postgres://app:pw@db.example:5432/platform' },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('_DATABASE_URL=');
    const loaded = /LOADED (.*)/.exec(r.stderr)?.[1]?.split(',') ?? [];
    expect(loaded.length).toBeGreaterThan(10);
    expect(loaded.filter((m) => m === 'NativeModule crypto' || m === 'NativeModule v8')).toEqual([]);
  });
});

describe('the bundle', () => {
  it('loads ES module dependencies with a plain import()', async () => {
    // check-ownership parses SQL with libpg-query and colours with chalk, both ES modules; the
    // fixture's three `dlq` tables collide in the shared dev database.
    const r = await svcdb(['check-ownership', '--format', 'json'], { cwd: platform, env: DEV });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(1);
    const { findings } = JSON.parse(r.stdout) as { findings: Array<{ rule: string; table: string; service: string }> };
    expect(findings.map((f) => `${f.rule} ${f.table} ${f.service}`)).toEqual([
      'table-collision dlq actions',
      'table-collision dlq eventhandler',
      'table-collision dlq tsdb',
    ]);
  });

  it('runs the ownership worker bundle on worker threads, with the findings of a run without them', async () => {
    const bin = packageCopy();
    const rules = path.join(repoRoot, 'test/fixtures/ownership/rules');
    const inProcess = await svcdb(['check-ownership', '--cwd', rules, '--json'], {
      bin,
      env: { ...DEV, SVCDB_LINT_WORKERS: '0' },
    });
    expect(inProcess.exitCode).toBe(1);
    const threads = await svcdb(['check-ownership', '--cwd', rules, '--json'], {
      bin,
      env: { ...DEV, SVCDB_LINT_WORKERS: '2' },
    });
    expect(threads.stderr).toBe('');
    expect(threads.exitCode).toBe(1);
    expect(JSON.parse(threads.stdout)).toEqual(JSON.parse(inProcess.stdout));
    // Without the worker file the threaded run fails: so the run above did use the threads.
    rmSync(path.join(path.dirname(bin), '../dist/cli-bundle/worker.cjs'));
    const broken = await svcdb(['check-ownership', '--cwd', rules, '--json'], {
      bin,
      env: { ...DEV, SVCDB_LINT_WORKERS: '2' },
    });
    // --json: one document on stdout in every outcome, the reason in it; exit 2, no stack trace
    expect(JSON.parse(broken.stdout)).toMatchObject({ ok: false, exitCode: 2, error: { kind: 'user' } });
    expect(broken.stdout).toContain('the lint could not finish: a lint worker thread failed');
    expect(broken.stderr).toContain('worker.cjs');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(broken.exitCode).toBe(2);
  });

  it('missing: svcdb says to build it, exit 1', async () => {
    const bin = packageCopy();
    rmSync(path.join(path.dirname(bin), '../dist'), { recursive: true });
    const r = await svcdb(['--version'], { bin });
    expect(r.stderr).toBe('svcdb: the CLI is not built (no dist/ folder): run `npm run build` in the svcdb folder\n');
    expect(r.exitCode).toBe(1);
  });

  it('answers --version from package.json', async () => {
    const r = await svcdb(['--version']);
    expect(r.stdout).toBe(
      `${(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`,
    );
    expect(r.exitCode).toBe(0);
  });
});

describe('output', () => {
  it('has no colour on a pipe, NO_COLOR or not', async () => {
    const r = await svcdb(['env', 'dev', '--service', 'nope'], { cwd: platform, env: { ...DEV, NO_COLOR: undefined } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown service "nope"');
    expect(r.stderr).not.toMatch(/\x1b\[/);
  });

  it('ends quietly with exit 0 when the reader of stdout has gone', async () => {
    const r = await svcdb(['env', 'dev'], { cwd: platform, env: DEV, closeStdout: true });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});
