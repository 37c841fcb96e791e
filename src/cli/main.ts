// The CLI entry: hands over to the commander program (program.ts). bin/svcdb.js answers a bare
// `svcdb --version` before loading this. Output goes through io.ts, which also ends the process
// quietly when the reader of a pipe has gone (`svcdb ... | head`).
import { readFileSync } from 'node:fs';

/** Runs the CLI and returns the exit code (0 done, 1 the operation found a problem, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const { runProgram } = await import('./program.js');
  return runProgram(argv, pkg.version);
}
