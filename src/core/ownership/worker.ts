// Worker thread: loads the SQL parser, then claims batches from the front of the shared queue
// until none is left, posting each batch's results. No top-level await: the CLI bundles it as
// CommonJS (worker.cjs).
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeTask, prepare } from './run-task.js';
import type { AnalysisOptions, FileAnalysis, FileTask } from './refs.js';
import { SharedQueue } from './shared-queue.js';

export interface WorkerInput {
  options: AnalysisOptions;
  batches: FileTask[][];
  /** the SharedQueue's cell */
  cell: Int32Array;
}

const port = parentPort;
if (port) {
  const { options, batches, cell } = workerData as WorkerInput;
  const queue = new SharedQueue(cell);
  // A parser that fails to load rejects unhandled: the main thread gets the 'error' event.
  void prepare().then(async () => {
    port.postMessage({ ready: true });
    for (let id = queue.take('front'); id !== null; id = queue.take('front')) {
      const results: FileAnalysis[] = [];
      for (const task of batches[id]) results.push(await analyzeTask(task, options));
      port.postMessage({ id, results });
    }
    port.postMessage({ done: true });
  });
}
