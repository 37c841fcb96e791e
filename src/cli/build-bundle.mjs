#!/usr/bin/env node
// Build-time only (run by `npm run build`), never imported by svcdb itself.
// Bundles the CLI into dist/cli-bundle/ after tsc has built dist/ (npm run build), so that
// `svcdb` starts fast. Measured on Node 20 (bench/startup.js): the ES module loader costs ~9 ms
// to start on its own and reads every module asynchronously, so the CLI is one CommonJS file,
// main.cjs, that bin/svcdb.js compiles with a V8 code cache. Things that keep it lazy:
//
// - A module that is only `await import()`ed is wrapped by esbuild in an init function that runs
//   on first import, so a command still evaluates only what it needs.
// - Dependencies stay external (loaded from node_modules, `await import()` of them stays a real
//   dynamic import, so the ESM-only ones load as ESM) except commander, whose nine CommonJS
//   files would otherwise be read and compiled one by one on every start.
// - The output sits two levels below the package root like dist/<area>/<file>.js, so paths that
//   modules find from import.meta.url (../../package.json, ../../templates, ../index.js) resolve
//   as they do in the tsc build; import.meta.url is the file URL of main.cjs.
// - The ownership worker is its own ES module bundle (./worker.js), loaded by worker threads.
// The library (dist/index.js and its types) stays as tsc builds it; only bin/svcdb.js uses this.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

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

/**
 * bin/svcdb.js compiles main.cjs with node:vm (for the code cache), where a plain `import()`
 * needs vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER, experimental on Node 20 and announced with
 * a warning on stderr. So every `import()` left in the bundle (those of external packages: chalk,
 * postgres, ...) calls __svcdbImport instead, an `import()` that bin/svcdb.js, the only loader of
 * main.cjs, passes in from outside vm. The calls are found by TypeScript's parser, not by
 * searching the text.
 */
function withHostImports(code) {
  const file = ts.createSourceFile('main.cjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const starts = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) starts.push(node.expression.getStart(file));
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = '';
  let from = 0;
  for (const at of starts.sort((a, b) => a - b)) {
    out += `${code.slice(from, at)}__svcdbImport`;
    from = at + 'import'.length;
  }
  return out + code.slice(from);
}

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const common = { absWorkingDir: root, bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
const cli = await build({
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
  write: false,
});
writeFileSync(path.join(outdir, 'main.cjs'), withHostImports(cli.outputFiles[0].text));
await build({
  ...common,
  entryPoints: ['src/core/ownership/worker.ts'],
  outfile: path.join(outdir, 'worker.js'),
  format: 'esm',
  plugins: [externalPackagesButCommander],
});
