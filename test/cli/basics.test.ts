import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const bin = path.resolve(import.meta.dirname, '../../bin/svcdb.js');

describe('the CLI shell', () => {
  it('prints its version and exits 0', async () => {
    const r = await runCli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with exit 2 and a suggestion', async () => {
    const r = await runCli(['servces']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'servces'");
    expect(r.stderr).toContain('Did you mean services?');
  });

  it('help into a pipe that is already closed ends quietly (exit 0, no stack trace)', () => {
    for (const args of ['--help', 'migrate --help']) {
      // `true` exits before node has started: every write of the help meets a closed pipe
      const r = spawnSync('bash', ['-c', `node ${bin} ${args} | true; echo "exit=\${PIPESTATUS[0]}" >&2`], {
        encoding: 'utf8',
      });
      expect(r.stderr, args).toBe('exit=0\n');
    }
  });
});
