// The CLI entry: answers `svcdb --version` without loading anything, else hands over to the
// commander program (program.ts).
import { readFileSync } from 'node:fs';

/** Runs the CLI and returns the exit code (0 done, 1 the operation found a problem, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  // `svcdb ... | head`: a closed pipe ends the output, not the process with a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  const { runProgram } = await import('./program.js');
  return runProgram(argv, pkg.version);
}
