// Issue 13, point 7: while an unreachable server is retried, each try is one line on stderr; and
// `status` then prints no table of zeros (which would read as "nothing to do"), only the error; a
// `--wait` under a second is counted in ms, not rounded up to "1s".
import { afterAll, describe, expect, it } from 'vitest';
import { DEAD_URL, goose, svcdb, tempProject } from './helpers.js';

describe('an unreachable server, as text', () => {
  const project = tempProject({
    'internal/users/migrations/001_create_users.sql': goose('users'),
    'internal/orders/migrations/001_create_orders.sql': goose('orders'),
  });
  afterAll(() => project.cleanup());

  it('status prints one line per try and the error, and no table of zeros', async () => {
    const r = await svcdb(project.dir, DEAD_URL, ['status', '--all', '--wait', '1s']);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stdout).not.toMatch(/APPLIED|PENDING/);
    expect(r.stdout).not.toMatch(/\b0\s+0\s+0\s+0\b/);
    const tries = r.stderr
      .split('\n')
      .filter((l) => /cannot reach PostgreSQL at 127\.0\.0\.1:1\/platform .*try \d+ failed/.test(l));
    expect(tries.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain('cannot reach PostgreSQL');
  });

  it('--wait 500ms: each retry line counts down in ms, never "gives up in 1s", and the error says 500ms', async () => {
    const r = await svcdb(project.dir, DEAD_URL, ['status', '--all', '--wait', '500ms']);
    expect(r.exitCode, r.stderr).toBe(2);
    const tries = r.stderr.split('\n').filter((l) => /try \d+ failed/.test(l));
    expect(tries.length, r.stderr).toBeGreaterThanOrEqual(1);
    for (const line of tries) {
      expect(line).toMatch(/retrying in \d+ms \(gives up in \d+ms;/);
      const [, left] = /gives up in (\d+)ms/.exec(line) ?? [];
      expect(Number(left)).toBeLessThanOrEqual(500);
    }
    expect(r.stderr).not.toMatch(/gives up in \d+(\.\d+)?s/);
    expect(r.stderr).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1\/platform \(.*\) after 500ms/);
  });
});
