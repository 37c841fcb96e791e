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
  /** workers started earlier (see startPool), used instead of starting new ones */
  pool?: WorkerPool;
}

/** Worker threads the caller may start before it knows the input, so they boot meanwhile. */
const ready = new WeakSet<Worker>();

export class WorkerPool {
  readonly workers: Worker[];

  constructor(count: number) {
    const url = new URL('./worker.js', import.meta.url);
    this.workers = Array.from({ length: count }, () => {
      const worker = new Worker(url);
      // Remember the one-time "ready" message even if it arrives before any work is queued.
      worker.once('message', () => ready.add(worker));
      return worker;
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Threads to use besides the main one, from the input size, the cores and SVCDB_LINT_WORKERS. */
export function workerCount(files: number | null): number {
  const fromEnv = process.env.SVCDB_LINT_WORKERS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  if (files !== null && files < IN_PROCESS_LIMIT) return 0;
  return Math.max(1, Math.min(availableParallelism() - 1, 7, files === null ? 7 : Math.ceil(files / 200)));
}

/** Starts workers early when the compiled worker exists (not under a TypeScript test runner). */
export function startPool(count = workerCount(null)): WorkerPool | null {
  return import.meta.url.endsWith('.js') && count > 0 ? new WorkerPool(count) : null;
}

export async function analyzeFiles(tasks: FileTask[], opts: PoolOptions = {}): Promise<FileAnalysis[]> {
  const wanted = opts.workers ?? workerCount(tasks.length);
  let pool = opts.pool ?? null;
  const ownPool = !pool && wanted > 0 ? startPool(wanted) : null;
  if (wanted === 0) pool = null;
  pool = pool ?? ownPool;
  const batches: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += BATCH) batches.push(tasks.slice(i, i + BATCH));
  const results: FileAnalysis[][] = new Array(batches.length);
  const queue = { next: 0 };
  const done = pool ? pool.workers.map((w) => feedWorker(w, batches, results, queue)) : [];
  try {
    await prepare();
    // The main thread works through the queue too, yielding between batches so that worker
    // messages are handled promptly.
    while (queue.next < batches.length) {
      const id = queue.next++;
      const out: FileAnalysis[] = [];
      for (const t of batches[id]) out.push(analyzeTask(t));
      results[id] = out;
      if (done.length > 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(done);
  } finally {
    if (ownPool) await ownPool.close();
  }
  return results.flat();
}

/**
 * Sends batches to one worker until the queue is empty, two at a time so that it never waits
 * for the main thread (busy with its own batch) to hand it the next one.
 */
function feedWorker(worker: Worker, batches: FileTask[][], results: FileAnalysis[][], queue: { next: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const feed = () => {
      while (inFlight < 2 && queue.next < batches.length) {
        const id = queue.next++;
        inFlight++;
        worker.postMessage({ id, tasks: batches[id] });
      }
      if (inFlight === 0) { cleanup(); resolve(); }
    };
    const onMessage = (msg: { ready?: boolean; id?: number; results?: FileAnalysis[] }) => {
      if (!msg.ready) {
        results[msg.id ?? 0] = msg.results ?? [];
        inFlight--;
      }
      feed();
    };
    const onError = (err: unknown) => { cleanup(); reject(err); };
    const cleanup = () => { worker.off('message', onMessage); worker.off('error', onError); };
    worker.on('message', onMessage);
    worker.on('error', onError);
    // A worker started earlier has already said it is ready: start it on a batch right away.
    if (ready.has(worker)) feed();
  });
}
