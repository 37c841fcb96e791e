// Shared by the test/cli files: a repo-shaped project in a temp folder and the CLI run in it.
import { tempProject, svcdb, type TempProject } from '../helpers/project.js';
import type { CliResult } from '../helpers/cli.js';

export { tempProject, svcdb, type TempProject, type CliResult };

/** A goose migration creating `table`, with a down section. */
export function goose(table: string, extra = ''): string {
  return `-- +goose Up\nCREATE TABLE ${table} (id int primary key);\n${extra}\n-- +goose Down\nDROP TABLE ${table};\n`;
}

/** stdout parsed as the one JSON document, with the envelope's keys checked. */
export function jsonOf(r: CliResult): Record<string, unknown> & { ok: boolean; exitCode: number } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.exitCode}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return doc as Record<string, unknown> & { ok: boolean; exitCode: number };
}

/** A URL whose server is certainly not there: a port nothing listens on. */
export const DEAD_URL = 'postgres://postgres@127.0.0.1:1/platform';
