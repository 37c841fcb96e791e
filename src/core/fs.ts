// File-system questions asked in many places (discovery, migration layouts, the lint's import
// resolution), answered without throwing for a path that does not exist.
import { statSync } from 'node:fs';
import path from 'node:path';

export function isFile(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // EACCES, ENOTDIR...
  }
}

export function isDirectory(p: string): boolean {
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

/** dir (normalized) + a bare name; path.join's own normalizing showed in profiles, once per file. */
export function inDir(dir: string, file: string): string {
  return dir.endsWith(path.sep) ? dir + file : dir + path.sep + file;
}
