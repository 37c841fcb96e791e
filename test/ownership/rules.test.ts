// The exact findings of the ownership lint on a fixture monorepo that holds one true positive
// per rule and the traps a regex-based lint falls into.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/commands/check-ownership.js';
import type { Finding } from '../../src/core/types.js';

const fixture = path.resolve(__dirname, '../fixtures/ownership/rules');
const key = (f: Finding) => `${f.rule} ${f.severity} ${f.file}:${f.line}:${f.column}`;

const EXPECTED_UNDER_SHARED = [
  'table-collision error internal/eventhandler/migrations/001_projections.sql:3:14',
  'cross-service-write error internal/eventhandler/migrations/001_projections.sql:7:10', // UPDATE inside a $$ body
  'dynamic-sql warning internal/eventhandler/migrations/001_projections.sql:8:3', // EXECUTE format(...)
  'suppression-without-reason warning internal/eventhandler/replay.py:9:3',
  'unparsable-sql warning internal/eventhandler/replay.py:14:11',
  'dynamic-sql warning internal/eventhandler/replay.py:19:20', // f-string interpolating a table name
  'cross-service-fk error internal/ingestion/migrations/002_link_projection.sql:2:63',
  'cross-service-write error internal/ingestion/store.ts:12:25',
  'unknown-table warning internal/ingestion/store.ts:13:43', // "Projections" quoted: not projections
  'read-outside-contract error internal/query/handler.go:8:7',
  'table-collision error internal/tsdb/migrations/001_metrics.sql:2:28',
];

describe('check-ownership rules on the fixture monorepo', () => {
  it('reports exactly the true positives, with the position of the table name', async () => {
    const result = await checkOwnership({ cwd: fixture, profile: 'dev' });
    expect(result.findings.map(key).sort()).toEqual([...EXPECTED_UNDER_SHARED].sort());
    expect(result.failed).toBe(true);
    expect(result.summary).toEqual({ errors: 6, warnings: 5, files: 8, services: 4 });
  });

  it('names the service, the table and its owner in each finding', async () => {
    const { findings } = await checkOwnership({ cwd: fixture, profile: 'dev' });
    const write = findings.find((f) => f.rule === 'cross-service-write' && f.file.endsWith('store.ts'));
    expect(write).toMatchObject({
      service: 'ingestion',
      table: 'metrics',
      owner: 'tsdb',
      message: "ingestion writes tsdb's table metrics (DELETE)",
    });
    const outside = findings.find((f) => f.rule === 'read-outside-contract');
    expect(outside).toMatchObject({ service: 'query', table: 'projections', owner: 'eventhandler' });
    expect(outside?.message).toContain('internal/shared/projections');
  });

  it('ignores CTE names, aliases, comments, prose and the declared read through its via folder', async () => {
    const { findings } = await checkOwnership({ cwd: fixture, profile: 'dev' });
    // store.ts lines 4 (comment), 8-9 (CTE "projections"), 10 (prose), 11 (alias "dlq"),
    // replay.py line 15 (prose), shared/projections/store.go (declared read, via folder).
    const at = new Set(findings.map((f) => `${f.file}:${f.line}`));
    for (const spot of [
      'internal/ingestion/store.ts:4',
      'internal/ingestion/store.ts:8',
      'internal/ingestion/store.ts:9',
      'internal/ingestion/store.ts:10',
      'internal/ingestion/store.ts:11',
      'internal/eventhandler/replay.py:15',
    ]) {
      expect(at.has(spot), spot).toBe(false);
    }
    expect(findings.some((f) => f.file.startsWith('internal/shared/'))).toBe(false);
  });

  it("counts a service's own tables, views and sequences from its migrations and `owns`", async () => {
    const { ownership } = await checkOwnership({ cwd: fixture, profile: 'dev' });
    expect(ownership).toEqual({
      eventhandler: ['dlq', 'projections'],
      ingestion: ['AuditLog', 'event_store', 'outbox'],
      query: [],
      tsdb: ['dlq', 'metrics'],
    });
  });

  it('makes a table collision a warning under a non-shared profile', async () => {
    const result = await checkOwnership({ cwd: fixture, profile: 'dev-aws' });
    const collisions = result.findings.filter((f) => f.rule === 'table-collision');
    expect(collisions.map((f) => f.severity)).toEqual(['warning', 'warning']);
  });
});

describe('check-ownership config', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'svcdb-own-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("changes or turns off a rule's severity through `rules`", async () => {
    const dir = path.join(tmp, 'rules-config');
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'svcdb.config.json'),
      JSON.stringify({
        services: {
          query: {
            path: 'internal/query',
            reads: [{ service: 'eventhandler', tables: ['projections'], via: ['internal/shared/projections'] }],
          },
        },
        shared: { 'internal/shared/projections': 'query' },
        rules: { 'unknown-table': 'off', 'dynamic-sql': 'error', 'table-collision': 'warning' },
      }),
    );
    const { findings } = await checkOwnership({ cwd: dir, profile: 'dev' });
    expect(findings.some((f) => f.rule === 'unknown-table')).toBe(false);
    expect(findings.filter((f) => f.rule === 'dynamic-sql').map((f) => f.severity)).toEqual(['error', 'error']);
    expect(findings.filter((f) => f.rule === 'table-collision').map((f) => f.severity)).toEqual(['warning', 'warning']);
  });

  it('honours a suppression above a multi-line statement and on the same line', async () => {
    const dir = path.join(tmp, 'suppressions');
    mkdirSync(path.join(dir, 'internal/a/migrations'), { recursive: true });
    mkdirSync(path.join(dir, 'internal/b/migrations'), { recursive: true });
    writeFileSync(path.join(dir, 'internal/b/migrations/001_b.sql'), 'CREATE TABLE b_t (id int PRIMARY KEY);\n');
    writeFileSync(
      path.join(dir, 'internal/a/migrations/001_a.sql'),
      [
        'CREATE TABLE a_t (id int);',
        '-- svcdb-ignore cross-service-fk: legacy link, removed in Q3',
        'ALTER TABLE a_t',
        '  ADD COLUMN b_id int REFERENCES b_t (id);',
        'ALTER TABLE a_t ADD COLUMN c int REFERENCES b_t (id); -- svcdb-ignore cross-service-fk',
        'ALTER TABLE a_t ADD COLUMN d int REFERENCES b_t (id);',
      ].join('\n'),
    );
    const { findings } = await checkOwnership({ cwd: dir, profile: 'dev' });
    expect(findings.map(key)).toEqual([
      'suppression-without-reason warning internal/a/migrations/001_a.sql:5:58',
      'cross-service-fk error internal/a/migrations/001_a.sql:6:45',
    ]);
  });

  it('rejects an unknown rule name in `rules`, naming the key', async () => {
    const dir = path.join(tmp, 'bad-rule');
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(path.join(dir, 'svcdb.config.json'), JSON.stringify({ rules: { 'cross-service-wrte': 'off' } }));
    await expect(checkOwnership({ cwd: dir, profile: 'dev' })).rejects.toMatchObject({
      name: 'UserError',
      message: 'unknown rule "cross-service-wrte"',
      where: 'svcdb.config.json: rules.cross-service-wrte',
    });
  });
});
