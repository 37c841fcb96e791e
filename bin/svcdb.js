#!/usr/bin/env node
// The svcdb command: runs the CLI bundle that `npm run build` makes (src/build/build-bundle.mjs).
// CommonJS (bin/package.json), because Node 20's ES module loader alone costs ~9 ms per start.
'use strict';
const { existsSync } = require('node:fs');
const { enableCompileCache } = require('node:module');
const path = require('node:path');
const { compileCacheDir } = require('./compile-cache.js');

const bundle = path.join(__dirname, '../dist/cli-bundle/main.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('svcdb: the CLI is not built (no dist/ folder): run `npm run build` in the svcdb folder\n');
  process.exit(1);
}
// V8's compiled code is kept between runs: by Node itself from 22.1, by code-cache.js on Node 20.
const cacheDir = compileCacheDir();
let cli;
if (enableCompileCache) {
  if (cacheDir) enableCompileCache(cacheDir);
  cli = require(bundle);
} else {
  cli = require('./code-cache.js').requireCached(bundle, cacheDir);
}
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
