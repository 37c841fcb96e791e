// Issue 12 point 4 on a goose/Go/Python repository: what real schemas do (trigger transition
// tables, index renames, table renames, temp tables used across strings, a `pg_*` table a
// service owns) raises nothing, and the one real cross-service write is found.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOwnership } from '../../src/commands/check-ownership.js';
import { services } from '../../src/commands/services.js';
import { tempProject } from '../helpers/project.js';

const fixture = path.resolve(__dirname, '../fixtures/ownership/precision');

describe('check-ownership precision', () => {
  it('reports only the write to the pg_-named table another service owns', async () => {
    const result = await checkOwnership({ cwd: fixture, profile: 'dev' });
    expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([
      "cross-service-write internal/notify/worker/daily.py:12:30 notify writes ledger's table pg_stats_daily (INSERT)",
    ]);
    expect(result.findings[0]).toMatchObject({ service: 'notify', owner: 'ledger', table: 'pg_stats_daily' });
  });

  it('lets ownership follow RENAME TO, and counts a pg_-named table as the service’s own', async () => {
    const { ownership } = await checkOwnership({ cwd: fixture, profile: 'dev' });
    // entries is listed under its new name; the down sections renaming it back change nothing
    expect(ownership.ledger).toEqual(['entries_audit', 'ledger_entries', 'pg_stats_daily']);
    const listed = await services({ cwd: fixture, profile: 'dev', env: {} });
    expect(listed.services.find((s) => s.name === 'ledger')?.tables).toEqual(ownership.ledger);
  });

  it("finds a write to another service's index, but not to an index no migration creates", async () => {
    const project = tempProject({
      'internal/ledger/migrations/001_entries.sql':
        'CREATE TABLE entries (id int PRIMARY KEY);\nCREATE INDEX entries_idx ON entries (id);\n',
      'internal/notify/migrations/001_cleanup.sql':
        'DROP INDEX IF EXISTS entries_idx;\nALTER INDEX IF EXISTS entries_pkey RENAME TO old_pkey;\n',
    });
    try {
      const result = await checkOwnership({ cwd: project.dir, profile: 'dev' });
      expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`)).toEqual([
        "cross-service-write internal/notify/migrations/001_cleanup.sql:1 notify writes ledger's index entries_idx (DROP)",
      ]);
    } finally {
      project.cleanup();
    }
  });
});

describe('check-ownership collisions beyond tables', () => {
  it('reports an index, a type named like a table and a function that two services create, as migrate refuses them', async () => {
    const project = tempProject({
      'internal/ca/migrations/001_a.sql':
        "CREATE TYPE status AS ENUM ('a');\nCREATE TABLE a (x int);\nCREATE INDEX idx ON a (x);\nCREATE FUNCTION touch(int) RETURNS int LANGUAGE sql AS 'select 1';\n",
      'internal/cb/migrations/001_b.sql':
        "CREATE TABLE status (x int);\nCREATE INDEX idx ON status (x);\nCREATE FUNCTION touch(text) RETURNS int LANGUAGE sql AS 'select 2';\n",
    });
    try {
      const result = await checkOwnership({ cwd: project.dir, profile: 'dev' });
      expect(result.findings.map((f) => `${f.rule} ${f.severity} ${f.message}`)).toEqual([
        'table-collision error ca creates type status, also created by cb (internal/cb/migrations/001_b.sql:1)',
        'table-collision error ca creates index idx, also created by cb (internal/cb/migrations/001_b.sql:2)',
        'table-collision error cb creates table status, also created by ca (internal/ca/migrations/001_a.sql:1)',
        'table-collision error cb creates index idx, also created by ca (internal/ca/migrations/001_a.sql:3)',
      ]);
    } finally {
      project.cleanup();
    }
  });
});
