// Reads one file and analyses it; the same code runs in workers and in-process.
import { readFile } from 'node:fs/promises';
import type * as TS from 'typescript';
import { analyzeText, needsTypescript } from './analyze-file.js';
import type { FileAnalysis, FileTask } from './refs.js';
import { loadParser } from './sql/parser.js';

let ts: typeof TS | null = null;

export async function prepare(): Promise<void> {
  await loadParser();
}

export async function analyzeTask(task: FileTask): Promise<FileAnalysis> {
  let text: string;
  try {
    text = await readFile(task.path, 'utf8');
  } catch (e) {
    return { file: task.relPath, refs: [], diagnostics: [], suppressions: [], error: (e as Error).message };
  }
  if (!ts && needsTypescript(task.kind, text)) {
    const mod = await import('typescript');
    ts = ((mod as unknown as { default?: typeof TS }).default ?? mod) as typeof TS;
  }
  try {
    return analyzeText(task.relPath, task.kind, text, ts);
  } catch (e) {
    // The analysis must never take the lint down: report the file as unreadable SQL instead.
    return { file: task.relPath, refs: [], diagnostics: [{ rule: 'unparsable-sql', line: 1, column: 1, message: `could not analyse this file: ${(e as Error).message}` }], suppressions: [] };
  }
}
