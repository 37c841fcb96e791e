// Asks git about a file svcdb is about to leave secrets in. Only `env --write` calls it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Whether `file` sits in a git work tree and git does not ignore it (so `git add .` would
 * commit it). false outside a repository, or when git is not installed.
 */
export function trackedByGit(file: string): boolean {
  const cwd = path.dirname(file);
  const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd, encoding: 'utf8' });
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') return false;
  // exit 0: ignored; 1: not ignored; anything else: git could not tell (say nothing)
  return spawnSync('git', ['check-ignore', '-q', file], { cwd }).status === 1;
}
