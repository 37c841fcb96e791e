// A throwaway PostgreSQL cluster of the machine's own binaries (pg_config --bindir), for tests
// that crash, stop or restart a server. Needs the binaries and, when the suite runs as root,
// the `postgres` OS user; the data folder is removed by destroy().
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface Cluster {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  start(): void;
  /** `immediate` is a crash as far as durability goes: no checkpoint, recovery on start */
  stop(mode?: 'fast' | 'immediate'): void;
  destroy(): void;
}

export function pgBinDir(): string | null {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function asPostgres(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startCluster(): Promise<Cluster> {
  const bin = pgBinDir();
  if (!bin) throw new Error('pg_config not found: this test needs the PostgreSQL server binaries');
  const port = await freePort();
  const root = mkdtempSync(path.join(os.tmpdir(), 'svcdb-cluster-'));
  chmodSync(root, 0o777);
  const data = path.join(root, 'data');
  const user = asPostgres();
  const run = (file: string, args: string[]) => {
    const r = spawnSync(path.join(bin, file), args, { ...user, encoding: 'utf8', cwd: root });
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=on`;
  const cluster: Cluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(root, 'server.log'), '-w', 'start']),
    stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
    destroy: () => {
      spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...user });
      rmSync(root, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
