// Shared set-up for the foundation CLI tests: the platform fixture and a clean environment.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { svcdb as runCliClean, type CliResult } from './cli.js';

export const fixtures = path.resolve(import.meta.dirname, '../fixtures/config');
export const platform = path.join(fixtures, 'platform');
export const SERVICES = ['actions', 'eventhandler', 'ingestion', 'query', 'tsdb'];
export const VARS = SERVICES.map((s) => `CJ_${s.toUpperCase()}_DATABASE_URL`);

/** The one CLI helper (helpers/cli.ts), run in the platform fixture unless told otherwise. */
export function svcdb(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runCliClean(args, { cwd: opts.cwd ?? platform, env: opts.env });
}

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A temp copy of a fixture (outside this repository), for tests that write or break files. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `svcdb-foundation-${name}-`));
  temps.push(dir);
  cpSync(path.join(fixtures, name), dir, { recursive: true });
  return dir;
}
