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
