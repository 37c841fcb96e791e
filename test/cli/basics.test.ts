import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

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
});
