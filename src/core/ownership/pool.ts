// Runs the per-file analysis across worker threads, or in-process for small inputs (starting
// workers costs more than it saves below a few hundred files). With workers, the main thread
// takes batches from the same queue too, so N cores run N-1 workers plus the main thread.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileAnalysis, FileTask } from './refs.js';
import { analyzeTask, prepare } from './run-task.js';

export const IN_PROCESS_LIMIT = 200;
const BATCH = 32;

export interface PoolOptions {
  /** worker threads besides the main thread; 0 = in-process only */
  workers?: number;
}

export async function analyzeFiles(tasks: FileTask[], opts: PoolOptions = {}): Promise<FileAnalysis[]> {
  // Under a TypeScript test runner the compiled worker does not exist next to this file.
  const canSpawn = import.meta.url.endsWith('.js');
  const fromEnv = process.env.SVCDB_LINT_WORKERS;
  const auto = tasks.length < IN_PROCESS_LIMIT ? 0 : Math.max(1, Math.min(availableParallelism() - 1, 7, Math.ceil(tasks.length / 200)));
  const wanted = opts.workers ?? (fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : auto);
  const batches: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += BATCH) batches.push(tasks.slice(i, i + BATCH));
  const results: FileAnalysis[][] = new Array(batches.length);
  const queue = { next: 0 };
  const workers = canSpawn && wanted > 0 ? startWorkers(wanted, batches, results, queue) : [];
  try {
    await prepare();
    // The main thread works through the queue too, yielding between batches so that worker
    // messages are handled promptly.
    while (queue.next < batches.length) {
      const id = queue.next++;
      const out: FileAnalysis[] = [];
      for (const t of batches[id]) out.push(analyzeTask(t));
      results[id] = out;
      if (workers.length > 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(workers.map((w) => w.done));
  } finally {
    for (const w of workers) void w.worker.terminate();
  }
  return results.flat();
}

interface RunningWorker {
  worker: Worker;
  /** settles when the queue is empty and this worker's last batch is back */
  done: Promise<void>;
}

function startWorkers(count: number, batches: FileTask[][], results: FileAnalysis[][], queue: { next: number }): RunningWorker[] {
  const url = new URL('./worker.js', import.meta.url);
  return Array.from({ length: count }, () => {
    const worker = new Worker(url);
    const done = new Promise<void>((resolve, reject) => {
      const feed = () => {
        if (queue.next >= batches.length) { resolve(); return; }
        const id = queue.next++;
        worker.postMessage({ id, tasks: batches[id] });
      };
      worker.on('message', (msg: { ready?: boolean; id?: number; results?: FileAnalysis[] }) => {
        if (!msg.ready) results[msg.id ?? 0] = msg.results ?? [];
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
    });
    return { worker, done };
  });
}
