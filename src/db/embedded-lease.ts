// Who uses the embedded server: each svcdb process that reaches it leaves a lease
// (`.svcdb/embedded-users/<pid>`); `db start` leaves `.svcdb/embedded.keep`. A command that
// started the server only for itself (plan, status, migrate, run, provision) stops it when it
// ends, unless it is kept or another live svcdb process still uses it (`up` found it running).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exists, stateDirOf } from './state-dir.js';

let transientRoot: string | null = null;

const usersDir = (root: string) => path.join(stateDirOf(root), 'embedded-users');
const keepFile = (root: string) => path.join(stateDirOf(root), 'embedded.keep');

export async function takeLease(root: string): Promise<void> {
  await fs.mkdir(usersDir(root), { recursive: true });
  await fs.writeFile(path.join(usersDir(root), String(process.pid)), '');
}

/** This process started the server for itself: releaseTransient() stops it. */
export function markTransient(root: string): void {
  transientRoot = root;
}

/** `db start` keeps it running for everyone; `db stop` and `destroy` take that back. */
export async function setKept(root: string, kept: boolean): Promise<void> {
  if (kept) await fs.writeFile(keepFile(root), `${process.pid}\n`);
  else await fs.rm(keepFile(root), { force: true });
}

async function otherLiveUsers(root: string): Promise<number> {
  const entries = await fs.readdir(usersDir(root)).catch(() => [] as string[]);
  // loaded here, not at the top: every command imports this module as it ends, and
  // embedded-host brings node:net and fs/promises with it
  const { processAlive } = await import('./embedded-host.js');
  let live = 0;
  for (const entry of entries) {
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) live++;
    else await fs.rm(path.join(usersDir(root), entry), { force: true });
  }
  return live;
}

/** Stops the server this process started for itself, when nobody else needs it; returns whether it did. */
export async function releaseTransient(log?: (line: string) => void): Promise<boolean> {
  const root = transientRoot;
  transientRoot = null;
  if (!root) return false;
  await fs.rm(path.join(usersDir(root), String(process.pid)), { force: true });
  if ((await exists(keepFile(root))) || (await otherLiveUsers(root)) > 0) {
    log?.('embedded PostgreSQL left running: another svcdb process uses it, or `svcdb db start` keeps it');
    return false;
  }
  const { stopEmbedded } = await import('./embedded.js');
  const stopped = await stopEmbedded(root);
  if (stopped) log?.('stopped the embedded PostgreSQL this command started (`svcdb db start` keeps it running)');
  return stopped;
}
