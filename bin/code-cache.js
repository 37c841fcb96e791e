// Node 20 has no module.enableCompileCache (Node >= 22.1 does, and bin/svcdb.js uses it there):
// this keeps V8's code cache for the one big file svcdb runs, dist/cli-bundle/main.cjs, in the
// same folder (compile-cache.js: the user's own, closed to others). Compiling its 620 KB takes
// ~11 ms of every start; reading the cache back ~2 ms (bench/lint.js, bench/startup.js).
//
// The cache is made right after the compile, before the CLI sets any V8 flag (a cache made
// after --liftoff-only would never match a fresh process). Its name holds svcdb's version,
// Node's, the architecture and the bundle's size and mtime, and V8 checks its own version,
// flags and the source length: a cache from any other build is not used. It is written to a
// temporary file and renamed into place (two svcdb runs at once never see half a file), mode
// 0600, and read only while it is a regular file of ours that nobody else can write.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

/**
 * import() for the bundle: from here, so bare names resolve from svcdb's own package as they
 * do from dist/cli-bundle/ (both sit in it); file URLs and node: names are absolute anyway.
 */
const importHost = (specifier) => import(specifier);

/** `require(file)`, through V8's code cache kept in `dir` when there is one. */
function requireCached(file, dir) {
  if (!dir) return require(file);
  let source;
  let cacheFile;
  try {
    source = fs.readFileSync(file, 'utf8');
    const st = fs.statSync(file);
    const { version } = require('../package.json');
    const key = [version, process.version, process.arch, st.size, Math.trunc(st.mtimeMs)].join('_');
    cacheFile = path.join(dir, `${path.basename(file)}-${key.replace(/[^\w.-]/g, '-')}.v8cache`);
  } catch {
    return require(file);
  }
  const cachedData = readOwn(cacheFile);
  // Module.wrap's five parameters plus the import() the bundle calls (src/build/build-bundle.mjs):
  // a script read from the cache has lost its own dynamic import callback.
  const wrapped = `(function (exports, require, module, __filename, __dirname, __svcdbImportHost) { ${source}\n});`;
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) writeCache(dir, cacheFile, script.createCachedData());
  const mod = new Module(file, module);
  mod.filename = file;
  const folder = path.dirname(file);
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, folder, importHost);
  mod.loaded = true;
  return mod.exports;
}

/** The file's bytes when it is a regular file of this user's that only they can write. */
function readOwn(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== process.getuid() || (st.mode & 0o022) !== 0) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeCache(dir, cacheFile, data) {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, cacheFile);
    // Older builds' caches are of no further use.
    const mine = path.basename(cacheFile);
    const prefix = `${mine.slice(0, mine.indexOf('-'))}-`;
    for (const name of fs.readdirSync(dir)) {
      if (name !== mine && name.startsWith(prefix) && name.endsWith('.v8cache')) fs.rmSync(path.join(dir, name));
    }
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do: the next run compiles again
    }
  }
}

module.exports = { requireCached };
