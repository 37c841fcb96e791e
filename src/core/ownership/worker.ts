// Worker thread: loads the SQL parser once, then analyses the batches of files it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeTask, prepare } from './run-task.js';
import type { AnalysisOptions, FileTask } from './refs.js';

const port = parentPort;
const options = (workerData as { options: AnalysisOptions }).options;
if (port) {
  await prepare();
  port.on('message', async (msg: { id: number; tasks: FileTask[] }) => {
    const results = [];
    for (const task of msg.tasks) results.push(await analyzeTask(task, options));
    port.postMessage({ id: msg.id, results });
  });
  port.postMessage({ ready: true });
}
