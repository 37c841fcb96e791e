// Runs the svcdb CLI in this process and reports its peak RSS on stderr when it exits,
// so the benchmark measures svcdb itself (not a wrapper) without needing /usr/bin/time.
import { main } from '../../dist/cli/main.js';

process.on('exit', () => {
  process.stderr.write(`\nSVCDB_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
main(process.argv).then((code) => {
  process.exitCode = code;
});
