#!/usr/bin/env node
// `npm run bench`: every benchmark in turn, each printing its own figures and ratios.
//   startup   svcdb --version / env dev next to bare node          (bench/startup.js)
//   migrate   5 × 200 migrations: psql floor, dbmate, svcdb; no-op; peak RSS (bench/migrate.js)
//   lint      check-ownership next to squawk; the 20 × 300 + 10,000-file monorepo (bench/lint.js)
//   embedded  cold and warm start of the embedded PostgreSQL      (bench/embedded.js)
// Usage: node bench/run.js [startup|migrate|lint|embedded ...]   (default: all)
// The migrate bench needs a server: $SVCDB_BENCH_URL, else $DATABASE_URL, else 127.0.0.1:5432.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const all = ['startup', 'migrate', 'lint', 'embedded'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = false;
for (const name of wanted) {
  if (!all.includes(name)) {
    console.error(`unknown bench "${name}" (known: ${all.join(', ')})`);
    process.exit(2);
  }
  console.log(`\n== bench/${name}.js`);
  const r = spawnSync(process.execPath, [path.join(here, `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
