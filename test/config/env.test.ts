import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VARS, copyFixture, svcdb } from '../helpers/platform-fixture.js';

const URL = 'postgres://app:s3cret@db.local:5432/platform';

const lines = (text: string) => text.trim().split('\n');

describe('svcdb env: the done-when checks', () => {
  it('dev --format dotenv prints five CJ_*_DATABASE_URL lines with one URL', async () => {
    const r = await svcdb(['env', 'dev', '--format', 'dotenv'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual(VARS.map((v) => `${v}=${URL}`));
  });

  it('dev-aws gives each service its own search_path', async () => {
    const r = await svcdb(['env', 'dev-aws'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `CJ_ACTIONS_DATABASE_URL=${URL}?options=-c%20search_path%3Dactions,public`,
      `CJ_EVENTHANDLER_DATABASE_URL=${URL}?options=-c%20search_path%3Deventhandler,public`,
      `CJ_INGESTION_DATABASE_URL=${URL}?options=-c%20search_path%3Dingestion,public`,
      `CJ_QUERY_DATABASE_URL=${URL}?options=-c%20search_path%3Dquery,public`,
      `CJ_TSDB_DATABASE_URL=${URL}?options=-c%20search_path%3Dtsdb,public`,
    ]);
  });

  it('prod with nothing set exits 2 naming CJ_INGESTION_DATABASE_URL', async () => {
    const r = await svcdb(['env', 'prod']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('CJ_INGESTION_DATABASE_URL: not set; profile "prod" is isolated');
    expect(r.stderr).not.toContain('    at '); // no stack trace
  });

  it('an invalid config exits 2 naming the key', async () => {
    const root = copyFixture('platform');
    writeFileSync(path.join(root, 'svcdb.config.yaml'), 'envPrefix: CJ_\nprofiles:\n  dev: { strategy: shard }\n');
    const r = await svcdb(['env', 'dev'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'svcdb.config.yaml: profiles.dev.strategy: expected one of shared, schema, database, isolated, found string "shard"',
    );
    expect(r.stderr).toContain('did you mean "shared"?');
  });

  it('an unknown service exits 2 naming it', async () => {
    const r = await svcdb(['env', 'dev', '--service', 'ingestoin'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('unknown service "ingestoin"');
    expect(r.stderr).toContain('known services: actions, eventhandler, ingestion, query, tsdb');
  });
});

describe('svcdb env: choosing the profile and the services', () => {
  it('takes the profile from the argument, else --profile, else SVCDB_PROFILE, else dev', async () => {
    const env = { DATABASE_URL: URL, SVCDB_PROFILE: 'dev-aws' };
    expect((await svcdb(['env', '--service', 'tsdb'], { env })).stdout).toContain('search_path%3Dtsdb');
    expect((await svcdb(['env', '--service', 'tsdb', '--profile', 'dev'], { env })).stdout).toBe(
      `CJ_TSDB_DATABASE_URL=${URL}\n`,
    );
    // two different profiles (argument and --profile) are a conflict, not a silent choice (issue 13)
    const both = await svcdb(['env', 'dev', '--service', 'tsdb', '--profile', 'dev-aws'], { env });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain('two profiles given: "dev" (argument) and "dev-aws" (--profile)');
    expect((await svcdb(['env', '--service', 'tsdb'], { env: { DATABASE_URL: URL } })).stdout).toBe(
      `CJ_TSDB_DATABASE_URL=${URL}\n`,
    );
  });

  it('an unknown profile exits 2 listing the known ones', async () => {
    const r = await svcdb(['env', 'stagign'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('unknown profile "stagign"');
    expect(r.stderr).toContain('known profiles: dev, dev-aws, prod');
  });

  it('no URL at all exits 2 and says how to fix it', async () => {
    const r = await svcdb(['env', 'dev']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('no database URL for profile "dev"');
    expect(r.stderr).toContain('set DATABASE_URL');
    expect(r.stderr).toContain('svcdb db start');
  });

  it('--service picks several services; a set variable wins and --explain says so on stderr', async () => {
    const r = await svcdb(['env', 'dev', '--service', 'tsdb', 'ingestion', '--explain'], {
      env: { DATABASE_URL: URL, CJ_TSDB_DATABASE_URL: 'postgres://ts@tsdb.local/ts' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `CJ_INGESTION_DATABASE_URL=${URL}`,
      'CJ_TSDB_DATABASE_URL=postgres://ts@tsdb.local/ts',
    ]);
    expect(lines(r.stderr)).toEqual([
      'CJ_INGESTION_DATABASE_URL  from DATABASE_URL (shared)',
      'CJ_TSDB_DATABASE_URL       from environment variable CJ_TSDB_DATABASE_URL (shared)',
    ]);
  });

  it("--service of a databaseOf service gives it its home service's URL", async () => {
    const root = copyFixture('platform');
    writeFileSync(
      path.join(root, 'svcdb.config.yaml'),
      'discover: ["internal/services/*/migrations"]\nenvPrefix: CJ_\nservices:\n  query: { databaseOf: eventhandler }\n',
    );
    const r = await svcdb(['env', 'dev-aws', '--service', 'query'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`CJ_QUERY_DATABASE_URL=${URL}?options=-c%20search_path%3Deventhandler,public\n`);
  });

  it('prod works when every variable is set', async () => {
    const env = Object.fromEntries(VARS.map((v, i) => [v, `postgres://u${i}@h${i}/d${i}`]));
    const r = await svcdb(['env', 'prod', '--format', 'json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(env);
  });
});

describe('svcdb env: formats', () => {
  // Every character a shell or dotenv parser could trip on.
  const nasty = `it's "q" $HOME \`id\` \\ ; | & * ? ! # ~ < > ( ) { } [ ] % @ : /`;
  const nastyUrl = `postgres://app:${nasty}@db.local:5432/platform`;

  it('shell output survives eval in bash with any password', async () => {
    const r = await svcdb(['env', 'dev', '--format', 'shell'], {
      env: { DATABASE_URL: URL, CJ_INGESTION_DATABASE_URL: nastyUrl },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^export CJ_ACTIONS_DATABASE_URL='postgres:\/\//);
    const script = `${r.stdout}\nprintf '%s\\n%s' "$CJ_INGESTION_DATABASE_URL" "$CJ_TSDB_DATABASE_URL"`;
    const bash = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: '/nowhere' },
    });
    expect(bash.status).toBe(0);
    expect(bash.stdout).toBe(`${nastyUrl}\n${URL}`);
  });

  it('shell quoting also holds for a newline and for the eval "$(...)" idiom', async () => {
    const value = `postgres://app:line1\nline2'x@db/platform`;
    const bash = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `eval "$(node "$BIN" env dev --format shell --service ingestion)"; printf '%s' "$CJ_INGESTION_DATABASE_URL"`,
      ],
      {
        encoding: 'utf8',
        cwd: path.resolve(import.meta.dirname, '../fixtures/config/platform'),
        env: {
          PATH: process.env.PATH ?? '',
          NO_COLOR: '1',
          BIN: path.resolve(import.meta.dirname, '../../bin/svcdb.js'),
          CJ_INGESTION_DATABASE_URL: value,
        },
      },
    );
    expect(bash.stdout).toBe(value);
  });

  it('dotenv quotes only what needs quoting', async () => {
    const r = await svcdb(['env', 'dev', '--service', 'ingestion', 'tsdb'], {
      env: {
        DATABASE_URL: URL,
        CJ_INGESTION_DATABASE_URL: 'postgres://a:b c#d@h/db',
        CJ_TSDB_DATABASE_URL: "postgres://a:it's@h/db",
      },
    });
    expect(lines(r.stdout)).toEqual([
      `CJ_INGESTION_DATABASE_URL='postgres://a:b c#d@h/db'`,
      `CJ_TSDB_DATABASE_URL="postgres://a:it's@h/db"`,
    ]);
  });

  it('json prints one object; --json means the same', async () => {
    const r = await svcdb(['env', 'dev', '--format', 'json'], { env: { DATABASE_URL: URL } });
    expect(JSON.parse(r.stdout)).toEqual(Object.fromEntries(VARS.map((v) => [v, URL])));
    // --json is the envelope every command prints; the variables are the same object inside it
    const viaFlag = await svcdb(['--json', 'env', 'dev'], { env: { DATABASE_URL: URL } });
    expect(JSON.parse(viaFlag.stdout)).toMatchObject({ ok: true, exitCode: 0, variables: JSON.parse(r.stdout) });
  });

  it('github prints NAME=value lines, and the heredoc form for a value with a newline', async () => {
    const r = await svcdb(['env', 'dev', '--format', 'github', '--service', 'ingestion', 'tsdb'], {
      env: { DATABASE_URL: URL, CJ_TSDB_DATABASE_URL: 'postgres://a:x\ny@h/db' },
    });
    const [first, heredoc, value1, value2, end] = lines(r.stdout);
    expect(first).toBe(`CJ_INGESTION_DATABASE_URL=${URL}`);
    expect(heredoc).toMatch(/^CJ_TSDB_DATABASE_URL<<(ghadelimiter_[0-9a-f]{16})$/);
    expect([value1, value2]).toEqual(['postgres://a:x', 'y@h/db']);
    expect(end).toBe(heredoc.split('<<')[1]);
  });

  it('rejects an unknown format with exit 2', async () => {
    const r = await svcdb(['env', 'dev', '--format', 'yaml'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain("argument 'yaml' is invalid");
  });
});

describe('svcdb env and broken migration files', () => {
  it('prints the URLs even when a migration file is malformed (it reads only service names)', async () => {
    const root = copyFixture('platform');
    writeFileSync(path.join(root, 'internal/services/tsdb/migrations/bad name.sql'), 'SELECT 1;');
    const r = await svcdb(['env', 'dev', '--service', 'tsdb'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`CJ_TSDB_DATABASE_URL=${URL}\n`);
  });
});

describe('svcdb env --write', () => {
  it("writes the file (mode 0600, marked as svcdb's) and rewrites it on the next run", async () => {
    const root = copyFixture('platform');
    const first = await svcdb(['env', 'dev', '--write', '.env'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toBe('wrote 5 variables to .env\n');
    const file = path.join(root, '.env');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /^# Written by svcdb env \(profile dev\); regenerate with: svcdb env dev --format dotenv --write \.env\n/,
    );
    expect(text).toContain(`CJ_QUERY_DATABASE_URL=${URL}\n`);
    const second = await svcdb(['env', 'dev-aws', '--write', '.env'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(second.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('search_path%3Dquery');
  });

  it('refuses to overwrite a file svcdb did not write, unless --force', async () => {
    const root = copyFixture('platform');
    const file = path.join(root, '.env');
    writeFileSync(file, 'SECRET_API_KEY=keep-me\n');
    const refused = await svcdb(['env', 'dev', '--write', '.env'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('refusing to overwrite .env: svcdb did not write it');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(file, 'utf8')).toBe('SECRET_API_KEY=keep-me\n');
    const forced = await svcdb(['env', 'dev', '--write', '.env', '--force'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('CJ_ACTIONS_DATABASE_URL=');
  });

  it('json files it wrote are recognised, and github format appends', async () => {
    const root = copyFixture('platform');
    const env = { DATABASE_URL: URL };
    expect((await svcdb(['env', 'dev', '--format', 'json', '--write', 'urls.json'], { cwd: root, env })).exitCode).toBe(
      0,
    );
    expect((await svcdb(['env', 'dev', '--format', 'json', '--write', 'urls.json'], { cwd: root, env })).exitCode).toBe(
      0,
    );
    expect(Object.keys(JSON.parse(readFileSync(path.join(root, 'urls.json'), 'utf8')))).toEqual(VARS);
    const ghEnv = path.join(root, 'github_env');
    writeFileSync(ghEnv, 'EXISTING=1\n');
    await svcdb(['env', 'dev', '--format', 'github', '--write', ghEnv, '--service', 'tsdb'], { cwd: root, env });
    expect(readFileSync(ghEnv, 'utf8')).toBe(`EXISTING=1\nCJ_TSDB_DATABASE_URL=${URL}\n`);
  });
});

describe('svcdb env and the embedded server', () => {
  it('uses the embedded server once `svcdb db start` runs it (the hint of the no-URL error)', async () => {
    const root = copyFixture('platform');
    try {
      expect((await svcdb(['env', 'dev'], { cwd: root })).exitCode).toBe(2);
      const started = await svcdb(['db', 'start'], { cwd: root });
      expect(started.exitCode, started.stderr).toBe(0);
      const r = await svcdb(['env', 'dev', '--explain', '--service', 'ingestion'], { cwd: root });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^CJ_INGESTION_DATABASE_URL=postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres\n$/);
      expect(r.stderr).toMatch(/from embedded server \(.+\) \(shared\)/);
    } finally {
      await svcdb(['db', 'destroy'], { cwd: root });
    }
  });
});
