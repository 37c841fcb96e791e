// Issue 13, points 9 and 2's rule "bad input changes nothing": with no URL configured, a
// mistyped service name (or `--to` migration) is exit 2 at once; svcdb does not first initialise and start an
// embedded PostgreSQL (seconds, and a .svcdb/ folder) only to say the name is unknown.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyEmbedded } from '../../src/db/embedded.js';
import { svcdb } from '../helpers/cli.js';
import { removeProject, tempProject } from '../runtime/helpers.js';

describe('a mistyped service with no URL configured', () => {
  const root = tempProject({
    'internal/users/migrations/001_create_users.sql':
      '-- +goose Up\nCREATE TABLE users (id int);\n\n-- +goose Down\nDROP TABLE users;\n',
  });
  afterAll(async () => {
    await destroyEmbedded(root).catch(() => {});
    removeProject(root);
  });

  for (const args of [
    ['status', 'usres'],
    ['plan', 'usres'],
    ['migrate', 'usres'],
    ['migrate', 'users', '--all'],
    ['down', 'usres'],
    ['repair', 'usres'],
    ['adopt', 'usres', '--from', 'goose'],
    ['run', 'usres', '--', 'true'],
    ['plan', 'users', '--to', '999_nosuch'],
    ['migrate', 'users', '--to', '999_nosuch'],
  ]) {
    it(`svcdb ${args.join(' ')}: exit 2 naming the problem, no server started, nothing written`, async () => {
      const r = await svcdb(['--cwd', root, ...args]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        args.includes('--all')
          ? /name services or use --all/
          : args.includes('--to')
            ? /--to 999_nosuch: service users has no such migration/
            : /unknown service: usres/,
      );
      expect(r.stderr).not.toContain('embedded PostgreSQL');
      expect(fs.existsSync(path.join(root, '.svcdb')), 'a .svcdb/ folder was created').toBe(false);
    });
  }
});
