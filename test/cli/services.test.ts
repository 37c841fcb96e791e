import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyFixture, fixtures, svcdb } from '../helpers/platform-fixture.js';

const URL = 'postgres://app:s3cret@db.local:5432/platform';

describe('svcdb services', () => {
  it('shows each service with its folder, files, env var, tables and redacted URL', async () => {
    const r = await svcdb(['services'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('s3cret');
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('profile dev (shared), config svcdb.config.yaml');
    expect(rows[1]).toMatch(/^SERVICE\s+MIGRATIONS FOLDER\s+FILES\s+ENV VAR\s+TABLES\s+URL$/);
    expect(rows.slice(2).map((row) => row.split(/\s{2,}/))).toEqual([
      [
        'actions',
        'internal/services/actions/migrations',
        '1',
        'CJ_ACTIONS_DATABASE_URL',
        'action_config, dlq',
        'postgres://app:***@db.local:5432/platform',
      ],
      [
        'eventhandler',
        'internal/services/eventhandler/migrations',
        '1',
        'CJ_EVENTHANDLER_DATABASE_URL',
        'dlq, projections',
        'postgres://app:***@db.local:5432/platform',
      ],
      [
        'ingestion',
        'internal/services/ingestion/migrations',
        '2',
        'CJ_INGESTION_DATABASE_URL',
        'event_store, ingestion_cursor, outbox',
        'postgres://app:***@db.local:5432/platform',
      ],
      [
        'query',
        'internal/services/query (config only)',
        '0',
        'CJ_QUERY_DATABASE_URL',
        '-',
        'postgres://app:***@db.local:5432/platform',
      ],
      [
        'tsdb',
        'internal/services/tsdb/migrations',
        '1',
        'CJ_TSDB_DATABASE_URL',
        'dlq, points',
        'postgres://app:***@db.local:5432/platform',
      ],
    ]);
  });

  it('--json prints one document with the same facts', async () => {
    const r = await svcdb(['services', '--json', '--profile', 'dev-aws'], { env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ profile: 'dev-aws', strategy: 'schema', configFile: 'svcdb.config.yaml' });
    expect(doc.services.find((s: { name: string }) => s.name === 'ingestion')).toEqual({
      name: 'ingestion',
      folder: 'internal/services/ingestion',
      migrationsDir: 'internal/services/ingestion/migrations',
      migrations: 2,
      envVar: 'CJ_INGESTION_DATABASE_URL',
      tables: ['event_store', 'ingestion_cursor', 'outbox'],
      databaseOf: null,
      url: 'postgres://app:***@db.local:5432/platform?options=-c%20search_path%3Dingestion,public',
      urlProblem: null,
    });
  });

  it('shows "(no URL: …)" instead of failing when a URL cannot be resolved', async () => {
    const r = await svcdb(['services', '--profile', 'prod'], {
      env: { CJ_TSDB_DATABASE_URL: 'postgres://ts:pw@tsdb.local/ts' },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ingestion .*\(no URL: CJ_INGESTION_DATABASE_URL: not set; profile "prod" is isolated/);
    expect(r.stdout).toMatch(/tsdb .*postgres:\/\/ts:\*\*\*@tsdb\.local\/ts/);
  });

  it('a malformed migration file exits 2 with file:line', async () => {
    const root = copyFixture('platform');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      path.join(root, 'internal/services/tsdb/migrations/20240106000000_broken.sql'),
      '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n',
    );
    const r = await svcdb(['services'], { cwd: root, env: { DATABASE_URL: URL } });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'internal/services/tsdb/migrations/20240106000000_broken.sql:2: -- +goose StatementBegin is never closed',
    );
  });

  it('loads a svcdb.config.ts that imports defineConfig from svcdb, inside and outside this repository', async () => {
    for (const cwd of [path.join(fixtures, 'ts-config'), copyFixture('ts-config')]) {
      const r = await svcdb(['services', '--json'], { cwd, env: { DATABASE_URL: URL } });
      expect(r.stderr).toBe('');
      const doc = JSON.parse(r.stdout);
      expect(doc.configFile).toBe('svcdb.config.ts');
      expect(doc.services).toMatchObject([
        { name: 'billing', envVar: 'TS_BILLING_DATABASE_URL', tables: ['invoices', 'ledger'] },
      ]);
    }
  });

  it('honours --cwd and --config', async () => {
    const root = copyFixture('platform');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(root, 'other.yaml'), 'discover: ["internal/services/*/migrations"]\nenvPrefix: OTHER_\n');
    const r = await svcdb(['--cwd', root, '--config', 'other.yaml', 'env', 'dev', '--service', 'tsdb'], {
      cwd: fixtures,
      env: { DATABASE_URL: URL },
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toBe(`OTHER_TSDB_DATABASE_URL=${URL}\n`);
    const missing = await svcdb(['--cwd', root, '--config', 'nope.yaml', 'services'], { env: { DATABASE_URL: URL } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('--config: config file not found: nope.yaml');
  });

  it('has help with an example', async () => {
    const r = await svcdb(['services', '--help']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('Examples:\n  svcdb services');
    const env = await svcdb(['env', '--help']);
    expect(env.stdout).toContain('eval "$(svcdb env dev --format shell)"');
  });
});
