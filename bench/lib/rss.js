// Runs the svcdb CLI in this process, exactly as bin/svcdb.js does (the bundle when it is
// current, else the tsc build), and reports its peak RSS on stderr when it exits, so the
// benchmark measures svcdb itself (not a wrapper) without needing /usr/bin/time.
// SVCDB_BENCH_V8_FLAGS (e.g. "--no-opt --semi-space-growth-factor=1") sets V8 flags first:
// for trying out what the CLI entry could set, never on by default.
import v8 from 'node:v8';

for (const flag of (process.env.SVCDB_BENCH_V8_FLAGS ?? '').split(/\s+/).filter(Boolean)) v8.setFlagsFromString(flag);
process.on('exit', () => {
  process.stderr.write(`\nSVCDB_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
await import('../../bin/svcdb.js');
