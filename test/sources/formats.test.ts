import path from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMigrationFiles } from '../../src/core/sources/index.js';
import { UserError, UserErrors } from '../../src/core/errors.js';
import { tempProject } from '../helpers/tmp.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/sources/formats');
const FORMATS = ['plain', 'goose', 'dbmate', 'golang-migrate'] as const;

async function parse(files: Record<string, string | Buffer>) {
  const root = tempProject(
    Object.fromEntries(Object.entries(files).map(([k, v]) => [`internal/svc/migrations/${k}`, v])),
  );
  return parseMigrationFiles('svc', path.join(root, 'internal/svc/migrations'), root);
}

async function parseError(files: Record<string, string | Buffer>): Promise<UserError> {
  const err = await parse(files).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('every format reads the same migrations the same way (conformance)', () => {
  for (const format of FORMATS) {
    it(`${format}: two ordered migrations with identical up statements`, async () => {
      const dir = path.join(fixtures, format, 'migrations');
      const migrations = await parseMigrationFiles('svc', dir, path.join(fixtures, format));
      expect(migrations.map((m) => m.id)).toEqual(['001_create_outbox', '002_touch_fn']);
      expect(migrations.map((m) => m.format)).toEqual([format, format]);
      const [outbox, touch] = migrations;
      expect(outbox.up.map((s) => s.sql.replace(/\s+/g, ' '))).toEqual([
        "CREATE TABLE outbox ( id bigserial PRIMARY KEY, payload jsonb NOT NULL, note text DEFAULT 'a;b' )",
        'CREATE INDEX outbox_id ON outbox (id)',
      ]);
      expect(touch.up).toHaveLength(1);
      expect(touch.up[0].sql).toMatch(/^CREATE FUNCTION touch\(\)[\s\S]*END;\n\$\$ LANGUAGE plpgsql$/);
      expect(outbox.transaction).toBe(true);
      expect(outbox.relPath).toBe(
        format === 'golang-migrate' ? 'migrations/001_create_outbox.up.sql' : 'migrations/001_create_outbox.sql',
      );
      // the line of each statement is its line in the file
      const text = readFileSync(outbox.path, 'utf8').split('\n');
      for (const s of outbox.up)
        expect(text[s.line - 1].slice(s.column - 1).startsWith(s.sql.split('\n')[0])).toBe(true);
      if (format === 'plain') expect(outbox.down).toBeNull();
      else expect(outbox.down?.map((s) => s.sql)).toEqual(['DROP TABLE outbox']);
    });
  }

  it('checksums are sha256 of the bytes (golang-migrate: up bytes then down bytes)', async () => {
    const [plain] = await parseMigrationFiles('svc', path.join(fixtures, 'plain/migrations'), fixtures);
    expect(plain.checksum).toBe(createHash('sha256').update(readFileSync(plain.path)).digest('hex'));
    const [pair] = await parseMigrationFiles('svc', path.join(fixtures, 'golang-migrate/migrations'), fixtures);
    const expected = createHash('sha256')
      .update(readFileSync(pair.path))
      .update(readFileSync(pair.downPath!))
      .digest('hex');
    expect(pair.checksum).toBe(expected);
  });
});

describe('file names and ordering', () => {
  it('orders by number, not by text: 2 before 10, timestamps after small numbers', async () => {
    const ms = await parse({
      '10_c.sql': 'SELECT 10;',
      '2_b.sql': 'SELECT 2;',
      '20240101120000_d.sql': 'SELECT 4;',
      '001_a.sql': 'SELECT 1;',
    });
    expect(ms.map((m) => m.version)).toEqual(['001', '2', '10', '20240101120000']);
  });

  it('ignores files that are not .sql and sub-folders', async () => {
    const ms = await parse({
      'README.md': '# notes',
      '.keep': '',
      'old/001_x.sql': 'SELECT 1;',
      '001_a.sql': 'SELECT 1;',
    });
    expect(ms.map((m) => m.id)).toEqual(['001_a']);
  });

  it('rejects a .sql file whose name is not <number>_<name>.sql', async () => {
    const err = await parseError({ '001_a.sql': 'SELECT 1;', 'init-schema.sql': 'SELECT 1;' });
    expect(err.where).toBe('internal/svc/migrations/init-schema.sql');
    expect(err.message).toContain('<number>_<name>.sql');
  });

  it('rejects two files with one number, naming both', async () => {
    const err = await parseError({ '001_a.sql': 'SELECT 1;', '001_b.sql': 'SELECT 2;' });
    expect(err.message).toContain('001_a.sql and 001_b.sql');
    expect(err.message).toContain('service "svc"');
  });

  it('treats 1 and 001 as the same number', async () => {
    const err = await parseError({ '001_a.sql': 'SELECT 1;', '1_b.sql': 'SELECT 2;' });
    expect(err.message).toMatch(/two migrations with version/);
  });

  it('rejects a plain file and a golang-migrate up file with one number', async () => {
    const err = await parseError({ '003_a.sql': 'SELECT 1;', '003_a.up.sql': 'SELECT 2;' });
    expect(err.message).toContain('003_a.sql and 003_a.up.sql');
  });

  it('reports every broken file at once', async () => {
    const err = await parse({ 'x.sql': '', 'y.sql': '', '001_ok.sql': 'SELECT 1;' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserErrors);
    expect((err as UserErrors).errors.map((e) => e.where)).toEqual([
      'internal/svc/migrations/x.sql',
      'internal/svc/migrations/y.sql',
    ]);
  });

  it('rejects non-UTF-8 files with the line of the first bad byte', async () => {
    const latin1 = Buffer.concat([Buffer.from("SELECT 1;\nSELECT '"), Buffer.from([0xe9]), Buffer.from("';\n")]);
    const err = await parseError({ '001_a.sql': latin1 });
    expect(err.message).toContain('not valid UTF-8');
    expect(err.where).toBe('internal/svc/migrations/001_a.sql:2');
  });

  it('reports an unterminated string with file:line', async () => {
    const err = await parseError({ '001_a.sql': "SELECT 1;\n\nINSERT INTO t VALUES ('oops);\n" });
    expect(err.where).toBe('internal/svc/migrations/001_a.sql:3');
    expect(err.message).toContain('unterminated string');
  });
});

describe('goose files', () => {
  it('reads NO TRANSACTION', async () => {
    const [m] = await parse({
      '001_idx.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (x);\n',
    });
    expect(m.transaction).toBe(false);
    expect(m.up).toMatchObject([{ sql: 'CREATE INDEX CONCURRENTLY i ON t (x)', line: 3 }]);
  });

  it('a StatementBegin/End block is one statement, semicolons and all', async () => {
    const [m] = await parse({
      '001_a.sql':
        '-- +goose Up\nSELECT 0;\n-- +goose StatementBegin\nSELECT 1;\nSELECT 2;\n-- +goose StatementEnd\nSELECT 3;\n',
    });
    expect(m.up.map((s) => [s.line, s.sql])).toEqual([
      [2, 'SELECT 0'],
      [4, 'SELECT 1;\nSELECT 2'],
      [7, 'SELECT 3'],
    ]);
  });

  it('an empty Down section is a no-op down, a missing one is none', async () => {
    const [withDown, without] = await parse({
      '001_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\n',
      '002_b.sql': '-- +goose Up\nSELECT 1;\n',
    });
    expect(withDown.down).toEqual([]);
    expect(without.down).toBeNull();
  });

  it('accepts CRLF line endings', async () => {
    const [m] = await parse({ '001_a.sql': '-- +goose Up\r\nSELECT 1;\r\n-- +goose Down\r\nSELECT 2;\r\n' });
    expect(m.up.map((s) => s.sql)).toEqual(['SELECT 1']);
    expect(m.down?.map((s) => s.sql)).toEqual(['SELECT 2']);
  });

  it('rejects an unterminated StatementBegin at its line', async () => {
    const err = await parseError({
      '001_a.sql': '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose Down\nSELECT 2;\n',
    });
    expect(err.where).toBe('internal/svc/migrations/001_a.sql:2');
    expect(err.message).toContain('StatementBegin is never closed');
  });

  it('rejects an unterminated StatementBegin at the end of the file', async () => {
    const err = await parseError({ '001_a.sql': '-- +goose Up\nSELECT 0;\n-- +goose StatementBegin\nSELECT 1;\n' });
    expect(err.where).toBe('internal/svc/migrations/001_a.sql:3');
  });

  it('rejects a goose file with no +goose Up', async () => {
    const err = await parseError({ '001_a.sql': '-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n' });
    expect(err.message).toContain('no -- +goose Up');
    expect(err.where).toBe('internal/svc/migrations/001_a.sql:1');
  });

  it('rejects SQL before +goose Up, a Down before Up, and an unknown annotation', async () => {
    expect((await parseError({ '001_a.sql': 'SELECT 1;\n-- +goose Up\nSELECT 2;\n' })).message).toContain(
      'SQL before -- +goose Up',
    );
    expect((await parseError({ '001_a.sql': '-- +goose Down\nSELECT 1;\n-- +goose Up\n' })).where).toBe(
      'internal/svc/migrations/001_a.sql:1',
    );
    const unknown = await parseError({ '001_a.sql': '-- +goose Up\n-- +goose Sideways\nSELECT 1;\n' });
    expect(unknown.message).toContain('unknown goose annotation');
    expect(unknown.where).toBe('internal/svc/migrations/001_a.sql:2');
  });
});

describe('dbmate files', () => {
  it('reads transaction:false on the up line', async () => {
    const [m] = await parse({
      '001_a.sql':
        '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- migrate:down\nDROP INDEX i;\n',
    });
    expect(m.transaction).toBe(false);
    expect(m.up).toMatchObject([{ sql: 'CREATE INDEX CONCURRENTLY i ON t (x)', line: 2, column: 1 }]);
    expect(m.down).toMatchObject([{ sql: 'DROP INDEX i', line: 4 }]);
  });

  it('has no down when there is no migrate:down', async () => {
    const [m] = await parse({ '001_a.sql': '-- migrate:up\nSELECT 1;\n' });
    expect(m.down).toBeNull();
    expect(m.transaction).toBe(true);
  });

  it('rejects SQL outside the sections and a down before the up', async () => {
    const before = await parseError({ '001_a.sql': 'SELECT 0;\n-- migrate:up\nSELECT 1;\n' });
    expect(before.where).toBe('internal/svc/migrations/001_a.sql:1');
    const downFirst = await parseError({ '001_a.sql': '-- migrate:down\nSELECT 1;\n-- migrate:up\nSELECT 2;\n' });
    expect(downFirst.message).toContain('before -- migrate:up');
  });
});

describe('golang-migrate pairs', () => {
  it('pairs .up.sql with .down.sql; an up without a down has none', async () => {
    const [a, b] = await parse({
      '001_a.up.sql': 'SELECT 1;',
      '001_a.down.sql': 'SELECT 2;',
      '002_b.up.sql': 'SELECT 3;',
    });
    expect(a.downPath).toMatch(/001_a\.down\.sql$/);
    expect(a.down?.map((s) => s.sql)).toEqual(['SELECT 2']);
    expect(b.down).toBeNull();
  });

  it('rejects a down file without its up file', async () => {
    const err = await parseError({ '001_a.up.sql': 'SELECT 1;', '002_b.down.sql': 'SELECT 2;' });
    expect(err.where).toBe('internal/svc/migrations/002_b.down.sql');
    expect(err.hint).toContain('002_b.up.sql');
  });
});
