// Start-up caches for the config file, in a per-user temp folder, keyed by content hashes so a
// stale entry can never be used: (1) configs that passed validation, so the next run skips
// loading zod; (2) parsed YAML, so the next run skips loading js-yaml; (3) transpiled
// svcdb.config.ts, so the next run skips loading typescript.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function cacheDir(kind: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(os.tmpdir(), `svcdb-${uid}`, kind);
}

const enabled = () => process.env.SVCDB_NO_CACHE === undefined;

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

function save(file: string, content: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, content, { mode: 0o600 });
  } catch {
    // a read-only temp folder only costs speed
  }
}

export function knownValid(config: unknown, schemaSource: string): { valid: boolean; remember(): void } {
  const marker = path.join(cacheDir('valid-configs'), hash(schemaSource, JSON.stringify(config) ?? ''));
  return { valid: enabled() && existsSync(marker), remember: () => save(marker, '') };
}

/** `parse(text)` for a YAML file, remembered as JSON by the hash of the text. */
export function parseCached(text: string, parse: (text: string) => unknown): unknown {
  const file = path.join(cacheDir('parsed-yaml'), `${hash(text)}.json`);
  if (enabled()) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch {
      // not cached yet
    }
  }
  const value = parse(text);
  // Only plain JSON-able data is cached (YAML dates and the like are re-parsed every time).
  const json = JSON.stringify(value);
  if (json !== undefined && JSON.stringify(JSON.parse(json)) === json && !containsNonJson(value)) save(file, json);
  return value;
}

function containsNonJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return false;
  if (typeof value === 'number') return !Number.isFinite(value);
  if (Array.isArray(value)) return value.some(containsNonJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).some(containsNonJson);
  return true;
}

/**
 * The transpiled output of a TypeScript config, by the hash of the compiler version and the
 * source. SVCDB_NO_CACHE does not turn this one off.
 */
export function transpileCache(source: string, compilerVersion: string): { read(): string | null; write(code: string): void } {
  const file = path.join(cacheDir('ts-configs'), `${hash(compilerVersion, source)}.mjs`);
  return {
    read: () => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return null;
      }
    },
    write: (code) => save(file, code),
  };
}
