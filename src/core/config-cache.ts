// Remembers configs that passed validation, so the next run can skip loading zod.
// A marker file named by sha256(schema source + the expanded config) lives in a per-user
// temp folder; any change to the config, its variables or the schema gives a new hash.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function knownValid(config: unknown, schemaSource: string): { valid: boolean; remember(): void } {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  const dir = path.join(os.tmpdir(), `svcdb-${uid}`, 'valid-configs');
  const hash = createHash('sha256').update(schemaSource).update('\0').update(JSON.stringify(config) ?? '').digest('hex');
  const marker = path.join(dir, hash);
  return {
    valid: process.env.SVCDB_NO_CACHE === undefined && existsSync(marker),
    remember() {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(marker, '');
      } catch {
        // a read-only temp folder only costs speed
      }
    },
  };
}
