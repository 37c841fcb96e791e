// Issue 13, point 11: every command with --json prints one JSON document on stdout on bad input
// too, with the same top-level keys: ok: false, exitCode 2 (the process's) and error.
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../helpers/db.js';
import { DEAD_URL, goose, jsonOf, svcdb, tempProject } from './helpers.js';

describe('--json on bad input: one document, ok false, exitCode 2, error', () => {
  const project = tempProject({ 'internal/users/migrations/001_create_users.sql': goose('users') });
  afterAll(() => project.cleanup());

  const cases: string[][] = [
    // an unknown service
    ['migrate', 'nosuch'],
    ['plan', 'nosuch'],
    ['status', 'nosuch'],
    ['down', 'nosuch'],
    ['new', 'nosuch', 'add_x'],
    ['repair', 'nosuch'],
    ['adopt', 'nosuch', '--from', 'goose'],
    ['check-migrations', 'nosuch'],
    ['up', 'nosuch'],
    ['run', 'nosuch', '--', 'true'],
    // an unknown profile
    ['env', 'nosuchprofile'],
    // an unknown flag, for every command
    ...[
      'services',
      'env',
      'migrate',
      'plan',
      'status',
      'down',
      'new',
      'repair',
      'check-ownership',
      'check-migrations',
      'provision',
      'up',
    ].map((c) => [c, '--bogus-flag']),
    ['adopt', 'users', '--from', 'goose', '--bogus-flag'],
    ['db', 'status', '--bogus-flag'],
    ['run', 'users', '--bogus-flag', '--', 'true'],
    // an unknown db action
    ['db', 'bogus'],
  ];

  for (const args of cases) {
    for (const where of ['before', 'after'] as const) {
      // after the command's own arguments, but before `--` (what follows is run's command)
      const dashes = args.indexOf('--');
      const at = dashes === -1 ? args.length : dashes;
      const full = where === 'before' ? ['--json', ...args] : [...args.slice(0, at), '--json', ...args.slice(at)];
      it(`svcdb ${full.join(' ')}`, async () => {
        const r = await svcdb(project.dir, serverUrl(), full);
        expect(r.exitCode, r.stderr).toBe(2);
        const doc = jsonOf(r);
        expect(doc.ok).toBe(false);
        expect(doc.exitCode).toBe(2);
        expect(doc.exitCode).toBe(r.exitCode);
        expect(doc.error).toBeTypeOf('object');
        expect((doc.error as { message: unknown }).message).toBeTypeOf('string');
        expect(r.stderr).toContain('error:');
      });
    }
  }
});

describe('--json with the server unreachable: one document, ok false, exitCode 2, error', () => {
  const project = tempProject({ 'internal/users/migrations/001_create_users.sql': goose('users') });
  afterAll(() => project.cleanup());

  for (const args of [['status'], ['migrate', '--all'], ['plan', '--all'], ['down', 'users'], ['repair', 'users']]) {
    it(`svcdb --json ${args.join(' ')} --wait 500ms`, async () => {
      const r = await svcdb(project.dir, DEAD_URL, ['--json', ...args, '--wait', '500ms']);
      expect(r.exitCode, r.stderr).toBe(2);
      const doc = jsonOf(r);
      expect(doc).toMatchObject({ ok: false, exitCode: 2 });
      expect((doc.error as { message: string }).message).toContain('cannot reach PostgreSQL');
      expect(r.stderr).toMatch(/try 1 failed/);
    });
  }
});
