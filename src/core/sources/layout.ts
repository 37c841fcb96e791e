// What every layout reader is handed: the folder, how to list it (ignore globs and notes
// already applied), how to name paths in messages, and where to put problems, so one run
// reports every bad file of a folder.
import { UserError } from '../errors.js';
import type { Migration } from '../types.js';
import type { FolderEntries, Rel } from './read.js';

export interface LayoutContext {
  service: string;
  /** absolute migrations folder */
  dir: string;
  rel: Rel;
  /** the entries of `dir` or a folder under it, without ignored files and notes */
  list(dir: string): FolderEntries;
  problems: UserError[];
  /** a file or folder that fits no part of the layout: exit 2 naming it */
  unfit(absolute: string, expected: string): void;
}

export type LayoutReader = (ctx: LayoutContext) => Migration[];

/** Two migrations claiming one version in one service. */
export function duplicateVersion(ctx: LayoutContext, version: string, first: string, second: string): UserError {
  return new UserError(`two migrations with version ${version} in service "${ctx.service}": ${first} and ${second}`, {
    where: ctx.rel(second),
    hint: 'give one of them the next free version',
  });
}
