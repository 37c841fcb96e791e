// Temp projects for the runtime tests: a copy of a fixture (or inline files) in a folder the
// embedded server's unprivileged user can traverse, removed afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { repoRoot } from '../helpers/cli.js';

export const fixtures = path.join(repoRoot, 'test/fixtures/runtime');

export function tempProject(files: Record<string, string> = {}, fixture?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcdb-rt-'));
  fs.chmodSync(dir, 0o755);
  if (fixture) fs.cpSync(path.join(fixtures, fixture), dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

export function removeProject(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A unique lower-case prefix for cluster-global names (roles). */
export function uniquePrefix(tag: string): string {
  return `t${tag}${Math.random().toString(36).slice(2, 8)}_`;
}

/** Drops roles (after the databases holding their objects are gone or cleaned). */
export async function dropRoles(adminUrl: string, roles: string[]): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (const role of roles) {
      await sql.unsafe(`drop role if exists "${role}"`).catch(() => {});
    }
  } finally {
    await sql.end();
  }
}

/** The SQLSTATE a query as `url` fails with, or 'ok'. */
export async function attempt(url: string, text: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await sql.unsafe(text);
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
