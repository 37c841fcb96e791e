#!/usr/bin/env node
// Runs the bundled CLI (dist/cli-bundle, made by `npm run build`: fewer modules, faster start)
// unless tsc has rebuilt dist/ since (a plain `tsc -p .` during development), then the tsc build.
import { statSync } from 'node:fs';

const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
const bundled = mtime('../dist/cli-bundle/main.js') >= mtime('../dist/cli/main.js');
const { main } = await import(bundled ? '../dist/cli-bundle/main.js' : '../dist/cli/main.js');

main(process.argv).then((code) => {
  process.exitCode = code;
});
