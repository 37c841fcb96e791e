// Go and Python through tree-sitter: SQL built from several pieces is read as one statement,
// ORM declarations and calls name tables, config helpers name tables; each at its exact column.
import typescript from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeText } from '../../src/core/ownership/analyze-file.js';
import { loadGrammar } from '../../src/core/ownership/extract/tree-sitter.js';
import type { AnalysisOptions } from '../../src/core/ownership/refs.js';
import { loadParser } from '../../src/core/ownership/sql/parser.js';

beforeAll(async () => {
  await loadParser();
  await Promise.all([loadGrammar('go'), loadGrammar('py')]);
});

const refs = (kind: 'go' | 'py', text: string, options?: AnalysisOptions) =>
  analyzeText(`f.${kind}`, kind, text, null, options).refs.map(
    (r) => `${r.access} ${r.schema ? `${r.schema}.` : ''}${r.name} ${r.line}:${r.column}`,
  );
const diagnostics = (kind: 'go' | 'py', text: string) =>
  analyzeText(`f.${kind}`, kind, text, null).diagnostics.map((d) => `${d.rule} ${d.line}:${d.column}`);

describe('Go strings', () => {
  it('folds `+` concatenation across lines, raw strings included', () => {
    const src = 'package p\n\nconst q = "SELECT id " +\n\t"FROM orders " + `WHERE id = $1`\n';
    expect(refs('go', src)).toEqual(['read orders 4:8']);
  });

  it('reads fmt.Sprintf format strings with their verbs as placeholders', () => {
    const src =
      'package p\n\nvar q = fmt.Sprintf("UPDATE invoices SET status = %q WHERE id = %d AND n > %5.2f", s, id, n)\n';
    expect(refs('go', src)).toEqual(['write invoices 3:29']);
  });

  it('keeps a literal that starts like SQL when the folded whole does not', () => {
    const src = 'package p\n\nvar q = prefix + "INSERT INTO audit (a) VALUES ($1)"\n';
    expect(refs('go', src)).toEqual(['write audit 3:31']);
  });

  it('checks the SQL-looking literals alone when holes keep the whole from parsing', () => {
    expect(refs('go', 'package p\n\nvar q = "SELECT id FROM orders " + where + " ORDER BY id"\n')).toEqual([
      'read orders 3:25',
    ]);
  });

  it('reports SQL whose table name is a variable as dynamic, at its start', () => {
    expect(diagnostics('go', 'package p\n\nvar q = "SELECT * FROM " + table + " WHERE id = $1"\n')).toEqual([
      'dynamic-sql 3:10',
    ]);
  });
});

describe('GORM', () => {
  const model = [
    'package store',
    '',
    'type Order struct{ ID int64 }',
    '',
    'func (Order) TableName() string { return "orders" }',
    '',
    'func (r *Repo) Place(o *Order) error {',
    '\treturn r.db.Create(o).Error',
    '}',
    '',
    'func (r *Repo) Open() ([]Order, error) {',
    '\tvar out []Order',
    '\terr := r.db.Where("status = ?", "open").Find(&out).Error',
    '\treturn out, err',
    '}',
    '',
    'func (r *Repo) Archive(id int64) error {',
    '\treturn r.db.Table("order_archive").Where("id = ?", id).Delete(&Order{}).Error',
    '}',
    '',
    'func (r *Repo) Count() (n int64) {',
    '\tr.db.Table("billing.invoices").Where("paid").Count(&n)',
    '\tr.db.Model(&Order{}).Where("id = ?", 1).Update("status", "done")',
    '\tr.db.Table("order_archive AS a").Joins("JOIN x ON x.id = a.id").Scan(&n)',
    '\tr.db.Table("(?) AS u", r.db.Model(&Order{})).Count(&n)',
    '\treturn',
    '}',
  ].join('\n');

  it('finds TableName declarations (read), Table().terminal and same-file typed calls with their access', () => {
    expect(refs('go', model)).toEqual([
      'read orders 5:43',
      'write orders 8:21',
      'read orders 13:47',
      'write order_archive 18:21',
      'read billing.invoices 22:14',
      'write orders 23:13',
      'read order_archive 24:14',
      'read orders 25:36',
    ]);
  });
});

describe('Python strings', () => {
  it('folds implicit concatenation and `+` at their exact columns', () => {
    const src = 'q = (\n    "SELECT id "\n    "FROM orders "\n    + "WHERE id = %s"\n)\n';
    expect(refs('py', src)).toEqual(['read orders 3:11']);
  });

  it('reads f-strings with Python 3.12 nested quotes and format specs', () => {
    const src = 'q = f"SELECT {", ".join(cols)} FROM orders WHERE day = {d:%Y-%m-%d} AND tag = {t["k"]!r}"\n';
    expect(refs('py', src)).toEqual(['read orders 1:37']);
  });

  it('reads %-format and .format() strings, raw and triple-quoted strings', () => {
    const src = [
      'a = "DELETE FROM sessions WHERE age > %d AND name = %(n)s" % params',
      'b = "UPDATE {0} SET x = 1 WHERE y = {{}}".format(t)',
      "c = r'''",
      "  INSERT INTO logs (line) VALUES ('\\d+')",
      "'''",
      'd = "SELECT {cols} FROM carts".format(cols=c)',
    ].join('\n');
    expect(refs('py', src)).toEqual(['write sessions 1:18', 'write logs 4:15', 'read carts 6:25']);
    expect(diagnostics('py', src)).toEqual(['dynamic-sql 2:6']);
  });

  it('keeps positions after non-ASCII text', () => {
    expect(refs('py', '# café 😀\nq = ("😀 " and "SELECT ✓ FROM "\n  "después")\n')).toEqual(['read después 3:4']);
    expect(refs('go', 'package p // 😀\nvar q = "SELECT \'✓\' FROM " + "après"\n')).toEqual(['read après 2:31']);
  });

  it('skips bytes and strings that only start like SQL', () => {
    expect(refs('py', 'a = b"SELECT * FROM raw"\nb = "delete"\nc = "Select a row from the list."\n')).toEqual([]);
  });
});

describe('SQLAlchemy', () => {
  const src = [
    'from sqlalchemy import Column, Integer, MetaData, Table, delete, insert, select, update',
    'from sqlalchemy.orm import DeclarativeBase',
    '',
    'metadata = MetaData()',
    '',
    'class Base(DeclarativeBase):',
    '    pass',
    '',
    'class Order(Base):',
    '    __tablename__ = "orders"',
    '    __table_args__ = {"schema": "shop"}',
    '    id = Column(Integer, primary_key=True)',
    '',
    'events = Table("events", metadata, Column("id", Integer))',
    '',
    'def place(session, n):',
    '    session.add(Order(id=n))',
    '    session.execute(insert(events).values(id=n))',
    '    session.execute(update(Order).where(Order.id == n).values(id=n + 1))',
    '    return session.query(Order).count(), session.execute(select(Order.id, events.c.id))',
    '',
    'def purge(conn):',
    '    conn.execute(events.delete())',
    '    conn.execute(delete(Order))',
    '',
    'def swap(session, n):',
    '    old = session.get(Order, n)',
    '    session.delete(old)',
    '    fresh = Order(id=n)',
    '    session.add(fresh)',
  ].join('\n');

  it('finds declarations (read) and same-file uses at the model name with their access', () => {
    expect(refs('py', src)).toEqual([
      'read shop.orders 10:22',
      'read events 14:17',
      'write shop.orders 17:17',
      'write events 18:28',
      'write shop.orders 19:28',
      'read shop.orders 20:26',
      'read shop.orders 20:65',
      'read events 20:75',
      'write events 23:18',
      'write shop.orders 24:25',
      'read shop.orders 27:23',
      'write shop.orders 28:20',
      'write shop.orders 30:17',
    ]);
  });
});

describe('config queryHelpers', () => {
  const options: AnalysisOptions = {
    helpers: [
      { call: 'simple_insert*', table: 'table', access: 'write' },
      { call: 'simple_select_one*', table: 0, access: 'read' },
    ],
  };

  it('reads the table argument by keyword or by position (Python)', () => {
    const src = [
      'class BackgroundUpdateStore:',
      '    async def register(self, name):',
      '        await self.db_pool.simple_insert(table="background_updates", values={"update_name": name})',
      '        await self.db_pool.simple_insert_many(values=[], table="event_push_actions")',
      '        return await self.db_pool.simple_select_one_onecol("users", keyvalues={"name": name})',
    ].join('\n');
    expect(refs('py', src, options)).toEqual([
      'write background_updates 3:49',
      'write event_push_actions 4:65',
      'read users 5:61',
    ]);
  });

  it('matches one pattern alike in TS, Go and Python: case and `_` ignored, a dotted pattern on the callee tail', () => {
    const one: AnalysisOptions = { helpers: [{ call: 'db_pool.simple_insert*', table: 0, access: 'write' }] };
    const ts = analyzeText(
      'f.ts',
      'ts',
      "await this.dbPool.simpleInsertMany('jobs', rows);\nawait other.simpleInsert('no');\n",
      typescript as unknown as Parameters<typeof analyzeText>[3],
      one,
    );
    expect(ts.refs.map((r) => `${r.access} ${r.name} ${r.line}:${r.column}`)).toEqual(['write jobs 1:37']);
    expect(
      refs('go', 'package p\n\nfunc f() { s.DBPool.SimpleInsert("jobs", 1); s.Other.SimpleInsert("no", 1) }\n', one),
    ).toEqual(['write jobs 3:35']);
    expect(
      refs(
        'py',
        'def f(self):\n    self.db_pool.simple_insert("jobs", rows)\n    self.other.simple_insert("no")\n',
        one,
      ),
    ).toEqual(['write jobs 2:33']);
  });

  it('reads a positional table argument in Go', () => {
    const src = 'package p\n\nfunc f() { store.SimpleSelectOne("users", 1) }\n';
    expect(refs('go', src, { helpers: [{ call: 'SimpleSelect*', table: 0, access: 'read' }] })).toEqual([
      'read users 3:35',
    ]);
  });
});
