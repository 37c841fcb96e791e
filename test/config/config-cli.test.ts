// Config problems as a user meets them through the CLI: exit 2, every problem in one report,
// and names that Object.prototype has (r15) never reaching a database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { svcdb, tempProject, type TempProject } from '../helpers/project.js';

let db: TestDatabase;
let project: TempProject;
beforeAll(async () => {
  db = await createTestDatabase('config_cli');
  await db.sql`CREATE TABLE ledger (note text)`;
  project = tempProject({ 'internal/payouts/migrations/001_payout.sql': "INSERT INTO ledger VALUES ('payout');\n" });
});
afterAll(async () => {
  project?.cleanup();
  await db?.drop();
});

describe('profile names', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    '--profile %s is an unknown profile, and nothing runs again',
    async (name) => {
      const first = await svcdb(project.dir, db.url, ['migrate', '--all']);
      expect(first.exitCode).toBe(0);
      const r = await svcdb(project.dir, db.url, ['migrate', '--all', '--profile', name]);
      expect(r.stderr).toContain(`unknown profile "${name}"`);
      expect(r.stderr).toContain('known profiles: dev, dev-aws, prod');
      expect(r.exitCode).toBe(2);
      const viaEnv = await svcdb(project.dir, db.url, ['status', '--all'], { SVCDB_PROFILE: name });
      expect(viaEnv.exitCode).toBe(2);
      expect((await db.sql`SELECT count(*)::int AS n FROM ledger`)[0].n).toBe(1);
      const tables =
        await db.sql`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_name LIKE '%migrations%' ORDER BY 1`;
      expect(tables.map((t) => t.t)).toEqual(['public.svcdb_migrations_payouts']);
    },
  );
});

describe('an invalid config', () => {
  it('services.__proto__ is exit 2 naming the key', async () => {
    const p = tempProject({
      'svcdb.config.json': '{"services": {"__proto__": {"owns": ["ledger"]}}}',
      'internal/a/migrations/001_a.sql': 'SELECT 1;\n',
    });
    try {
      const r = await svcdb(p.dir, db.url, ['services']);
      expect(r.stderr).toContain('svcdb.config.json: services.__proto__: "__proto__" is not allowed as a name');
      expect(r.exitCode).toBe(2);
    } finally {
      p.cleanup();
    }
  });

  it('reports schema errors, a profile without strategy, unknown names and rules in one pass', async () => {
    const p = tempProject({
      'svcdb.config.yaml': [
        'envPrefix: "a b"',
        'services:',
        '  query: { databaseOf: evnthandler, run: { command: "node q.js", after: [ingestoin] } }',
        'profiles:',
        '  staging: { url: "postgres://h/db" }',
        'rules:',
        '  unknown-tabel: off',
        '',
      ].join('\n'),
      'internal/eventhandler/migrations/001_a.sql': 'SELECT 1;\n',
      'internal/ingestion/migrations/001_a.sql': 'SELECT 1;\n',
    });
    try {
      const r = await svcdb(p.dir, db.url, ['services']);
      expect(r.exitCode).toBe(2);
      const lines = r.stderr
        .split('\n')
        .map((l) => l.replace(/^error: /, ''))
        .filter((l) => l.startsWith('svcdb.config.yaml: '));
      expect(lines).toEqual([
        'svcdb.config.yaml: envPrefix: expected letters, digits and _ only, found string "a b"',
        'svcdb.config.yaml: profiles.staging.strategy: missing strategy; expected one of shared, schema, database, isolated',
        'svcdb.config.yaml: rules.unknown-tabel: unknown rule "unknown-tabel"',
        'svcdb.config.yaml: services.query.databaseOf: unknown service "evnthandler"',
        'svcdb.config.yaml: services.query.run.after[0]: unknown service "ingestoin"',
      ]);
      expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    } finally {
      p.cleanup();
    }
  });

  it('a JSON config with a trailing comma names file, line, column and cause', async () => {
    const p = tempProject({
      '.svcdbrc.json': '{\n  "envPrefix": "CJ_",\n}\n',
      'internal/a/migrations/001_a.sql': 'SELECT 1;\n',
    });
    try {
      const r = await svcdb(p.dir, db.url, ['env', 'dev']);
      expect(r.exitCode).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^error: \.svcdbrc\.json:3:1: invalid JSON: (Expected double-quoted property name|Unexpected token)/m,
      );
    } finally {
      p.cleanup();
    }
  });

  it('a config nested 200,000 levels deep is exit 2 with a message, not an internal error', async () => {
    const deep = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
    const p = tempProject({
      'svcdb.config.json': `{"services": {"x": ${deep}}}`,
      'internal/a/migrations/001_a.sql': 'SELECT 1;\n',
    });
    try {
      const r = await svcdb(p.dir, db.url, ['services']);
      expect(r.stderr).toContain('nested too deeply (more than 64 levels)');
      expect(r.stderr).not.toContain('internal error');
      expect(r.exitCode).toBe(2);
    } finally {
      p.cleanup();
    }
  });
});
