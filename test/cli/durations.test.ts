// Issue 13, point 1: one duration format for every duration flag; invalid is exit 2.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/core/errors.js';
import { parseDuration } from '../../src/core/duration.js';
import { runCli } from '../helpers/cli.js';
import { tempProject } from './helpers.js';

describe('durations', () => {
  it('read 500ms, 10s, 2m and plain seconds the same everywhere', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration('0.3s')).toBe(300);
  });

  it('refuse anything else with a UserError naming the flag', () => {
    for (const bad of ['abc', '5x', '', '-1s', '1h']) expect(() => parseDuration(bad, '--grace')).toThrow(UserError);
    try {
      parseDuration('abc', '--grace');
    } catch (err) {
      expect((err as UserError).where).toBe('--grace');
      expect((err as UserError).message).toContain('"abc"');
    }
  });

  it('an invalid --health-timeout, --grace, --wait or --lock-timeout is exit 2 naming the option', async () => {
    for (const args of [
      ['up', '--health-timeout', 'abc'],
      ['up', '--grace', '2x'],
      ['migrate', '--all', '--wait', 'soon'],
      ['down', 'x', '--lock-timeout', '1h'],
      ['run', 'x', '--wait', 'later', '--', 'true'],
    ]) {
      const r = await runCli(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`'${args[args.length - 2 - (args.includes('--') ? 2 : 0)]}`);
      expect(r.stderr).toContain('expected a duration such as 500ms, 10s, 2m');
    }
  });

  it('up accepts 60s, 2m and 500ms for --health-timeout, --grace and --wait (it gets as far as the project)', async () => {
    const empty = tempProject({ 'README.md': '# nothing here\n' });
    try {
      const r = await runCli(['up', '--cwd', empty.dir, '--health-timeout', '60s', '--grace', '2m', '--wait', '500ms']);
      expect(r.stderr).not.toContain('argument');
      expect(r.stderr).toContain('no services found');
      expect(r.exitCode).toBe(2);
    } finally {
      empty.cleanup();
    }
  });
});
