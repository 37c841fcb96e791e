// Worker thread: loads the SQL parser once, then analyses the batches of files it is sent.
import { parentPort } from 'node:worker_threads';
import { analyzeTask, prepare } from './run-task.js';
import type { FileTask } from './refs.js';

const port = parentPort;
if (port) {
  await prepare();
  port.on('message', (msg: { id: number; tasks: FileTask[] }) => {
    const results = [];
    for (const task of msg.tasks) results.push(analyzeTask(task));
    port.postMessage({ id: msg.id, results });
  });
  port.postMessage({ ready: true });
}
