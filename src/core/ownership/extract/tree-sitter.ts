// Go and Python grammars (tree-sitter, WASM), loaded once per thread and only when a file of
// that language is worth parsing. @vscode/tree-sitter-wasm ships the runtime and the grammars
// built together (no native build, no install script), so their ABI always matches.
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

export type GrammarKind = 'go' | 'py';
export type TsNode = TreeSitter.Node;

export interface Grammar {
  parser: TreeSitter.Parser;
  query(source: string): TreeSitter.Query;
}

const FILES: Record<GrammarKind, string> = { go: 'tree-sitter-go.wasm', py: 'tree-sitter-python.wasm' };
const loaded = new Map<GrammarKind, Grammar>();
const pending = new Map<GrammarKind, Promise<Grammar>>();
let runtime: Promise<typeof TreeSitter> | null = null;

// require, not import(): the package is a UMD file; from the CLI bundle (main.cjs) it resolves
// from dist/cli-bundle up to node_modules like any external package, and finds its own
// tree-sitter.wasm beside itself.
const require = createRequire(import.meta.url);

function loadRuntime(): Promise<typeof TreeSitter> {
  runtime ??= (async () => {
    const mod = require('@vscode/tree-sitter-wasm') as typeof TreeSitter;
    await mod.Parser.init();
    return mod;
  })();
  return runtime;
}

/** The grammar of `kind`, loaded on first call (concurrent calls share one load). */
export function loadGrammar(kind: GrammarKind): Promise<Grammar> {
  const ready = loaded.get(kind);
  if (ready) return Promise.resolve(ready);
  let p = pending.get(kind);
  if (!p) {
    p = (async () => {
      const ts = await loadRuntime();
      const dir = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
      const language = await ts.Language.load(path.join(dir, FILES[kind]));
      const parser = new ts.Parser();
      parser.setLanguage(language);
      const queries = new Map<string, TreeSitter.Query>();
      const grammar: Grammar = {
        parser,
        query(source) {
          let q = queries.get(source);
          if (!q) {
            q = new ts.Query(language, source);
            queries.set(source, q);
          }
          return q;
        },
      };
      loaded.set(kind, grammar);
      return grammar;
    })();
    pending.set(kind, p);
  }
  return p;
}

/** The grammar if it is loaded, else null. */
export function loadedGrammar(kind: GrammarKind): Grammar | null {
  return loaded.get(kind) ?? null;
}

/** Parses `text`, hands the root to `use`, and frees the tree (WASM memory) afterwards. */
export function withTree<T>(g: Grammar, text: string, use: (root: TsNode) => T): T {
  const tree = g.parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return use(tree.rootNode);
  } finally {
    tree.delete();
  }
}
