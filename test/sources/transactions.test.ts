import { describe, expect, it } from 'vitest';
import type { UserError } from '../../src/core/errors.js';
import { splitStatements } from '../../src/core/sources/split.js';
import { prepareTransactions, TransactionRefusal } from '../../src/core/sources/transactions.js';
import type { Migration } from '../../src/core/types.js';

function migration(up: string, transaction = true): Migration {
  return {
    service: 's',
    version: '1',
    name: 'm',
    id: '1_m',
    path: '/p/1_m.sql',
    relPath: 'm/1_m.sql',
    checksum: 'c',
    format: 'plain',
    up: splitStatements(up),
    down: null,
    transaction,
  };
}

async function problem(up: string, transaction = true): Promise<string> {
  try {
    await prepareTransactions([migration(up, transaction)]);
  } catch (err) {
    return `${(err as UserError).where}: ${(err as UserError).message}`;
  }
  return 'accepted';
}

describe('prepareTransactions', () => {
  it.each([
    ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['drop index concurrently ix', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY ix', 'REINDEX'],
    ['VACUUM (ANALYZE) t', 'VACUUM'],
    ['create database d', 'CREATE DATABASE'],
    ['ALTER SYSTEM SET work_mem = 1', 'ALTER SYSTEM'],
    ['alter table p detach partition c concurrently', 'DETACH PARTITION CONCURRENTLY'],
  ])('%s makes the file run outside a transaction, saying why and where', async (statement, what) => {
    const [m] = await prepareTransactions([migration(`create table t(a int);\n\n-- why\n${statement};\n`)]);
    expect(m.transaction).toBe(false);
    expect(m.outsideTransactionBecause).toBe(`${what} at m/1_m.sql:4 cannot run in a transaction`);
  });

  it.each([
    'ANALYZE t',
    'create index ix on t (a)',
    "select 'begin; commit; vacuum'",
    'create function f() returns int language plpgsql as $$ begin return 1; end $$',
  ])('%s stays in a transaction', async (statement) => {
    const [m] = await prepareTransactions([migration(`${statement};\n`)]);
    expect(m.transaction).toBe(true);
    expect(m.outsideTransactionBecause).toBeUndefined();
  });

  it('never loads the parser for files with nothing worth parsing', async () => {
    const list = [migration('create table a(x int);\ninsert into a values (1);\n')];
    expect(await prepareTransactions(list)).toBe(list);
  });

  it('transaction words in function bodies, DO blocks, strings and comments are no reason to parse', async () => {
    const list = [
      migration(
        'create function touch() returns trigger language plpgsql as $$\nbegin\n  new.at := now();\n  return new;\nend;\n$$;\n' +
          "do $body$ begin raise notice 'x'; end $body$;\n" +
          "insert into notes values ('begin; commit; vacuum');\n" +
          '/* run vacuum after this */ select 1;\n',
      ),
    ];
    expect(await prepareTransactions(list)).toBe(list);
  });

  it('does not parse (returns the files as they are) when the words are only in bodies, strings and comments', async () => {
    const list = [
      migration(
        [
          'create function touch() returns trigger language plpgsql as $$\nbegin\n  new.at := now();\n  return new;\nend;\n$$',
          "do $body$ begin raise notice 'checked'; end $body$",
          "comment on table t is E'no commit \\' here; begin'",
          'create table "end" (x int) -- vacuum later',
          'select 1 /* begin /* nested commit */ rollback */',
        ].join(';\n'),
      ),
    ];
    expect(await prepareTransactions(list)).toBe(list);
  });

  it('still finds a COMMIT that follows a function body in the same goose block', async () => {
    const sql = 'create function f() returns int language sql as $$ select 1 $$;\n-- done\nCOMMIT';
    expect(
      await prepareTransactions([{ ...migration(''), up: [{ sql, line: 2, column: 1, offset: 0 }] }]).catch(
        (err: UserError) => `${err.where}: ${err.message}`,
      ),
    ).toBe('m/1_m.sql:4: COMMIT without a BEGIN before it would commit part of the migration apart from its record');
  });

  it('says what each refusal is about in a field, not only in its message', async () => {
    const kinds = async (up: string, transaction: boolean) =>
      prepareTransactions([migration(up, transaction)]).then(
        () => [],
        (err: UserError) =>
          ('errors' in err ? (err.errors as UserError[]) : [err]).map((e) =>
            e instanceof TransactionRefusal ? e.kind : 'not a refusal',
          ),
      );
    expect(await kinds('begin;\ncreate index concurrently ix on t (a);\ncommit;\n', false)).toEqual([
      'concurrently-in-transaction',
    ]);
    expect(await kinds('begin;\nvacuum t;\ncommit;\n', false)).toEqual(['transaction-control']);
    expect(await kinds('select 1;\nrollback;\ncommit;\n', true)).toEqual([
      'transaction-control',
      'transaction-control',
    ]);
  });

  it('still finds the statement after a body, a string or a comment that hides the same word', async () => {
    expect(await problem("do $$ begin end $$;\nselect 'commit';\n/* commit */ commit;\n")).toContain(
      'm/1_m.sql:3: COMMIT without a BEGIN',
    );
    const [m] = await prepareTransactions([
      migration('create function f() returns int language sql as $f$ select 1 $f$;\nvacuum t;\n'),
    ]);
    expect(m.outsideTransactionBecause).toBe('VACUUM at m/1_m.sql:2 cannot run in a transaction');
    // a goose block (several statements in one text); `$$` in a string opens no body
    const block = { ...migration(''), up: [{ sql: "select '$$';\nrollback", line: 1, column: 1, offset: 0 }] };
    await expect(prepareTransactions([block])).rejects.toThrow(/ROLLBACK would silently undo/);
  });

  it('drops a BEGIN/COMMIT pair inside a goose-style block, keeping the other lines where they are', async () => {
    const [m] = await prepareTransactions([
      { ...migration(''), up: [{ sql: 'BEGIN;\ncreate table a(x int);\nCOMMIT', line: 3, column: 1, offset: 0 }] },
    ]);
    expect(m.up).toHaveLength(1);
    expect(m.up[0].sql.split('\n')).toEqual(['     ;', 'create table a(x int);', '      ']);
  });

  it.each([
    ['create table a(x int);\n/* c */ COMMIT /* x */;\n', 'm/1_m.sql:2: COMMIT without a BEGIN'],
    ['begin;\nselect 1;\ncommit and chain;\nselect 2;\ncommit;\n', 'm/1_m.sql:3: COMMIT AND CHAIN'],
    ['select 1;\n\n  rollback;\n', 'm/1_m.sql:3: ROLLBACK'],
    ["PREPARE TRANSACTION 'x';\n", 'm/1_m.sql:1: two-phase commit'],
    ['begin;\nselect 1;\n', 'm/1_m.sql:1: BEGIN without a COMMIT'],
  ])('refuses %j at its line', async (up, expected) => {
    expect(await problem(up)).toContain(expected);
  });

  it('outside a transaction: groups must be balanced and CONCURRENTLY may not sit inside one', async () => {
    expect(await problem('begin;\ncreate index concurrently ix on t (a);\ncommit;\n', false)).toContain(
      'm/1_m.sql:2: CREATE INDEX CONCURRENTLY inside the transaction begun at line 1',
    );
    expect(await problem('begin;\nselect 1;\ncommit;\nvacuum t;\n', false)).toBe('accepted');
    expect(await problem('commit;\n', false)).toContain('COMMIT without a BEGIN');
  });
});
