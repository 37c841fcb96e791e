// The CLI entry: hands over to the commander program (program.ts). Output goes through io.ts,
// which also ends the process quietly when the reader of a pipe has gone (`svcdb ... | head`).
import { readFileSync } from 'node:fs';

/** Runs the CLI and returns the exit code (0 done, 1 the operation found a problem, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // Without loading commander: the answer is in package.json.
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const { runProgram } = await import('./program.js');
  return runProgram(argv, pkg.version);
}
