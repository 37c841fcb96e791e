// The project's `.svcdb/` folder: embedded server state, credentials. Created on first use,
// and added to the project's .gitignore at that moment (it holds passwords and a data dir).
// fs.promises, not node:fs/promises: the getter loads it on first use, and `svcdb env` and
// `services` only ever ask for a path here (bench/startup.js).
import { promises as fs } from 'node:fs';
import path from 'node:path';

export const STATE_DIR = '.svcdb';

export function stateDirOf(projectRoot: string): string {
  return path.join(projectRoot, STATE_DIR);
}

/** Where `svcdb provision` keeps the roles it made (credentials.ts reads and writes it). */
export function credentialsPath(projectRoot: string): string {
  return path.join(stateDirOf(projectRoot), 'credentials.json');
}

/** Creates `<root>/.svcdb` (0755: the embedded server's user must traverse it) and ignores it in git. */
export async function ensureStateDir(projectRoot: string): Promise<string> {
  const dir = stateDirOf(projectRoot);
  const existed = await exists(dir);
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  if (!existed) await ignoreInGit(projectRoot);
  return dir;
}

async function ignoreInGit(projectRoot: string): Promise<void> {
  const file = path.join(projectRoot, '.gitignore');
  const current = await fs.readFile(file, 'utf8').catch(() => '');
  const lines = current.split(/\r?\n/).map((l) => l.trim());
  if (lines.some((l) => l === '.svcdb' || l === '.svcdb/' || l === '/.svcdb' || l === '/.svcdb/')) return;
  const sep = current === '' || current.endsWith('\n') ? '' : '\n';
  await fs.writeFile(file, `${current}${sep}${STATE_DIR}/\n`);
}

export async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

/** Writes a file readable only by its owner (passwords), atomically. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}
