// A lock file so two svcdb processes do not initialise or start the same embedded server at once.
import fs from 'node:fs/promises';
import { OperationError } from '../core/errors.js';
import { processAlive } from './embedded-host.js';

export async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await fs.readFile(file, 'utf8').catch(() => ''));
      // A lock left by a process that died is stale (a just-created empty file is not).
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
        await fs.rm(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new OperationError(`another svcdb process (pid ${holder}) holds ${file}`, { hint: 'wait for it, or delete the file if no svcdb is running' });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}
