// The one place svcdb reaches past umzug's public API, and why (test/engine/umzug.test.ts
// fails when an umzug upgrade moves what this relies on).
import { createRequire } from 'node:module';

/**
 * umzug's core requires its own CLI module (and with it a command-line framework) at load
 * time, which costs more than 100 ms per run, and tinyglobby (with fdir and picomatch, ~3 MB
 * of peak RSS) for glob-listed migrations; svcdb uses neither (it passes its own list). Seed
 * the require cache with empty modules for both before loading the core.
 */
export function loadUmzug(): typeof import('umzug') {
  const require = createRequire(import.meta.url);
  const umzugPath = require.resolve('umzug/lib/umzug.js');
  for (const path of umzugUnusedModules()) {
    if (!require.cache[path])
      require.cache[path] = { id: path, filename: path, loaded: true, exports: {} } as NodeJS.Module;
  }
  return require(umzugPath) as typeof import('umzug');
}

/** The modules umzug's core loads that svcdb never calls (resolved paths). */
export function umzugUnusedModules(): string[] {
  const require = createRequire(import.meta.url);
  const umzugPath = require.resolve('umzug/lib/umzug.js');
  return [require.resolve('umzug/lib/cli.js'), createRequire(umzugPath).resolve('tinyglobby')];
}
