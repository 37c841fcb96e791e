import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { removeProject, tempProject } from './helpers.js';

const printEnv = (vars: string[]) =>
  `for (const k of ${JSON.stringify(vars)}) console.log(k + '=' + (process.env[k] ?? '(unset)').replace(/search_path%3D/, 'sp='))`;

describe('svcdb run', () => {
  let db: TestDatabase;
  const roots: string[] = [];
  let root: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase('run');
    env = { TEST_BASE_URL: db.url };
    root = tempProject({}, 'mini');
    roots.push(root);
  });
  afterAll(async () => {
    await db.drop();
    roots.forEach(removeProject);
  });

  it('migrates the service, then runs the command with its own *_DATABASE_URL only', async () => {
    const res = await runCli(
      [
        'run',
        'ingestion',
        '--profile',
        'schemas',
        '--cwd',
        root,
        '--',
        process.execPath,
        '-e',
        printEnv(['INGESTION_DATABASE_URL', 'EVENTHANDLER_DATABASE_URL']),
      ],
      { env },
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toContain('ingestion: applied 001_create_outbox');
    expect(res.stdout).toContain(`INGESTION_DATABASE_URL=${db.url}?options=-c%20sp=ingestion`);
    expect(res.stdout).toContain('EVENTHANDLER_DATABASE_URL=(unset)');
    const [row] = await db.sql`select count(*)::int as n from ingestion.svcdb_migrations`;
    expect(row.n).toBe(1);
  });

  it('uses the envPrefix for the variable name (CJ_INGESTION_DATABASE_URL)', async () => {
    const cj = tempProject({}, 'mini');
    roots.push(cj);
    const config = JSON.parse(fs.readFileSync(`${cj}/svcdb.config.json`, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(`${cj}/svcdb.config.json`, JSON.stringify({ ...config, envPrefix: 'CJ_' }));
    const res = await runCli(
      [
        'run',
        'ingestion',
        '--profile',
        'schemas',
        '--cwd',
        cj,
        '--',
        process.execPath,
        '-e',
        printEnv(['CJ_INGESTION_DATABASE_URL', 'INGESTION_DATABASE_URL']),
      ],
      { env },
    );
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toContain(`CJ_INGESTION_DATABASE_URL=${db.url}?options=-c%20sp=ingestion`);
    expect(res.stdout).toContain('INGESTION_DATABASE_URL=(unset)');
  });

  it("passes the command's exit code through", async () => {
    const res = await runCli(
      ['run', 'ingestion', '--profile', 'schemas', '--cwd', root, '--', process.execPath, '-e', 'process.exit(7)'],
      { env },
    );
    expect(res.exitCode).toBe(7);
  });

  it('a command that cannot start exits 127 and says why', async () => {
    const res = await runCli(['run', 'ingestion', '--profile', 'schemas', '--cwd', root, '--', './no-such-binary'], {
      env,
    });
    expect(res.exitCode).toBe(127);
    expect(res.stderr).toContain('cannot start ./no-such-binary');
  });

  it("forwards SIGTERM to the command, whose exit code becomes svcdb's", async () => {
    const script =
      "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);";
    const child = spawn(
      process.execPath,
      [binPath, 'run', 'ingestion', '--profile', 'schemas', '--cwd', root, '--', process.execPath, '-e', script],
      {
        env: { ...process.env, ...env, NO_COLOR: '1' },
      },
    );
    let stdout = '';
    const ready = new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('ready')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await ready;
    child.kill('SIGTERM');
    expect(await exited).toBe(42);
    expect(stdout).toContain('got SIGTERM');
  });

  it('an unknown service is bad input (exit 2) and nothing runs', async () => {
    const res = await runCli(
      ['run', 'nope', '--profile', 'schemas', '--cwd', root, '--', process.execPath, '-e', "console.log('ran')"],
      { env },
    );
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('unknown service: nope');
    expect(res.stdout).not.toContain('ran');
  });

  it('a failing migration stops before the command (exit 1, file:line named)', async () => {
    const broken = tempProject(
      { 'internal/ingestion/migrations/002_broken.sql': 'select 1;\nselect * from missing_table;\n' },
      'mini',
    );
    roots.push(broken);
    const brokenDb = await createTestDatabase('run_broken');
    try {
      const res = await runCli(
        [
          'run',
          'ingestion',
          '--profile',
          'schemas',
          '--cwd',
          broken,
          '--',
          process.execPath,
          '-e',
          "console.log('ran')",
        ],
        { env: { TEST_BASE_URL: brokenDb.url } },
      );
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain('internal/ingestion/migrations/002_broken.sql:2');
      expect(res.stdout).not.toContain('ran');
    } finally {
      await brokenDb.drop();
    }
  });
});
