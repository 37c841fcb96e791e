// V8 flags the svcdb command sets on its own process, from program.ts before a command loads
// anything big. Only the CLI does this: the library (src/index.ts) never touches process-wide
// engine settings, so a service that imports svcdb keeps its own.
import { createRequire } from 'node:module';

/** The lints parse thousands of files: their JavaScript is hot enough for the optimising tier. */
const LINTS = new Set(['check-ownership', 'check-migrations']);

/**
 * Commands that neither parse SQL nor run much JavaScript: for them, loading node:v8 (which
 * pulls in Node's stream modules, ~8 ms) would cost more than any flag could save.
 */
const LIGHT = new Set(['env', 'new', 'db']);

export function tuneV8(command: string): void {
  if (LIGHT.has(command)) return;
  // The SQL parser (libpg-query) is WebAssembly that parses each file once: V8's optimising
  // WASM tier costs more to compile than it saves (cold lint of 1,000 migrations: ~450 ms with
  // tier-up, ~90 ms with the baseline tier only). The parser is the only WASM svcdb runs.
  const { setFlagsFromString } = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  setFlagsFromString('--liftoff-only');
  if (LINTS.has(command)) return;
  // Every other command runs well under a second of JavaScript (5 × 200 migrations applied:
  // ~0.5 s CPU): the optimising compiler's jobs cost more CPU than they save there and ~10 MiB
  // of memory, and a young generation that does not double as the project is read keeps the
  // peak ~8 MiB lower (bench/migrate.js, peak RSS 80 → 60 MiB).
  setFlagsFromString('--no-opt');
  setFlagsFromString('--semi-space-growth-factor=1');
}
