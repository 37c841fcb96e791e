// Issue 13, point 14: every command's --help lists the global options its examples use and has
// an Examples: section with an example of that very command; and every example, run as written
// in a copy of the platform fixture, gets past svcdb's argument parsing (what fails then is the
// server, a profile or a service of another project, never the example's syntax).
import { describe, expect, inject, it } from 'vitest';
import { runCli, svcdb } from '../helpers/cli.js';
import { copyFixture } from '../helpers/platform-fixture.js';

const commands = [
  'services',
  'env',
  'migrate',
  'plan',
  'status',
  'down',
  'new',
  'repair',
  'adopt',
  'check-ownership',
  'check-migrations',
  'provision',
  'up',
  'db',
  'db status',
  'run',
];

/** commander's own complaints: the example is not valid for the command */
const PARSE_ERROR =
  /^error: (unknown option|unknown command|missing required argument|too many arguments|option '.*' argument)/m;
/** a server that refuses at once (no retrying, nothing created): the example stops there */
const NO_SUCH_ROLE = `postgres://svcdb_no_such_role@${new URL(inject('databaseUrl')).host}/postgres`;
const root = copyFixture('platform');

/** `svcdb …` example lines as argv: `$(…)` unwrapped, pipes, redirections and comments dropped. */
function examplesOf(lines: string[]): string[][] {
  return lines.flatMap((line) => {
    const text = (/\$\((svcdb [^)]*)\)/.exec(line)?.[1] ?? line).split(/\s[|>#]/)[0];
    if (!text.startsWith('svcdb ')) return [];
    const words = text.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
    return [words.slice(1).map((w) => (w === '"$GITHUB_ENV"' ? 'github-env.txt' : w.replace(/^(["'])(.*)\1$/, '$2')))];
  });
}

describe('--help of every command', () => {
  for (const command of commands) {
    it(`svcdb ${command} --help`, async () => {
      const r = await runCli([...command.split(' '), '--help']);
      expect(r.exitCode, r.stderr).toBe(0);
      const help = r.stdout;
      expect(help).toContain(`Usage: svcdb ${command.split(' ')[0]}`);
      for (const opt of ['--profile', '--json', '--cwd', '--config'])
        expect(help, opt).toMatch(new RegExp(`^\\s+(-\\w, )?${opt}\\b`, 'm'));
      const examples = help.split(/^Examples:\n/m)[1];
      expect(examples, 'an Examples: section').toBeDefined();
      const lines = (examples ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      expect(lines.length).toBeGreaterThan(0);
      const top = command.split(' ')[0];
      // at least one example runs this very command (others may show a companion command)
      expect(
        lines.some((l) => new RegExp(`(^|\\()svcdb ${top}\\b`).test(l)),
        lines.join('\n'),
      ).toBe(true);
      // and every option those examples use is one this help lists
      for (const line of lines) {
        const m = new RegExp(`svcdb ${top}\\b([^|>#)]*)`).exec(line);
        if (!m) continue;
        const own = (m[1] ?? '').split(' -- ')[0] ?? '';
        for (const flag of own.match(/(?<=^|\s)--[a-z][a-z-]*/g) ?? []) {
          expect(help, `${line}: ${flag}`).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, 'm'));
        }
      }
      // run as written: commander accepts every example (db start is left out: it starts the
      // embedded server, tested in db-stop.test.ts)
      for (const argv of examplesOf(lines).filter((a) => a.join(' ') !== 'db start')) {
        const r = await svcdb(argv, { cwd: root, env: { DATABASE_URL: NO_SUCH_ROLE }, timeoutMs: 30_000 });
        expect(r.exitCode, `svcdb ${argv.join(' ')} hung`).not.toBeNull();
        expect(r.stderr, `svcdb ${argv.join(' ')}`).not.toMatch(PARSE_ERROR);
      }
    });
  }
});

describe('plan and migrate take the same selection flags', () => {
  it('`[service...]`, --all, --to and --wait read alike in both helps (plan previews exactly what migrate would take)', async () => {
    const selection = async (command: string) => {
      const help = (await runCli([command, '--help'])).stdout.replaceAll(command === 'plan' ? 'plan' : 'apply', 'VERB');
      // one line per option, wrapped description joined (the column widths differ)
      const options = help.replace(/\n {6,}/g, ' ').split('\n');
      return ['-a, --all', '--to <migration>', '--wait <duration>'].map(
        (flag) =>
          options
            .find((l) => l.trimStart().startsWith(flag))
            ?.replace(/\s+/g, ' ')
            .trim() ?? `${flag}: missing`,
      );
    };
    const plan = await selection('plan');
    expect(plan).toEqual(await selection('migrate'));
    expect(plan[1]).toMatch(/^--to <migration>\s+VERB up to and including this migration/);
  });
});
