// Runs the per-file analysis across worker threads, or in-process for small inputs: a worker
// costs ~0.1 s of CPU to start (modules, WASM, a cold JIT), about what 1,000 migration files
// take to analyse, so below IN_PROCESS_LIMIT files one thread finishes first (measured on 2
// cores: 1,000 files 0.31 s in-process, 0.34-0.52 s with a worker). With workers, the main thread
// takes batches from the same queue too, so N cores run N-1 workers plus the main thread.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import type { Worker } from 'node:worker_threads';
import type { AnalysisOptions, FileAnalysis, FileTask } from './refs.js';
import { NO_OPTIONS } from './analyze-file.js';
import { analyzeTask, prepare } from './run-task.js';

export const IN_PROCESS_LIMIT = 1500;
const BATCH = 32;

export interface PoolOptions {
  /** worker threads besides the main thread; 0 = in-process only */
  workers?: number;
  /** what every file's analysis is told (config `queryHelpers`) */
  analysis?: AnalysisOptions;
}

class WorkerPool {
  readonly workers: Worker[];

  constructor(count: number, options: AnalysisOptions) {
    // Loaded here, not at the top: node:worker_threads costs ~2.5 ms, and most lints run in-process.
    const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
    const url = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: count }, () => new Worker(url, { workerData: { options } }));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Threads to use besides the main one, from the input size, the cores and SVCDB_LINT_WORKERS. */
export function workerCount(files: number): number {
  const fromEnv = process.env.SVCDB_LINT_WORKERS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  if (files < IN_PROCESS_LIMIT) return 0;
  return Math.max(1, Math.min(availableParallelism() - 1, 7, Math.ceil(files / IN_PROCESS_LIMIT)));
}

/** Starts workers when the compiled worker exists: in dist/ or the CLI bundle (main.cjs), not under a TypeScript test runner. */
function startPool(count: number, options: AnalysisOptions): WorkerPool | null {
  return !import.meta.url.endsWith('.ts') && count > 0 ? new WorkerPool(count, options) : null;
}

export async function analyzeFiles(tasks: FileTask[], opts: PoolOptions = {}): Promise<FileAnalysis[]> {
  const options = opts.analysis ?? NO_OPTIONS;
  const pool = startPool(opts.workers ?? workerCount(tasks.length), options);
  const queue = new BatchQueue(tasks);
  const done = pool ? pool.workers.map((w) => feedWorker(w, queue)) : [];
  // A worker can fail while the main thread is still on its own batches, before anything awaits
  // it: mark the rejection handled now (it is rethrown below) so that Node does not end the
  // process on an unhandled rejection with a stack trace.
  const workersDone = Promise.all(done);
  workersDone.catch(() => undefined);
  try {
    await prepare();
    // The main thread works through the queue from the other end (where the TS/JS files are,
    // so usually only one thread loads the TypeScript scanner), yielding between batches so
    // that worker messages are handled promptly.
    for (let batch = queue.takeBack(); batch; batch = queue.takeBack()) {
      const results: FileAnalysis[] = [];
      for (const t of batch.tasks) results.push(await analyzeTask(t, options));
      queue.store(batch, results);
      if (done.length > 0) await new Promise((r) => setImmediate(r));
    }
    await workersDone;
  } finally {
    await pool?.close();
  }
  return queue.results();
}

interface Batch {
  id: number;
  tasks: FileTask[];
}

/** Batches of tasks, TS/JS last; results come back in the order of the input tasks. */
class BatchQueue {
  private readonly batches: Batch[] = [];
  private readonly order: number[];
  private readonly out: FileAnalysis[][];
  private front = 0;
  private back: number;

  constructor(private readonly tasks: FileTask[]) {
    // Go and Python first (workers take from the front: only they load tree-sitter's grammars),
    // TS/JS last (the main thread takes from the back: usually only it loads TypeScript, ~0.3 s
    // of compile and warm-up per thread), SQL between them for whichever thread gets there.
    const rank = (k: FileTask['kind']) => (k === 'go' || k === 'py' ? 0 : k === 'ts' ? 2 : 1);
    const indices = tasks.map((_, i) => i);
    this.order = [0, 1, 2].flatMap((r) => indices.filter((i) => rank(tasks[i].kind) === r));
    for (let i = 0; i < this.order.length; i += BATCH) {
      this.batches.push({ id: this.batches.length, tasks: this.order.slice(i, i + BATCH).map((k) => tasks[k]) });
    }
    this.out = new Array(this.batches.length);
    this.back = this.batches.length - 1;
  }

  takeFront(): Batch | null {
    return this.front <= this.back ? this.batches[this.front++] : null;
  }

  takeBack(): Batch | null {
    return this.front <= this.back ? this.batches[this.back--] : null;
  }

  store(batch: Batch, results: FileAnalysis[]): void {
    this.out[batch.id] = results;
  }

  results(): FileAnalysis[] {
    const flat = this.out.flat();
    const byTask: FileAnalysis[] = new Array(this.tasks.length);
    this.order.forEach((taskIndex, position) => {
      byTask[taskIndex] = flat[position];
    });
    return byTask;
  }
}

/**
 * Sends batches to one worker until the queue is empty, two at a time so that it never waits
 * for the main thread (busy with its own batch) to hand it the next one.
 */
function feedWorker(worker: Worker, queue: BatchQueue): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const inFlight = new Map<number, Batch>();
    const feed = () => {
      while (inFlight.size < 2) {
        const batch = queue.takeFront();
        if (!batch) break;
        inFlight.set(batch.id, batch);
        worker.postMessage({ id: batch.id, tasks: batch.tasks });
      }
      if (inFlight.size === 0) {
        cleanup();
        resolve();
      }
    };
    const onMessage = (msg: { ready?: boolean; id?: number; results?: FileAnalysis[] }) => {
      const batch = msg.ready ? undefined : inFlight.get(msg.id ?? -1);
      if (batch) {
        queue.store(batch, msg.results ?? []);
        inFlight.delete(batch.id);
      }
      feed();
    };
    const onError = (err: unknown) => {
      cleanup();
      reject(new Error(`a lint worker thread failed: ${(err as Error).message}`, { cause: err }));
    };
    // A worker that exits without an 'error' event (process.exit in a dependency, out of memory)
    // would otherwise leave its batches in flight and this promise pending forever.
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`a lint worker thread exited with code ${code} before finishing its files`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    // Attached in the same tick the worker was created, so its one-time "ready" message (parser
    // loaded) reaches onMessage, which hands it its first batches.
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
