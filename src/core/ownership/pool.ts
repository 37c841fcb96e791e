// Runs the per-file analysis across worker threads, or in-process for small inputs (starting
// workers costs more than it saves below a few hundred files).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileAnalysis, FileTask } from './refs.js';
import { analyzeTask, prepare } from './run-task.js';

export const IN_PROCESS_LIMIT = 200;
const BATCH = 48;

export interface PoolOptions {
  /** number of worker threads; 0 forces in-process */
  workers?: number;
}

export async function analyzeFiles(tasks: FileTask[], opts: PoolOptions = {}): Promise<FileAnalysis[]> {
  const workerUrl = new URL('./worker.js', import.meta.url);
  // Under a TypeScript test runner the compiled worker does not exist next to this file.
  const canSpawn = import.meta.url.endsWith('.js');
  const wanted = opts.workers ?? (tasks.length < IN_PROCESS_LIMIT ? 0 : Math.min(availableParallelism(), 8, Math.ceil(tasks.length / 100)));
  if (!canSpawn || wanted <= 0) return inProcess(tasks);
  return inWorkers(tasks, wanted, workerUrl);
}

async function inProcess(tasks: FileTask[]): Promise<FileAnalysis[]> {
  await prepare();
  const out: FileAnalysis[] = [];
  for (const t of tasks) out.push(await analyzeTask(t));
  return out;
}

function inWorkers(tasks: FileTask[], count: number, url: URL): Promise<FileAnalysis[]> {
  const results: FileAnalysis[][] = [];
  const batches: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += BATCH) batches.push(tasks.slice(i, i + BATCH));
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    const finish = (err?: unknown) => {
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(results.flat());
    };
    const feed = (w: Worker) => {
      if (next >= batches.length) return;
      const id = next++;
      w.postMessage({ id, tasks: batches[id] });
    };
    for (let i = 0; i < Math.min(count, batches.length); i++) {
      const w = new Worker(url);
      workers.push(w);
      w.on('message', (msg: { ready?: boolean; id?: number; results?: FileAnalysis[] }) => {
        if (msg.ready) { feed(w); return; }
        results[msg.id ?? 0] = msg.results ?? [];
        if (++done === batches.length) finish();
        else feed(w);
      });
      w.on('error', finish);
    }
  });
}
