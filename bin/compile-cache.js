// Where Node may keep svcdb's compiled code: a folder only this user can write, never a shared
// temp folder (code read from a cache is run as is). The user's cache folder
// ($XDG_CACHE_HOME or ~/.cache, /svcdb/compile), created with mode 0700 and used only while it
// is owned by this user and writable by nobody else; SVCDB_NO_CACHE=1, Windows (no owner to
// check) or anything unexpected: no cache.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function compileCacheDir(env = process.env) {
  if (env.SVCDB_NO_CACHE !== undefined || typeof process.getuid !== 'function') return null;
  const base = env.XDG_CACHE_HOME || (env.HOME && path.join(env.HOME, '.cache'));
  if (!base || !path.isAbsolute(base)) return null;
  const dir = path.join(base, 'svcdb', 'compile');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The cache folder must not let others swap our folders; ours must be ours and closed.
    const top = fs.statSync(base);
    if ((top.uid !== process.getuid() && top.uid !== 0) || ((top.mode & 0o002) !== 0 && (top.mode & 0o1000) === 0))
      return null;
    for (const d of [path.join(base, 'svcdb'), dir]) {
      const st = fs.lstatSync(d);
      if (!st.isDirectory() || st.uid !== process.getuid() || (st.mode & 0o022) !== 0) return null;
    }
    return dir;
  } catch {
    return null;
  }
}

module.exports = { compileCacheDir };
