// One notion of ownership (issue 12 point 5): for every fixture project, `svcdb services --json`
// and `svcdb check-ownership --json` say the same about which tables each service owns.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const fixtures = path.resolve(__dirname, '../fixtures');

/** Every folder under test/fixtures holding a svcdb config or `internal/<service>/migrations`. */
function projects(dir: string, out: string[] = []): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const hasConfig = entries.some((e) => e.isFile() && /^svcdb\.config\.(?:ya?ml|json|[cm]?[jt]s)$/.test(e.name));
  const internal = path.join(dir, 'internal');
  const hasLayout =
    existsSync(internal) &&
    readdirSync(internal, { withFileTypes: true }).some(
      (e) => e.isDirectory() && existsSync(path.join(internal, e.name, 'migrations')),
    );
  if (hasConfig || hasLayout) {
    out.push(dir);
    return out;
  }
  for (const e of entries)
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) projects(path.join(dir, e.name), out);
  return out;
}

const all = projects(fixtures);

describe('services and check-ownership agree on ownership', () => {
  it('finds the fixture projects', () => {
    expect(all.length).toBeGreaterThanOrEqual(8);
  });

  for (const dir of all) {
    it(path.relative(fixtures, dir), async () => {
      const env = { SVCDB_PROFILE: 'dev' };
      const [listed, linted] = await Promise.all([
        runCli(['services', '--json', '--cwd', dir], { env }),
        runCli(['check-ownership', '--json', '--cwd', dir], { env }),
      ]);
      expect(listed.exitCode, listed.stderr).toBe(0);
      expect([0, 1], linted.stderr).toContain(linted.exitCode);
      const services = (JSON.parse(listed.stdout) as { services: Array<{ name: string; tables: string[] }> }).services;
      const { ownership } = JSON.parse(linted.stdout) as { ownership: Record<string, string[]> };
      expect(Object.fromEntries(services.map((s) => [s.name, s.tables]))).toEqual(ownership);
      // not vacuous: some service owns something
      expect(Object.values(ownership).flat().length).toBeGreaterThan(0);
    });
  }
});
