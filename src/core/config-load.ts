// Finds and reads the raw config object with cosmiconfig. Loaded lazily by config.ts.
//
// `svcdb.config.ts` is transpiled with the `typescript` package (a dependency, so nothing to
// install). In TS and ESM configs, `import ... from 'svcdb'` is rewritten to this very copy of
// svcdb, so `defineConfig` resolves even where svcdb is not in the project's node_modules
// (a global install, npx, this repository's own fixtures).
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from './errors.js';
import { SEARCH_PLACES } from './config.js';

const SELF_URL = new URL('../index.js', import.meta.url).href;
const IMPORTS_SVCDB = /((?:from|import)\s*\(?\s*)(['"])svcdb\2/g;

export async function loadRaw(cwd: string, explicit: string | null): Promise<{ raw: unknown; path: string } | null> {
  const { cosmiconfig, defaultLoaders } = await import('cosmiconfig');
  const loadJs = defaultLoaders['.js'];
  const esmWithSelfImport = async (filepath: string, content: string) =>
    content.match(IMPORTS_SVCDB) ? importRewritten(filepath, content) : loadJs(filepath, content);
  const explorer = cosmiconfig('svcdb', {
    searchStrategy: 'none',
    searchPlaces: SEARCH_PLACES,
    loaders: { '.ts': loadTs, '.mjs': esmWithSelfImport, '.js': esmWithSelfImport },
  });
  try {
    const result = explicit ? await explorer.load(explicit) : await explorer.search(cwd);
    if (!result || result.isEmpty) return result ? { raw: {}, path: result.filepath } : null;
    return { raw: result.config, path: result.filepath };
  } catch (err) {
    if (err instanceof UserError) throw err;
    const file = (err as { filepath?: string }).filepath ?? explicit ?? cwd;
    const message = (err as Error).message.split('\n').slice(0, 3).join(' ').trim();
    throw new UserError(`cannot read config file: ${message}`, {
      where: path.relative(cwd, file) || file,
      hint: 'fix the syntax error, or run with --debug for details',
      cause: err,
    });
  }
}

async function loadTs(filepath: string, content: string): Promise<unknown> {
  // Importing typescript costs ~0.3-0.5 s on every run with a TS config; nothing is cached, so
  // no file but the project's own config is ever run (use YAML or JSON where start-up matters).
  const ts = (await import('typescript')).default;
  const output = ts.transpileModule(content, {
    fileName: filepath,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  const syntaxError = output.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxError) {
    const line =
      syntaxError.file && syntaxError.start !== undefined
        ? syntaxError.file.getLineAndCharacterOfPosition(syntaxError.start).line + 1
        : 1;
    throw new UserError(`cannot read config file: ${ts.flattenDiagnosticMessageText(syntaxError.messageText, ' ')}`, {
      where: `${path.basename(filepath)}:${line}`,
    });
  }
  return importRewritten(filepath, output.outputText);
}

/** Imports `code` as an ES module placed beside `filepath`, so its relative imports work. */
async function importRewritten(filepath: string, code: string): Promise<unknown> {
  const rewritten = code.replace(
    IMPORTS_SVCDB,
    (_m, pre: string, quote: string) => `${pre}${quote}${SELF_URL}${quote}`,
  );
  // node:crypto on demand: a YAML or JSON config never needs it (~4 ms of start-up)
  const { randomUUID } = await import('node:crypto');
  const temp = path.join(path.dirname(filepath), `.${path.basename(filepath)}.${randomUUID()}.mjs`);
  await writeFile(temp, rewritten, { flag: 'wx', mode: 0o600 }); // never through a planted file or link
  try {
    const mod = (await import(pathToFileURL(temp).href)) as { default?: unknown };
    return mod.default;
  } finally {
    await unlink(temp).catch(() => {});
  }
}
