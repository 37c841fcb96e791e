#!/usr/bin/env node
// The svcdb command. CommonJS (bin/package.json says so): Node 20's ES module loader alone costs
// ~9 ms of every start (bench/startup.js).
//
// Runs the bundled CLI, dist/cli-bundle/main.cjs (made by `npm run build`), unless tsc has
// rebuilt dist/ since (a plain `tsc -p .` during development): then the tsc build.
// The bundle is compiled with a V8 code cache beside it, as Node 22's module.enableCompileCache()
// would: written after the first run with this Node version (and again whenever V8 rejects it);
// `npm run build` replaces the folder, so a cache never outlives its bundle; SVCDB_NO_CACHE=1
// neither reads nor writes it. Code compiled by node:vm cannot use import() without an
// experimental flag on Node 20, so this file lends the bundle its own (the bundle calls it
// __svcdbImport: src/cli/build-bundle.mjs).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bundle = path.join(root, 'dist', 'cli-bundle', 'main.cjs');
const args = process.argv.slice(2);
const bundled = mtime(bundle);
const compiled = mtime(path.join(root, 'dist', 'cli', 'main.js'));

if (bundled < 0 && compiled < 0) {
  process.stderr.write('svcdb: the CLI is not built (no dist/ folder): run `npm run build` in the svcdb folder\n');
  process.exitCode = 1;
} else if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Without loading anything: the answer is in package.json.
  process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}\n`);
} else if (bundled >= compiled) {
  const { main, saveCodeCache } = loadBundle();
  run(main).finally(saveCodeCache);
} else {
  import('../dist/cli/main.js').then(({ main }) => run(main));
}

function mtime(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

function run(main) {
  return main(process.argv).then((code) => {
    process.exitCode = code;
  });
}

function loadBundle() {
  const vm = require('node:vm');
  const cacheFile = `${bundle}.${process.version}-${process.arch}.v8cache`;
  const useCache = process.env.SVCDB_NO_CACHE === undefined;
  let cached;
  try {
    if (useCache) cached = fs.readFileSync(cacheFile);
  } catch {
    // the first run with this Node version
  }
  const source = fs.readFileSync(bundle, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __svcdbImport) {${source}\n})`, {
    filename: bundle,
    cachedData: cached,
  });
  const module = { exports: {} };
  const requireFromBundle = require('node:module').createRequire(bundle);
  script.runInThisContext()(module.exports, requireFromBundle, module, bundle, path.dirname(bundle), (specifier) => import(specifier));
  /** After the run, so that the cache holds the functions the command compiled. Best effort. */
  const saveCodeCache = () => {
    if (!useCache || (cached && !script.cachedDataRejected)) return;
    const temp = `${cacheFile}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile); // atomic: parallel first runs each write a whole file
    } catch {
      fs.rmSync(temp, { force: true }); // a read-only install only costs speed
    }
  };
  return { main: module.exports.main, saveCodeCache };
}
