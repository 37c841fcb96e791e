// svcdb check-migrations: squawk's rules on a goose repository with one failing and one passing
// file per rule, versions, config, SARIF, and the pending scope and plan against real PostgreSQL.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
// ajv-draft-04's default export is the class at run time; its types describe the module object.
const Ajv = AjvDraft04 as unknown as typeof AjvDraft04.default;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { svcdb } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { SAFETY_RULES } from '../../src/core/safety/rule-meta.js';

const fixtures = path.resolve(__dirname, '../fixtures/safety');
const rulesRepo = path.join(fixtures, 'rules');
const versions = path.join(fixtures, 'versions');
const sarifSchema = JSON.parse(
  readFileSync(path.resolve(__dirname, '../ownership/sarif-schema-2.1.0.json'), 'utf8'),
) as object;

interface Doc {
  scope: string;
  postgresVersion: { version: number; source: string };
  notes: string[];
  summary: { files: number };
  findings: Array<{
    rule: string;
    severity: string;
    file: string;
    line: number;
    column: number;
    service: string;
    message: string;
    hint: string;
  }>;
}

async function check(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number | null; doc: Doc; stderr: string }> {
  const r = await svcdb(['--cwd', cwd, 'check-migrations', '--format', 'json', ...args], { env });
  return { exitCode: r.exitCode, doc: JSON.parse(r.stdout || '{}') as Doc, stderr: r.stderr };
}

describe('check-migrations: every rule', () => {
  let doc: Doc;
  let exitCode: number | null;
  beforeAll(async () => {
    ({ doc, exitCode } = await check(rulesRepo, ['--all-migrations']));
  });

  it('exits 1 on error-level findings', () => {
    expect(exitCode).toBe(1);
    expect(doc.scope).toBe('all');
  });

  for (const rule of SAFETY_RULES) {
    const base = rule.id.replace(/-/g, '_');
    it(`${rule.id}: flagged in the failing file with its safe rewrite, not in the passing one`, () => {
      const fail = doc.findings.filter((f) => f.file.endsWith(`_${base}_fail.sql`));
      expect(fail.map((f) => f.rule)).toEqual([rule.id]);
      expect(fail[0]).toMatchObject({ service: 'billing', severity: rule.severity, hint: rule.hint });
      expect(fail[0].line).toBeGreaterThan(1);
      expect(doc.findings.filter((f) => f.file.endsWith(`_${base}_pass.sql`))).toEqual([]);
    });
  }

  it('an index on an existing table: require-concurrent-index-creation, with CONCURRENTLY and how svcdb runs that file', () => {
    const f = doc.findings.find((x) => x.rule === 'require-concurrent-index-creation')!;
    expect(f).toMatchObject({
      file: 'internal/billing/migrations/002_require_concurrent_index_creation_fail.sql',
      line: 2,
      column: 36,
    });
    expect(f.hint).toContain('CREATE INDEX CONCURRENTLY');
    expect(f.hint).toContain('outside a transaction');
    // 001 and 003 index tables created earlier in the same migration: nothing to report
    expect(doc.findings.filter((x) => /\/00[13]_/.test(x.file))).toEqual([]);
  });

  it('text output shows the code frame and the hint', async () => {
    const r = await svcdb(['--cwd', rulesRepo, 'check-migrations', '--all-migrations']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('internal/billing/migrations/002_require_concurrent_index_creation_fail.sql:2:36');
    expect(r.stdout).toContain('hint: use CREATE INDEX CONCURRENTLY');
    expect(r.stderr).toContain('assuming 18');
  });

  it('SARIF validates against the 2.1.0 schema and carries the rule catalogue', async () => {
    const r = await svcdb(['--cwd', rulesRepo, 'check-migrations', '--all-migrations', '--format', 'sarif']);
    const log = JSON.parse(r.stdout) as {
      runs: Array<{
        tool: { driver: { rules: Array<{ id: string }> } };
        results: Array<{ ruleId: string; ruleIndex: number }>;
      }>;
    };
    const validate = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, validateFormats: false }).compile(
      sarifSchema,
    );
    expect(validate(log)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((x) => x.id)).toEqual(SAFETY_RULES.map((x) => x.id));
    expect(run.results).toHaveLength(SAFETY_RULES.length);
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
  });

  it('github format: one annotation per finding', async () => {
    const r = await svcdb(['--cwd', rulesRepo, 'check-migrations', '--all-migrations', '--format', 'github']);
    expect(r.stdout.trim().split('\n')).toHaveLength(SAFETY_RULES.length);
    expect(r.stdout).toContain(
      '::error file=internal/billing/migrations/002_require_concurrent_index_creation_fail.sql,line=2,col=36,title=svcdb require-concurrent-index-creation::',
    );
  });
});

describe('check-migrations: PostgreSQL version, config, baseline', () => {
  const file = 'internal/orders/migrations/20240315090000_order_state.sql';
  it('postgresVersion 15: the volatile default is flagged, the constant one is not', async () => {
    const { doc } = await check(versions, ['--all-migrations'], {});
    expect(doc.postgresVersion).toEqual({ version: 18, source: 'assumed' });
    const pg15 = await check(versions, ['--config', path.join(versions, 'svcdb.pg15.json'), '--all-migrations']);
    expect(pg15.doc.postgresVersion).toEqual({ version: 15, source: 'config' });
    expect(pg15.doc.findings.map((f) => [f.file, f.line, f.rule])).toEqual([[file, 3, 'adding-field-with-default']]);
    expect(pg15.doc.findings[0].message).toContain('volatile');
  });

  it('postgresVersion 10: the constant default is flagged too', async () => {
    const pg10 = await check(versions, ['--config', path.join(versions, 'svcdb.pg10.json'), '--all-migrations']);
    expect(pg10.doc.findings.map((f) => [f.line, f.rule])).toEqual([
      [2, 'adding-field-with-default'],
      [3, 'adding-field-with-default'],
    ]);
    expect(pg10.doc.findings[0].message).toContain('before PostgreSQL 11');
  });

  it('a baseline skips the files up to it', async () => {
    const r = await check(versions, ['--config', path.join(versions, 'svcdb.baseline.json'), '--all-migrations']);
    expect(r.exitCode).toBe(0);
    expect(r.doc.summary.files).toBe(0);
    expect(r.doc.findings).toEqual([]);
  });

  it('bad input is exit 2 naming the key: an unknown rule, an unknown service, a bad git ref', async () => {
    const typo = await svcdb([
      '--cwd',
      versions,
      '--config',
      path.join(versions, 'svcdb.typo.json'),
      'check-migrations',
      '--all-migrations',
    ]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('checkMigrations.rules.adding-field-with-dflt');
    expect(typo.stderr).not.toContain('    at ');
    const svc = await svcdb(['--cwd', versions, 'check-migrations', 'nope', '--all-migrations']);
    expect(svc.exitCode).toBe(2);
    expect(svc.stderr).toContain('unknown service: nope');
    const ref = await svcdb(['--cwd', versions, 'check-migrations', '--since', 'no-such-ref-xyz']);
    expect(ref.exitCode).toBe(2);
    expect(ref.stderr).toContain('--since');
  });
});

describe('check-migrations against PostgreSQL: pending scope, server version, plan', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('safety_pending');
    dir = mkdtempSync(path.join(os.tmpdir(), 'svcdb-safety-'));
    cpSync(path.join(versions, 'internal'), path.join(dir, 'internal'), { recursive: true });
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without a reachable database it says so and checks every migration', async () => {
    const r = await check(dir, []);
    expect(r.doc.scope).toBe('all (no database reachable)');
    expect(r.stderr).toContain('no database reachable');
  });

  it("checks only the pending migrations, with the server's version", async () => {
    const env = { DATABASE_URL: db.url };
    expect((await svcdb(['--cwd', dir, 'migrate', 'orders', '--to', '20240101120000'], { env })).exitCode).toBe(0);
    const r = await check(dir, [], env);
    expect(r.doc.scope).toBe('pending');
    expect(r.doc.postgresVersion.source).toBe('server');
    expect(r.doc.postgresVersion.version).toBeGreaterThanOrEqual(11);
    expect(r.doc.summary.files).toBe(1);
    expect(r.doc.findings.map((f) => f.rule)).toEqual(['adding-field-with-default']);
  });

  it('plan shows the safety findings and keeps its exit code', async () => {
    const env = { DATABASE_URL: db.url };
    const r = await svcdb(['--cwd', dir, 'plan', 'orders', '--json'], { env });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { safety: Array<{ rule: string; line: number; hint: string }> };
    expect(doc.safety.map((f) => [f.rule, f.line])).toEqual([['adding-field-with-default', 3]]);
    const text = await svcdb(['--cwd', dir, 'plan', 'orders'], { env });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('safety findings in the pending migrations');
    expect(text.stdout).toContain('adding-field-with-default');
    // once applied, nothing is pending and nothing is reported
    expect((await svcdb(['--cwd', dir, 'migrate', 'orders'], { env })).exitCode).toBe(0);
    const after = await check(dir, [], env);
    expect(after.exitCode).toBe(0);
    expect(after.doc.findings).toEqual([]);
  });
});
