import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberedMigrations, svcdb, tempProject, type TempProject } from '../helpers/project.js';

describe('an unreachable server', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject(numberedMigrations('lonely', 1));
  });
  afterAll(() => project.cleanup());

  it('retries up to --wait, then exits 2 naming host:port and never the password', async () => {
    const url = 'postgres://admin:s3cr3t-P%40ss@127.0.0.1:1/platform';
    const started = Date.now();
    const r = await svcdb(project.dir, url, ['migrate', '--all', '--wait', '1s']);
    expect(r.exitCode).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(r.stderr).toContain('cannot reach PostgreSQL at 127.0.0.1:1/platform');
    expect(r.stderr).toContain('--wait');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/s3cr3t/);
    const p = await svcdb(project.dir, url, ['plan', '--all', '--wait', '0.3s', '--json']);
    expect(p.exitCode).toBe(2);
    expect(p.stdout).not.toMatch(/s3cr3t/);
    expect(JSON.parse(p.stdout).services[0].error.message).toContain('127.0.0.1:1');
  });

  it('a malformed duration is bad input', async () => {
    const r = await svcdb(project.dir, 'postgres://x@127.0.0.1:1/x', ['migrate', '--all', '--lock-timeout', 'soon']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('expected a duration');
  });
});

describe('svcdb new', () => {
  let project: TempProject;
  beforeAll(() => {
    project = tempProject({
      'internal/padded/migrations/0001_init.sql': '-- +goose Up\nCREATE TABLE padded (id int);\n',
      'internal/padded/migrations/0009_more.sql': '-- +goose Up\nCREATE TABLE padded2 (id int);\n',
      'internal/stamped/migrations/20240101120000_init.sql':
        '-- migrate:up\nCREATE TABLE stamped (id int);\n-- migrate:down\nDROP TABLE stamped;\n',
      'internal/paired/migrations/000001_init.up.sql': 'CREATE TABLE paired (id int);\n',
      'internal/paired/migrations/000001_init.down.sql': 'DROP TABLE paired;\n',
    });
  });
  afterAll(() => project.cleanup());
  const files = (service: string) => readdirSync(path.join(project.dir, 'internal', service, 'migrations')).sort();

  it("numbers the next file in the folder's zero-padded style and format", async () => {
    const r = await svcdb(project.dir, '', ['new', 'padded', 'Add Outbox index']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('created internal/padded/migrations/0010_add_outbox_index.sql');
    const text = readFileSync(path.join(project.dir, 'internal/padded/migrations/0010_add_outbox_index.sql'), 'utf8');
    expect(text).toContain('-- +goose Up');
    expect(text).toContain('-- +goose Down');
  });

  it('keeps timestamps for a timestamped folder (dbmate format) and pairs for golang-migrate', async () => {
    expect((await svcdb(project.dir, '', ['new', 'stamped', 'add_col'])).exitCode).toBe(0);
    const stamped = files('stamped');
    expect(stamped[1]).toMatch(/^\d{14}_add_col\.sql$/);
    expect(stamped[1] > stamped[0]).toBe(true);
    expect(readFileSync(path.join(project.dir, 'internal/stamped/migrations', stamped[1]), 'utf8')).toContain(
      '-- migrate:up',
    );
    expect((await svcdb(project.dir, '', ['new', 'paired', 'second'])).exitCode).toBe(0);
    expect(files('paired')).toEqual([
      '000001_init.down.sql',
      '000001_init.up.sql',
      '000002_second.down.sql',
      '000002_second.up.sql',
    ]);
  });

  it('the new files parse as migrations (svcdb services reads them)', async () => {
    const r = await svcdb(project.dir, 'postgres://x@127.0.0.1:1/x', ['services']);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('--service creates the folder where the discover glob puts it, with a first migration', async () => {
    const r = await svcdb(project.dir, '', ['new', '--service', 'billing']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(path.join(project.dir, 'internal/billing/migrations/001_init.sql'))).toBe(true);
    const again = await svcdb(project.dir, '', ['new', '--service', 'billing']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('service billing already exists');
  });

  it('respects a custom discover glob', async () => {
    const custom = tempProject({
      'svcdb.config.json': JSON.stringify({ discover: ['internal/services/*/migrations'] }),
    });
    try {
      const r = await svcdb(custom.dir, '', ['new', '--service', 'query']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(existsSync(path.join(custom.dir, 'internal/services/query/migrations/001_init.sql'))).toBe(true);
    } finally {
      custom.cleanup();
    }
  });

  it('an unknown service or a name with no letters is bad input', async () => {
    const r = await svcdb(project.dir, '', ['new', 'nope', 'x']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown service: nope');
    const bad = await svcdb(project.dir, '', ['new', 'padded', '!!']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('has no letters or digits');
  });
});
