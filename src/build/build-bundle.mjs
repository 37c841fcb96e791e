#!/usr/bin/env node
// Build-time only (run by `npm run build`), never imported by svcdb itself.
// Bundles the CLI into dist/cli-bundle/ after tsc has built dist/ (npm run build), so that
// `svcdb` starts fast. Measured on Node 20 (bench/startup.js): the ES module loader costs ~9 ms
// to start on its own and reads every module asynchronously, so the CLI is one CommonJS file,
// main.cjs, that bin/svcdb.js require()s. Things that keep it lazy:
//
// - A module that is only `await import()`ed is wrapped by esbuild in an init function that runs
//   on first import, so a command still evaluates only what it needs.
// - Dependencies stay external (loaded from node_modules, `await import()` of them stays a real
//   dynamic import, so the ESM-only ones load as ESM) except commander and js-yaml (BUNDLED).
// - The output sits two levels below the package root like dist/<area>/<file>.js, so paths that
//   modules find from import.meta.url (../../package.json, ../../templates, ../index.js) resolve
//   as they do in the tsc build; import.meta.url is the file URL of main.cjs.
// - The ownership worker is its own CommonJS bundle (./worker.cjs), loaded by worker threads.
// The library (dist/index.js and its types) stays as tsc builds it; only bin/svcdb.js uses this.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outdir = path.join(root, 'dist/cli-bundle');

/**
 * Every bare import (a package or a node: builtin) stays an import, except commander's and
 * js-yaml's: their CommonJS files (9 and 12) would otherwise be found, read and compiled one
 * by one on every start (js-yaml: ~10 ms of `svcdb env` with a YAML config, bench/startup.js).
 */
const BUNDLED = new Set(['commander', 'js-yaml']);
const externalPackagesButCommander = {
  name: 'external-packages-but-commander',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED.has(args.path) ? undefined : { path: args.path, external: true },
    );
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
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy-builtin' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      loader: 'js',
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
    }));
  },
};

/** `import.meta.url` in a CommonJS bundle: the file URL of the bundle itself. */
const importMetaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onResolve({ filter: /^svcdb:import-meta-url$/ }, () => ({ path: 'import-meta-url', namespace: 'svcdb' }));
    b.onLoad({ filter: /.*/, namespace: 'svcdb' }, () => ({
      loader: 'js',
      contents: "export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const main = await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: path.join(outdir, 'main.cjs'),
  format: 'cjs',
  plugins: [importMetaUrl, lazyChildProcessForCommander, externalPackagesButCommander],
  inject: ['svcdb:import-meta-url'],
  define: { 'import.meta.url': 'importMetaUrl' },
  // A third smaller, so quicker to read and to compile (V8's work grows with the lines); names
  // are kept, so the stack traces of --debug still name every function.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
});
routeDynamicImports(path.join(outdir, 'main.cjs'), main.metafile);
await build({
  ...common,
  entryPoints: ['src/core/ownership/worker.ts'],
  outfile: path.join(outdir, 'worker.cjs'),
  // CommonJS like main.cjs: a worker thread that loads an ES module starts the ES module loader
  // first (~10 ms of every worker's start).
  format: 'cjs',
  plugins: [importMetaUrl, externalPackagesButCommander],
  inject: ['svcdb:import-meta-url'],
  define: { 'import.meta.url': 'importMetaUrl' },
  minifyWhitespace: true,
  minifySyntax: true,
});

/**
 * Every `import(…)` of main.cjs becomes `__svcdbImport(…)`: on Node 20, bin/code-cache.js runs the
 * bundle from V8's code cache, and a script read from that cache has lost its dynamic import
 * callback ("A dynamic import callback was not specified"), so code-cache.js hands in an import()
 * of its own. Loaded by a plain require (Node >= 22.1, no cache folder) the bundle uses its own
 * import(). Checked against esbuild's metafile: each package import() it left in the output is
 * replaced exactly as often as it occurs, and no `import(` is left (the build fails otherwise).
 */
function routeDynamicImports(file, metafile) {
  const expected = new Map();
  for (const out of Object.values(metafile.outputs))
    for (const imp of out.imports)
      if (imp.kind === 'dynamic-import' && imp.external) expected.set(imp.path, (expected.get(imp.path) ?? 0) + 1);
  const found = new Map();
  const source = readFileSync(file, 'utf8');
  let code = source.replace(/(?<![\w$.])import\(/g, (m, at) => {
    const spec = /^"([^"\\]+)"\)/.exec(source.slice(at + m.length, at + m.length + 200))?.[1];
    if (spec) found.set(spec, (found.get(spec) ?? 0) + 1);
    return '__svcdbImport(';
  });
  const same = expected.size === found.size && [...expected].every(([k, n]) => found.get(k) === n);
  if (!same || /import\(/.test(code.replaceAll('__svcdbImport(', ''))) {
    throw new Error(
      `main.cjs: dynamic imports ${JSON.stringify([...found])} do not match esbuild's ${JSON.stringify([...expected])}`,
    );
  }
  const helper =
    'var __svcdbImport=typeof __svcdbImportHost=="function"?__svcdbImportHost:function(s){return import(s)};';
  // after the "use strict" directive, which must stay first
  code = code.startsWith('"use strict";') ? `"use strict";${helper}${code.slice(13)}` : helper + code;
  writeFileSync(file, code);
}
