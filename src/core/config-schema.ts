// The zod schema of the config file (SPEC §3) and how its issues read to a user.
// zod is imported lazily: only a project with a config file pays for it.
import type { z as Z, core } from 'zod';
import { UserError } from './errors.js';

type Schema = Z.ZodType;
let cached: Schema | undefined;

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export async function configSchema(): Promise<Schema> {
  if (cached) return cached;
  const { z } = await import('zod');
  const nonEmpty = z.string().min(1);
  const run = z.strictObject({
    command: nonEmpty,
    port: z.number().int().min(1).max(65535).optional(),
    health: z.string().optional(),
    after: z.array(nonEmpty).optional(),
    env: z.record(z.string(), z.string()).optional(),
  });
  const read = z.strictObject({
    service: nonEmpty,
    tables: z.array(nonEmpty),
    via: z.array(nonEmpty).optional(),
  });
  const service = z.strictObject({
    owns: z.array(nonEmpty).optional(),
    trackingTable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a plain SQL identifier (letters, digits, _)').optional(),
    run: run.optional(),
    path: nonEmpty.optional(),
    databaseOf: nonEmpty.optional(),
    reads: z.array(read).optional(),
    // where the service's migrations are and how they are laid out (issue 11)
    migrations: nonEmpty.optional(),
    format: z.enum(['flat', 'flyway', 'folder', 'prisma', 'drizzle', 'atlas', 'versioned-folders']).optional(),
    ignore: z.array(nonEmpty).optional(),
    migrateAfter: z.array(nonEmpty).optional(),
  });
  const profile = z.strictObject({
    strategy: z.enum(['shared', 'schema', 'database', 'isolated']).optional(),
    url: nonEmpty.optional(),
  });
  cached = z.strictObject({
    discover: z.array(nonEmpty).min(1).optional(),
    ignore: z.array(nonEmpty).optional(),
    envPrefix: z.string().regex(/^[A-Za-z0-9_]*$/, 'letters, digits and _ only').optional(),
    services: z.record(z.string().regex(SERVICE_NAME, 'a service name (letters, digits, _ . -)'), service).optional(),
    shared: z.record(nonEmpty, nonEmpty).optional(),
    profiles: z.record(z.string().regex(SERVICE_NAME, 'a profile name (letters, digits, _ . -)'), profile).optional(),
    rules: z.record(nonEmpty, z.enum(['error', 'warning', 'off'])).optional(),
  });
  return cached;
}

const KNOWN_KEYS: Array<[RegExp, string[]]> = [
  [/^$/, ['discover', 'ignore', 'envPrefix', 'services', 'shared', 'profiles', 'rules']],
  [/^services\.[^.]+$/, ['owns', 'trackingTable', 'run', 'path', 'databaseOf', 'reads', 'migrations', 'format', 'ignore', 'migrateAfter']],
  [/^services\.[^.]+\.run$/, ['command', 'port', 'health', 'after', 'env']],
  [/^services\.[^.]+\.reads\.\d+$/, ['service', 'tables', 'via']],
  [/^profiles\.[^.]+$/, ['strategy', 'url']],
];

function knownKeysAt(keyPath: ReadonlyArray<PropertyKey>): string[] {
  const joined = keyPath.map(String).join('.');
  return KNOWN_KEYS.find(([re]) => re.test(joined))?.[1] ?? [];
}

export function formatIssue(issue: core.$ZodIssue, raw: unknown, file: string): UserError {
  const keyPath = issue.path;
  const at = (extra: PropertyKey[] = []) => `${file}: ${pathText([...keyPath, ...extra])}`;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const known = knownKeysAt(keyPath);
    const suggestion = didYouMean(key, known);
    return new UserError(`unknown key "${key}"${issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => `"${k}"`).join(', ')})` : ''}`, {
      where: at([key]),
      hint: suggestion ? `did you mean "${suggestion}"?` : `expected one of: ${known.join(', ')}`,
    });
  }
  const found = describeValue(valueAt(raw, keyPath));
  if (issue.code === 'invalid_value') {
    const values = issue.values.map(String);
    const suggestion = typeof valueAt(raw, keyPath) === 'string' ? didYouMean(String(valueAt(raw, keyPath)), values) : null;
    return new UserError(`expected one of ${values.join(', ')}, found ${found}`, {
      where: at(),
      hint: suggestion ? `did you mean "${suggestion}"?` : undefined,
    });
  }
  if (issue.code === 'invalid_type') {
    if (valueAt(raw, keyPath) === undefined) return new UserError(`missing; expected ${issue.expected === 'array' ? 'a list' : issue.expected}`, { where: at() });
    return new UserError(`expected ${issue.expected === 'array' ? 'a list' : issue.expected}, found ${found}`, { where: at() });
  }
  if (issue.code === 'invalid_key') {
    return new UserError(`invalid name: ${issue.issues[0]?.message ?? issue.message}`, { where: at() });
  }
  if (issue.code === 'invalid_format') {
    return new UserError(`expected ${issue.message}, found ${found}`, { where: at() });
  }
  if (issue.code === 'too_small') {
    return new UserError(`${issue.origin === 'array' ? 'must not be an empty list' : issue.origin === 'string' ? 'must not be empty' : `too small (minimum ${String(issue.minimum)})`}, found ${found}`, { where: at() });
  }
  if (issue.code === 'too_big') {
    return new UserError(`too big (maximum ${String(issue.maximum)}), found ${found}`, { where: at() });
  }
  return new UserError(`${issue.message}, found ${found}`, { where: at() });
}

/** `services.query.reads[0].service`: how messages name a key. */
export function pathText(keyPath: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const k of keyPath) out += typeof k === 'number' ? `[${k}]` : out === '' ? String(k) : `.${String(k)}`;
  return out || '(top level)';
}

function valueAt(raw: unknown, keyPath: ReadonlyArray<PropertyKey>): unknown {
  let v = raw;
  for (const k of keyPath) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${truncate(JSON.stringify(v))}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${truncate(JSON.stringify(v))}`;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function didYouMean(input: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(input.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
