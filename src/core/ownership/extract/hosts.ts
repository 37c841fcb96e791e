// Go and Python files: which are worth parsing, and their extraction through tree-sitter.
import type { AnalysisOptions, FileKind } from '../refs.js';
import type { Extracted } from './candidate.js';
import { mentionsHelper } from './helpers.js';
import { goExtract } from './go.js';
import { pythonExtract } from './python.js';
import { type GrammarKind, loadedGrammar, withTree } from './tree-sitter.js';

/** ORM declarations and calls that name tables without any SQL text in the file. */
const ORM_HINT: Record<GrammarKind, RegExp> = {
  go: /\bTableName\(\)|\.Table\(/,
  py: /__tablename__|\bTable\(/,
};

export function isGrammarKind(kind: FileKind): kind is GrammarKind {
  return kind === 'go' || kind === 'py';
}

/** Besides SQL-looking strings (the caller's test): table names an extractor may find. */
export function namesTablesOutsideSql(kind: FileKind, text: string, options: AnalysisOptions): boolean {
  return isGrammarKind(kind) && (ORM_HINT[kind].test(text) || mentionsHelper(text, options.helpers));
}

export function extractHost(kind: GrammarKind, text: string, options: AnalysisOptions): Extracted {
  const g = loadedGrammar(kind);
  // run-task loads the grammar before a file that needs it; a caller of analyzeText must too.
  if (!g) throw new Error(`the ${kind === 'go' ? 'Go' : 'Python'} grammar is not loaded: call loadGrammar() first`);
  return withTree(g, text, (root) =>
    kind === 'go' ? goExtract(g, root, text, options) : pythonExtract(g, root, text, options),
  );
}
