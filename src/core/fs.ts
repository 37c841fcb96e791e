// File-system questions asked in many places (discovery, migration layouts, the lint's import
// resolution), answered without throwing for a path that does not exist.
import { statSync } from 'node:fs';

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
