// Runs the per-file analysis across worker threads, or in-process for small inputs: a worker
// costs ~0.1 s of CPU to start (modules, WASM, a cold JIT), about what 1,000 migration files
// take to analyse, so below IN_PROCESS_LIMIT files one thread finishes first (measured on 2
// cores: 1,000 files 0.31 s in-process, 0.34-0.52 s with a worker). With workers, the main thread
// claims batches from the same shared queue too (shared-queue.ts), so N cores run N-1 workers
// plus the main thread, and no thread waits for another to hand it work.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import type { AnalysisOptions, FileAnalysis, FileTask } from './refs.js';
import { NO_OPTIONS } from './analyze-file.js';
import { analyzeTask, prepare, readTask } from './run-task.js';
import { SharedQueue, batchSize } from './shared-queue.js';
import type { WorkerInput } from './worker.js';

export const IN_PROCESS_LIMIT = 1500;

export interface PoolOptions {
  /** worker threads besides the main thread; 0 = in-process only */
  workers?: number;
  /** what every file's analysis is told (config `queryHelpers`) */
  analysis?: AnalysisOptions;
}

/** Threads to use besides the main one, from the input size, the cores and SVCDB_LINT_WORKERS. */
export function workerCount(files: number): number {
  const fromEnv = process.env.SVCDB_LINT_WORKERS;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv);
  if (files < IN_PROCESS_LIMIT) return 0;
  return Math.max(1, Math.min(availableParallelism() - 1, 7, Math.ceil(files / IN_PROCESS_LIMIT)));
}

export async function analyzeFiles(tasks: FileTask[], opts: PoolOptions = {}): Promise<FileAnalysis[]> {
  const options = opts.analysis ?? NO_OPTIONS;
  const plan = new Batches(tasks);
  const queue = SharedQueue.create(plan.batches.length);
  const count = opts.workers ?? workerCount(tasks.length);
  // Workers run the compiled worker: in dist/ or the CLI bundle, not under a TypeScript test runner.
  const threads =
    count > 0 && !import.meta.url.endsWith('.ts')
      ? startWorkers(count, { options, batches: plan.batches, cell: queue.cell }, plan)
      : null;
  try {
    const parser = prepare();
    // In one thread, the files are read while the parser's WASM finishes compiling (a few ms
    // of a 1,000-file lint); with workers, each thread reads the files of the batches it claims.
    const texts = threads || tasks.length > IN_PROCESS_LIMIT ? null : plan.batches.map((b) => b.map(readTask));
    await parser;
    // The main thread works through the queue from the back (where the TS/JS files are, so
    // usually only it loads the TypeScript scanner); the workers' results arrive as messages,
    // handled once it waits.
    for (let id = queue.take('back'); id !== null; id = queue.take('back')) {
      const results: FileAnalysis[] = [];
      const batch = plan.batches[id];
      for (let k = 0; k < batch.length; k++) results.push(await analyzeTask(batch[k], options, texts?.[id][k]));
      plan.store(id, results);
    }
    await threads?.finished();
  } finally {
    await threads?.close();
  }
  return plan.results();
}

/** Batches of tasks, TS/JS last; results come back in the order of the input tasks. */
class Batches {
  readonly batches: FileTask[][] = [];
  private readonly order: number[];
  private readonly out: Array<FileAnalysis[] | undefined>;
  private stored = 0;

  constructor(private readonly tasks: FileTask[]) {
    // Go and Python first (workers take from the front: only they load tree-sitter's grammars),
    // TS/JS last (the main thread takes from the back: usually only it loads TypeScript, ~0.3 s
    // of compile and warm-up per thread), SQL between them for whichever thread gets there.
    const rank = (k: FileTask['kind']) => (k === 'go' || k === 'py' ? 0 : k === 'ts' ? 2 : 1);
    const indices = tasks.map((_, i) => i);
    this.order = [0, 1, 2].flatMap((r) => indices.filter((i) => rank(tasks[i].kind) === r));
    const size = batchSize(tasks.length);
    for (let i = 0; i < this.order.length; i += size) {
      this.batches.push(this.order.slice(i, i + size).map((k) => tasks[k]));
    }
    this.out = new Array(this.batches.length);
  }

  store(id: number, results: FileAnalysis[]): void {
    if (this.out[id] === undefined) this.stored++;
    this.out[id] = results;
  }

  complete(): boolean {
    return this.stored === this.batches.length;
  }

  results(): FileAnalysis[] {
    const flat = this.out.flatMap((r) => r ?? []);
    const byTask: FileAnalysis[] = new Array(this.tasks.length);
    this.order.forEach((taskIndex, position) => {
      byTask[taskIndex] = flat[position];
    });
    return byTask;
  }
}

interface Threads {
  /** every batch's results are in and every worker started; rejects when a worker fails first */
  finished(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the workers, which claim batches from the shared queue on their own. A worker that
 * fails or exits before it is done fails the run, even when the main thread could finish its
 * batches: a broken install (no worker file) must not pass unnoticed.
 */
function startWorkers(count: number, input: WorkerInput, plan: Batches): Threads {
  // Loaded here, not at the top: node:worker_threads costs ~2.5 ms, and most lints run in-process.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
  // The CLI bundle's worker is CommonJS (worker.cjs: no ES module loader to start in the
  // thread); the tsc build's is worker.js.
  const url = new URL(import.meta.url.endsWith('.cjs') ? './worker.cjs' : './worker.js', import.meta.url);
  const workers = Array.from({ length: count }, () => new Worker(url, { workerData: input }));
  const state = workers.map(() => 'starting' as 'starting' | 'ready' | 'done');
  let settled = false;
  let check: () => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    check = () => {
      if (settled || !plan.complete() || state.includes('starting')) return;
      settled = true;
      resolve();
    };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      reject(new Error(`a lint worker thread failed: ${err.message}`, { cause: err }));
    };
    workers.forEach((w, k) => {
      w.on('message', (msg: { ready?: boolean; done?: boolean; id?: number; results?: FileAnalysis[] }) => {
        if (msg.ready) state[k] = 'ready';
        if (msg.done) state[k] = 'done';
        if (msg.id !== undefined) plan.store(msg.id, msg.results ?? []);
        check();
      });
      w.on('error', fail);
      // A worker that exits without an 'error' event (process.exit in a dependency, out of
      // memory) would otherwise leave its claimed batch missing and the run waiting forever.
      w.on('exit', (code) => {
        if (state[k] !== 'done') fail(new Error(`exited with code ${code} before finishing its files`));
      });
    });
  });
  // A worker can fail while the main thread is still on its own batches, before anything awaits
  // this: mark the rejection handled now (it is rethrown when awaited) so that Node does not end
  // the process on an unhandled rejection with a stack trace.
  finished.catch(() => undefined);
  return {
    finished: () => {
      check();
      return finished;
    },
    close: async () => {
      settled = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
