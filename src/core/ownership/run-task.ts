// Reads one file and analyses it; the same code runs in workers and in-process.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import { analyzeText, needsGrammar, needsTypescript } from './analyze-file.js';
import { loadedGrammar, loadGrammar } from './extract/tree-sitter.js';
import type { AnalysisOptions, FileAnalysis, FileTask } from './refs.js';
import { loadParser } from './sql/parser.js';
import type { Neighbours } from './extract/ts-context.js';
import { neighbours } from './neighbours.js';

let ts: typeof TS | null = null;
let near: { root: string; n: Neighbours } | null = null;

export async function prepare(): Promise<void> {
  await loadParser();
}

/** A task's file text, or why it could not be read. */
export type TaskText = { text: string } | { error: string };

export function readTask(task: FileTask): TaskText {
  try {
    // Sync on purpose: thousands of small files, one at a time per thread; the promise API's
    // open/stat/read/close round-trips through the thread pool cost more than the parse.
    return { text: readFileSync(task.path, 'utf8') };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export async function analyzeTask(
  task: FileTask,
  options: AnalysisOptions,
  read: TaskText = readTask(task),
): Promise<FileAnalysis> {
  if ('error' in read) return { file: task.relPath, refs: [], diagnostics: [], suppressions: [], error: read.error };
  const { text } = read;
  // require, not import(): the ESM loader would first scan all 9 MB of typescript.js for its
  // CommonJS export names (~200 ms per thread).
  if (!ts && needsTypescript(task.kind, text, options)) ts = createRequire(import.meta.url)('typescript') as typeof TS;
  try {
    // The Go / Python grammar (WASM), once per thread, on the first file of its language that
    // passes the cheap test.
    if (
      (task.kind === 'go' || task.kind === 'py') &&
      !loadedGrammar(task.kind) &&
      needsGrammar(task.kind, text, options)
    )
      await loadGrammar(task.kind);
    return analyzeText(task.relPath, task.kind, text, ts, options, ts ? neighboursOf(ts, task) : null);
  } catch (e) {
    // The analysis must never take the lint down: report the file as unreadable SQL instead.
    return {
      file: task.relPath,
      refs: [],
      diagnostics: [
        { rule: 'unparsable-sql', line: 1, column: 1, message: `could not analyse this file: ${(e as Error).message}` },
      ],
      suppressions: [],
    };
  }
}

/** Lookups of imported schemas and schema.prisma, relative to the task's project root. */
function neighboursOf(t: typeof TS, task: FileTask): Neighbours {
  const root = task.path.endsWith(task.relPath) ? task.path.slice(0, task.path.length - task.relPath.length) : '/';
  if (!near || near.root !== root) near = { root, n: neighbours(t, root) };
  return near.n;
}
