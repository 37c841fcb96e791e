// Which service a file's code belongs to: the service whose folder holds it, or the owner of
// the `shared` folder that holds it (the most specific folder wins).
import type { Project } from '../types.js';

export interface Attributor {
  serviceOf(relPath: string): string | null;
}

export function normalizeFolder(folder: string): string {
  return folder.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
}

export function isUnder(relPath: string, folder: string): boolean {
  const f = normalizeFolder(folder);
  return f === '' || f === '.' || relPath === f || relPath.startsWith(`${f}/`);
}

export function attributor(project: Project): Attributor {
  const folders: Array<{ folder: string; service: string }> = [];
  for (const s of project.services) folders.push({ folder: normalizeFolder(s.relDir), service: s.name });
  for (const [folder, owner] of Object.entries(project.config.shared ?? {}))
    folders.push({ folder: normalizeFolder(folder), service: owner });
  folders.sort((a, b) => b.folder.length - a.folder.length);
  return {
    serviceOf(relPath) {
      return folders.find((f) => isUnder(relPath, f.folder))?.service ?? null;
    },
  };
}
