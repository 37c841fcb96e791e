// js-yaml, evaluated on first use: it costs ~1.4 ms of every start, and most runs read no YAML
// (no YAML config, no metadata.yaml). Bundled into the CLI, so `import()` only runs its module
// code; the layout readers are synchronous, so parseMigrationFiles loads it before the one
// layout that may need it.
import type * as JsYaml from 'js-yaml';

let lib: typeof JsYaml | null = null;

export async function loadYaml(): Promise<typeof JsYaml> {
  lib ??= await import('js-yaml');
  return lib;
}

/** js-yaml once loadYaml() has run. */
export function yaml(): typeof JsYaml {
  if (!lib) throw new Error('js-yaml is not loaded: call loadYaml() first');
  return lib;
}
