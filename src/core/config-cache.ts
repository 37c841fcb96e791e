// Start-up caches for the config file, in a per-user temp folder, so that a later run with the
// same input skips work: (1) configs that passed validation, so the next run skips loading zod;
// (2) parsed YAML, so the next run skips loading js-yaml; (3) transpiled svcdb.config.ts, so the
// next run skips loading typescript.
// An entry is found by a quick hash of its input and holds that input whole, which is compared
// on every read: a stale or colliding entry is never used. (No node:crypto and no node:os here:
// loading them costs ~10 ms, more than all of `svcdb env` needs; bench/startup.js.)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function cacheDir(kind: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return path.join(tempDir(), `svcdb-${uid}`, kind);
}

/** os.tmpdir(), by the same rules, without loading node:os. */
function tempDir(): string {
  const env = process.env;
  if (process.platform === 'win32') {
    const dir = env.TEMP || env.TMP || `${env.SystemRoot || env.windir || 'C:\\Windows'}\\temp`;
    return dir.length > 1 && dir.endsWith('\\') && !dir.endsWith(':\\') ? dir.slice(0, -1) : dir;
  }
  const dir = env.TMPDIR || env.TMP || env.TEMP || '/tmp';
  return dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
}

const enabled = () => process.env.SVCDB_NO_CACHE === undefined;

/** The entry's file name: two 32-bit FNV-style hashes of the parts, as hex (a name, not a proof). */
function hash(...parts: string[]): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ parts.length;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 0xff, 0x01000193);
    b = Math.imul(b ^ 0xff, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function load(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
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
  const key = `${schemaSource}\0${JSON.stringify(config) ?? ''}`;
  const marker = path.join(cacheDir('valid-configs'), hash(key));
  return { valid: enabled() && load(marker) === key, remember: () => save(marker, key) };
}

/** `parse(text)` for a YAML file, remembered as JSON by the hash of the text. */
export function parseCached(text: string, parse: (text: string) => unknown): unknown {
  const file = path.join(cacheDir('parsed-yaml'), `${hash(text)}.json`);
  const entry = enabled() ? load(file) : null;
  if (entry !== null) {
    try {
      const cached = JSON.parse(entry) as { text?: unknown; value?: unknown };
      if (cached.text === text) return cached.value;
    } catch {
      // a torn write: parse again
    }
  }
  const value = parse(text);
  // Only plain JSON-able data is cached (YAML dates and the like are re-parsed every time).
  const json = JSON.stringify(value);
  if (json !== undefined && JSON.stringify(JSON.parse(json)) === json && !containsNonJson(value)) save(file, JSON.stringify({ text, value }));
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
 * The transpiled output of a TypeScript config, for this compiler version and source (the first
 * line of the entry says which). SVCDB_NO_CACHE does not turn this one off.
 */
export function transpileCache(source: string, compilerVersion: string): { read(): string | null; write(code: string): void } {
  const file = path.join(cacheDir('ts-configs'), `${hash(compilerVersion, source)}.mjs`);
  const header = `// ${JSON.stringify([compilerVersion, source])}\n`;
  return {
    read: () => {
      const entry = load(file);
      return entry?.startsWith(header) ? entry.slice(header.length) : null;
    },
    write: (code) => save(file, header + code),
  };
}
