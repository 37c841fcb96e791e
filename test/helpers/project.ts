// Small repo-shaped projects in temp folders, and the CLI run against a test database.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { svcdb as runCliClean, type CliResult } from './cli.js';

export interface TempProject {
  dir: string;
  write(rel: string, text: string): void;
  remove(rel: string): void;
  cleanup(): void;
}

/** A project folder holding `files` (paths relative to the root). */
export function tempProject(files: Record<string, string>): TempProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'svcdb-engine-'));
  const write = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return {
    dir,
    write,
    remove: (rel) => rmSync(path.join(dir, rel)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `count` goose migrations for `service`, each creating `<service>_t<n>`. */
export function numberedMigrations(service: string, count: number, width = 3): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const v = String(i).padStart(width, '0');
    files[`internal/${service}/migrations/${v}_create_t${i}.sql`] =
      `-- +goose Up\nCREATE TABLE ${service}_t${i} (id int primary key, note text);\nINSERT INTO ${service}_t${i} VALUES (${i}, '${service}');\n\n-- +goose Down\nDROP TABLE ${service}_t${i};\n`;
  }
  return files;
}

/** The one CLI helper (helpers/cli.ts) in `dir`, with DATABASE_URL pointing at `url`. */
export function svcdb(
  dir: string,
  url: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return runCliClean(['--cwd', dir, ...args], { env: { DATABASE_URL: url, ...env } });
}
