// Issue 13, point 2: a folder with no services (a CI job with the wrong --cwd) is exit 2 naming
// the globs and the folder searched, for every command that acts on the services.
import { afterAll, describe, expect, it } from 'vitest';
import { serverUrl } from '../helpers/db.js';
import { jsonOf, svcdb, tempProject } from './helpers.js';

describe('no services found', () => {
  const empty = tempProject({ 'src/index.ts': 'export {};\n', 'package.json': '{ "name": "web" }\n' });
  afterAll(() => empty.cleanup());

  const commands = [
    ['migrate', '--all'],
    ['plan', '--all'],
    ['status'],
    ['env', 'dev'],
    ['check-ownership'],
    ['services'],
    ['provision'],
  ];

  for (const args of commands) {
    it(`${args.join(' ')} exits 2 and names the globs and the folder`, async () => {
      const r = await svcdb(empty.dir, serverUrl(), args);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toContain('no services found');
      expect(r.stderr).toContain('internal/*/migrations');
      expect(r.stderr).toContain(empty.dir);
      expect(r.stdout).not.toContain('no ownership problems');
    });
  }

  it('with a config, names its discover globs', async () => {
    const p = tempProject({ 'svcdb.config.yaml': 'discover: ["services/*/db/migrations"]\n' });
    try {
      const r = await svcdb(p.dir, serverUrl(), ['check-ownership', '--json']);
      expect(r.exitCode).toBe(2);
      const doc = jsonOf(r);
      expect(doc).toMatchObject({ ok: false, exitCode: 2 });
      expect((doc.error as { message: string }).message).toContain('services/*/db/migrations');
    } finally {
      p.cleanup();
    }
  });

  it('new --service still creates the first service of an empty project', async () => {
    const p = tempProject({ 'README.md': '# new\n' });
    try {
      const r = await svcdb(p.dir, serverUrl(), ['new', '--service', 'billing']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain('internal/billing/migrations/');
    } finally {
      p.cleanup();
    }
  });
});
