// `.svcdb/embedded.json`: where the embedded cluster lives, its port, its superuser password.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { type Binaries, type RunAs, traversable } from './embedded-host.js';
import { stateDirOf, writePrivateFile } from './state-dir.js';

export interface EmbeddedState {
  /** absolute; `<project>/.svcdb/pg`, or a folder under the OS temp dir when the server's user cannot reach the project */
  dataDir: string;
  port: number;
  /** the `postgres` superuser's password (scram-sha-256 even on 127.0.0.1) */
  password: string;
}

const FILE = 'embedded.json';

export async function readState(projectRoot: string): Promise<EmbeddedState | null> {
  const file = path.join(stateDirOf(projectRoot), FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const state = JSON.parse(text) as EmbeddedState;
    if (typeof state.dataDir === 'string' && typeof state.port === 'number' && typeof state.password === 'string')
      return state;
  } catch {
    // fall through
  }
  throw new UserError('the embedded server state file is not valid JSON', {
    where: file,
    hint: 'run `svcdb db destroy` (it deletes the embedded data) or restore the file',
  });
}

export async function writeState(projectRoot: string, state: EmbeddedState): Promise<void> {
  await writePrivateFile(path.join(stateDirOf(projectRoot), FILE), `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * `<project>/.svcdb/pg`, unless the server runs as another user who cannot traverse the
 * project's folders (a project under a 0700 /root): then a folder under the OS temp dir.
 */
export async function chooseDataDir(projectRoot: string, runAs: RunAs | null, bins: Binaries): Promise<string> {
  const preferred = path.join(stateDirOf(projectRoot), 'pg');
  if (!runAs) return preferred;
  if (!(await traversable(path.dirname(bins.postgres), runAs))) {
    throw new UserError(
      `the embedded PostgreSQL binaries are not reachable by the user "${runAs.name}" it must run as (PostgreSQL refuses root)`,
      {
        where: path.dirname(bins.postgres),
        hint: 'install svcdb in a folder every user can traverse (chmod o+x on its parents), or set DATABASE_URL',
      },
    );
  }
  if (await traversable(stateDirOf(projectRoot), runAs)) return preferred;
  const hash = createHash('sha256').update(path.resolve(projectRoot)).digest('hex').slice(0, 12);
  const outer = path.join(os.tmpdir(), `svcdb-pg-${hash}`);
  await fs.mkdir(outer, { recursive: true, mode: 0o755 });
  await fs.chmod(outer, 0o755);
  if (!(await traversable(outer, runAs))) {
    throw new UserError(`no folder found that the user "${runAs.name}" can reach for the embedded PostgreSQL's data`, {
      where: outer,
      hint: 'make the project folder traversable (chmod o+x on its parents), or set DATABASE_URL',
    });
  }
  return path.join(outer, 'pg');
}
