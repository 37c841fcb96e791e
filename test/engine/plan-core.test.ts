import { describe, expect, it } from 'vitest';
import { findCollisions } from '../../src/core/collisions.js';
import { computePlan, findMigration, pendingUpTo, type HistoryRow } from '../../src/core/plan.js';
import { buildText, locate } from '../../src/db/failure.js';
import { nextVersion } from '../../src/commands/new.js';
import type { Migration } from '../../src/core/types.js';

const m = (version: string, name: string, checksum = `sum-${version}`): Migration => ({
  service: 's',
  version,
  name,
  id: `${version}_${name}`,
  path: `/p/${version}_${name}.sql`,
  relPath: `m/${version}_${name}.sql`,
  checksum,
  format: 'plain',
  up: [],
  down: null,
  transaction: true,
});
const row = (id: string, checksum: string): HistoryRow => ({
  id,
  checksum,
  appliedAt: new Date(0),
  durationMs: 1,
  svcdbVersion: '0',
});

describe('computePlan', () => {
  const files = [m('001', 'a'), m('002', 'b'), m('003', 'c')];

  it('sorts files into applied, pending, drifted and missing', () => {
    const plan = computePlan('s', files, [row('001_a', 'sum-001'), row('002_b', 'changed'), row('000_gone', 'x')]);
    expect(plan.applied.map((a) => a.migration.id)).toEqual(['001_a']);
    expect(plan.drifted.map((a) => a.migration.id)).toEqual(['002_b']);
    expect(plan.pending.map((p) => p.id)).toEqual(['003_c']);
    expect(plan.missing.map((r) => r.id)).toEqual(['000_gone']);
  });

  it('a file added below the newest applied one is still pending', () => {
    const plan = computePlan('s', files, [row('001_a', 'sum-001'), row('003_c', 'sum-003')]);
    expect(plan.pending.map((p) => p.id)).toEqual(['002_b']);
  });

  it('a row matches the file with its version when no file has its id: a rename, not a new migration', () => {
    const renamed = [m('0001', 'a'), m('002', 'b_better'), m('003', 'c', 'edited')];
    const plan = computePlan('s', renamed, [row('001_a', 'sum-0001'), row('2_b', 'sum-002'), row('003_c', 'sum-003')]);
    expect(plan.renamed.map((r) => [r.row.id, r.migration.id])).toEqual([
      ['001_a', '0001_a'],
      ['2_b', '002_b_better'],
    ]);
    expect(plan.drifted.map((d) => d.migration.id)).toEqual(['003_c']);
    expect(plan.pending).toEqual([]);
    expect(plan.missing).toEqual([]);
  });

  it('an exact id wins over a version match, and one row never matches two files', () => {
    const plan = computePlan('s', [m('001', 'a'), m('01', 'b')], [row('001_a', 'sum-001')]);
    expect(plan.applied.map((a) => a.migration.id)).toEqual(['001_a']);
    expect(plan.pending.map((p) => p.id)).toEqual(['01_b']);
  });

  it('--to finds a migration by id, file name or number, and bounds pending', () => {
    expect(findMigration(files, '002_b')?.id).toBe('002_b');
    expect(findMigration(files, '002_b.sql')?.id).toBe('002_b');
    expect(findMigration(files, '2')?.id).toBe('002_b');
    expect(findMigration(files, '9')).toBeUndefined();
    const plan = computePlan('s', files, []);
    expect(pendingUpTo(plan, files[1]).map((p) => p.id)).toEqual(['001_a', '002_b']);
  });
});

describe('findCollisions', () => {
  const at = (service: string, kind: 'table' | 'type' | 'index' | 'function', name: string, where = 'public') => ({
    service,
    kind,
    name,
    schema: null,
    where,
    file: `${service}.sql`,
    line: 1,
    column: 1,
  });
  it('reports a name created by two services in one schema once, with every creator', () => {
    const c = findCollisions([
      at('a', 'table', 'dlq'),
      at('a', 'table', 'dlq'),
      at('b', 'table', 'dlq'),
      at('b', 'table', 'own'),
      at('c', 'table', 'dlq', 'c'), // in its own schema
    ]);
    expect(c).toEqual([
      {
        object: 'table dlq',
        name: 'dlq',
        creators: [
          { service: 'a', file: 'a.sql', line: 1, kind: 'table' },
          { service: 'b', file: 'b.sql', line: 1, kind: 'table' },
        ],
      },
    ]);
  });

  it('knows which kinds share a name space: a type and a table clash, a type and an index do not', () => {
    expect(findCollisions([at('a', 'type', 'status'), at('b', 'table', 'status')])).toHaveLength(1);
    expect(findCollisions([at('a', 'type', 'status'), at('b', 'index', 'status')])).toEqual([]);
    expect(findCollisions([at('a', 'function', 'f'), at('b', 'table', 'f')])).toEqual([]);
  });
});

describe('error positions', () => {
  it('map a character position in the concatenated text to the file line, multibyte text included', () => {
    const statements = [
      { sql: "INSERT INTO t VALUES ('😀é');", line: 3, column: 1, offset: 10 },
      { sql: 'CREATE TABLE x (\n  a int,\n  b intt\n);', line: 5, column: 1, offset: 40 },
    ];
    const sent = buildText('begin;\n', statements, 'commit;');
    const index = sent.text.indexOf('intt');
    // PostgreSQL counts characters: the emoji is one character but two UTF-16 units
    const position = Array.from(sent.text.slice(0, index)).length + 1;
    expect(locate(sent, position)).toEqual({ statement: statements[1], line: 7 });
  });
});

describe('nextVersion', () => {
  it('keeps the width, or the timestamp style', () => {
    expect(nextVersion([], new Date())).toBe('001');
    expect(nextVersion([{ version: '0001' }, { version: '0009' }], new Date())).toBe('0010');
    expect(nextVersion([{ version: '99' }], new Date())).toBe('100');
    expect(nextVersion([{ version: '20240101120000' }], new Date('2025-02-03T04:05:06Z'))).toBe('20250203040506');
    expect(nextVersion([{ version: '29990101120000' }], new Date('2025-02-03T04:05:06Z'))).toBe('29990101120001');
  });
});
