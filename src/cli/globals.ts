// Reads the global flags every command shares.
import type { Command } from 'commander';
import path from 'node:path';
import type { GlobalOptions } from './io.js';

export function globals(cmd: Command): GlobalOptions & { profileName: string } {
  const o = cmd.optsWithGlobals() as GlobalOptions;
  const profileName = o.profile ?? process.env.SVCDB_PROFILE ?? 'dev';
  return { ...o, cwd: path.resolve(o.cwd ?? process.cwd()), profileName };
}
