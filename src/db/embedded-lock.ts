// A lock file so two svcdb processes do not initialise or start the same embedded server at once.
// The file appears with its holder's pid already in it (written aside, then hard-linked into
// place), so a lock that is empty, unreadable or names a dead process is stale: never waited on.
import fs from 'node:fs/promises';
import { OperationError } from '../core/errors.js';
import { processAlive } from './embedded-host.js';

export async function withLock<T>(file: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const mine = `${file}.${process.pid}`;
  await fs.writeFile(mine, String(process.pid));
  try {
    for (;;) {
      try {
        await fs.link(mine, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const text = await fs.readFile(file, 'utf8').catch(() => null);
      if (text === null) continue; // released meanwhile
      const holder = Number(text.trim());
      if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
        await removeStale(file, text);
        continue;
      }
      if (Date.now() > deadline)
        throw new OperationError(`another svcdb process (pid ${holder}) holds ${file}`, {
          hint: 'wait for it, or delete the file if no svcdb is running',
        });
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await fs.rm(mine, { force: true });
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

/**
 * Moves a stale lock aside (rename is atomic: of two processes, one moves it), then checks the
 * moved file still holds what was judged stale; a live lock taken meanwhile goes back.
 */
async function removeStale(file: string, seen: string): Promise<void> {
  const aside = `${file}.stale-${process.pid}`;
  try {
    await fs.rename(file, aside);
  } catch {
    return; // someone else moved or released it
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => seen);
  if (moved !== seen) await fs.link(aside, file).catch(() => {});
  await fs.rm(aside, { force: true });
}
