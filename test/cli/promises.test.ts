// Issue 13, points 5, 13 and 14 (the smaller items): `up` with the server down, `services` at a
// fixed width, no doubled prefixes, `db stop`, the bare `new` template, `env --write` outside
// .gitignore, and "users' table" rather than "users's table".
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { possessive } from '../../src/core/ownership/rules.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { DEAD_URL, goose, jsonOf, svcdb, tempProject } from './helpers.js';

const users = 'internal/users/migrations';

/** the --long options a help text lists */
function optionsOf(help: string): Set<string> {
  return new Set(help.match(/--[a-z][a-z-]*/g) ?? []);
}

describe('up with the database server down (point 5)', () => {
  const p = tempProject({
    [`${users}/001_create_u.sql`]: goose('u'),
    'svcdb.config.yaml': 'services:\n  users:\n    run:\n      command: "sleep 30"\n',
  });
  afterAll(() => p.cleanup());

  it('exits 2, never says "up to date", and hints only at options up accepts', async () => {
    const r = await svcdb(p.dir, DEAD_URL, ['up', '--wait', '500ms']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('cannot reach PostgreSQL');
    expect(`${r.stdout}${r.stderr}`).not.toContain('up to date');
    const help = await svcdb(p.dir, DEAD_URL, ['up', '--help']);
    expect(help.exitCode).toBe(0);
    const accepted = optionsOf(help.stdout);
    // options named for another command ("svcdb env --explain") belong to that command
    const own = `${r.stdout}\n${r.stderr}`.replace(/svcdb [a-z-]+( --[a-z-]+)*/g, '');
    const named = [...optionsOf(own)];
    expect(named).toContain('--wait');
    for (const opt of named) expect(accepted, `${opt} is not in up --help`).toContain(opt);
  });
});

describe('services with 60 tables (point 13)', () => {
  const tables = Array.from({ length: 60 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
  const p = tempProject({
    [`${users}/001_create_tables.sql`]: `-- +goose Up\n${tables.map((t) => `CREATE TABLE ${t} (id int);`).join('\n')}\n-- +goose Down\n`,
  });
  afterAll(() => p.cleanup());

  it('fits COLUMNS=100 off a terminal, the list ending in "+N more"', async () => {
    const r = await svcdb(p.dir, 'postgres://db/x', ['services'], { COLUMNS: '100' });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    const row = lines.find((l) => l.startsWith('users'));
    expect(row).toMatch(/t01, .*\+\d+ more/);
    expect(row).not.toContain('t60');
  });

  it('--json lists all 60', async () => {
    const r = await svcdb(p.dir, 'postgres://db/x', ['services', '--json'], { COLUMNS: '100' });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = jsonOf(r) as unknown as { ok: boolean; services: { name: string; tables: string[] }[] };
    expect(doc.ok).toBe(true);
    expect(doc.services.find((s) => s.name === 'users')?.tables).toEqual(tables);
  });
});

describe('smaller promises (point 14)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('promises');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('an unknown service error has no doubled prefix', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u') });
    try {
      const r = await svcdb(p.dir, db.url, ['plan', 'nosuch']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('unknown service: nosuch');
      expect(r.stderr).not.toMatch(/(\b[\w-]+: )\1/);
      const m = await svcdb(p.dir, DEAD_URL, ['migrate', 'users', '--wait', '200ms']);
      expect(m.exitCode).toBe(2);
      expect(m.stderr).toContain('users: cannot reach PostgreSQL');
      expect(m.stderr).not.toContain('users: users:');
    } finally {
      p.cleanup();
    }
  });

  it('check-ownership --max-warnings x names the option once', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u') });
    try {
      const r = await svcdb(p.dir, db.url, ['check-ownership', '--max-warnings', 'x']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('--max-warnings expects a whole number, got "x"');
      expect(r.stderr).not.toContain('--max-warnings: --max-warnings');
    } finally {
      p.cleanup();
    }
  });

  it('db stop with nothing running says so once', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u') });
    try {
      const r = await svcdb(p.dir, db.url, ['db', 'stop']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('was not running');
      expect(`${r.stdout}${r.stderr}`.match(/stopped/g) ?? []).toHaveLength(0);
    } finally {
      p.cleanup();
    }
  });

  it('migrate warns about a migration left as the bare `new` template, naming the file', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u') });
    try {
      const n = await svcdb(p.dir, db.url, ['new', 'users', 'empty']);
      expect(n.exitCode, n.stderr).toBe(0);
      const file = readdirSync(path.join(p.dir, users)).find((f) => f.includes('empty'));
      expect(file).toBeDefined();
      const r = await svcdb(p.dir, db.url, ['migrate', 'users']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/warning: .*no SQL statement/);
      expect(r.stderr).toContain(`${users}/${file}`);
    } finally {
      p.cleanup();
    }
  });

  it('env dev --write .env in a git repo that does not ignore it warns, naming .gitignore', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u') });
    try {
      execFileSync('git', ['init', '-q', p.dir]);
      const r = await svcdb(p.dir, 'postgres://postgres:secret@127.0.0.1:1/x', ['env', 'dev', '--write', '.env']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('wrote 1 variable to .env');
      expect(existsSync(path.join(p.dir, '.env'))).toBe(true);
      expect(r.stderr).toMatch(/warning: git does not ignore \.env.*\.gitignore/);
    } finally {
      p.cleanup();
    }
  });

  it('env dev --write .env says nothing when .gitignore ignores it', async () => {
    const p = tempProject({ [`${users}/001_create_u.sql`]: goose('u'), '.gitignore': '.env\n' });
    try {
      execFileSync('git', ['init', '-q', p.dir]);
      const r = await svcdb(p.dir, 'postgres://postgres:secret@127.0.0.1:1/x', ['env', 'dev', '--write', '.env']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('.gitignore');
    } finally {
      p.cleanup();
    }
  });
});

describe('possessives ("users\' table")', () => {
  it('possessive() adds only an apostrophe after a final s', () => {
    expect(possessive('users')).toBe("users'");
    expect(possessive('billing')).toBe("billing's");
  });

  it("check-ownership says users' table, never users's", async () => {
    const p = tempProject({
      [`${users}/001_create_accounts.sql`]: '-- +goose Up\nCREATE TABLE accounts (id int);\n',
      'internal/billing/migrations/001_create_invoices.sql': '-- +goose Up\nCREATE TABLE invoices (id int);\n',
      'internal/billing/repo.ts': 'export const q = "INSERT INTO accounts (id) VALUES (1)";\n',
    });
    try {
      const r = await svcdb(p.dir, 'postgres://db/x', ['check-ownership']);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stdout).toContain("billing writes users' table accounts (INSERT)");
      expect(`${r.stdout}${r.stderr}`).not.toContain("users's");
    } finally {
      p.cleanup();
    }
  });
});
