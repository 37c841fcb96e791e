// Issue 13, point 13: `svcdb services` fits the terminal with real-world URLs (a user, a long
// host, a query string) and long table lists, not only with short ones; --json keeps them whole.
import { afterAll, describe, expect, it } from 'vitest';
import { hasScript, screen, svcdbInPty } from '../helpers/terminal.js';
import { jsonOf, svcdb, tempProject } from './helpers.js';

const ingestionTables = Array.from({ length: 40 }, (_, i) => `ingestion_event_${String(i + 1).padStart(2, '0')}`);
const urls = {
  INGESTION_DATABASE_URL:
    'postgres://svc_ingestion:Xk29-secret@db-primary.internal.example.com:5432/platform_ingestion?sslmode=require',
  BILLING_RECONCILIATION_DATABASE_URL:
    'postgres://svc_billing_reconciliation:Xk29-secret@billing-db.eu-west-1.rds.amazonaws.com:5432/billing_reconciliation?sslmode=verify-full&application_name=svcdb',
  USERS_DATABASE_URL: 'postgres://svc_users:Xk29-secret@10.0.12.7:6432/users',
};

describe('services with long URLs and many tables', () => {
  const p = tempProject({
    'internal/ingestion/migrations/20240101120000_create_events.sql': `-- +goose Up\n${ingestionTables
      .map((t) => `CREATE TABLE ${t} (id bigint primary key, payload jsonb not null);`)
      .join('\n')}\n-- +goose Down\n${ingestionTables.map((t) => `DROP TABLE ${t};`).join('\n')}\n`,
    'internal/billing-reconciliation/migrations/20240102090000_create_ledger.sql':
      '-- +goose Up\nCREATE TABLE ledger_entries (id bigint primary key);\nCREATE TABLE reconciliation_runs (id bigint primary key);\n-- +goose Down\nDROP TABLE reconciliation_runs;\nDROP TABLE ledger_entries;\n',
    'internal/users/migrations/001_create_users.sql':
      '-- +goose Up\nCREATE TABLE users (id bigint primary key);\n-- +goose Down\nDROP TABLE users;\n',
  });
  afterAll(() => p.cleanup());
  const run = (args: string[], columns: string) =>
    svcdb(p.dir, 'postgres://unused@127.0.0.1:1/x', ['services', '--profile', 'prod', ...args], {
      ...urls,
      COLUMNS: columns,
    });

  for (const columns of [80, 100]) {
    it(`every line fits COLUMNS=${columns}, each URL keeps its host and database, the long list ends in "+N more"`, async () => {
      const r = await run([], String(columns));
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('Xk29-secret');
      const lines = r.stdout.trimEnd().split('\n');
      for (const line of lines) expect(line.length, `${line.length} columns: ${line}`).toBeLessThanOrEqual(columns);
      expect(r.stdout).toMatch(/db-primary\.\S*\/platform_ingestion/);
      expect(r.stdout).toMatch(/billing-db\.\S*\/billing_reconciliation/);
      expect(r.stdout).toContain('10.0.12.7:6432/users');
      expect(r.stdout).toMatch(/ingestion_event_01, .*\+\d+ more/);
      expect(r.stdout).not.toContain('ingestion_event_40');
      // the other services' short lists and every env var are shown whole
      expect(r.stdout).toContain('ledger_entries, reconciliation_runs');
      for (const name of Object.keys(urls)) expect(r.stdout).toContain(name);
      for (const dir of ['internal/ingestion/migrations', 'internal/billing-reconciliation/migrations'])
        expect(r.stdout).toContain(dir);
    });
  }

  it('keeps the table where it fits, with the URLs shortened in it', async () => {
    const r = await run([], '160');
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^SERVICE\s+MIGRATIONS FOLDER\s+FILES\s+ENV VAR\s+TABLES\s+URL$/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(160);
    const row = lines.find((l) => l.startsWith('ingestion '));
    expect(row).toMatch(/INGESTION_DATABASE_URL .*db-primary\.\S*\/platform_ingestion/);
    expect(row).not.toContain('sslmode');
  });

  it.skipIf(!hasScript)('on a real 80-column terminal (no COLUMNS), every line fits too', async () => {
    const run = svcdbInPty(['--cwd', p.dir, 'services', '--profile', 'prod'], { ...urls, COLUMNS: '' }, 80);
    expect(await run.exited).toBe(0);
    const lines = screen(run.raw());
    expect(lines.join('\n')).toMatch(/db-primary\.\S*\/platform_ingestion/);
    expect(lines.join('\n')).toMatch(/ingestion_event_01, .*\+\d+ more/);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('off a terminal with no COLUMNS, keeps every value whole', async () => {
    const r = await run([], '');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'postgres://svc_ingestion:***@db-primary.internal.example.com:5432/platform_ingestion?sslmode=require',
    );
    expect(r.stdout).toContain(ingestionTables.join(', '));
  });

  it('--json has the full URLs and every table at any width', async () => {
    const r = await run(['--json'], '80');
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = jsonOf(r) as unknown as { services: { name: string; tables: string[]; url: string }[] };
    const ingestion = doc.services.find((s) => s.name === 'ingestion');
    expect(ingestion?.tables).toEqual(ingestionTables);
    expect(ingestion?.url).toBe(
      'postgres://svc_ingestion:***@db-primary.internal.example.com:5432/platform_ingestion?sslmode=require',
    );
  });
});
