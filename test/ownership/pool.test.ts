// Worker threads give the same analysis as the in-process path, in the same order. Uses the
// compiled modules (dist/), since a worker runs the built worker.js.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileTask } from '../../src/core/ownership/refs.js';

const dist = path.resolve(__dirname, '../../dist/core');
const fixture = path.resolve(__dirname, '../fixtures/ownership/rules');

describe('the analysis pool', () => {
  it('returns identical results with worker threads and in-process', async () => {
    const { loadProject } = (await import(path.join(dist, 'project.js'))) as typeof import('../../src/core/project.js');
    const { collectFiles } = (await import(
      path.join(dist, 'ownership/collect.js')
    )) as typeof import('../../src/core/ownership/collect.js');
    const { analyzeFiles } = (await import(
      path.join(dist, 'ownership/pool.js')
    )) as typeof import('../../src/core/ownership/pool.js');
    const project = await loadProject({ cwd: fixture });
    const { tasks } = collectFiles(project);
    // Repeat the files so the queue holds several batches for the worker and the main thread.
    const many: FileTask[] = Array.from({ length: 12 }, () => tasks).flat();
    const inProcess = await analyzeFiles(many, { workers: 0 });
    const withWorkers = await analyzeFiles(many, { workers: 2 });
    expect(withWorkers).toEqual(inProcess);
    expect(inProcess.map((a) => a.file)).toEqual(many.map((t) => t.relPath));
  });

  it('hands out every batch exactly once to threads claiming from both ends at once', async () => {
    const { SharedQueue } = (await import(
      path.join(dist, 'ownership/shared-queue.js')
    )) as typeof import('../../src/core/ownership/shared-queue.js');
    const { Worker } = await import('node:worker_threads');
    const batches = 20000;
    const queue = SharedQueue.create(batches);
    // Three threads take from the front while this one takes from the back, as fast as they
    // can, all released at the same moment (gate: [threads waiting, go]).
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.module).then(({ SharedQueue }) => {
        const q = new SharedQueue(workerData.cell);
        Atomics.add(workerData.gate, 0, 1);
        Atomics.wait(workerData.gate, 1, 0);
        const got = [];
        for (let id = q.take('front'); id !== null; id = q.take('front')) got.push(id);
        parentPort.postMessage(got);
      });`;
    const workers = Array.from(
      { length: 3 },
      () =>
        new Worker(code, {
          eval: true,
          workerData: { cell: queue.cell, gate, module: `file://${path.join(dist, 'ownership/shared-queue.js')}` },
        }),
    );
    while (Atomics.load(gate, 0) < 3) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    const fromWorkers = workers.map((w) => new Promise<number[]>((resolve) => w.once('message', resolve)));
    const mine: number[] = [];
    for (let id = queue.take('back'); id !== null; id = queue.take('back')) mine.push(id);
    const all = [...mine, ...(await Promise.all(fromWorkers)).flat()].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: batches }, (_, i) => i));
    expect(queue.take('front')).toBeNull();
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('reports an unreadable file instead of failing the run', async () => {
    const { analyzeFiles } = (await import(
      path.join(dist, 'ownership/pool.js')
    )) as typeof import('../../src/core/ownership/pool.js');
    const [a] = await analyzeFiles([
      { path: path.join(fixture, 'no-such-file.sql'), relPath: 'no-such-file.sql', kind: 'sql' },
    ]);
    expect(a.error).toMatch(/ENOENT/);
  });
});
