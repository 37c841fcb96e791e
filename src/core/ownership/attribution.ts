// Which services a file's code belongs to: the service whose folder holds it, or the services a
// `shared` entry (a folder or a file glob) names for it. The most specific entry wins: the
// longest folder, or the longest fixed part of a glob.
import type { Project } from '../types.js';
import { globMatcher } from '../sources/glob.js';

export interface Attributor {
  /** the first service the file belongs to, or null */
  serviceOf(relPath: string): string | null;
  /** every service the file belongs to: one for service code, one or more for shared code */
  servicesOf(relPath: string): string[];
}

export function normalizeFolder(folder: string): string {
  return folder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

export function isUnder(relPath: string, folder: string): boolean {
  return under(normalizeFolder(folder))(relPath);
}

/** `isUnder` for one normalized folder, asked for many files (every file of the lint). */
function under(f: string): (relPath: string) => boolean {
  if (f === '' || f === '.') return () => true;
  const prefix = `${f}/`;
  return (relPath) => relPath === f || relPath.startsWith(prefix);
}

const GLOB = /[*?]/;

/** A `shared` key that is a glob (`libs/db/**\/*.py`), not a folder. */
export function isGlob(key: string): boolean {
  return GLOB.test(key);
}

/** The folder a glob's matches all live under (`libs/db/**\/*.py` → `libs/db`). */
export function globRoot(glob: string): string {
  const parts = normalizeFolder(glob).split('/');
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB.test(p)) break;
    fixed.push(p);
  }
  return fixed.length === parts.length ? fixed.slice(0, -1).join('/') : fixed.join('/');
}

/** Whether `relPath` is matched by a `shared` key (folder or glob). */
export function sharedMatcher(key: string): (relPath: string) => boolean {
  if (!isGlob(key)) return under(normalizeFolder(key));
  const match = globMatcher([normalizeFolder(key)]);
  return (relPath) => match([relPath]);
}

export function attributor(project: Project): Attributor {
  const entries: Array<{ weight: number; matches: (relPath: string) => boolean; services: string[] }> = [];
  for (const s of project.services) {
    const folder = normalizeFolder(s.relDir);
    entries.push({ weight: folder.length, matches: under(folder), services: [s.name] });
  }
  for (const [key, services] of Object.entries(project.config.shared ?? {})) {
    // a glob names files more precisely than a folder of the same length
    const weight = isGlob(key) ? globRoot(key).length + 0.5 : normalizeFolder(key).length;
    entries.push({ weight, matches: sharedMatcher(key), services: [...services] });
  }
  entries.sort((a, b) => b.weight - a.weight);
  const servicesOf = (relPath: string) => entries.find((e) => e.matches(relPath))?.services ?? [];
  return {
    servicesOf,
    serviceOf(relPath) {
      return servicesOf(relPath)[0] ?? null;
    },
  };
}
