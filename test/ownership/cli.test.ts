// check-ownership as a user runs it: exit codes, output formats, the seed-shaped repo.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = path.resolve(__dirname, '../fixtures/ownership');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'svcdb-own-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('check-ownership on a repo shaped like the real one', () => {
  const repo = path.join(tmp, 'seed');
  beforeAll(() => cpSync(path.join(fixtures, 'seed'), repo, { recursive: true }));

  it('passes (exit 0) when the query service declares its read through the shared module', async () => {
    const r = await runCli(['check-ownership', '--cwd', repo]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('no ownership problems');
    expect(r.exitCode).toBe(0);
  });

  it('fails (exit 1) with cross-service-read at the query line once the declaration is removed', async () => {
    const config = path.join(repo, 'svcdb.config.yaml');
    const text = readFileSync(config, 'utf8');
    writeFileSync(config, text.replace(/ {4}reads:\n.*\n/, ''));
    const r = await runCli(['check-ownership', '--cwd', repo, '--format', 'github']);
    expect(r.stdout).toBe(
      "::error file=internal/shared/projections/store.go,line=10,col=7,title=svcdb cross-service-read::query reads eventhandler's table projections without declaring it\n",
    );
    expect(r.exitCode).toBe(1);
    writeFileSync(config, text);
  });
});

describe('check-ownership output and exit codes', () => {
  const rules = path.join(fixtures, 'rules');

  it('prints findings grouped by service with a code frame and a caret under the table', async () => {
    const r = await runCli(['check-ownership', '--cwd', rules]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('eventhandler');
    const at = lines.findIndex((l) => l.includes('internal/query/handler.go:8:7'));
    expect(lines[at - 1]).toBe('query');
    expect(lines[at]).toContain('error');
    expect(lines[at]).toContain('read-outside-contract');
    expect(lines[at + 1]).toBe('    8 | \tFROM projections');
    expect(lines[at + 2]).toBe('      | \t     ^^^^^^^^^^^');
    expect(r.stdout).toContain('6 errors, 5 warnings in 8 files of 4 services');
    expect(r.stdout).not.toMatch(/\x1b\[/); // NO_COLOR, not a TTY
  });

  it('--json prints one document with the findings and the summary', async () => {
    const r = await runCli(['check-ownership', '--cwd', rules, '--json']);
    const doc = JSON.parse(r.stdout) as {
      failed: boolean;
      summary: { errors: number };
      findings: Array<{
        rule: string;
        file: string;
        line: number;
        column: number;
        service: string;
        table: string;
        owner: string;
      }>;
    };
    expect(doc.failed).toBe(true);
    expect(doc.summary.errors).toBe(6);
    expect(doc.findings).toContainEqual(
      expect.objectContaining({
        rule: 'cross-service-fk',
        file: 'internal/ingestion/migrations/002_link_projection.sql',
        line: 2,
        column: 63,
        service: 'ingestion',
        table: 'projections',
        owner: 'eventhandler',
      }),
    );
    expect(r.exitCode).toBe(1);
  });

  it('exits 0 with only warnings, and 1 when --max-warnings is exceeded', async () => {
    const dir = path.join(tmp, 'warnings-only');
    cpSync(path.join(fixtures, 'seed'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'internal/services/tsdb/report.py'), 'Q = "SELECT count(*) FROM nowhere_table"\n');
    const ok = await runCli(['check-ownership', '--cwd', dir, '--format', 'github']);
    expect(ok.stdout).toBe(
      '::warning file=internal/services/tsdb/report.py,line=1,col=27,title=svcdb unknown-table::tsdb: SELECT on table nowhere_table, which no service owns\n',
    );
    expect(ok.exitCode).toBe(0);
    expect((await runCli(['check-ownership', '--cwd', dir, '--max-warnings', '1'])).exitCode).toBe(0);
    expect((await runCli(['check-ownership', '--cwd', dir, '--max-warnings', '0'])).exitCode).toBe(1);
  });

  it('exits 2 on bad input: unknown format, bad --max-warnings, missing folder', async () => {
    const format = await runCli(['check-ownership', '--cwd', rules, '--format', 'xml']);
    expect(format.exitCode).toBe(2);
    expect(format.stderr).toContain('xml');
    const max = await runCli(['check-ownership', '--cwd', rules, '--max-warnings', 'many']);
    expect(max.exitCode).toBe(2);
    expect(max.stderr).toContain('--max-warnings expects a whole number, got "many"');
    const cwd = await runCli(['check-ownership', '--cwd', path.join(tmp, 'no-such-dir')]);
    expect(cwd.exitCode).toBe(2);
    expect(cwd.stdout).toBe('');
  });
});
