#!/usr/bin/env node
// Build-time only (run by `npm run build`), never imported by svcdb itself.
// Bundles the CLI into dist/cli-bundle/ after tsc has built dist/ (npm run build), so that
// `svcdb` starts in fewer ES modules: Node 20's ESM loader costs about half a millisecond per
// module (resolve, read, compile, link), and the start-up path of `svcdb env dev` was ~30 of them.
// The library (dist/index.js and its types) stays as tsc builds it; only bin/svcdb.js uses this.
//
// - Code splitting keeps every lazy `await import()` a separate chunk, so a command still loads
//   only what it needs (one file with everything made `--version` 25 ms slower: measured).
// - The output sits two levels below the package root like dist/<area>/<file>.js, so paths that
//   modules find from import.meta.url (../../package.json, ../../templates, ../index.js) resolve
//   as they do in the tsc build; the ownership worker is an entry of its own (./worker.js).
// - Dependencies stay external (loaded from node_modules) except commander, whose nine CommonJS
//   files otherwise go through the ESM-to-CommonJS translation on every start.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist/cli-bundle');

/** Every bare import (a package or a node: builtin) stays an import, except commander's. */
const externalPackagesButCommander = {
  name: 'external-packages-but-commander',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path === 'commander' ? undefined : { path: args.path, external: true });
  },
};

/**
 * commander requires node:child_process when it loads (~2 ms: net, dgram, streams), only to
 * spawn executable subcommands, which svcdb has none of: hand it a stand-in that loads the
 * module on first use of any of its properties.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined);
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      loader: 'js',
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts', worker: 'src/core/ownership/worker.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [lazyChildProcessForCommander, externalPackagesButCommander],
  chunkNames: '[name]-[hash]',
  // commander is CommonJS: its require() calls need a real require in an ES module.
  banner: { js: "import { createRequire as __svcdbCreateRequire } from 'node:module'; const require = __svcdbCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
